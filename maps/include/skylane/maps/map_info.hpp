// `skylane map info`: what an airspace file holds, as numbers a person can check.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"

namespace skylane::maps {

struct MapSummary {
  std::string name;
  std::string fingerprint;
  std::string crs;
  std::int32_t nx = 0, ny = 0, nz = 0;
  double cell_xy_m = 0, cell_z_m = 0;
  double altitude_min_amsl_m = 0, altitude_max_amsl_m = 0;
  std::array<double, 4> extent_working{};  ///< xmin, ymin, xmax, ymax (m)
  std::array<double, 4> extent_wgs84{};    ///< west, south, east, north of the grid
  std::array<double, 4> extent_wgs84_requested{};
  std::uint64_t columns = 0;
  std::uint64_t unknown_terrain_columns = 0;
  std::uint64_t water_columns = 0;
  std::uint64_t structure_columns = 0;
  std::vector<std::pair<std::string, std::uint64_t>> columns_by_terrain_source;  ///< + "none"
  double ground_min_m = 0, ground_max_m = 0, ground_mean_land_m = 0;
  double obstacle_max_agl_m = 0;
  std::map<std::string, std::pair<int, std::uint64_t>> zones_by_kind;  ///< kind: zones, columns
  int timed_zones = 0;
  /// AGL altitude -> share of columns where that altitude is inside an obstacle, the unknown-
  /// terrain margin, or an always-active zone.
  std::vector<std::pair<double, double>> blocked_share_at_agl;
  std::vector<airspace::Vertiport> vertiports;
  std::vector<airspace::Airport> airports;
  std::size_t memory_bytes = 0;
};

[[nodiscard]] Result<MapSummary> summarize(const airspace::Airspace& a);
[[nodiscard]] std::string summary_text(const MapSummary& s);
[[nodiscard]] std::string summary_json(const MapSummary& s);

}  // namespace skylane::maps
