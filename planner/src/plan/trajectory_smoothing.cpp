#include "skylane/plan/trajectory_smoothing.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace skylane::plan {
namespace {

struct Touch {
  search::Voxel v;
  std::int64_t t0;
  std::int64_t t1;
};

bool same_velocity(const traj::Waypoint4D& a, const traj::Waypoint4D& b,
                   const traj::Waypoint4D& c) {
  const double t_ab = static_cast<double>((b.t - a.t).count());
  const double t_bc = static_cast<double>((c.t - b.t).count());
  if (t_ab <= 0.0 || t_bc <= 0.0) return false;
  // Velocities (m/ms) before and after b must agree to within a micrometre per second.
  constexpr double kTol = 1e-9;
  return std::abs((b.x_m - a.x_m) / t_ab - (c.x_m - b.x_m) / t_bc) < kTol &&
         std::abs((b.y_m - a.y_m) / t_ab - (c.y_m - b.y_m) / t_bc) < kTol &&
         std::abs((b.z_m - a.z_m) / t_ab - (c.z_m - b.z_m) / t_bc) < kTol;
}

}  // namespace

bool OccupancyChecker::segment_free(const traj::Waypoint4D& a, const traj::Waypoint4D& b) const {
  const search::GridGeometry& g = geometry_;
  const double dx = b.x_m - a.x_m;
  const double dy = b.y_m - a.y_m;
  const double dz = b.z_m - a.z_m;
  const double steps =
      std::max({std::abs(dx) / (g.cell_xy_m / 4.0), std::abs(dy) / (g.cell_xy_m / 4.0),
                std::abs(dz) / (g.cell_z_m / 4.0), 1.0});
  const auto n = static_cast<std::int64_t>(std::ceil(steps));
  const double ta = static_cast<double>(a.t.count());
  const double tb = static_cast<double>(b.t.count());
  const double hx = std::abs(dx) / (2.0 * n) + 1e-6;
  const double hy = std::abs(dy) / (2.0 * n) + 1e-6;
  const double hz = std::abs(dz) / (2.0 * n) + 1e-6;
  const double ht = (tb - ta) / (2.0 * n);
  std::vector<Touch> touched;
  touched.reserve(static_cast<std::size_t>(n + 1) * 2);
  auto cell = [](double v, double origin, double size) {
    return static_cast<std::int32_t>(std::floor((v - origin) / size));
  };
  for (std::int64_t k = 0; k <= n; ++k) {
    const double s = static_cast<double>(k) / static_cast<double>(n);
    const double px = a.x_m + s * dx;
    const double py = a.y_m + s * dy;
    const double pz = a.z_m + s * dz;
    const double pt = ta + s * (tb - ta);
    const auto t0 = static_cast<std::int64_t>(std::floor(std::max(ta, pt - ht)));
    const auto t1 = static_cast<std::int64_t>(std::ceil(std::min(tb, pt + ht)));
    const std::int32_t x0 = cell(px - hx, g.origin_x_m, g.cell_xy_m);
    const std::int32_t x1 = cell(px + hx, g.origin_x_m, g.cell_xy_m);
    const std::int32_t y0 = cell(py - hy, g.origin_y_m, g.cell_xy_m);
    const std::int32_t y1 = cell(py + hy, g.origin_y_m, g.cell_xy_m);
    const std::int32_t z0 = cell(pz - hz, g.origin_z_m, g.cell_z_m);
    const std::int32_t z1 = cell(pz + hz, g.origin_z_m, g.cell_z_m);
    for (std::int32_t z = z0; z <= z1; ++z) {
      for (std::int32_t y = y0; y <= y1; ++y) {
        for (std::int32_t x = x0; x <= x1; ++x) {
          if (!grid_->is_free(x, y, z)) return false;
          touched.push_back(Touch{{x, y, z}, t0, t1});
        }
      }
    }
  }
  std::sort(touched.begin(), touched.end(), [](const Touch& l, const Touch& r) {
    if (l.v.z != r.v.z) return l.v.z < r.v.z;
    if (l.v.y != r.v.y) return l.v.y < r.v.y;
    return l.v.x < r.v.x;
  });
  for (std::size_t i = 0; i < touched.size();) {
    std::int64_t t0 = touched[i].t0;
    std::int64_t t1 = touched[i].t1;
    std::size_t j = i + 1;
    while (j < touched.size() && touched[j].v == touched[i].v) {
      t0 = std::min(t0, touched[j].t0);
      t1 = std::max(t1, touched[j].t1);
      ++j;
    }
    if (!intervals_->is_free(touched[i].v, search::Millis{t0}, search::Millis{t1})) return false;
    i = j;
  }
  return true;
}

traj::Trajectory4D merge_collinear(const traj::Trajectory4D& trajectory) {
  traj::Trajectory4D out;
  out.id = trajectory.id;
  const auto& p = trajectory.points;
  out.points.reserve(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (i > 0 && p[i].t == out.points.back().t && p[i].x_m == out.points.back().x_m &&
        p[i].y_m == out.points.back().y_m && p[i].z_m == out.points.back().z_m) {
      continue;  // exact duplicate
    }
    if (out.points.size() >= 2) {
      const auto& a = out.points[out.points.size() - 2];
      const auto& b = out.points.back();
      if (same_velocity(a, b, p[i])) out.points.pop_back();
    }
    out.points.push_back(p[i]);
  }
  return out;
}

traj::Trajectory4D shortcut(const traj::Trajectory4D& trajectory, std::size_t first,
                            std::size_t last, const OccupancyChecker& checker,
                            SmoothingStats* stats) {
  const auto& p = trajectory.points;
  if (p.empty() || first >= last || last >= p.size()) return trajectory;
  SmoothingStats local;
  SmoothingStats& st = stats != nullptr ? *stats : local;
  auto ok = [&](std::size_t i, std::size_t j) {
    ++st.checks;
    return checker.segment_free(p[i], p[j]);
  };
  traj::Trajectory4D out;
  out.id = trajectory.id;
  out.points.assign(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(first) + 1);
  std::size_t i = first;
  while (i < last) {
    std::size_t best = i + 1;  // the grid segment itself
    std::size_t bad = last + 1;
    for (std::size_t step = 2;; step *= 2) {
      const std::size_t j = std::min(i + step, last);
      if (j <= best) break;
      if (ok(i, j)) {
        best = j;
        if (j == last) break;
      } else {
        bad = j;
        break;
      }
    }
    // Bisection between the last success and the first failure.
    while (bad <= last && bad > best + 1) {
      const std::size_t mid = best + (bad - best) / 2;
      if (ok(i, mid)) {
        best = mid;
      } else {
        bad = mid;
      }
    }
    if (best > i + 1) ++st.shortcuts;
    out.points.push_back(p[best]);
    i = best;
  }
  out.points.insert(out.points.end(), p.begin() + static_cast<std::ptrdiff_t>(last) + 1, p.end());
  return merge_collinear(out);
}

}  // namespace skylane::plan
