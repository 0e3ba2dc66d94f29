// Reservation sweep of 4D trajectories through a separation envelope; see the header.
// Safe intervals as in M. Phillips and M. Likhachev, "SIPP: Safe Interval Path Planning for
// Dynamic Environments", ICRA 2011.
#include "skylane/search/reservation_table.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>
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
  std::uint32_t col;  ///< x + size_x * y
  std::uint32_t z;
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
          const auto col = static_cast<std::uint32_t>(x) +
                           static_cast<std::uint32_t>(p.sx) * static_cast<std::uint32_t>(y);
          out.push_back(Window{col, static_cast<std::uint32_t>(z), begin, end});
        }
      }
    }
    prev = box;
  }
}

bool finite_nonneg(double v) { return std::isfinite(v) && v >= 0.0; }

// Storage constants. A column is found through a tile of 32 x 32 columns; its entries live in a
// block of 2^class entries, carved from 1 MiB pool chunks (class <= kChunkLog) or allocated on
// its own (larger classes, i.e. columns with more than 65,536 entries).
constexpr int kTileLog = 5;
constexpr std::int32_t kTileMask = (1 << kTileLog) - 1;
constexpr std::size_t kTileSlots = std::size_t{1} << (2 * kTileLog);
constexpr int kChunkLog = 16;
constexpr std::uint32_t kChunkEntries = 1u << kChunkLog;
constexpr int kCountBits = 27;
constexpr std::uint32_t kCountMask = (1u << kCountBits) - 1;
constexpr std::uint32_t kMaxColumnEntries = kCountMask;
// Offsets are uint32 ms: the span is 2^32 - 1 ms (49.7 days); a fresh origin lies 2^30 ms
// (12.4 days) before the first reserved instant so that slightly earlier entries still fit.
constexpr std::int64_t kSpanMs = (std::int64_t{1} << 32) - 2;
// End offset of an entry that is busy for good: any end from kTimeInf / 2 on (tens of millions
// of years: "closed until further notice") is stored as this and reads back as kTimeInf - 1.
constexpr std::uint32_t kOpenEnd = 0xFFFFFFFFu;
constexpr std::int64_t kOpenEndFromMs = kTimeInf.count() / 2;
constexpr std::int64_t kOpenEndMs = kTimeInf.count() - 1;
constexpr std::int64_t kBackMarginMs = std::int64_t{1} << 30;
constexpr std::int32_t kMaxLayers = 65535;

int ceil_log2(std::uint32_t n) { return n <= 1 ? 0 : static_cast<int>(std::bit_width(n - 1)); }

std::string ms_text(std::int64_t ms) { return std::to_string(ms) + " ms"; }

}  // namespace

struct ReservationTable::Entry {
  std::uint32_t begin;  ///< ms since origin_ms_
  std::uint32_t end;    ///< ms since origin_ms_, > begin; kOpenEnd: busy for good
  std::uint32_t owner;  ///< index into Store::owners
  std::uint16_t z0;     ///< first layer of the run
  std::uint16_t z1;     ///< last layer of the run (inclusive)
  /// end - begin, or kOpenEnd for an entry busy for good (see Slot::span).
  [[nodiscard]] std::uint32_t length() const { return end == kOpenEnd ? kOpenEnd : end - begin; }
};

struct ReservationTable::Slot {
  std::uint32_t ref = 0;   ///< pool offset (class <= kChunkLog) or index into Store::big
  std::uint32_t meta = 0;  ///< entry count (low kCountBits) | size class << kCountBits; 0: none
  /// The longest end - begin of the column's entries (kOpenEnd if one is busy for good), as of
  /// the last release or prune that touched it (entries added since count; none removed since
  /// do): entries beginning more than this before t end before t.
  std::uint32_t span = 0;
  [[nodiscard]] std::uint32_t count() const { return meta & kCountMask; }
  [[nodiscard]] int cls() const { return static_cast<int>(meta >> kCountBits); }
  void set(std::uint32_t r, std::uint32_t count, int cls) {
    ref = r;
    meta = count | (static_cast<std::uint32_t>(cls) << kCountBits);
  }
};

struct ReservationTable::Tile {
  std::array<Slot, kTileSlots> slots{};
};

struct ReservationTable::Owner {
  std::int64_t id = 0;
  bool live = false;
  std::int64_t min_begin_ms = 0;
  std::int64_t max_end_ms = 0;
  std::vector<std::uint32_t> columns;  ///< distinct per reserve call; may repeat across calls
};

