// Conflict checker: the referee that verifies separation between piecewise-linear 4D
// trajectories in continuous time. It is independent of the planner (no grid, no reservation
// table): tests, the simulator and service audits use it to judge what the planner produced.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/traj/trajectory.hpp"

namespace skylane::conflict {

/// Continuous time since the same epoch as traj::Millis, in seconds. Conflict intervals start
/// and end at roots of polynomials, so they are not whole milliseconds.
using Seconds = std::chrono::duration<double>;

/// A point in the working frame (x/y projected metres, z metres AMSL), as in traj::Waypoint4D.
struct Position {
  double x_m = 0.0;
  double y_m = 0.0;
  double z_m = 0.0;
};

/// A trajectory and the separation envelope of its vehicle class. Non-owning: the trajectory
/// must outlive the call it is passed to.
struct FlightRef {
  const traj::Trajectory4D* trajectory = nullptr;
  traj::SeparationEnvelope envelope{};
};

/// One maximal conflict interval between two aircraft.
///
/// Conflict definition (instantaneous; SeparationEnvelope::time_buffer is the planner's margin
/// and is ignored here): aircraft A and B conflict at time t iff both exist at t (t lies in
/// [front.t, back.t] of each trajectory) AND horizontal distance < H AND |z_A - z_B| < V, where
/// H = max(H_A, H_B) and V = max(V_A, V_B). Both comparisons are strict: a distance exactly
/// equal to a minimum is separated (touching the boundary is not a violation).
///
/// Intervals are half-open [begin, end) and maximal: sub-intervals found on consecutive
/// linear pieces are merged when they touch (next.begin <= current.end). Because the
/// conditions are strict and motion is continuous, a conflict normally lasts a positive time;
/// the only exception is a conflict confined to one instant at which one aircraft appears or
/// disappears (e.g. one trajectory ends exactly when the other starts, at the same spot). Such
/// a conflict is still reported, with begin == end.
struct Violation {
  std::int64_t id_a = 0;  ///< Trajectory4D::id of the first aircraft
  std::int64_t id_b = 0;
  /// Positions in the input: check_pairwise 0 and 1; check_against 0 (the candidate) and the
  /// index in `existing`; check_all the indices in `flights`, index_a < index_b.
  std::size_t index_a = 0;
  std::size_t index_b = 0;
  Seconds begin{0.0};           ///< first conflicting instant (up to floating-point rounding)
  Seconds end{0.0};             ///< end of the conflict, exclusive
  traj::Millis begin_floor{0};  ///< begin rounded down to a millisecond: [begin_floor, end_ceil)
  traj::Millis end_ceil{0};     ///< end rounded up; the whole-ms interval covering [begin, end)
  double horizontal_minimum_m = 0.0;  ///< H applied to this pair (larger of the two classes)
  double vertical_minimum_m = 0.0;    ///< V applied to this pair
  double min_horizontal_m = 0.0;      ///< smallest horizontal distance inside [begin, end]
  double min_vertical_m = 0.0;        ///< smallest |dz| inside [begin, end]
  double min_distance_3d_m = 0.0;     ///< smallest Euclidean 3D distance inside [begin, end]
  Seconds closest_time{0.0};          ///< when the 3D distance is smallest
  Position position_a;                ///< where A is at closest_time
  Position position_b;                ///< where B is at closest_time
};

/// The closest two aircraft came under one measure; distance_m is +infinity when no pair
/// qualifies (then ids, indices and time are meaningless).
struct ClosestApproach {
  double distance_m = std::numeric_limits<double>::infinity();
  std::int64_t id_a = 0;
  std::int64_t id_b = 0;
  std::size_t index_a = 0;  ///< same index convention as Violation
  std::size_t index_b = 0;
  Seconds time{0.0};  ///< earliest instant at which the minimum is reached
};

/// Minimum separation over a set (every pair that exists at a common instant):
/// - distance_3d: min over pairs and common instants t of the Euclidean 3D distance.
/// - horizontal_within_vertical: infimum over pairs and common instants t with
///   |dz(t)| < V_pair of the horizontal distance. The infimum is taken over the closure of
///   those instants, so it may be reached where |dz| == V exactly. A pair is in conflict
///   somewhere iff this value is < H_pair (it may equal H_pair without a conflict).
/// Exact (up to floating-point rounding) in check_pairwise and check_against. In check_all a
/// value >= CheckOptions::min_separation_horizon_m is reported as +infinity ("no two
/// aircraft came within the horizon"), because pairs farther apart are not examined.
struct MinSeparation {
  ClosestApproach distance_3d;
  ClosestApproach horizontal_within_vertical;
};

/// Work counters, for benchmarks and capacity planning; never part of the verdict.
struct CheckStats {
  std::size_t trajectories = 0;    ///< trajectories validated
  std::size_t chunks = 0;          ///< check_all broad phase: bounded sub-segments hashed
  std::size_t box_tests = 0;       ///< check_all broad phase: chunk pairs compared
  std::size_t pairs_examined = 0;  ///< trajectory pairs run through the exact narrow phase
  std::size_t piece_pairs = 0;     ///< overlapping linear-piece pairs solved exactly
};

/// The verdict. `violations` is sorted by (index_a, index_b, begin).
struct ConflictReport {
  std::vector<Violation> violations;
  MinSeparation min_separation;
  CheckStats stats;

