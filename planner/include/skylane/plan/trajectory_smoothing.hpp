// Post-processing of a SIPP grid trajectory: collinear waypoints merged, then any-angle
// shortcuts (line of sight, as in post-smoothed A*: A. Botea, M. Müller, J. Schaeffer, "Near
// Optimal Hierarchical Path-Finding", J. Game Development 1, 2004) accepted only where the
// straight segment stays in statically free voxels AND every voxel it may touch is free of
// reservations and timed zones for the whole time it may be inside it.
#pragma once

#include <cstddef>

#include "skylane/plan/corridor_grid.hpp"
#include "skylane/plan/timed_zones.hpp"
#include "skylane/search/grid_geometry.hpp"
#include "skylane/traj/trajectory.hpp"

namespace skylane::plan {

/// Conservative occupancy test of straight 4D segments against a CorridorGrid (static) and a
/// ZonedReservations (time). The segment is sampled at most a quarter cell apart on each axis;
/// each sample stands for the piece of segment around it (half a sample step either way), whose
/// bounding box picks the voxels (closed boxes: a point on a face touches both sides) and whose
/// time span, rounded outwards to whole ms, must lie inside one safe interval of each. So if
/// segment_free() holds, at every instant the vehicle is inside the closed box of a voxel that
/// is free then: the reservation sweep's guarantee (reservation_table.hpp) gives separation, as
/// for SIPP's own moves. Not thread-safe (ZonedReservations is not).
class OccupancyChecker {
 public:
  OccupancyChecker(const CorridorGrid& grid, const ZonedReservations& intervals,
                   const search::GridGeometry& geometry)
      : grid_(&grid), intervals_(&intervals), geometry_(geometry) {}

  /// O(samples * voxels per sample * reservations per voxel).
  [[nodiscard]] bool segment_free(const traj::Waypoint4D& a, const traj::Waypoint4D& b) const;

 private:
  const CorridorGrid* grid_;
  const ZonedReservations* intervals_;
  search::GridGeometry geometry_;
};

/// Drops every waypoint whose neighbours make it redundant: the same velocity before and after
/// (collinear, equal speed; also repeated hovering points). The space-time curve is unchanged.
[[nodiscard]] traj::Trajectory4D merge_collinear(const traj::Trajectory4D& trajectory);

struct SmoothingStats {
  std::size_t shortcuts = 0;  ///< accepted shortcuts
  std::size_t checks = 0;     ///< segment_free calls
};

/// Greedy line-of-sight smoothing between waypoint indices first and last (inclusive; waypoints
/// outside are copied unchanged, e.g. the vertical take-off and landing). From each anchor the
/// farthest waypoint reachable by a free straight segment is found by doubling then bisection
/// (O(log n) checks per anchor; bisection is a heuristic, every accepted segment is checked).
/// Times of the kept waypoints are kept, so a shortcut is flown no faster than the grid path:
/// horizontal speed and climb/descent rates stay within the motion model.
[[nodiscard]] traj::Trajectory4D shortcut(const traj::Trajectory4D& trajectory, std::size_t first,
                                          std::size_t last, const OccupancyChecker& checker,
                                          SmoothingStats* stats = nullptr);

}  // namespace skylane::plan