struct ReservationTable::Pending {
  std::uint32_t col;
  std::uint16_t z0;
  std::uint16_t z1;
  std::int64_t begin;
  std::int64_t end;
};

struct ReservationTable::Store {
  std::int32_t tiles_x = 0;
  std::int32_t tiles_y = 0;
  std::vector<std::unique_ptr<Tile>> tiles;  ///< empty until the first entry
  std::size_t tile_count = 0;
  std::vector<std::unique_ptr<Entry[]>> chunks;
  std::uint32_t chunk_used = kChunkEntries;  ///< bump position in the last chunk
  std::array<std::vector<std::uint32_t>, kChunkLog + 1> free_blocks;
  std::vector<std::unique_ptr<Entry[]>> big;
  std::vector<std::uint32_t> free_big;
  std::size_t big_entries = 0;
  std::vector<Owner> owners;
  std::vector<std::uint32_t> free_owners;
  std::unordered_map<std::int64_t, std::uint32_t> owner_slot;

  [[nodiscard]] Slot* find(std::int32_t x, std::int32_t y) const {
    if (tiles.empty()) return nullptr;
    Tile* t = tiles[static_cast<std::size_t>(x >> kTileLog) +
                    static_cast<std::size_t>(tiles_x) * static_cast<std::size_t>(y >> kTileLog)]
                  .get();
    if (t == nullptr) return nullptr;
    return &t->slots[static_cast<std::size_t>(((y & kTileMask) << kTileLog) | (x & kTileMask))];
  }
  Slot& make(std::int32_t x, std::int32_t y) {
    if (tiles.empty()) {
      tiles.resize(static_cast<std::size_t>(tiles_x) * static_cast<std::size_t>(tiles_y));
    }
    auto& t = tiles[static_cast<std::size_t>(x >> kTileLog) +
                    static_cast<std::size_t>(tiles_x) * static_cast<std::size_t>(y >> kTileLog)];
    if (!t) {
      t = std::make_unique<Tile>();
      ++tile_count;
    }
    return t->slots[static_cast<std::size_t>(((y & kTileMask) << kTileLog) | (x & kTileMask))];
  }
  [[nodiscard]] Entry* at(std::uint32_t ref, int cls) const {
    if (cls > kChunkLog) return big[ref].get();
    return chunks[ref >> kChunkLog].get() + (ref & (kChunkEntries - 1));
  }
  std::uint32_t allocate(int cls) {
    if (cls > kChunkLog) {
      auto block = std::make_unique_for_overwrite<Entry[]>(std::size_t{1} << cls);
      big_entries += std::size_t{1} << cls;
      if (!free_big.empty()) {
        const std::uint32_t i = free_big.back();
        free_big.pop_back();
        big[i] = std::move(block);
        return i;
      }
      big.push_back(std::move(block));
      return static_cast<std::uint32_t>(big.size() - 1);
    }
    auto& list = free_blocks[static_cast<std::size_t>(cls)];
    if (!list.empty()) {
      const std::uint32_t r = list.back();
      list.pop_back();
      return r;
    }
    const std::uint32_t size = 1u << cls;
    if (chunk_used + size > kChunkEntries) {
      // The rest of the current chunk becomes free blocks of the classes of its binary digits.
      if (!chunks.empty()) {
        std::uint32_t base =
            (static_cast<std::uint32_t>(chunks.size() - 1) << kChunkLog) + chunk_used;
        const std::uint32_t rest = kChunkEntries - chunk_used;
        for (int c = kChunkLog; c >= 0; --c) {
          if ((rest >> c) & 1u) {
            free_blocks[static_cast<std::size_t>(c)].push_back(base);
            base += 1u << c;
          }
        }
      }
      chunks.push_back(std::make_unique_for_overwrite<Entry[]>(kChunkEntries));
      chunk_used = 0;
    }
    const std::uint32_t r =
        (static_cast<std::uint32_t>(chunks.size() - 1) << kChunkLog) + chunk_used;
    chunk_used += size;
    return r;
  }
  void free_block(std::uint32_t ref, int cls) {
    if (cls > kChunkLog) {
      big[ref].reset();
      big_entries -= std::size_t{1} << cls;
      free_big.push_back(ref);
    } else {
      free_blocks[static_cast<std::size_t>(cls)].push_back(ref);
    }
  }
};

