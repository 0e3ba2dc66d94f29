// Reservation sweep of 4D trajectories through a separation envelope; see the header.
// Safe intervals as in M. Phillips and M. Likhachev, "SIPP: Safe Interval Path Planning for
// Dynamic Environments", ICRA 2011.
#include "skylane/search/reservation_table.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace skylane::search {
namespace {

/// Parameter range [lo, hi] ⊆ [0, 1] of a sub-piece; empty when lo > hi.
struct Range {
  double lo = 1.0;
  double hi = 0.0;
  [[nodiscard]] bool empty() const { return lo > hi; }
};

constexpr Range kFull{0.0, 1.0};

Range intersect(Range a, Range b) { return Range{std::max(a.lo, b.lo), std::min(a.hi, b.hi)}; }

Range hull(Range a, Range b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return Range{std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
}

/// s ∈ [0, 1] with lo <= p + s·d <= hi (closed: the closure of the strict condition, which is
/// conservative).
Range linear(double p, double d, double lo, double hi) {
  if (d == 0.0) return (p >= lo && p <= hi) ? kFull : Range{};
  double s0 = (lo - p) / d;
  double s1 = (hi - p) / d;
  if (s0 > s1) std::swap(s0, s1);
  return intersect(Range{s0, s1}, kFull);
}

/// s ∈ [0, 1] with |(px, py) + s·(dx, dy) − (cx, cy)| <= r.
Range disc(double px, double py, double dx, double dy, double cx, double cy, double r) {
  const double ex = px - cx;
  const double ey = py - cy;
  const double qa = dx * dx + dy * dy;
  const double qb = 2.0 * (ex * dx + ey * dy);
  const double qc = ex * ex + ey * ey - r * r;
  if (qa == 0.0) return qc <= 0.0 ? kFull : Range{};
  const double disc = qb * qb - 4.0 * qa * qc;
  if (disc < 0.0) return Range{};
  const double sq = std::sqrt(disc);
  return intersect(Range{(-qb - sq) / (2.0 * qa), (-qb + sq) / (2.0 * qa)}, kFull);
}

struct Window {
  std::uint64_t key;
  std::int64_t begin;
  std::int64_t end;
};

struct SweepParams {
  double h_m;
  double v_m;
  std::int64_t buffer_ms;
  const GridGeometry* g;
  std::int32_t sx, sy, sz;
};

std::int32_t clamp_index(double v, std::int32_t size) {
  if (v < 0.0) return 0;
  if (v > static_cast<double>(size - 1)) return size - 1;
  return static_cast<std::int32_t>(v);
}

/// Inclusive voxel index box; empty when any lo > hi.
struct IndexBox {
  std::int32_t x0 = 0, x1 = -1, y0 = 0, y1 = -1, z0 = 0, z1 = -1;
  [[nodiscard]] bool contains(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return x >= x0 && x <= x1 && y >= y0 && y <= y1 && z >= z0 && z <= z1;
  }
};

/// Voxels whose closed box may come within (H, V) of the straight segment p -> q.
IndexBox candidates(const traj::Waypoint4D& p, const traj::Waypoint4D& q, const SweepParams& s) {
  const GridGeometry& g = *s.g;
  const auto lo_x = std::floor((std::min(p.x_m, q.x_m) - s.h_m - g.origin_x_m) / g.cell_xy_m);
  const auto hi_x = std::floor((std::max(p.x_m, q.x_m) + s.h_m - g.origin_x_m) / g.cell_xy_m);
  const auto lo_y = std::floor((std::min(p.y_m, q.y_m) - s.h_m - g.origin_y_m) / g.cell_xy_m);
  const auto hi_y = std::floor((std::max(p.y_m, q.y_m) + s.h_m - g.origin_y_m) / g.cell_xy_m);
  const auto lo_z = std::floor((std::min(p.z_m, q.z_m) - s.v_m - g.origin_z_m) / g.cell_z_m);
  const auto hi_z = std::floor((std::max(p.z_m, q.z_m) + s.v_m - g.origin_z_m) / g.cell_z_m);
  if (hi_x < 0 || hi_y < 0 || hi_z < 0 || lo_x >= s.sx || lo_y >= s.sy || lo_z >= s.sz) return {};
  return IndexBox{clamp_index(lo_x, s.sx), clamp_index(hi_x, s.sx), clamp_index(lo_y, s.sy),
                  clamp_index(hi_y, s.sy), clamp_index(lo_z, s.sz), clamp_index(hi_z, s.sz)};
}

// One straight piece from a (time ta) to b (time tb), ms as doubles. For one voxel, the set of
// instants at which the moving point is within H of the closed rectangle is convex (distance to
// a convex set along a line is convex) and equals the union of two slabs (rectangle widened in
// x only, in y only) and four corner discs, so the hull of those six parameter ranges is exact;
// intersected with the vertical slab it stays one interval per voxel and piece.
//
// Candidates: the piece is cut into sub-pieces at most one cell long and each sub-piece's
// inflated bounding box is scanned, skipping voxels of the previous box. Along a straight line
// the boxes move monotonically on every axis, so a voxel in boxes i-2 and i is also in box i-1:
// every voxel is evaluated once per piece, and long diagonal pieces cost O(length), not O(area).
void sweep_piece(const traj::Waypoint4D& a, const traj::Waypoint4D& b, const SweepParams& p,
                 std::vector<Window>& out) {
  const GridGeometry& g = *p.g;
  const double dx = b.x_m - a.x_m;
  const double dy = b.y_m - a.y_m;
  const double dz = b.z_m - a.z_m;
  const auto ta = static_cast<double>(a.t.count());
  const auto tb = static_cast<double>(b.t.count());
  const double h = p.h_m;
  const double len_cells = std::max(std::hypot(dx, dy) / g.cell_xy_m, std::abs(dz) / g.cell_z_m);
  const auto n = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(len_cells)));
  auto lerp = [&](std::int64_t i) {
    if (i == 0) return a;
    if (i == n) return b;
    const double s = static_cast<double>(i) / static_cast<double>(n);
    return traj::Waypoint4D{a.x_m + s * dx, a.y_m + s * dy, a.z_m + s * dz, Millis{0}};
  };
  IndexBox prev;
  traj::Waypoint4D from = a;
  for (std::int64_t i = 1; i <= n; ++i) {
    const traj::Waypoint4D to = lerp(i);
    const IndexBox box = candidates(from, to, p);
    from = to;
    for (std::int32_t z = box.z0; z <= box.z1; ++z) {
      const double bz0 = g.origin_z_m + z * g.cell_z_m;
      const Range rz = linear(a.z_m, dz, bz0 - p.v_m, bz0 + g.cell_z_m + p.v_m);
      if (rz.empty()) continue;
      for (std::int32_t y = box.y0; y <= box.y1; ++y) {
        const double by0 = g.origin_y_m + y * g.cell_xy_m;
        const double by1 = by0 + g.cell_xy_m;
        const Range ry_wide = linear(a.y_m, dy, by0 - h, by1 + h);
        if (intersect(ry_wide, rz).empty()) continue;  // every part below lies within ry_wide
        const Range ry = linear(a.y_m, dy, by0, by1);
        for (std::int32_t x = box.x0; x <= box.x1; ++x) {
          if (prev.contains(x, y, z)) continue;
          const double bx0 = g.origin_x_m + x * g.cell_xy_m;
          const double bx1 = bx0 + g.cell_xy_m;
          const Range rx = linear(a.x_m, dx, bx0, bx1);
          Range rxy = intersect(linear(a.x_m, dx, bx0 - h, bx1 + h), ry);
          rxy = hull(rxy, intersect(rx, ry_wide));
          rxy = hull(rxy, disc(a.x_m, a.y_m, dx, dy, bx0, by0, h));
          rxy = hull(rxy, disc(a.x_m, a.y_m, dx, dy, bx1, by0, h));
          rxy = hull(rxy, disc(a.x_m, a.y_m, dx, dy, bx0, by1, h));
          rxy = hull(rxy, disc(a.x_m, a.y_m, dx, dy, bx1, by1, h));
          const Range r = intersect(rxy, rz);
          if (r.empty()) continue;
          const double t_lo = ta + r.lo * (tb - ta);
          const double t_hi = ta + r.hi * (tb - ta);
          // Outward rounding plus 1 ms: the stored interval strictly contains the true open
          // set, so a closed occupancy that only touches a safe interval's end is separated.
          const auto begin = static_cast<std::int64_t>(std::floor(t_lo)) - 1 - p.buffer_ms;
          const auto end = static_cast<std::int64_t>(std::ceil(t_hi)) + 1 + p.buffer_ms;
          const std::uint64_t k =
              static_cast<std::uint64_t>(x) +
              static_cast<std::uint64_t>(p.sx) *
                  (static_cast<std::uint64_t>(y) +
                   static_cast<std::uint64_t>(p.sy) * static_cast<std::uint64_t>(z));
          out.push_back(Window{k, begin, end});
        }
      }
    }
    prev = box;
  }
}

