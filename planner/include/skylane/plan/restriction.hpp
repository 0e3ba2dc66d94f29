// Airspace restrictions added at run time (dispatch AddRestriction / RemoveRestriction, simulator
// restriction events): a WGS 84 polygon with a floor, a ceiling and an active window, rasterised
// once onto the map's columns. The planner treats them like timed zones (blocked time intervals,
// timed_zones.hpp); they are never written into the ReservationTable.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/airspace/zone.hpp"
#include "skylane/core/error.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/plan/column_route.hpp"
#include "skylane/search/reservation_table.hpp"
#include "skylane/traj/trajectory.hpp"

namespace skylane::plan {

/// One restriction as an operator states it.
struct Restriction {
  std::int64_t id = 0;  ///< unique within a RestrictionSet
  std::string name;
  /// Vehicle classes whose VehicleLimits::blocked_zone_kinds has this kind treat it as a wall
  /// (every built-in class blocks every kind).
  airspace::ZoneKind kind = airspace::ZoneKind::kTemporary;
  /// Polygon ring, WGS 84 {lon_deg, lat_deg}; closing the ring (last == first) is optional.
  /// Edges are straight lines in the map's working frame. Even-odd rule.
  std::vector<std::array<double, 2>> ring_lonlat;
  airspace::AltitudeLimit floor{0.0, airspace::AltitudeRef::kAgl};  ///< default: the ground
  airspace::AltitudeLimit ceiling = airspace::AltitudeLimit::unlimited();
  /// Active window [active_from, active_to), ms since the planner epoch
  /// (PlannerOptions::epoch_unix_s). active_to == search::kTimeInf: open-ended.
  traj::Millis active_from{0};
  traj::Millis active_to{search::kTimeInf};
};

/// A Restriction rasterised onto one Airspace: a column is covered when its centre lies inside
/// the polygon (even-odd); over a covered column the blocked layers are those overlapping
/// [floor, ceiling] (same rounding as TimedZoneOverlay::zone_layers). Immutable.
class RasterisedRestriction {
 public:
  /// Validates and rasterises. Errors: RESTRICTION_INVALID (ring with < 3 distinct points,
  /// NaN / infinite / out-of-range coordinate, NaN floor or ceiling, infinite floor, floor at or
  /// above the ceiling, empty or inverted window; the message names the field),
  /// RESTRICTION_OUTSIDE_MAP (no column centre of the map lies inside the polygon).
  /// `frame` must be the airspace's working frame (GeoFrame::create(info().crs)).
  /// O(vertices * rows of the bounding box + covered columns).
  [[nodiscard]] static Result<std::shared_ptr<const RasterisedRestriction>> create(
      const Restriction& restriction, const airspace::Airspace& airspace,
      const geo::GeoFrame& frame);

  [[nodiscard]] const Restriction& restriction() const { return spec_; }
  [[nodiscard]] std::int64_t id() const { return spec_.id; }
  [[nodiscard]] const airspace::Airspace& airspace() const { return *airspace_; }

  /// Column bounding box of the covered columns, half-open: [x0, x1) x [y0, y1).
  [[nodiscard]] std::int32_t x0() const { return x0_; }
  [[nodiscard]] std::int32_t y0() const { return y0_; }
  [[nodiscard]] std::int32_t x1() const { return x1_; }
  [[nodiscard]] std::int32_t y1() const { return y1_; }
  [[nodiscard]] std::size_t covered_columns() const { return covered_; }

  /// True when column (x, y) is covered. O(1); false outside the bounding box or the map.
  [[nodiscard]] bool covers(std::int32_t x, std::int32_t y) const {
    if (x < x0_ || y < y0_ || x >= x1_ || y >= y1_) return false;
    const auto i = static_cast<std::size_t>(y - y0_) * static_cast<std::size_t>(x1_ - x0_) +
                   static_cast<std::size_t>(x - x0_);
    return (mask_[i >> 6] >> (i & 63u)) & 1u;
  }

  /// Blocked layers [lo, hi) over a column whose ground is ground_amsl_m (may be empty).
  [[nodiscard]] LayerBand layers(double ground_amsl_m) const;