ReservationTable::ReservationTable(std::int32_t size_x, std::int32_t size_y, std::int32_t size_z)
    : size_x_(std::max<std::int32_t>(size_x, 0)),
      size_y_(std::max<std::int32_t>(size_y, 0)),
      size_z_(std::clamp<std::int32_t>(size_z, 0, kMaxLayers)),
      store_(std::make_unique<Store>()) {
  static_assert(sizeof(Entry) == 16, "entries are meant to be 16 bytes");
  constexpr std::uint64_t kMaxColumns = 0xFFFFFFFFull;
  if (size_x_ > 0 &&
      static_cast<std::uint64_t>(size_x_) * static_cast<std::uint64_t>(size_y_) > kMaxColumns) {
    size_y_ = static_cast<std::int32_t>(kMaxColumns / static_cast<std::uint64_t>(size_x_));
  }
  store_->tiles_x = (size_x_ + kTileMask) >> kTileLog;
  store_->tiles_y = (size_y_ + kTileMask) >> kTileLog;
}

ReservationTable::ReservationTable(ReservationTable&&) noexcept = default;
ReservationTable& ReservationTable::operator=(ReservationTable&&) noexcept = default;
ReservationTable::~ReservationTable() = default;

const ReservationTable::Slot* ReservationTable::find_slot(std::int32_t x, std::int32_t y) const {
  return store_ ? store_->find(x, y) : nullptr;
}

const ReservationTable::Entry* ReservationTable::block(const Slot& s) const {
  return store_->at(s.ref, s.cls());
}

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
  // so each voxel gets as few intervals as possible.
  std::sort(windows.begin(), windows.end(), [](const Window& l, const Window& r) {
    if (l.col != r.col) return l.col < r.col;
    if (l.z != r.z) return l.z < r.z;
    return l.begin < r.begin;
  });
  std::size_t merged = 0;
  for (std::size_t i = 0; i < windows.size();) {
    Window w = windows[i++];
    while (i < windows.size() && windows[i].col == w.col && windows[i].z == w.z &&
           windows[i].begin <= w.end) {
      w.end = std::max(w.end, windows[i].end);
      ++i;
    }
    windows[merged++] = w;
  }
  windows.resize(merged);
  // Then the layers of a column that got the very same interval share one entry (level flight
  // makes the whole vertical band busy over the same instants).
  std::sort(windows.begin(), windows.end(), [](const Window& l, const Window& r) {
    if (l.col != r.col) return l.col < r.col;
    if (l.begin != r.begin) return l.begin < r.begin;
    if (l.end != r.end) return l.end < r.end;
    return l.z < r.z;
  });
  std::vector<Pending> runs;
  runs.reserve(windows.size());
  for (const Window& w : windows) {
    if (!runs.empty()) {
      Pending& last = runs.back();
      if (last.col == w.col && last.begin == w.begin && last.end == w.end &&
          static_cast<std::uint32_t>(last.z1) + 1 == w.z) {
        last.z1 = static_cast<std::uint16_t>(w.z);
        continue;
      }
    }
    runs.push_back(Pending{w.col, static_cast<std::uint16_t>(w.z), static_cast<std::uint16_t>(w.z),
                           w.begin, w.end});
  }
  return commit(trajectory.id, runs);
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
  std::vector<Pending> runs{
      Pending{static_cast<std::uint32_t>(pad.x) +
                  static_cast<std::uint32_t>(size_x_) * static_cast<std::uint32_t>(pad.y),
              static_cast<std::uint16_t>(pad.z), static_cast<std::uint16_t>(pad.z), begin.count(),
              end.count()}};
  auto added = commit(owner, runs);
  if (!added) return tl::unexpected(added.error());
  return {};
}