bool finite_nonneg(double v) { return std::isfinite(v) && v >= 0.0; }

}  // namespace

ReservationTable::ReservationTable(std::int32_t size_x, std::int32_t size_y, std::int32_t size_z)
    : size_x_(std::max<std::int32_t>(size_x, 0)),
      size_y_(std::max<std::int32_t>(size_y, 0)),
      size_z_(std::max<std::int32_t>(size_z, 0)) {}

Result<std::size_t> ReservationTable::reserve(const traj::Trajectory4D& trajectory,
                                              const traj::SeparationEnvelope& owner,
                                              const traj::SeparationEnvelope& max_other,
                                              const GridGeometry& geometry) {
  const auto id = std::to_string(trajectory.id);
  if (trajectory.points.empty()) {
    return fail("TRAJECTORY_INVALID", "trajectory " + id + " has no waypoint");
  }
  for (std::size_t i = 0; i < trajectory.points.size(); ++i) {
    const auto& w = trajectory.points[i];
    if (!std::isfinite(w.x_m) || !std::isfinite(w.y_m) || !std::isfinite(w.z_m)) {
      return fail("TRAJECTORY_INVALID",
                  "trajectory " + id + " waypoint " + std::to_string(i) + " is not finite");
    }
    if (i > 0 && w.t < trajectory.points[i - 1].t) {
      return fail("TRAJECTORY_INVALID",
                  "trajectory " + id + " time decreases at waypoint " + std::to_string(i));
    }
    if (w.t <= kTimeNegInf || w.t >= kTimeInf) {
      return fail("TRAJECTORY_INVALID",
                  "trajectory " + id + " waypoint " + std::to_string(i) + " time out of range");
    }
  }
  for (const auto* env : {&owner, &max_other}) {
    if (!finite_nonneg(env->horizontal_m) || !finite_nonneg(env->vertical_m) ||
        env->time_buffer.count() < 0 || env->time_buffer > Millis{86'400'000}) {
      return fail("SEPARATION_INVALID",
                  "separation envelope for trajectory " + id +
                      " has a NaN, negative or absurd field (horizontal_m=" +
                      std::to_string(env->horizontal_m) +
                      ", vertical_m=" + std::to_string(env->vertical_m) +
                      ", time_buffer_ms=" + std::to_string(env->time_buffer.count()) + ")");
    }
  }
  if (!(std::isfinite(geometry.cell_xy_m) && geometry.cell_xy_m > 0.0 &&
        std::isfinite(geometry.cell_z_m) && geometry.cell_z_m > 0.0 &&
        std::isfinite(geometry.origin_x_m) && std::isfinite(geometry.origin_y_m) &&
        std::isfinite(geometry.origin_z_m))) {
    return fail("CELL_SIZE_INVALID", "grid geometry has a non-positive or non-finite field");
  }

  const SweepParams params{std::max(owner.horizontal_m, max_other.horizontal_m),
                           std::max(owner.vertical_m, max_other.vertical_m),
                           std::max(owner.time_buffer, max_other.time_buffer).count(),
                           &geometry,
                           size_x_,
                           size_y_,
                           size_z_};
  std::vector<Window> windows;
  const auto& pts = trajectory.points;
  if (pts.size() == 1) {
    sweep_piece(pts[0], pts[0], params, windows);
  } else {
    for (std::size_t i = 0; i + 1 < pts.size(); ++i)
      sweep_piece(pts[i], pts[i + 1], params, windows);
  }

  // Per voxel, the windows of consecutive pieces chain into one interval per visit; merge them
  // so each voxel gets as few entries as possible.
  std::sort(windows.begin(), windows.end(), [](const Window& l, const Window& r) {
    return l.key != r.key ? l.key < r.key : l.begin < r.begin;
  });
  std::size_t added = 0;
  std::vector<std::uint64_t>& held = owners_[trajectory.id];
  for (std::size_t i = 0; i < windows.size();) {
    const std::uint64_t k = windows[i].key;
    bool first_for_voxel = true;
    while (i < windows.size() && windows[i].key == k) {
      std::int64_t b = windows[i].begin;
      std::int64_t e = windows[i].end;
      ++i;
      while (i < windows.size() && windows[i].key == k && windows[i].begin <= e) {
        e = std::max(e, windows[i].end);
        ++i;
      }
      insert(k, Reservation{Millis{b}, Millis{e}, trajectory.id});
      ++added;
      if (first_for_voxel) held.push_back(k);
      first_for_voxel = false;
    }
  }
  if (held.empty()) {
    owners_.erase(trajectory.id);
  } else {
    held.shrink_to_fit();
  }
  return added;
}

