// The compiled airspace of one region: per column (x, y) ground elevation, obstacle top, zone
// set and flags, plus the zone table, vertiports and airports. Built by skylane_maps from GIS
// data, stored in a .skya file (airspace_file.hpp), read by the planner. Grid axes: x east,
// y NORTH (row 0 is the southern edge), z up; heights are metres AMSL.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "skylane/airspace/vertiport.hpp"
#include "skylane/airspace/zone.hpp"
#include "skylane/search/grid_geometry.hpp"

namespace skylane::airspace {

/// Column flag bits.
namespace column_flag {
inline constexpr std::uint8_t kUnknownTerrain = 1;  ///< no real DEM: fallback + margin used
inline constexpr std::uint8_t kWater = 2;           ///< outside the land mask
inline constexpr std::uint8_t kStructure = 4;       ///< a building / obstacle stands here
inline constexpr int kTerrainSourceShift = 4;  ///< bits 4..7: terrain layer (1-based), 0 = none
}  // namespace column_flag

/// Where the terrain of the map came from (manifest order = priority order).
struct TerrainSource {
  std::string name;
  std::string path;  ///< as written in the manifest
  std::string licence;
  std::uint64_t content_hash = 0;
};

struct AirspaceInfo {
  std::string name;
  std::string crs;      ///< as declared, e.g. "EPSG:32650"
  std::string crs_wkt;  ///< full WKT of the working CRS
  std::int32_t nx = 0;
  std::int32_t ny = 0;
  std::int32_t nz = 0;
  double origin_x_m = 0.0;  ///< west edge, working CRS
  double origin_y_m = 0.0;  ///< south edge, working CRS
  double cell_xy_m = 20.0;
  double cell_z_m = 10.0;
  double altitude_min_amsl_m = 0.0;      ///< bottom of layer z = 0
  std::array<double, 4> extent_wgs84{};  ///< west, south, east, north requested (degrees)
  std::int32_t utc_offset_s = 8 * 3600;
  double unknown_terrain_margin_m = 0.0;
  std::uint64_t fingerprint = 0;  ///< of inputs and options; checked on load when pinned
  std::vector<TerrainSource> terrain_sources;
  std::string fallback_terrain;  ///< path of the coarse fallback DEM ("" if none)
  std::string builder_version;

  [[nodiscard]] double altitude_max_amsl_m() const { return altitude_min_amsl_m + nz * cell_z_m; }
  /// GDAL geotransform of a north-up raster of the columns (row 0 = north).
  [[nodiscard]] std::array<double, 6> geotransform() const {
    return {origin_x_m, cell_xy_m, 0.0, origin_y_m + ny * cell_xy_m, 0.0, -cell_xy_m};
  }
  [[nodiscard]] search::GridGeometry geometry() const {
    return {origin_x_m, origin_y_m, altitude_min_amsl_m, cell_xy_m, cell_z_m};
  }
};

class Airspace {
 public:
  /// Heights are stored as unsigned decimetres above altitude_min_amsl_m.
  static constexpr double kHeightQuantumM = 0.1;
  static constexpr double kMaxSpanM = 65535 * kHeightQuantumM;

  Airspace() = default;
  /// Allocates all columns: ground and obstacle top at altitude_min, no zones, no flags.
  explicit Airspace(AirspaceInfo info);

  [[nodiscard]] const AirspaceInfo& info() const { return info_; }
  AirspaceInfo& mutable_info() { return info_; }
  [[nodiscard]] std::int32_t nx() const { return info_.nx; }
  [[nodiscard]] std::int32_t ny() const { return info_.ny; }
  [[nodiscard]] std::size_t column_count() const {
    return static_cast<std::size_t>(info_.nx) * static_cast<std::size_t>(info_.ny);
  }
  [[nodiscard]] bool contains(std::int32_t x, std::int32_t y) const {
    return x >= 0 && y >= 0 && x < info_.nx && y < info_.ny;
  }
  [[nodiscard]] std::size_t column(std::int32_t x, std::int32_t y) const {
    return static_cast<std::size_t>(y) * static_cast<std::size_t>(info_.nx) +
           static_cast<std::size_t>(x);
  }

