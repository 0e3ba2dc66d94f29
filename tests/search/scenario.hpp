// ASCII voxel scenarios for search tests, after Valhalla's gurka tests: a small dense grid built
// from text layers, marker lookup, and a brute-force separation sampler that is independent of
// the planner (dense time sampling of two piecewise-linear 4D trajectories).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "skylane/search/search_types.hpp"
#include "skylane/traj/trajectory.hpp"

namespace skylane::search::scenario {

/// Dense test grid. layers[z] lists the rows of layer z from NORTH to south (the first row is
/// y = size_y - 1, as on a map); x grows to the right. '#' is an obstacle, every other
/// character is free; letters are markers found with at().
class AsciiGrid {
 public:
  explicit AsciiGrid(const std::vector<std::vector<std::string>>& layers) {
    sz_ = static_cast<std::int32_t>(layers.size());
    sy_ = sz_ > 0 ? static_cast<std::int32_t>(layers[0].size()) : 0;
    sx_ = sy_ > 0 ? static_cast<std::int32_t>(layers[0][0].size()) : 0;
    cells_.assign(static_cast<std::size_t>(sx_) * sy_ * sz_, '.');
    for (std::int32_t z = 0; z < sz_; ++z) {
      if (static_cast<std::int32_t>(layers[z].size()) != sy_) throw std::invalid_argument("rows");
      for (std::int32_t r = 0; r < sy_; ++r) {
        const std::string& row = layers[z][r];
        if (static_cast<std::int32_t>(row.size()) != sx_) throw std::invalid_argument("columns");
        for (std::int32_t x = 0; x < sx_; ++x) cells_[index(x, sy_ - 1 - r, z)] = row[x];
      }
    }
  }
  /// All-free grid of the given size.
  AsciiGrid(std::int32_t sx, std::int32_t sy, std::int32_t sz)
      : sx_(sx), sy_(sy), sz_(sz), cells_(static_cast<std::size_t>(sx) * sy * sz, '.') {}

  [[nodiscard]] std::int32_t size_x() const { return sx_; }
  [[nodiscard]] std::int32_t size_y() const { return sy_; }
  [[nodiscard]] std::int32_t size_z() const { return sz_; }
  [[nodiscard]] bool is_free(std::int32_t x, std::int32_t y, std::int32_t z) const {
    if (x < 0 || y < 0 || z < 0 || x >= sx_ || y >= sy_ || z >= sz_) return false;
    return cells_[index(x, y, z)] != '#';
  }
  void set(Voxel v, char c) { cells_[index(v.x, v.y, v.z)] = c; }
  /// The unique voxel carrying `marker`; throws if absent.
  [[nodiscard]] Voxel at(char marker) const {
    for (std::int32_t z = 0; z < sz_; ++z)
      for (std::int32_t y = 0; y < sy_; ++y)
        for (std::int32_t x = 0; x < sx_; ++x)
          if (cells_[index(x, y, z)] == marker) return Voxel{x, y, z};
    throw std::invalid_argument(std::string("no marker ") + marker);
  }

 private:
  [[nodiscard]] std::size_t index(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return static_cast<std::size_t>(x) +
           static_cast<std::size_t>(sx_) *
               (static_cast<std::size_t>(y) + static_cast<std::size_t>(sy_) * z);
  }
  std::int32_t sx_ = 0, sy_ = 0, sz_ = 0;
  std::vector<char> cells_;
};

struct Position {
  double x, y, z;
};

/// Position at time t_ms (continuous), or nullopt outside [front.t, back.t].
inline std::optional<Position> position_at(const traj::Trajectory4D& tr, double t_ms) {
  const auto& p = tr.points;
  if (p.empty() || t_ms < static_cast<double>(p.front().t.count()) ||
      t_ms > static_cast<double>(p.back().t.count())) {
    return std::nullopt;
  }
  // First waypoint strictly after t; the segment before it contains t.
  auto it = std::upper_bound(p.begin(), p.end(), t_ms, [](double t, const traj::Waypoint4D& w) {
    return t < static_cast<double>(w.t.count());
  });
  if (it == p.end()) return Position{p.back().x_m, p.back().y_m, p.back().z_m};
  const auto& b = *it;
  const auto& a = *(it - 1);
  const double span = static_cast<double>((b.t - a.t).count());
  const double s = span > 0 ? (t_ms - static_cast<double>(a.t.count())) / span : 1.0;
  return Position{a.x_m + s * (b.x_m - a.x_m), a.y_m + s * (b.y_m - a.y_m),
                  a.z_m + s * (b.z_m - a.z_m)};
}

/// Brute-force separation check: samples every `step_ms` (plus every waypoint time of `a`) and
/// compares a(t) with b(t + shift) for each shift in `shifts_ms`. Conflict = horizontal < h_m AND
/// vertical < v_m. Returns an empty string when separated, else a description of the first
/// conflict found.
inline std::string first_conflict(const traj::Trajectory4D& a, const traj::Trajectory4D& b,
                                  double h_m, double v_m, double step_ms,
                                  const std::vector<double>& shifts_ms = {0.0}) {
  if (a.points.empty() || b.points.empty()) return {};
  for (const double shift : shifts_ms) {
    const double lo = std::max(static_cast<double>(a.points.front().t.count()),
                               static_cast<double>(b.points.front().t.count()) - shift);
    const double hi = std::min(static_cast<double>(a.points.back().t.count()),
                               static_cast<double>(b.points.back().t.count()) - shift);
    if (lo > hi) continue;
    std::vector<double> times;
    for (double t = lo; t <= hi; t += step_ms) times.push_back(t);
    times.push_back(hi);
    for (const auto& w : a.points) {
      const auto t = static_cast<double>(w.t.count());
      if (t >= lo && t <= hi) times.push_back(t);
    }
    for (const auto& w : b.points) {
      const double t = static_cast<double>(w.t.count()) - shift;
      if (t >= lo && t <= hi) times.push_back(t);
    }
    for (const double t : times) {
      const auto pa = position_at(a, t);
      const auto pb = position_at(b, t + shift);
      if (!pa || !pb) continue;
      const double dh = std::hypot(pa->x - pb->x, pa->y - pb->y);
      const double dv = std::abs(pa->z - pb->z);
      if (dh < h_m && dv < v_m) {
        std::ostringstream os;
        os << "trajectories " << a.id << " and " << b.id << " conflict at t=" << t << " ms (shift "
           << shift << " ms): horizontal " << dh << " m, vertical " << dv << " m; " << a.id
           << " at (" << pa->x << ", " << pa->y << ", " << pa->z << "), " << b.id << " at ("
           << pb->x << ", " << pb->y << ", " << pb->z << ")";
        return os.str();
      }
    }
  }
  return {};
}

}  // namespace skylane::search::scenario
