// Zones active only part of the time, as blocked time intervals per voxel for one query horizon
// (DESIGN.md: "a zone that is active only part of the time becomes blocked time intervals"),
// and ZonedReservations, the SafeIntervalSource that subtracts them from the ReservationTable's
// safe intervals. Zones are never written into the table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/plan/column_route.hpp"
#include "skylane/search/reservation_table.hpp"

namespace skylane::plan {

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
  TimedZoneOverlay(const airspace::Airspace& airspace, std::uint8_t blocked_zone_kinds,
                   search::Millis from, search::Millis to, std::int64_t epoch_unix_s);

  [[nodiscard]] bool empty() const { return zones_.empty(); }
  [[nodiscard]] const std::vector<TimedZone>& zones() const { return zones_; }
  [[nodiscard]] search::Millis horizon_end() const { return to_; }

  /// True when column `col` (Airspace::column) lies in some timed zone. O(1).
  [[nodiscard]] bool column_has_zones(std::size_t col) const {
    return !by_set_[airspace_->zone_set(col)].empty();
  }

  /// Appends to `busy` the blocked intervals of voxel layer z of column col. O(zones there).
  void blocked(std::size_t col, std::int32_t z, std::vector<search::Reservation>& busy) const;

  /// A zone covering layer z of column col that is blocked during all of [from, to], or nullptr.
  [[nodiscard]] const airspace::Zone* blocking_throughout(std::size_t col, std::int32_t z,
                                                          search::Millis from,
                                                          search::Millis to) const;

  /// `band` minus the layers of every timed zone over column col that is active at some time
  /// before the horizon end (as VehicleView does with always-active zones: a zone splitting the
  /// band keeps the lower part).
  [[nodiscard]] LayerBand cut(std::size_t col, LayerBand band) const;

  /// Blocked layers [lo, hi) of zone z over a column whose ground is ground_amsl_m, with the
  /// same rounding as VehicleView (every layer that overlaps the zone's vertical extent).
  [[nodiscard]] LayerBand zone_layers(const airspace::Zone& z, double ground_amsl_m) const;

 private:
  const airspace::Airspace* airspace_ = nullptr;
  search::Millis to_{0};
  std::vector<TimedZone> zones_;
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
                             : std::max(table_->latest_end(), overlay_->horizon_end());
  }

  /// As ReservationTable::safe_intervals, with the zones' blocked time removed.
  void safe_intervals(search::Voxel v, search::Millis horizon,
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