  /// True when no violation was found.
  [[nodiscard]] bool conflict_free() const { return violations.empty(); }
};

/// Tuning for check_all.
struct CheckOptions {
  /// Pairs whose horizontal distance never drops below max(H_pair, this) at a common instant
  /// may be skipped; min_separation values at or above it are reported as +infinity. It
  /// never affects which violations are found. +infinity examines every pair that overlaps in
  /// time (exact min separation, O(n^2) in the worst case). Metres, >= 0.
  double min_separation_horizon_m = 500.0;
};

/// Checks the trajectory's invariants: at least one waypoint; every coordinate finite and within
/// +-1e9 m (beyond that is a unit error, and it bounds the broad phase); times non-decreasing;
/// equal consecutive times only with equal positions (a repeated waypoint; a jump in zero time
/// is rejected). Error reason TRAJECTORY_INVALID naming the trajectory id and waypoint index.
/// O(points).
[[nodiscard]] Result<void> validate_trajectory(const traj::Trajectory4D& trajectory);

/// Exact check of one pair. Errors: TRAJECTORY_INVALID (see validate_trajectory),
/// INVALID_ARGUMENT for a NaN, infinite or negative separation minimum. O(points_a + points_b).
[[nodiscard]] Result<ConflictReport> check_pairwise(const traj::Trajectory4D& a,
                                                    const traj::SeparationEnvelope& envelope_a,
                                                    const traj::Trajectory4D& b,
                                                    const traj::SeparationEnvelope& envelope_b);

/// Checks a candidate plan against accepted ones (e.g. before committing it). Every existing
/// trajectory is validated; those that exist at a common instant with the candidate go through
/// the exact narrow phase, so min_separation is exact. Violations have index_a = 0 (the
/// candidate) and index_b = the index in `existing`. Errors as check_pairwise, and
/// INVALID_ARGUMENT for a null trajectory pointer. O(total points of `existing`); thread-safe
/// (reads its inputs only).
[[nodiscard]] Result<ConflictReport> check_against(const traj::Trajectory4D& candidate,
                                                   const traj::SeparationEnvelope& envelope,
                                                   std::span<const FlightRef> existing);

/// Checks every pair of a set (e.g. a day of a city, 10,000+ flights). Broad phase: each linear
/// piece is cut into chunks of bounded extent; each chunk's axis-aligned box, inflated by
/// max(H, horizon), is hashed into a uniform x-y grid, and each cell is swept in time. Any two
/// chunks that are horizontally closer than max(H_pair, horizon) at a common instant share a
/// cell and overlap in time, so the broad phase never drops a conflict. The exact narrow phase
/// then runs on each surviving pair once. Single-threaded; about O(chunks log chunks + pairs).
/// Errors as check_against, plus INVALID_ARGUMENT for a NaN or negative horizon.
[[nodiscard]] Result<ConflictReport> check_all(std::span<const FlightRef> flights,
                                               const CheckOptions& options = {});

}  // namespace skylane::conflict
