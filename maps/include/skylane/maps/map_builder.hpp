// `skylane map build`: compiles the GIS layers named by a manifest into an Airspace (terrain
// mosaic, land mask, obstacles, zones, vertiports, airports). GDAL stays inside the .cpp.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"
#include "skylane/maps/manifest.hpp"

namespace skylane::maps {

struct BuildStats {
  std::vector<std::pair<std::string, double>> stage_seconds;  ///< in build order
  double total_seconds = 0.0;
  std::uint64_t unknown_terrain_columns = 0;
  std::uint64_t water_columns = 0;
  std::uint64_t structure_columns = 0;
  std::vector<std::string> warnings;  ///< non-fatal findings (a layer contributing nothing, ...)
};

/// Builds the airspace. Errors name the manifest table, the file and the feature at fault:
/// FILE_NOT_FOUND, FILE_UNREADABLE, CRS_MISSING, CRS_INVALID, EXTENT_OUTSIDE_LAYERS,
/// RASTER_NO_DATA, LAYER_EMPTY, GEOMETRY_INVALID, FIELD_MISSING, VALUE_INVALID, GRID_TOO_LARGE.
/// Deterministic: the same inputs give a byte-identical airspace file.
[[nodiscard]] Result<airspace::Airspace> compile_airspace(const MapManifest& manifest,
                                                          BuildStats* stats = nullptr);

/// Manifest -> file, the whole `skylane map build` command.
[[nodiscard]] Result<BuildStats> build_map(const std::string& manifest_path,
                                           const std::string& out_path);

}  // namespace skylane::maps