  /// The polygon in the working frame, metres {x, y} (closing point dropped).
  [[nodiscard]] const std::vector<std::array<double, 2>>& ring_plane() const { return ring_m_; }

  /// "restriction 7 'Stadium event' (temporary)", for reason texts.
  [[nodiscard]] std::string describe() const;

 private:
  RasterisedRestriction() = default;

  Restriction spec_;
  const airspace::Airspace* airspace_ = nullptr;
  std::vector<std::array<double, 2>> ring_m_;
  std::int32_t x0_ = 0;
  std::int32_t y0_ = 0;
  std::int32_t x1_ = 0;
  std::int32_t y1_ = 0;
  std::size_t covered_ = 0;
  std::vector<std::uint64_t> mask_;  ///< one bit per bounding-box column, row-major from (x0, y0)
};

/// The restrictions in force on one Airspace: an immutable-element value that is cheap to copy
/// (a vector of shared pointers to immutable rasterisations). Writers copy, add / remove, and
/// publish the copy; planners keep planning against the copy they hold. A RestrictionSet object
/// itself is not synchronised: share it between threads only while nobody modifies it.
class RestrictionSet {
 public:
  using Entry = std::shared_ptr<const RasterisedRestriction>;

  /// An empty set bound to no map: add() fails, the planner accepts it (it holds nothing).
  RestrictionSet() = default;
  /// An empty set for `airspace`, which must outlive the set and its copies.
  explicit RestrictionSet(const airspace::Airspace& airspace) : airspace_(&airspace) {}

  /// Rasterises `restriction` with a working frame made from the map's CRS (a PROJ context per
  /// call, a few ms) and adds it. Errors: those of RasterisedRestriction::create,
  /// RESTRICTION_ALREADY_EXISTS (same id), RESTRICTION_MAP_MISMATCH (set bound to no map).
  [[nodiscard]] Result<void> add(const Restriction& restriction);
  /// As above with the caller's frame (the airspace's working frame; not thread-safe, so one
  /// per thread).
  [[nodiscard]] Result<void> add(const Restriction& restriction, const geo::GeoFrame& frame);
  /// Adds an already rasterised restriction (e.g. rasterised outside a writer's lock). Errors:
  /// RESTRICTION_ALREADY_EXISTS, RESTRICTION_MAP_MISMATCH (rasterised for another airspace or
  /// null).
  [[nodiscard]] Result<void> add(Entry restriction);

  /// Removes restriction `id`; false if there is none. O(size).
  bool remove(std::int64_t id);

  /// The restriction with this id, or nullptr. O(size).
  [[nodiscard]] const RasterisedRestriction* find(std::int64_t id) const;
  /// The shared entry (to hand to another set or keep alive), or null.
  [[nodiscard]] Entry find_shared(std::int64_t id) const;

  /// Every restriction, in insertion order.
  [[nodiscard]] std::span<const Entry> all() const { return entries_; }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  /// The map the set is bound to (nullptr for a default-constructed set).
  [[nodiscard]] const airspace::Airspace* airspace() const { return airspace_; }

 private:
  const airspace::Airspace* airspace_ = nullptr;
  std::vector<Entry> entries_;
};

/// True iff some point of the trajectory lies in a covered column, within the blocked layers
/// over it, at a time in the active window [active_from, active_to). Exact for the piecewise-
/// linear flight: every segment is cut where it crosses a column or layer boundary (finer than
/// sampling at half a cell), and each piece, which stays in one voxel, counts when its closed
/// time range [t_a, t_b] (times interpolated) meets the window; a hover counts over its whole
/// duration. Columns are half-open ([x0, x0 + cell)); a segment crossing exactly through a
/// column corner is not inside the two diagonal neighbours it touches only there (SIPP's
/// diagonal moves do the same). Points outside the map are outside. Errors: TRAJECTORY_INVALID (no
/// waypoint, NaN coordinate, decreasing time), RESTRICTION_MAP_MISMATCH (`airspace` is not the
/// restriction's). O(columns and layers crossed).
[[nodiscard]] Result<bool> restriction_affects(const RasterisedRestriction& restriction,
                                               const traj::Trajectory4D& trajectory,
                                               const airspace::Airspace& airspace);

}  // namespace skylane::plan
