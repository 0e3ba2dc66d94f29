// Backward Dijkstra over the corridor's column graph (Dijkstra 1959) with a radix heap (Ahuja,
// Mehlhorn, Orlin & Tarjan 1990): keys are integer ms and never decrease.
#include "skylane/plan/corridor_heuristic.hpp"

#include <algorithm>
#include <limits>

#include "skylane/search/radix_heap.hpp"

namespace skylane::plan {

CorridorHeuristic::CorridorHeuristic(const CorridorGrid& grid, search::Voxel start,
                                     search::Voxel goal, const MoveDurations& durations,
                                     const search::sipp_detail::MoveTable& moves)
    : grid_(&grid), goal_(goal), durations_(durations) {
  const Corridor& corridor = grid.corridor();
  distance_.assign(corridor.size(), kUnreachable);
  goal_index_ = corridor.index(goal.x, goal.y);
  if (goal_index_ < 0 || grid.band_at(goal_index_).empty()) return;

  // Steps are symmetric (the band rules do not depend on direction), so distances to the goal
  // are distances from it.
  struct Entry {
    std::uint64_t f;
    std::int32_t i;
  };
  search::RadixHeap<Entry> heap;
  distance_[static_cast<std::size_t>(goal_index_)] = 0;
  heap.push(Entry{0, goal_index_});
  std::int32_t entry_layer = std::numeric_limits<std::int32_t>::max();
  const LayerBand goal_band = grid.band_at(goal_index_);
  while (!heap.empty()) {
    const Entry e = heap.pop();
    const auto d = static_cast<std::int64_t>(e.f);
    if (distance_[static_cast<std::size_t>(e.i)] != d) continue;  // stale
    ++settled_;
    const CorridorGrid::Neighbours& nb = grid.neighbours(e.i);
    for (std::size_t k = 0; k < 8; ++k) {
      if (!grid.step_ok(e.i, k)) continue;
      const bool diagonal = CorridorGrid::kDx[k] != 0 && CorridorGrid::kDy[k] != 0;
      const std::int32_t j = nb[k];
      if (e.i == goal_index_) {
        // Lowest layer this step can enter the goal column at: the bottom of the shared band.
        std::int32_t lo = std::max(goal_band.lo, grid.band_at(j).lo);
        if (diagonal) {
          lo = std::max({lo, grid.band_at(nb[CorridorGrid::kDx[k] < 0 ? 3 : 4]).lo,
                         grid.band_at(nb[CorridorGrid::kDy[k] < 0 ? 1 : 6]).lo});
        }
        entry_layer = std::min(entry_layer, lo);
      }
      const std::int64_t nd = d + (diagonal ? durations.diagonal : durations.axis);
      auto& dj = distance_[static_cast<std::size_t>(j)];
      if (dj >= 0 && dj <= nd) continue;
      dj = nd;
      heap.push(Entry{static_cast<std::uint64_t>(nd), j});
    }
  }
  if (entry_layer != std::numeric_limits<std::int32_t>::max() && entry_layer > goal.z) {
    entry_cost_ = (entry_layer - goal.z) * durations.down;
  }
  build_guide(start, moves);
}

void CorridorHeuristic::build_guide(search::Voxel start,
                                    const search::sipp_detail::MoveTable& moves) {
  const CorridorGrid& grid = *grid_;
  const Corridor& corridor = grid.corridor();
  const std::int32_t si = corridor.index(start.x, start.y);
  if (si < 0 || distance_[static_cast<std::size_t>(si)] < 0) return;

  // R: steepest descent of D from the start column; D strictly decreases along it.
  std::int32_t ci = si;
  std::vector<std::int32_t> route_index{ci};
  while (ci != goal_index_) {
    const std::int64_t d = distance_[static_cast<std::size_t>(ci)];
    std::int32_t next = -1;
    for (std::size_t k = 0; k < 8 && next < 0; ++k) {
      if (!grid.step_ok(ci, k)) continue;
      const std::int32_t j = grid.neighbours(ci)[k];
      const bool diagonal = CorridorGrid::kDx[k] != 0 && CorridorGrid::kDy[k] != 0;
      const std::int64_t dj = distance_[static_cast<std::size_t>(j)];
      if (dj >= 0 && dj + (diagonal ? durations_.diagonal : durations_.axis) == d) next = j;
    }
    if (next < 0) return;  // cannot happen for exact Dijkstra distances; keep the lower bound
    ci = next;
    route_index.push_back(ci);
  }
  {
    std::int32_t x = start.x;
    std::int32_t y = start.y;
    route_.push_back(ColumnXY{x, y});
    for (std::size_t k = 1; k < route_index.size(); ++k) {
      const auto& nb = grid.neighbours(route_index[k - 1]);
      for (std::size_t d = 0; d < 8; ++d) {
        if (nb[d] == route_index[k]) {
          x += CorridorGrid::kDx[d];
          y += CorridorGrid::kDy[d];
          break;
        }
      }
      route_.push_back(ColumnXY{x, y});
    }
  }

  // J_k(z): best static time from (r_k, z) to the goal pad moving along R only.
  const std::size_t n = route_.size();
  profile_.resize(n);
  std::size_t offset = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::int32_t i = route_index[k];
    const LayerBand b = grid.band_at(i);
    profile_[k] = Profile{b.lo, b.hi, distance_[static_cast<std::size_t>(i)], offset};
    offset += static_cast<std::size_t>(b.hi - b.lo);
  }
  constexpr std::int64_t kInf = std::numeric_limits<std::int64_t>::max() / 4;
  std::vector<std::int64_t> cost(offset, kInf);
  auto at = [&](std::size_t k, std::int32_t z) -> std::int64_t& {
    return cost[profile_[k].offset + static_cast<std::size_t>(z - profile_[k].lo)];
  };
  {
    const Profile& g = profile_[n - 1];
    for (std::int32_t z = g.lo; z < g.hi; ++z) {
      const std::int64_t dz = z - goal_.z;
      at(n - 1, z) = dz >= 0 ? dz * durations_.down : -dz * durations_.up;
    }
  }
  for (std::size_t k = n - 1; k-- > 0;) {
    const Profile& p = profile_[k];
    const Profile& q = profile_[k + 1];
    const std::int32_t dx = route_[k + 1].x - route_[k].x;
    const std::int32_t dy = route_[k + 1].y - route_[k].y;
    std::int32_t lo = std::max(p.lo, q.lo);
    std::int32_t hi = std::min(p.hi, q.hi);
    if (dx != 0 && dy != 0) {
      const LayerBand a = grid.band(route_[k].x + dx, route_[k].y);
      const LayerBand b = grid.band(route_[k].x, route_[k].y + dy);
      lo = std::max({lo, a.lo, b.lo});
      hi = std::min({hi, a.hi, b.hi});
    }
    // Moves from (r_k, z) to (r_k+1, z + dz): z and z + dz in the shared band (no corner
    // cutting), duration exactly SIPP's.
    for (std::int32_t z = lo; z < hi; ++z) {
      std::int64_t best = kInf;
      for (std::int32_t dz = -1; dz <= 1; ++dz) {
        if (z + dz < lo || z + dz >= hi) continue;
        const std::int64_t next = at(k + 1, z + dz);
        if (next >= kInf) continue;
        best = std::min(best,
                        moves[static_cast<std::size_t>(search::sipp_detail::move_index(dx, dy, dz))]
                                .duration_ms +
                            next);
      }
      at(k, z) = best;
    }
    // Then vertical moves inside column r_k (two sweeps settle a 1D shortest path).
    for (std::int32_t z = p.hi - 2; z >= p.lo; --z) {
      at(k, z) = std::min(at(k, z), at(k, z + 1) + durations_.up);
    }
    for (std::int32_t z = p.lo + 1; z < p.hi; ++z) {
      at(k, z) = std::min(at(k, z), at(k, z - 1) + durations_.down);
    }
  }
  cost_.resize(offset);
  for (std::size_t i = 0; i < offset; ++i) cost_[i] = cost[i] >= kInf ? -1 : cost[i];

  // Buckets of D (one axis step wide) -> the first route column whose D lies at or below the
  // bucket's top; estimate() scans on from there (D drops by >= one axis step per route step,
  // so at most a step or two).
  bucket_ms_ = std::max<std::int64_t>(durations_.axis, 1);
  const std::int64_t top = profile_.front().distance;
  bucket_first_.assign(static_cast<std::size_t>(top / bucket_ms_ + 2), 0);
  std::size_t k = 0;  // D falls along the route, so k rises as the bucket top falls
  for (std::size_t b = bucket_first_.size(); b-- > 0;) {
    const std::int64_t bucket_top = static_cast<std::int64_t>(b + 1) * bucket_ms_ - 1;
    while (k + 1 < n && profile_[k].distance > bucket_top) ++k;
    bucket_first_[b] = static_cast<std::int32_t>(k);
  }
}

}  // namespace skylane::plan
