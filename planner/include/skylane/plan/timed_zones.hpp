// Zones active only part of the time, as blocked time intervals per voxel for one query horizon
// (DESIGN.md: "a zone that is active only part of the time becomes blocked time intervals"),
// and ZonedReservations, the SafeIntervalSource that subtracts them from the ReservationTable's
// safe intervals. Zones are never written into the table. Run-time restrictions
// (restriction.hpp) join them here, with their own exact active windows.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/plan/column_route.hpp"
#include "skylane/search/reservation_table.hpp"

namespace skylane::plan {

class RasterisedRestriction;
class RestrictionSet;

/// Layers [lo, hi) of the map that overlap the vertical extent [floor_amsl_m, ceiling_amsl_m]
/// (every layer that overlaps it, as VehicleView rounds zones), clamped to [0, nz).
[[nodiscard]] LayerBand layers_overlapping(const airspace::AirspaceInfo& info, double floor_amsl_m,
                                           double ceiling_amsl_m);

/// Blocked time of one restriction for one query: [active_from - 1 ms, active_to + 1 ms), or to
/// kTimeInf when open-ended.
struct TimedRestriction {
  const RasterisedRestriction* restriction = nullptr;
  search::SafeInterval blocked;  ///< busy interval (not a safe one)
};

/// Blocked time of one timed zone, ms since the planner epoch, half-open, sorted, disjoint.
struct TimedZone {
  const airspace::Zone* zone = nullptr;
  std::vector<search::SafeInterval> blocked;  ///< busy intervals (not safe ones), [begin, end)
};

class TimedZoneOverlay {
 public:
  TimedZoneOverlay() = default;

  /// The zones of `airspace` whose kind is in `blocked_zone_kinds` (VehicleLimits bit set) and
  /// that have activity windows, active within [from, to) (ms since the epoch, which is Unix
  /// time epoch_unix_s). Each active interval is widened by 1 ms on both sides, so that a
  /// closed occupancy touching a safe interval's end never overlaps a zone's first or last
  /// instant. From `to` on, every timed zone counts as active (nothing is known beyond the
  /// horizon: conservative). O(zones * days in the horizon + zone sets).
  ///
  /// `restrictions` (optional; bound to `airspace` or to no map): those whose kind is blocked and
  /// whose window ends after `from` join as blocked intervals over their exact active window
  /// (widened by 1 ms on both sides; no horizon rule: their windows are known). The set must
  /// outlive the overlay. O(restrictions) more.
  TimedZoneOverlay(const airspace::Airspace& airspace, std::uint8_t blocked_zone_kinds,
                   search::Millis from, search::Millis to, std::int64_t epoch_unix_s,
                   const RestrictionSet* restrictions = nullptr);

  [[nodiscard]] bool empty() const { return zones_.empty() && restrictions_.empty(); }
  [[nodiscard]] const std::vector<TimedZone>& zones() const { return zones_; }
  [[nodiscard]] const std::vector<TimedRestriction>& restrictions() const { return restrictions_; }
  [[nodiscard]] search::Millis horizon_end() const { return to_; }
  /// The latest finite end of any blocked interval (restrictions may end after the horizon);
  /// kTimeNegInf if none.
  [[nodiscard]] search::Millis latest_finite_end() const { return latest_finite_end_; }

  /// True when column (x, y) lies in some timed zone or restriction. O(1) + O(restrictions).
  [[nodiscard]] bool column_has_zones(std::int32_t x, std::int32_t y) const {
    return !by_set_[airspace_->zone_set(airspace_->column(x, y))].empty() ||
           (!restrictions_.empty() && column_has_restrictions(x, y));
  }

  /// Appends to `busy` the blocked intervals of voxel (x, y, z). O(zones and restrictions
  /// there).
  void blocked(std::int32_t x, std::int32_t y, std::int32_t z,
               std::vector<search::Reservation>& busy) const;

  /// Describes ("zone 3 'x' (restricted)", "restriction 7 'y' (temporary, active [...))") a zone
  /// or restriction covering voxel (x, y, z) that is blocked during all of [from, to]; empty if
  /// none.
  [[nodiscard]] std::string blocking_throughout(std::int32_t x, std::int32_t y, std::int32_t z,
                                                search::Millis from, search::Millis to) const;

  /// `band` minus the layers of every timed zone over column (x, y) that is active at some time
  /// before the horizon end, and of every restriction there active at some time in
  /// [from, horizon end) (as VehicleView does with always-active zones: a zone splitting the
  /// band keeps the lower part).
  [[nodiscard]] LayerBand cut(std::int32_t x, std::int32_t y, LayerBand band) const;

  /// Blocked layers [lo, hi) of zone z over a column whose ground is ground_amsl_m, with the
  /// same rounding as VehicleView (every layer that overlaps the zone's vertical extent).
  [[nodiscard]] LayerBand zone_layers(const airspace::Zone& z, double ground_amsl_m) const;

 private:
  [[nodiscard]] bool column_has_restrictions(std::int32_t x, std::int32_t y) const;

  const airspace::Airspace* airspace_ = nullptr;
  search::Millis from_{0};
  search::Millis to_{0};
  search::Millis latest_finite_end_{search::kTimeNegInf};
  std::vector<TimedZone> zones_;
  std::vector<TimedRestriction> restrictions_;
  std::vector<std::vector<std::uint32_t>> by_set_;  ///< zone set -> indices into zones_
};

/// Safe intervals of the ReservationTable minus the timed zones. Satisfies
/// search::SafeIntervalSource. Not thread-safe (a scratch buffer per object): one per query.
class ZonedReservations {
 public:
  ZonedReservations(const search::ReservationTable& table, const TimedZoneOverlay& overlay,
                    const airspace::Airspace& airspace)
      : table_(&table), overlay_(&overlay), airspace_(&airspace) {}

  [[nodiscard]] std::int32_t size_x() const { return table_->size_x(); }
  [[nodiscard]] std::int32_t size_y() const { return table_->size_y(); }
  [[nodiscard]] std::int32_t size_z() const { return table_->size_z(); }
  [[nodiscard]] search::Millis latest_end() const {
    return overlay_->empty() ? table_->latest_end()
                             : std::max({table_->latest_end(), overlay_->horizon_end(),
                                         overlay_->latest_finite_end()});
  }

  /// As ReservationTable::safe_intervals, with the zones' blocked time removed.
  void safe_intervals(search::Voxel v, search::Millis horizon,
                      std::vector<search::SafeInterval>& out) const;
  /// From `from` on (search::SafeIntervalSource): the table's clipped list in a column without
  /// timed zones; in one with zones the whole list.
  void safe_intervals(search::Voxel v, search::Millis from, search::Millis horizon,
                      std::vector<search::SafeInterval>& out) const;

  /// True iff the closed range [from, to] lies inside one safe interval of v.
  [[nodiscard]] bool is_free(search::Voxel v, search::Millis from, search::Millis to) const;

  [[nodiscard]] const search::ReservationTable& table() const { return *table_; }
  [[nodiscard]] const TimedZoneOverlay& overlay() const { return *overlay_; }

 private:
  const search::ReservationTable* table_;
  const TimedZoneOverlay* overlay_;
  const airspace::Airspace* airspace_;
  mutable std::vector<search::Reservation> busy_;
  mutable std::vector<search::SafeInterval> scratch_;
};

}  // namespace skylane::plan