// `runs` sorted by column, then begin. Validates everything first so that an error leaves the
// table unchanged.
Result<std::size_t> ReservationTable::commit(std::int64_t owner, std::vector<Pending>& runs) {
  if (runs.empty()) return std::size_t{0};
  if (!store_) {
    store_ = std::make_unique<Store>();
    store_->tiles_x = (size_x_ + kTileMask) >> kTileLog;
    store_->tiles_y = (size_y_ + kTileMask) >> kTileLog;
  }
  Store& st = *store_;
  std::int64_t min_begin = runs.front().begin;
  std::int64_t max_end = kTimeNegInf.count();
  std::int64_t max_finite_end = kTimeNegInf.count();
  for (Pending& p : runs) {
    if (p.end >= kOpenEndFromMs) p.end = kOpenEndMs;
    min_begin = std::min(min_begin, p.begin);
    max_end = std::max(max_end, p.end);
    if (p.end != kOpenEndMs) max_finite_end = std::max(max_finite_end, p.end);
  }
  const std::int64_t origin = entry_count_ == 0 ? min_begin - kBackMarginMs : origin_ms_;
  if (min_begin < origin || min_begin - origin > kSpanMs || max_finite_end - origin > kSpanMs) {
    return fail("RESERVATION_TIME_OUT_OF_RANGE",
                "owner " + std::to_string(owner) + " reserves [" + ms_text(min_begin) + ", " +
                    ms_text(max_end) + "), outside the table's span [" + ms_text(origin) + ", " +
                    ms_text(origin + kSpanMs) + "] (call prune_before as time advances)");
  }
  const auto sx = static_cast<std::uint32_t>(size_x_);
  for (std::size_t i = 0; i < runs.size();) {
    std::size_t j = i;
    while (j < runs.size() && runs[j].col == runs[i].col) ++j;
    const Slot* s = st.find(static_cast<std::int32_t>(runs[i].col % sx),
                            static_cast<std::int32_t>(runs[i].col / sx));
    const std::uint64_t have = s != nullptr ? s->count() : 0;
    if (have + (j - i) > kMaxColumnEntries) {
      return fail("RESERVATION_COLUMN_FULL", "column (" + std::to_string(runs[i].col % sx) + ", " +
                                                 std::to_string(runs[i].col / sx) +
                                                 ") would hold more than " +
                                                 std::to_string(kMaxColumnEntries) +
                                                 " entries (owner " + std::to_string(owner) + ")");
    }
    i = j;
  }
  origin_ms_ = origin;

  std::uint32_t oslot = 0;
  if (const auto it = st.owner_slot.find(owner); it != st.owner_slot.end()) {
    oslot = it->second;
  } else {
    if (!st.free_owners.empty()) {
      oslot = st.free_owners.back();
      st.free_owners.pop_back();
    } else {
      oslot = static_cast<std::uint32_t>(st.owners.size());
      st.owners.emplace_back();
    }
    Owner& o = st.owners[oslot];
    o.id = owner;
    o.live = true;
    o.min_begin_ms = min_begin;
    o.max_end_ms = max_end;
    st.owner_slot.emplace(owner, oslot);
  }
  Owner& o = st.owners[oslot];
  o.min_begin_ms = std::min(o.min_begin_ms, min_begin);
  o.max_end_ms = std::max(o.max_end_ms, max_end);

  std::vector<Entry> fresh;
  for (std::size_t i = 0; i < runs.size();) {
    const std::uint32_t col = runs[i].col;
    fresh.clear();
    for (; i < runs.size() && runs[i].col == col; ++i) {
      const Pending& p = runs[i];
      const std::uint32_t end =
          p.end == kOpenEndMs ? kOpenEnd : static_cast<std::uint32_t>(p.end - origin);
      fresh.push_back(Entry{static_cast<std::uint32_t>(p.begin - origin), end, oslot, p.z0, p.z1});
    }
    if (o.columns.empty() || o.columns.back() != col) o.columns.push_back(col);
    Slot& s = st.make(static_cast<std::int32_t>(col % sx), static_cast<std::int32_t>(col / sx));
    for (const Entry& f : fresh) {
      s.span = std::max(s.span, f.length());
    }
    const std::uint32_t have = s.count();
    const auto need = static_cast<std::uint32_t>(have + fresh.size());
    auto by_begin = [](const Entry& l, const Entry& r) { return l.begin < r.begin; };
    if (have == 0) {
      const int cls = ceil_log2(need);
      const std::uint32_t ref = st.allocate(cls);
      std::copy(fresh.begin(), fresh.end(), st.at(ref, cls));
      s.set(ref, need, cls);
    } else if (need > (1u << s.cls())) {
      const int cls = ceil_log2(need);
      const std::uint32_t ref = st.allocate(cls);
      const Entry* old = st.at(s.ref, s.cls());
      std::merge(old, old + have, fresh.begin(), fresh.end(), st.at(ref, cls), by_begin);
      st.free_block(s.ref, s.cls());
      s.set(ref, need, cls);
    } else {
      // In place, from the back: the block has room for both lists.
      Entry* b = st.at(s.ref, s.cls());
      std::int64_t i_old = static_cast<std::int64_t>(have) - 1;
      std::int64_t i_new = static_cast<std::int64_t>(fresh.size()) - 1;
      for (std::int64_t k = static_cast<std::int64_t>(need) - 1; i_new >= 0; --k) {
        if (i_old >= 0 && b[i_old].begin > fresh[static_cast<std::size_t>(i_new)].begin) {
          b[k] = b[i_old--];
        } else {
          b[k] = fresh[static_cast<std::size_t>(i_new--)];
        }
      }
      s.set(s.ref, need, s.cls());
    }
  }
  if (runs.size() > 64) o.columns.shrink_to_fit();  // a whole flight: trim the slack once
  entry_count_ += runs.size();
  latest_end_ = std::max(latest_end_, Millis{max_end});
  return runs.size();
}

