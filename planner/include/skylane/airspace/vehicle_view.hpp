// The airspace as one vehicle class sees it: per column the band of free voxel layers
// [lo, hi) after terrain and obstacle clearance, the class ceiling above ground and every
// always-active zone the class may not enter. Satisfies search::Grid, so A* and SIPP run on it
// directly. Zones active only part of the time are NOT folded in: the planner turns them into
// blocked time intervals (see Airspace::zone_set and Zone::active_intervals).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"

namespace skylane::airspace {

/// Altitude rules of a vehicle class (the full catalogue lives with the vehicle classes).
struct VehicleLimits {
  /// Above the DEM. The shared DEM reads summits ~20-30 m low (RMSE 24 m): keep >= 50 m.
  double terrain_clearance_m = 50.0;
  double obstacle_clearance_m = 20.0;  ///< above buildings and masts
  double ceiling_agl_m = 120.0;        ///< 2024 interim regulations Art. 19 for light drones
  double max_amsl_m = std::numeric_limits<double>::infinity();
  /// Bit i set: zones of ZoneKind i are walls for this class.
  std::uint8_t blocked_zone_kinds = (1u << kZoneKindCount) - 1;
};

class VehicleView {
 public:
  /// Precomputes the free band of every column: O(columns), 2 bytes per column.
  /// Errors: INVALID_ARGUMENT if the grid has more than 255 layers or limits are NaN/negative.
  static Result<VehicleView> create(const Airspace& airspace, const VehicleLimits& limits);

  [[nodiscard]] std::int32_t size_x() const { return nx_; }
  [[nodiscard]] std::int32_t size_y() const { return ny_; }
  [[nodiscard]] std::int32_t size_z() const { return nz_; }

  /// O(1); false outside the grid. Thread-safe (read-only).
  [[nodiscard]] bool is_free(std::int32_t x, std::int32_t y, std::int32_t z) const {
    if (static_cast<std::uint32_t>(x) >= static_cast<std::uint32_t>(nx_) ||
        static_cast<std::uint32_t>(y) >= static_cast<std::uint32_t>(ny_)) {
      return false;
    }
    const std::size_t c =
        static_cast<std::size_t>(y) * static_cast<std::size_t>(nx_) + static_cast<std::size_t>(x);
    const Band b = bands_[c];
    // Branch-free: lo <= z < hi as one unsigned compare.
    return static_cast<std::uint32_t>(z - b.lo) < static_cast<std::uint32_t>(b.hi - b.lo);
  }
  /// Free layers [lo, hi) of column c (empty when lo >= hi).
  [[nodiscard]] std::int32_t band_lo(std::size_t c) const { return bands_[c].lo; }
  [[nodiscard]] std::int32_t band_hi(std::size_t c) const { return bands_[c].hi; }

  [[nodiscard]] std::size_t memory_bytes() const { return size_ * sizeof(Band); }

 private:
  std::int32_t nx_ = 0;
  std::int32_t ny_ = 0;
  std::int32_t nz_ = 0;
  // lo and hi side by side: a query touches one cache line.
  struct Band {
    std::uint8_t lo;
    std::uint8_t hi;
  };
  struct Free {
    void operator()(Band* p) const;
  };
  // Allocated on 2 MiB boundaries and advised as huge pages: random queries over tens of MB
  // are bound by TLB misses otherwise.
  std::unique_ptr<Band[], Free> bands_;
  std::size_t size_ = 0;
};

}  // namespace skylane::airspace