Result<void> ReservationTable::reserve_pad(Voxel pad, Millis begin, Millis end,
                                           std::int64_t owner) {
  if (!contains(pad)) {
    return fail("SIPP_VOXEL_OUTSIDE_GRID", "pad voxel (" + std::to_string(pad.x) + ", " +
                                               std::to_string(pad.y) + ", " +
                                               std::to_string(pad.z) + ") is outside the grid");
  }
  if (!(begin < end) || begin <= kTimeNegInf || end >= kTimeInf) {
    return fail("RESERVATION_INTERVAL_INVALID", "pad interval [" + std::to_string(begin.count()) +
                                                    ", " + std::to_string(end.count()) +
                                                    ") ms is empty, inverted or out of range");
  }
  const std::uint64_t k = key(pad);
  insert(k, Reservation{begin, end, owner});
  owners_[owner].push_back(k);
  return {};
}

void ReservationTable::insert(std::uint64_t voxel_key, Reservation r) {
  auto& list = voxels_[voxel_key];
  const auto pos =
      std::upper_bound(list.begin(), list.end(), r.begin,
                       [](Millis b, const Reservation& existing) { return b < existing.begin; });
  list.insert(pos, r);
  ++entry_count_;
  latest_end_ = std::max(latest_end_, r.end);
}