template <class Drop>
std::size_t ReservationTable::compact(std::uint32_t col, Drop&& drop) {
  Store& st = *store_;
  const auto sx = static_cast<std::uint32_t>(size_x_);
  Slot* s = st.find(static_cast<std::int32_t>(col % sx), static_cast<std::int32_t>(col / sx));
  if (s == nullptr || s->count() == 0) return 0;
  Entry* b = st.at(s->ref, s->cls());
  const std::uint32_t n = s->count();
  std::uint32_t kept = 0;
  std::uint32_t span = 0;  // of the entries kept: a released long entry stops widening reads
  for (std::uint32_t i = 0; i < n; ++i) {
    if (drop(b[i])) continue;
    span = std::max(span, b[i].length());
    b[kept++] = b[i];
  }
  if (kept == 0) {
    st.free_block(s->ref, s->cls());
    *s = Slot{};
  } else if (s->cls() > 0 && kept <= (1u << s->cls()) / 4) {
    // Shrink to the smallest class that fits, so a pruned column gives its memory back.
    const int cls = ceil_log2(kept);
    const std::uint32_t ref = st.allocate(cls);
    std::copy(b, b + kept, st.at(ref, cls));
    st.free_block(s->ref, s->cls());
    s->set(ref, kept, cls);
  } else {
    s->set(s->ref, kept, s->cls());
  }
  if (kept != 0) s->span = span;
  return n - kept;
}

void ReservationTable::drop_owner(std::uint32_t slot) {
  Store& st = *store_;
  Owner& o = st.owners[slot];
  st.owner_slot.erase(o.id);
  o.live = false;
  std::vector<std::uint32_t>().swap(o.columns);
  st.free_owners.push_back(slot);
}

std::size_t ReservationTable::release(std::int64_t owner) {
  if (!store_) return 0;
  const auto it = store_->owner_slot.find(owner);
  if (it == store_->owner_slot.end()) return 0;
  const std::uint32_t slot = it->second;
  std::size_t removed = 0;
  for (const std::uint32_t col : store_->owners[slot].columns) {
    removed += compact(col, [slot](const Entry& e) { return e.owner == slot; });
  }
  entry_count_ -= removed;
  drop_owner(slot);
  return removed;
}

std::size_t ReservationTable::prune_before(Millis t) {
  if (!store_ || entry_count_ == 0) return 0;
  Store& st = *store_;
  const std::int64_t limit = t.count() - origin_ms_;
  std::size_t removed = 0;
  if (limit >= 1) {
    // An entry that ends by t began before t, so its owner's min_begin is before t: visiting
    // the columns of those owners (each column once) finds every such entry.
    const auto lim = static_cast<std::uint32_t>(std::min(limit, kSpanMs));  // < kOpenEnd
    const std::size_t columns =
        static_cast<std::size_t>(size_x_) * static_cast<std::size_t>(size_y_);
    std::vector<std::uint64_t> seen((columns + 63) / 64, 0);
    for (const Owner& o : st.owners) {
      if (!o.live || o.min_begin_ms >= t.count()) continue;
      for (const std::uint32_t col : o.columns) {
        std::uint64_t& word = seen[col >> 6];
        const std::uint64_t bit = std::uint64_t{1} << (col & 63);
        if ((word & bit) != 0) continue;
        word |= bit;
        removed += compact(col, [lim](const Entry& e) { return e.end <= lim; });
      }
    }
    entry_count_ -= removed;
    for (std::uint32_t i = 0; i < st.owners.size(); ++i) {
      if (st.owners[i].live && st.owners[i].max_end_ms <= t.count()) drop_owner(i);
    }
  }
  if (entry_count_ > 0 && t.count() - origin_ms_ > kSpanMs / 2) rebase(t.count());
  return removed;
}

