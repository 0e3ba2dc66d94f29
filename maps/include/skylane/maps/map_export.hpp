// `skylane map export`: layers of an airspace file as GeoTIFF (rasters) or GeoJSON (vectors,
// WGS 84 per RFC 7946), so a person can open them in QGIS.
#pragma once

#include <string>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"

namespace skylane::maps {

enum class ExportLayer {
  kGround,         ///< Float32, ground metres AMSL
  kObstacles,      ///< Float32, obstacle top metres AMSL (terrain where nothing stands)
  kFreeAt,         ///< Byte, 1 = free at alt_agl_m (static, always-active zones), 0 = blocked
  kTerrainSource,  ///< Byte, terrain layer index (0 = fallback / sea), 255 = unknown terrain
  kZones,          ///< polygons with id, name, kind, floor, ceiling, windows
  kVertiports,     ///< points with their attributes
};

[[nodiscard]] Result<ExportLayer> parse_export_layer(const std::string& name);

struct ExportOptions {
  ExportLayer layer = ExportLayer::kGround;
  double alt_agl_m = 120.0;  ///< for kFreeAt
  std::string out;           ///< .tif / .tiff (rasters) or .geojson / .json
};

/// Writes the layer. Rasters are north-up with the map's CRS and geotransform; GeoJSON is
/// WGS 84 lon/lat; kFreeAt as GeoJSON is the polygonised blocked area. Errors: USAGE (a format
/// the layer cannot take), INVALID_ARGUMENT (NaN altitude), IO_ERROR.
[[nodiscard]] Result<void> export_layer(const airspace::Airspace& a, const ExportOptions& o);

/// 1 where a column is free at alt_agl_m above its ground (terrain, obstacles, unknown-terrain
/// margin and always-active zones considered; no vehicle clearance), row 0 = SOUTH.
[[nodiscard]] std::vector<std::uint8_t> free_mask_at(const airspace::Airspace& a, double alt_agl_m);

}  // namespace skylane::maps