  [[nodiscard]] double ground_amsl_m(std::size_t col) const { return decode(ground_[col]); }
  [[nodiscard]] double obstacle_top_amsl_m(std::size_t col) const {
    return decode(obstacle_top_[col]);
  }
  [[nodiscard]] std::uint8_t flags(std::size_t col) const { return flags_[col]; }
  [[nodiscard]] std::uint16_t zone_set(std::size_t col) const { return zone_set_[col]; }
  [[nodiscard]] int terrain_source(std::size_t col) const {
    return flags_[col] >> column_flag::kTerrainSourceShift;
  }

  void set_ground_amsl_m(std::size_t col, double h) { ground_[col] = encode(h); }
  void set_obstacle_top_amsl_m(std::size_t col, double h) { obstacle_top_[col] = encode(h); }
  void set_flags(std::size_t col, std::uint8_t f) { flags_[col] = f; }
  void set_zone_set(std::size_t col, std::uint16_t s) { zone_set_[col] = s; }

  /// Zone ids (1-based into zones()) of set s; set 0 is the empty set.
  [[nodiscard]] std::span<const std::uint16_t> zone_set_members(std::uint16_t s) const {
    return zone_sets_[s];
  }
  [[nodiscard]] const std::vector<std::vector<std::uint16_t>>& zone_sets() const {
    return zone_sets_;
  }
  std::vector<std::vector<std::uint16_t>>& mutable_zone_sets() { return zone_sets_; }
  /// Zone by 1-based id.
  [[nodiscard]] const Zone& zone(std::uint16_t id) const { return zones_[id - 1]; }
  [[nodiscard]] const std::vector<Zone>& zones() const { return zones_; }
  std::vector<Zone>& mutable_zones() { return zones_; }
  [[nodiscard]] const std::vector<Vertiport>& vertiports() const { return vertiports_; }
  std::vector<Vertiport>& mutable_vertiports() { return vertiports_; }
  [[nodiscard]] const std::vector<Airport>& airports() const { return airports_; }
  std::vector<Airport>& mutable_airports() { return airports_; }

  /// Raw column arrays, for the file writer / reader and bulk algorithms.
  std::vector<std::uint16_t>& raw_ground() { return ground_; }
  std::vector<std::uint16_t>& raw_obstacle_top() { return obstacle_top_; }
  std::vector<std::uint16_t>& raw_zone_set() { return zone_set_; }
  std::vector<std::uint8_t>& raw_flags() { return flags_; }
  [[nodiscard]] const std::vector<std::uint16_t>& raw_ground() const { return ground_; }
  [[nodiscard]] const std::vector<std::uint16_t>& raw_obstacle_top() const { return obstacle_top_; }
  [[nodiscard]] const std::vector<std::uint16_t>& raw_zone_set() const { return zone_set_; }
  [[nodiscard]] const std::vector<std::uint8_t>& raw_flags() const { return flags_; }

  /// Column of a working-frame point, or false if outside the map.
  [[nodiscard]] bool column_at(double x_m, double y_m, std::int32_t& x, std::int32_t& y) const;

  /// Bytes held by the column arrays and tables.
  [[nodiscard]] std::size_t memory_bytes() const;

 private:
  [[nodiscard]] double decode(std::uint16_t v) const {
    return info_.altitude_min_amsl_m + v * kHeightQuantumM;
  }
  [[nodiscard]] std::uint16_t encode(double h) const;

  AirspaceInfo info_;
  std::vector<std::uint16_t> ground_;
  std::vector<std::uint16_t> obstacle_top_;
  std::vector<std::uint16_t> zone_set_;
  std::vector<std::uint8_t> flags_;
  std::vector<std::vector<std::uint16_t>> zone_sets_{{}};
  std::vector<Zone> zones_;
  std::vector<Vertiport> vertiports_;
  std::vector<Airport> airports_;
};

}  // namespace skylane::airspace