// Moves the time origin forward to t - kBackMarginMs, or to the earliest entry left if that is
// earlier, rewriting every offset. O(table).
void ReservationTable::rebase(std::int64_t t) {
  Store& st = *store_;
  std::uint32_t min_begin = std::numeric_limits<std::uint32_t>::max();
  auto for_each_block = [&](auto&& f) {
    for (const auto& tile : st.tiles) {
      if (!tile) continue;
      for (const Slot& s : tile->slots) {
        if (s.count() != 0) f(st.at(s.ref, s.cls()), s.count());
      }
    }
  };
  for_each_block([&](const Entry* b, std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i) min_begin = std::min(min_begin, b[i].begin);
  });
  const std::int64_t delta = std::min<std::int64_t>(min_begin, t - kBackMarginMs - origin_ms_);
  if (delta <= 0) return;
  const auto d = static_cast<std::uint32_t>(delta);
  for_each_block([&](Entry* b, std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i) {
      b[i].begin -= d;
      if (b[i].end != kOpenEnd) b[i].end -= d;
    }
  });
  origin_ms_ += delta;
}

void ReservationTable::safe_intervals(Voxel voxel, Millis horizon,
                                      std::vector<SafeInterval>& out) const {
  safe_intervals(voxel, kTimeNegInf, horizon, out);
}

std::uint32_t ReservationTable::first_ending_after(const Slot& s, std::int64_t t) const {
  // Entries are sorted by begin, and none is longer than the column's span: those that begin
  // more than the span before t end before t.
  const std::int64_t skip = t - origin_ms_ - s.span;
  if (s.span == kOpenEnd || skip <= 0) return 0;
  const Entry* e = block(s);
  return static_cast<std::uint32_t>(
      std::partition_point(
          e, e + s.count(),
          [skip](const Entry& r) { return static_cast<std::int64_t>(r.begin) < skip; }) -
      e);
}

void ReservationTable::safe_intervals(Voxel voxel, Millis from, Millis horizon,
                                      std::vector<SafeInterval>& out) const {
  out.clear();
  if (!contains(voxel)) return;
  const std::int64_t lo = from.count();
  const std::int64_t h = horizon.count();
  const Slot* s = find_slot(voxel.x, voxel.y);
  const std::uint32_t n = s != nullptr ? s->count() : 0;
  if (n == 0) {
    if (lo < h && lo < kTimeInf.count()) out.push_back(SafeInterval{from, kTimeInf});
    return;
  }
  const Entry* e = block(*s);
  const auto z = static_cast<std::uint16_t>(voxel.z);
  const std::int64_t origin = origin_ms_;
  // Entries that end before `from` shape only what `from` clips.
  std::int64_t free_from = kTimeNegInf.count();
  for (std::uint32_t i = first_ending_after(*s, lo); i < n; ++i) {
    const Entry& r = e[i];
    if (z < r.z0 || z > r.z1) continue;
    const std::int64_t begin = std::max(free_from, lo);
    if (begin >= h) return;
    const std::int64_t b = origin + r.begin;
    if (b > begin) out.push_back(SafeInterval{Millis{begin}, Millis{b}});
    free_from = std::max(free_from, r.end == kOpenEnd ? kOpenEndMs : origin + r.end);
  }
  const std::int64_t begin = std::max(free_from, lo);
  if (begin < h && begin < kTimeInf.count()) out.push_back(SafeInterval{Millis{begin}, kTimeInf});
}

std::vector<SafeInterval> ReservationTable::safe_intervals(Voxel voxel, Millis horizon) const {
  std::vector<SafeInterval> out;
  safe_intervals(voxel, horizon, out);
  return out;
}

