// 4D trajectories (x, y, z, t) in the map's working frame, and the separation envelope a
// vehicle class must keep. Shared by the planner (which produces and reserves trajectories)
// and the conflict checker (which verifies them independently).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace skylane::traj {

/// Time since the plan / scenario / service epoch. Millisecond resolution, as in DESIGN.md.
using Millis = std::chrono::milliseconds;

/// One vertex of a piecewise-linear 4D trajectory. x/y are metres in the working frame
/// (projected, e.g. UTM 50N), z is metres AMSL; the vehicle moves in a straight line at
/// constant velocity between consecutive waypoints.
struct Waypoint4D {
  double x_m = 0.0;
  double y_m = 0.0;
  double z_m = 0.0;
  Millis t{0};
};

/// A flown (or planned) path. Invariant: at least one waypoint; times non-decreasing. Equal
/// consecutive positions with increasing times mean hovering / waiting on a pad. The vehicle
/// exists only during [points.front().t, points.back().t].
struct Trajectory4D {
  std::int64_t id = 0;  ///< caller's identifier (mission id), echoed in conflict reports
  std::vector<Waypoint4D> points;
};

/// Separation a vehicle class keeps from every other aircraft: two aircraft are in conflict at
/// time t when their horizontal distance is below the horizontal minimum AND their vertical
/// distance is below the vertical minimum. Between two classes the larger value of each applies.
/// The time buffer is the planner's margin for timing uncertainty (reservations are padded by it
/// on both sides); the conflict checker itself judges instantaneous separation.
struct SeparationEnvelope {
  double horizontal_m = 32.0;  ///< Metropolis II research value; DESIGN.md
  double vertical_m = 7.6;
  Millis time_buffer{2000};
};

}  // namespace skylane::traj
