// The map manifest (TOML): working CRS, extent, cell sizes, altitude span and the GIS layers a
// map is compiled from. Paths are relative to the manifest's folder. Unknown keys are errors.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "skylane/airspace/zone.hpp"
#include "skylane/core/error.hpp"

namespace skylane::maps {

/// "GCJ-02" declares the obfuscated datum of Chinese web maps; it is converted on ingest.
inline constexpr const char* kGcj02 = "GCJ-02";

struct TerrainLayer {
  std::string name;
  std::string path;     ///< resolved against the manifest folder
  std::string crs;      ///< "" = the raster's own
  std::string licence;  ///< free text, carried into the map's provenance
  std::string resampling = "bilinear";
  std::optional<double> nodata;  ///< overrides the raster's nodata value
  double min_valid_m = -500.0;   ///< values outside [min, max] are treated as nodata
  double max_valid_m = 9000.0;
};

struct FallbackTerrain {
  std::string path;
  std::string crs;
  double margin_m = 50.0;  ///< added to the fallback to give the obstacle floor
};

/// Any OGR vector layer: path, declared CRS ("" = the file's own, "GCJ-02" converted) and an
/// optional OGR SQL attribute filter.
struct VectorSource {
  std::string path;
  std::string crs;
  std::string where;
  std::string layer;  ///< layer name within the datasource ("" = first)
};

enum class ZoneDerive { kAsIs, kBuffer, kRunway };

struct ZoneLayer {
  std::string name;
  VectorSource source;
  airspace::ZoneKind kind = airspace::ZoneKind::kProhibited;
  ZoneDerive derive = ZoneDerive::kAsIs;
  double buffer_m = 0.0;                 ///< derive = buffer (points, lines or polygons)
  double runway_lateral_m = 10000.0;     ///< derive = runway: either side of the centreline
  double runway_beyond_end_m = 20000.0;  ///< derive = runway: past each runway end
  std::string name_field;                ///< per-feature zone names ("" = layer name + FID)
  bool merge = false;                    ///< one zone for the whole layer
  airspace::AltitudeLimit floor;
  airspace::AltitudeLimit ceiling = airspace::AltitudeLimit::unlimited();
  std::vector<airspace::ActivityWindow> windows;
};

struct ObstacleLayer {
  std::string name;
  VectorSource source;
  std::string height_field;  ///< metres above ground
  std::string floors_field;  ///< or a floor count
  double metres_per_floor = 3.0;
  double footprint_radius_m = 15.0;  ///< for points
};

struct MapManifest {
  std::string manifest_path;
  std::string name;
  std::string crs = "EPSG:32650";
  std::array<double, 4> extent_wgs84{};  ///< west, south, east, north
  double cell_xy_m = 20.0;
  double cell_z_m = 10.0;
  double altitude_min_amsl_m = -50.0;
  double altitude_max_amsl_m = 1550.0;
  double utc_offset_hours = 8.0;
  std::vector<TerrainLayer> terrain;
  std::optional<FallbackTerrain> fallback;
  std::optional<VectorSource> land;
  std::vector<ZoneLayer> zones;
  std::vector<ObstacleLayer> obstacles;
  std::optional<VectorSource> vertiports;
  std::vector<VectorSource> airports;
  std::string canonical;  ///< normalised manifest text, part of the fingerprint

  [[nodiscard]] std::int32_t utc_offset_s() const {
    return static_cast<std::int32_t>(utc_offset_hours * 3600.0);
  }
};

/// Parses and validates a manifest. Errors: FILE_NOT_FOUND, MANIFEST_PARSE_ERROR,
/// MANIFEST_UNKNOWN_KEY, MANIFEST_MISSING_FIELD, MANIFEST_INVALID_VALUE, CELL_SIZE_INVALID;
/// each names the manifest, the table and the key.
[[nodiscard]] Result<MapManifest> load_manifest(const std::string& path);

/// Checks the numbers of a manifest (also after command-line overrides such as --cell-size).
[[nodiscard]] Result<void> validate_manifest(const MapManifest& m);

}  // namespace skylane::maps
