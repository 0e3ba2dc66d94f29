#include "skylane/plan/corridor.hpp"

#include <algorithm>
#include <limits>

namespace skylane::plan {

Corridor Corridor::around(std::span<const std::vector<ColumnXY>> routes, std::int32_t half_width,
                          std::int32_t nx, std::int32_t ny) {
  Corridor c;
  const std::int32_t w = std::max<std::int32_t>(half_width, 0);
  std::int32_t y_lo = std::numeric_limits<std::int32_t>::max();
  std::int32_t y_hi = std::numeric_limits<std::int32_t>::min();
  for (const auto& route : routes) {
    for (const ColumnXY& p : route) {
      y_lo = std::min(y_lo, p.y - w);
      y_hi = std::max(y_hi, p.y + w);
    }
  }
  y_lo = std::max(y_lo, 0);
  y_hi = std::min(y_hi, ny - 1);
  if (y_lo > y_hi || nx <= 0) {
    c.row_first_.assign(1, 0);
    return c;
  }
  // Per row, the x-intervals of every route column whose band reaches it. A route is
  // 8-connected, so a run of route columns on one row gives one interval: merge those runs
  // first to keep the lists short.
  const auto rows = static_cast<std::size_t>(y_hi - y_lo + 1);
  std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> intervals(rows);
  for (const auto& route : routes) {
    for (std::size_t i = 0; i < route.size();) {
      std::size_t j = i;
      std::int32_t x_min = route[i].x;
      std::int32_t x_max = route[i].x;
      while (j + 1 < route.size() && route[j + 1].y == route[i].y) {
        ++j;
        x_min = std::min(x_min, route[j].x);
        x_max = std::max(x_max, route[j].x);
      }
      const std::int32_t x0 = std::max(x_min - w, 0);
      const std::int32_t x1 = std::min(x_max + w + 1, nx);
      for (std::int32_t r = std::max(route[i].y - w, y_lo); r <= std::min(route[i].y + w, y_hi);
           ++r) {
        intervals[static_cast<std::size_t>(r - y_lo)].emplace_back(x0, x1);
      }
      i = j + 1;
    }
  }
  c.y0_ = y_lo;
  c.row_first_.reserve(rows + 1);
  std::int32_t base = 0;
  for (auto& list : intervals) {
    c.row_first_.push_back(static_cast<std::uint32_t>(c.spans_.size()));
    std::sort(list.begin(), list.end());
    for (std::size_t i = 0; i < list.size();) {
      std::int32_t x0 = list[i].first;
      std::int32_t x1 = list[i].second;
      ++i;
      while (i < list.size() && list[i].first <= x1) {
        x1 = std::max(x1, list[i].second);
        ++i;
      }
      c.spans_.push_back(Span{x0, x1, base});
      base += x1 - x0;
    }
    list = {};
  }
  c.row_first_.push_back(static_cast<std::uint32_t>(c.spans_.size()));
  c.size_ = static_cast<std::size_t>(base);
  return c;
}

}  // namespace skylane::plan
