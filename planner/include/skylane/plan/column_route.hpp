// Coarse stage of the airspace planner: a 2D route over map columns, 8-connected, where a column
// is passable when the vehicle class has a non-empty band of free layers there and a step
// needs bands that overlap (a diagonal step: all four columns of its 2x2 square share a layer,
// the 2D image of strict no corner cutting). Any 3D path projects onto such a route and any such
// route lifts to a 3D path (bands are intervals: climb or descend inside a column to the shared
// layer), so the column graph is exact for static reachability.
// Search: weighted A* (P. E. Hart, N. J. Nilsson, B. Raphael, IEEE Trans. SSC 4(2), 1968;
// I. Pohl, "Heuristic search viewed as path finding in a graph", Artificial Intelligence 1(3),
// 1970) with the octile heuristic and integer step costs.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <cstdlib>
#include <queue>
#include <vector>

#include "skylane/plan/corridor.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/search/sipp.hpp"

namespace skylane::plan {

/// Free layers [lo, hi) of a column; empty when lo >= hi.
struct LayerBand {
  std::int32_t lo = 0;
  std::int32_t hi = 0;
  [[nodiscard]] bool empty() const { return lo >= hi; }
  [[nodiscard]] bool contains(std::int32_t z) const { return z >= lo && z < hi; }
};

/// Per-column bands; band() must return an empty band outside [0, size_x) x [0, size_y).
template <class B>
concept ColumnBandSource = requires(const B& b, std::int32_t x, std::int32_t y) {
  { b.band(x, y) } -> std::same_as<LayerBand>;
  { b.size_x() } -> std::convertible_to<std::int32_t>;
  { b.size_y() } -> std::convertible_to<std::int32_t>;
};

/// True when the 8-connected step (x, y) -> (x + dx, y + dy) is legal under the band rules.
template <ColumnBandSource B>
[[nodiscard]] bool column_step_ok(const B& bands, LayerBand from, std::int32_t x, std::int32_t y,
                                  std::int32_t dx, std::int32_t dy) {
  const LayerBand to = bands.band(x + dx, y + dy);
  std::int32_t lo = std::max(from.lo, to.lo);
  std::int32_t hi = std::min(from.hi, to.hi);
  if (dx != 0 && dy != 0 && lo < hi) {
    const LayerBand a = bands.band(x + dx, y);
    const LayerBand b = bands.band(x, y + dy);
    lo = std::max({lo, a.lo, b.lo});
    hi = std::min({hi, a.hi, b.hi});
  }
  return lo < hi;
}

struct ColumnRouteOptions {
  std::int64_t axis_cost = 1000;      ///< cost of an axis step (e.g. ms at cruise speed)
  std::int64_t diagonal_cost = 1414;  ///< cost of a diagonal step
  double weight = 1.0;                ///< f = g + weight * h, >= 1
  /// Extra cost per layer the band floor rises (falls) across a step: a terrain-following
  /// vehicle's forced climbs and descents, e.g. their energy in ms of cruise. >= 0; 0 = off.
  std::int64_t rise_cost = 0;
  std::int64_t fall_cost = 0;
};

struct ColumnRouteResult {
  search::Outcome outcome = search::Outcome::kNoRoute;
  std::vector<ColumnXY> route;  ///< start to goal inclusive when kFound
  std::int64_t cost = 0;        ///< sum of step costs of `route`
  search::SearchStats stats;
};

/// Weighted A* from start to goal over the column graph of `bands`. With weight 1 the route is
/// cheapest (step costs plus the floor-change costs, which only add to the octile heuristic's
/// bound); with weight w it costs at most w times the shortest (consistent heuristic, no
/// reopening needed for the bound). State is hashed (open addressing), so memory is
/// O(generated columns), never O(map). Outcomes: kFound; kNoRoute when the open list empties
/// (proof that no route exists); kBudgetExhausted / kCancelled from `stop` (polled every 256
/// expansions). The start and goal bands must be non-empty (else kNoRoute at once).
template <ColumnBandSource B>
[[nodiscard]] ColumnRouteResult find_column_route(const B& bands, ColumnXY start, ColumnXY goal,
                                                  const ColumnRouteOptions& options,
                                                  const search::StopCondition& stop = {}) {
  ColumnRouteResult out;
  const auto started = search::Clock::now();
  auto finish = [&](search::Outcome o) {
    out.outcome = o;
    out.stats.elapsed_ms =
        std::chrono::duration<double, std::milli>(search::Clock::now() - started).count();
    return out;
  };
  if (bands.band(start.x, start.y).empty() || bands.band(goal.x, goal.y).empty()) {
    return finish(search::Outcome::kNoRoute);
  }
  const std::int64_t da = options.axis_cost;
  const std::int64_t dd = options.diagonal_cost;
  const double w = options.weight;
  auto h = [&](std::int32_t x, std::int32_t y) {
    const std::int64_t ax = std::abs(goal.x - x);
    const std::int64_t ay = std::abs(goal.y - y);
    const std::int64_t lo = std::min(ax, ay);
    const std::int64_t hi = std::max(ax, ay);
    return (hi - lo) * da + lo * dd;
  };
  auto key = [&](std::int64_t g, std::int64_t hv) {
    return g + static_cast<std::int64_t>(w * static_cast<double>(hv));
  };
  struct Node {
    ColumnXY c;
    std::int64_t g;
    std::uint32_t parent;
    bool closed;
  };
  struct Entry {
    std::int64_t f;
    std::int64_t g;
    std::uint32_t id;
    bool operator<(const Entry& o) const { return f != o.f ? f > o.f : g < o.g; }
  };
  constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  const auto nx = static_cast<std::uint64_t>(bands.size_x());
  auto hash = [nx](ColumnXY c) {
    std::uint64_t k = (static_cast<std::uint64_t>(c.y) * nx + static_cast<std::uint64_t>(c.x)) *
                      0x9E3779B97F4A7C15ULL;
    return static_cast<std::uint32_t>(k >> 32);
  };
  std::vector<Node> nodes;
  nodes.reserve(4096);
  search::sipp_detail::NodeIndex index;
  std::priority_queue<Entry> open;
  auto relax = [&](ColumnXY c, std::int64_t g, std::uint32_t parent) {
    const auto [id, inserted] =
        index.find_or_insert(hash(c), static_cast<std::uint32_t>(nodes.size()),
                             [&](std::uint32_t other) { return nodes[other].c == c; });
    if (inserted) {
      nodes.push_back(Node{c, g, parent, false});
    } else {
      Node& n = nodes[id];
      if (n.closed || g >= n.g) return;
      n.g = g;
      n.parent = parent;
    }
    ++out.stats.generated;
    open.push(Entry{key(g, h(c.x, c.y)), g, id});
  };
  relax(start, 0, kNone);
  std::uint32_t found = kNone;
  std::uint64_t polls = 0;
  while (!open.empty()) {
    const Entry e = open.top();
    open.pop();
    if (nodes[e.id].closed || e.g != nodes[e.id].g) continue;
    if ((polls++ & 255u) == 0) {
      if (stop.cancelled != nullptr && stop.cancelled->load(std::memory_order_relaxed)) {
        return finish(search::Outcome::kCancelled);
      }
      if (search::Clock::now() >= stop.deadline) return finish(search::Outcome::kBudgetExhausted);
    }
    if (out.stats.expansions >= stop.max_expansions) {
      return finish(search::Outcome::kBudgetExhausted);
    }
    ++out.stats.expansions;
    nodes[e.id].closed = true;
    const Node n = nodes[e.id];
    if (n.c == goal) {
      found = e.id;
      break;
    }
    const LayerBand here = bands.band(n.c.x, n.c.y);
    for (std::int32_t dy = -1; dy <= 1; ++dy) {
      for (std::int32_t dx = -1; dx <= 1; ++dx) {
        if (dx == 0 && dy == 0) continue;
        if (!column_step_ok(bands, here, n.c.x, n.c.y, dx, dy)) continue;
        std::int64_t cost = dx != 0 && dy != 0 ? dd : da;
        if (options.rise_cost != 0 || options.fall_cost != 0) {
          const std::int32_t floor_change = bands.band(n.c.x + dx, n.c.y + dy).lo - here.lo;
          cost += floor_change > 0 ? floor_change * options.rise_cost
                                   : -floor_change * options.fall_cost;
        }
        relax(ColumnXY{n.c.x + dx, n.c.y + dy}, n.g + cost, e.id);
      }
    }
  }
  if (found == kNone) return finish(search::Outcome::kNoRoute);
  for (std::uint32_t id = found; id != kNone; id = nodes[id].parent) {
    out.route.push_back(nodes[id].c);
  }
  std::reverse(out.route.begin(), out.route.end());
  out.cost = nodes[found].g;
  return finish(search::Outcome::kFound);
}

}  // namespace skylane::plan