std::size_t ReservationTable::release(std::int64_t owner) {
  const auto it = owners_.find(owner);
  if (it == owners_.end()) return 0;
  std::size_t removed = 0;
  for (const std::uint64_t k : it->second) {
    const auto v = voxels_.find(k);
    if (v == voxels_.end()) continue;  // already emptied through a duplicate key
    removed += std::erase_if(v->second, [owner](const Reservation& r) { return r.owner == owner; });
    if (v->second.empty()) voxels_.erase(v);
  }
  entry_count_ -= removed;
  owners_.erase(it);
  return removed;
}

void ReservationTable::safe_intervals(Voxel voxel, Millis horizon,
                                      std::vector<SafeInterval>& out) const {
  out.clear();
  if (!contains(voxel)) return;
  const auto it = voxels_.find(key(voxel));
  if (it == voxels_.end()) {
    out.push_back(SafeInterval{kTimeNegInf, kTimeInf});
    return;
  }
  // Entries are sorted by begin; a running maximum of ends yields the union's complement.
  Millis free_from = kTimeNegInf;
  for (const Reservation& r : it->second) {
    if (free_from >= horizon) break;
    if (r.begin > free_from) out.push_back(SafeInterval{free_from, r.begin});
    free_from = std::max(free_from, r.end);
  }
  if (free_from < horizon) out.push_back(SafeInterval{free_from, kTimeInf});
}

std::vector<SafeInterval> ReservationTable::safe_intervals(Voxel voxel, Millis horizon) const {
  std::vector<SafeInterval> out;
  safe_intervals(voxel, horizon, out);
  return out;
}

bool ReservationTable::is_free(Voxel voxel, Millis from, Millis to) const {
  if (!contains(voxel) || to < from) return false;
  const auto it = voxels_.find(key(voxel));
  if (it == voxels_.end()) return true;
  // Closed [from, to] against half-open [begin, end): overlap iff begin < to && from < end,
  // except that touching begin with `to` is allowed (see SafeInterval).
  return std::none_of(it->second.begin(), it->second.end(),
                      [&](const Reservation& r) { return r.begin < to && from < r.end; });
}

std::span<const Reservation> ReservationTable::reservations(Voxel voxel) const {
  if (!contains(voxel)) return {};
  const auto it = voxels_.find(key(voxel));
  if (it == voxels_.end()) return {};
  return it->second;
}

std::size_t ReservationTable::approx_memory_bytes() const {
  // libstdc++: a node holds next pointer + value (+ malloc header); buckets are pointers;
  // every non-empty vector buffer carries a malloc header too.
  constexpr std::size_t kMalloc = 16;
  std::size_t bytes =
      voxels_.bucket_count() * sizeof(void*) + owners_.bucket_count() * sizeof(void*);
  bytes +=
      voxels_.size() *
      (sizeof(void*) + sizeof(std::pair<const std::uint64_t, std::vector<Reservation>>) + kMalloc);
  for (const auto& [k, list] : voxels_) bytes += list.capacity() * sizeof(Reservation) + kMalloc;
  bytes +=
      owners_.size() *
      (sizeof(void*) + sizeof(std::pair<const std::int64_t, std::vector<std::uint64_t>>) + kMalloc);
  for (const auto& [o, keys] : owners_) bytes += keys.capacity() * sizeof(std::uint64_t) + kMalloc;
  return bytes;
}

}  // namespace skylane::search
