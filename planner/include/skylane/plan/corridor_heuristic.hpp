// SIPP heuristic inside a corridor: the exact shortest 2D flight time from each corridor column
// to the goal column (backward Dijkstra over the column graph of column_route.hpp; E. W.
// Dijkstra, "A note on two problems in connexion with graphs", Numerische Mathematik 1, 1959),
// plus the vertical descent into the goal pad that no horizontal move can share; and a guide for
// the open list that also knows the climbs and descents ahead (a dynamic programme over the
// layers along the corridor's shortest 2D route).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "skylane/plan/corridor_grid.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/search/sipp.hpp"

namespace skylane::plan {

/// Integer move durations (ms) of a vehicle class on the map's grid (sipp_detail::make_moves).
struct MoveDurations {
  std::int64_t axis = 0;      ///< horizontal axis step
  std::int64_t diagonal = 0;  ///< horizontal diagonal step
  std::int64_t up = 0;        ///< one layer up, vertical only
  std::int64_t down = 0;      ///< one layer down, vertical only
};

/// h(v) for a voxel v in column c != goal column:
///   max(D(c) + (entry - z_goal)+ * down,  vertical(v))
/// and vertical(v) in the goal column, where D(c) is the shortest 2D time to the goal column
/// over the corridor's column graph, `entry` the lowest layer at which any legal step enters the
/// goal column, and vertical(v) = |z - z_goal| * (up or down).
/// Admissible: every 26-move lasts max(horizontal, vertical) >= its horizontal 2D step, so the
/// horizontal part of any 3D path costs >= D(c); after its last entry into the goal column (at a
/// layer >= entry) the path can only descend vertically. Consistent: D is an exact 2D distance
/// with the same integer step costs, and the entry term is paid once on entering the goal
/// column, where vertical() >= it. Not admissible outside the corridor: SIPP must search the
/// same CorridorGrid.
///
/// Guide (estimate()): on the long routes of a real map the flight time is dominated by the
/// climbs and descents the terrain forces (a layer up costs as much as 6 cells of cruise at
/// 60 m/s), which h ignores, so SIPP ordered by h expands most of the corridor. The guide is the
/// exact static flight time of the best 3D path that follows R, the corridor's shortest 2D route
/// from the start (steepest descent of D), column by column with SIPP's own move durations
/// (a dynamic programme over (route index, layer), O(|R| * layers)). A voxel off R is mapped to
/// the first route column k with D(r_k) <= D(c): guide = D(c) - D(r_k) + J_k(z clamped to
/// r_k's band) + the vertical time of the clamp; never below h. The guide is NOT admissible (a
/// path off R may skip a hill), so SIPP must reopen states (SippOptions::reopen) and loses
/// optimality; pruning still uses h.
class CorridorHeuristic {
 public:
  static constexpr std::int64_t kUnreachable = -1;

  /// O(C log C) for C corridor columns plus O(|R| * layers) for the guide; memory 8 bytes per
  /// corridor column and 8 per (route column, layer). `moves` are SIPP's durations
  /// (sipp_detail::make_moves), the guide uses them exactly.
  CorridorHeuristic(const CorridorGrid& grid, search::Voxel start, search::Voxel goal,
                    const MoveDurations& durations, const search::sipp_detail::MoveTable& moves);

  [[nodiscard]] std::int64_t operator()(search::Voxel v) const {
    const std::int32_t i = grid_->corridor().index(v.x, v.y);
    if (i < 0) return kUnreachable;
    const std::int64_t d = distance_[static_cast<std::size_t>(i)];
    if (d < 0) return kUnreachable;
    const std::int64_t dz = v.z - goal_.z;
    const std::int64_t vertical = dz >= 0 ? dz * durations_.down : -dz * durations_.up;
    if (i == goal_index_) return vertical;
    return std::max(d + entry_cost_, vertical);
  }

  /// Lower bound and guide (see the class comment), for SippGuidedHeuristic.
  [[nodiscard]] search::SippEstimate estimate(search::Voxel v) const {
    const std::int32_t i = grid_->corridor().index(v.x, v.y);
    if (i < 0) return {kUnreachable, kUnreachable};
    const std::int64_t d = distance_[static_cast<std::size_t>(i)];
    if (d < 0) return {kUnreachable, kUnreachable};
    const std::int64_t dz = v.z - goal_.z;
    const std::int64_t vertical = dz >= 0 ? dz * durations_.down : -dz * durations_.up;
    const std::int64_t lower = i == goal_index_ ? vertical : std::max(d + entry_cost_, vertical);
    if (profile_.empty()) return {lower, lower};
    const Profile& p = profile_[route_index_at(d)];
    const std::int32_t z = std::clamp(v.z, p.lo, p.hi - 1);
    const std::int64_t clamp_cost =
        z >= v.z ? (z - v.z) * durations_.up : (v.z - z) * durations_.down;
    const std::int64_t j = cost_[p.offset + static_cast<std::size_t>(z - p.lo)];
    if (j < 0) return {lower, lower};
    return {lower, std::max(lower, d - p.distance + j + clamp_cost)};
  }

  /// The corridor's shortest 2D route from the start column to the goal column (empty if the
  /// start is cut off inside the corridor).
  [[nodiscard]] const std::vector<ColumnXY>& route() const { return route_; }

  /// Shortest 2D time (ms) from corridor column `index` to the goal column, or kUnreachable.
  [[nodiscard]] std::int64_t distance_2d(std::int32_t index) const {
    return distance_[static_cast<std::size_t>(index)];
  }
  [[nodiscard]] std::int64_t entry_cost() const { return entry_cost_; }
  [[nodiscard]] std::uint64_t settled() const { return settled_; }
  /// Heap bytes held.
  [[nodiscard]] std::size_t memory_bytes() const {
    return distance_.capacity() * sizeof(std::int64_t) + route_.capacity() * sizeof(ColumnXY) +
           profile_.capacity() * sizeof(Profile) + cost_.capacity() * sizeof(std::int64_t) +
           bucket_first_.capacity() * sizeof(std::int32_t);
  }

 private:
  void build_guide(search::Voxel start, const search::sipp_detail::MoveTable& moves);

  const CorridorGrid* grid_;
  search::Voxel goal_;
  MoveDurations durations_;
  std::int32_t goal_index_ = -1;
  std::int64_t entry_cost_ = 0;
  std::uint64_t settled_ = 0;
  std::vector<std::int64_t> distance_;
  // Guide: per route column its band, D and the offset of its J values in cost_.
  struct Profile {
    std::int32_t lo;
    std::int32_t hi;
    std::int64_t distance;
    std::size_t offset;
  };
  std::vector<ColumnXY> route_;
  std::vector<Profile> profile_;
  std::vector<std::int64_t> cost_;  ///< J_k(z), -1 where the route cannot be followed
  std::int64_t bucket_ms_ = 1;
  std::vector<std::int32_t> bucket_first_;

  /// The first route index k with D(r_k) <= d. O(1).
  [[nodiscard]] std::size_t route_index_at(std::int64_t d) const {
    const auto b = static_cast<std::size_t>(d / bucket_ms_);
    auto k = static_cast<std::size_t>(bucket_first_[std::min(b, bucket_first_.size() - 1)]);
    while (k + 1 < profile_.size() && profile_[k].distance > d) ++k;
    return k;
  }
};

}  // namespace skylane::plan