bool ReservationTable::is_free(Voxel voxel, Millis from, Millis to) const {
  if (!contains(voxel) || to < from) return false;
  const Slot* s = find_slot(voxel.x, voxel.y);
  const std::uint32_t n = s != nullptr ? s->count() : 0;
  if (n == 0) return true;
  const Entry* e = block(*s);
  const std::uint32_t first = first_ending_after(*s, from.count());
  const auto z = static_cast<std::uint16_t>(voxel.z);
  // Closed [from, to] against half-open [begin, end): overlap iff begin < to && from < end,
  // except that touching begin with `to` is allowed (see SafeInterval). Sorted by begin, so
  // the scan stops at the first entry beginning at or after `to`.
  const std::int64_t f = from.count() - origin_ms_;
  const std::int64_t t = to.count() - origin_ms_;
  const std::int64_t f_open = from.count() - kOpenEndMs;  // f < open end, in offsets
  for (std::uint32_t i = first; i < n; ++i) {
    const Entry& r = e[i];
    if (static_cast<std::int64_t>(r.begin) >= t) break;
    if (z < r.z0 || z > r.z1) continue;
    if (r.end == kOpenEnd ? f_open < 0 : f < static_cast<std::int64_t>(r.end)) return false;
  }
  return true;
}

void ReservationTable::reservations(Voxel voxel, std::vector<Reservation>& out) const {
  if (!contains(voxel)) return;
  const Slot* s = find_slot(voxel.x, voxel.y);
  const std::uint32_t n = s != nullptr ? s->count() : 0;
  const Entry* e = n != 0 ? block(*s) : nullptr;
  const auto z = static_cast<std::uint16_t>(voxel.z);
  for (std::uint32_t i = 0; i < n; ++i) {
    const Entry& r = e[i];
    if (z < r.z0 || z > r.z1) continue;
    out.push_back(Reservation{Millis{origin_ms_ + r.begin},
                              Millis{r.end == kOpenEnd ? kOpenEndMs : origin_ms_ + r.end},
                              store_->owners[r.owner].id});
  }
}

std::vector<Reservation> ReservationTable::reservations(Voxel voxel) const {
  std::vector<Reservation> out;
  reservations(voxel, out);
  return out;
}

std::size_t ReservationTable::owner_count() const { return store_ ? store_->owner_slot.size() : 0; }

std::size_t ReservationTable::voxel_count() const {
  if (!store_) return 0;
  std::size_t voxels = 0;
  std::vector<std::pair<std::uint16_t, std::uint16_t>> layers;
  for (const auto& tile : store_->tiles) {
    if (!tile) continue;
    for (const Slot& s : tile->slots) {
      if (s.count() == 0) continue;
      const Entry* e = block(s);
      layers.clear();
      for (std::uint32_t i = 0; i < s.count(); ++i) layers.emplace_back(e[i].z0, e[i].z1);
      std::sort(layers.begin(), layers.end());
      std::int32_t covered_to = -1;  // last layer counted
      for (const auto& [z0, z1] : layers) {
        const std::int32_t from = std::max<std::int32_t>(z0, covered_to + 1);
        if (z1 >= from) voxels += static_cast<std::size_t>(z1 - from + 1);
        covered_to = std::max<std::int32_t>(covered_to, z1);
      }
    }
  }
  return voxels;
}

std::size_t ReservationTable::approx_memory_bytes() const {
  if (!store_) return 0;
  // Every separate heap block carries a malloc header (16 bytes with glibc); hash nodes hold
  // next pointer + key/value.
  constexpr std::size_t kMalloc = 16;
  const Store& st = *store_;
  std::size_t bytes = sizeof(Store) + kMalloc;
  bytes += st.tiles.capacity() * sizeof(void*) + kMalloc;
  bytes += st.tile_count * (sizeof(Tile) + kMalloc);
  bytes += st.chunks.capacity() * sizeof(void*) +
           st.chunks.size() * (kChunkEntries * sizeof(Entry) + kMalloc);
  bytes += st.big.capacity() * sizeof(void*) + st.big_entries * sizeof(Entry);
  for (const auto& list : st.free_blocks) bytes += list.capacity() * sizeof(std::uint32_t);
  bytes += st.owners.capacity() * sizeof(Owner) + st.free_owners.capacity() * sizeof(std::uint32_t);
  for (const Owner& o : st.owners) {
    if (o.columns.capacity() != 0) bytes += o.columns.capacity() * sizeof(std::uint32_t) + kMalloc;
  }
  bytes += st.owner_slot.bucket_count() * sizeof(void*) +
           st.owner_slot.size() *
               (sizeof(void*) + sizeof(std::pair<const std::int64_t, std::uint32_t>) + kMalloc);
  return bytes;
}

}  // namespace skylane::search
