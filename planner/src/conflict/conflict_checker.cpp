#include "skylane/conflict/conflict_checker.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

namespace skylane::conflict {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxCoordinateM = 1e9;

// Broad-phase boxes are built from interpolated chunk end points, while the narrow phase
// extrapolates from piece starts; both round at ~1e-16 relative, i.e. < 1e-6 m within
// kMaxCoordinateM. A millimetre of slack makes the broad phase conservative against that.
constexpr double kBroadSlackM = 1e-3;
// Chunks are cut so their x and y extents stay below max(kMinChunkExtentM, 2 * inflation):
// long diagonal pieces would otherwise give huge, mostly empty boxes. Tuned on the benchmark.
constexpr double kMinChunkExtentM = 4000.0;

struct Vec3 {
  double x = 0.0;
  double y = 0.0;
  double z = 0.0;
};
Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
Vec3 operator*(Vec3 a, double s) { return {a.x * s, a.y * s, a.z * s}; }

// A validated trajectory in solver form: times in seconds, strictly increasing (repeated
// waypoints dropped), so every piece has positive duration. A single point means the aircraft
// exists for one instant only.
struct Track {
  std::int64_t id = 0;
  double horizontal_m = 0.0;
  double vertical_m = 0.0;
  std::vector<double> t_s;
  std::vector<Vec3> p;

  [[nodiscard]] double begin_s() const { return t_s.front(); }
  [[nodiscard]] double end_s() const { return t_s.back(); }
  [[nodiscard]] std::size_t pieces() const { return t_s.size() - 1; }
};

double to_seconds(traj::Millis t) { return std::chrono::duration_cast<Seconds>(t).count(); }

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string ms_string(traj::Millis t) { return std::to_string(t.count()) + " ms"; }

bool same_position(const traj::Waypoint4D& a, const traj::Waypoint4D& b) {
  return a.x_m == b.x_m && a.y_m == b.y_m && a.z_m == b.z_m;
}

Result<void> validate_envelope(const traj::SeparationEnvelope& e, const std::string& who) {
  const auto bad = [](double v) { return !(std::isfinite(v) && v >= 0.0); };
  if (bad(e.horizontal_m)) {
    return fail("INVALID_ARGUMENT", who + ": separation horizontal_m = " +
                                        format_double(e.horizontal_m) + " must be finite and >= 0");
  }
  if (bad(e.vertical_m)) {
    return fail("INVALID_ARGUMENT", who + ": separation vertical_m = " +
                                        format_double(e.vertical_m) + " must be finite and >= 0");
  }
  return {};
}

Result<Track> make_track(const traj::Trajectory4D& trajectory,
                         const traj::SeparationEnvelope& envelope, const std::string& who) {
  if (auto ok = validate_trajectory(trajectory); !ok) {
    Error e = ok.error();
    e.message = who + ": " + e.message;
    return tl::unexpected<Error>(std::move(e));
  }
  if (auto ok = validate_envelope(envelope, who); !ok) return tl::unexpected<Error>(ok.error());
  Track track;
  track.id = trajectory.id;
  track.horizontal_m = envelope.horizontal_m;
  track.vertical_m = envelope.vertical_m;
  track.t_s.reserve(trajectory.points.size());
  track.p.reserve(trajectory.points.size());
  for (std::size_t k = 0; k < trajectory.points.size(); ++k) {
    const traj::Waypoint4D& w = trajectory.points[k];
    if (k > 0 && w.t == trajectory.points[k - 1].t) continue;  // repeated waypoint
    track.t_s.push_back(to_seconds(w.t));
    track.p.push_back({w.x_m, w.y_m, w.z_m});
  }
  return track;
}

// Position on piece i at time t in [t_i, t_{i+1}]; exact at the end points so that times and
// positions shared by neighbouring pieces agree bit for bit.
Vec3 lerp(const Track& tr, std::size_t i, double t) {
  const double t0 = tr.t_s[i];
  const double t1 = tr.t_s[i + 1];
  if (t == t0) return tr.p[i];
  if (t == t1) return tr.p[i + 1];
  return tr.p[i] + (tr.p[i + 1] - tr.p[i]) * ((t - t0) / (t1 - t0));
}

Vec3 velocity(const Track& tr, std::size_t i) {
  return (tr.p[i + 1] - tr.p[i]) * (1.0 / (tr.t_s[i + 1] - tr.t_s[i]));
}

// Position at t in [begin_s, end_s].
Vec3 position_at(const Track& tr, double t) {
  if (tr.t_s.size() == 1) return tr.p[0];
  const auto it = std::upper_bound(tr.t_s.begin(), tr.t_s.end(), t);
  const auto k = static_cast<std::size_t>(it - tr.t_s.begin());
  if (k == 0) return tr.p.front();
  if (k == tr.t_s.size()) return tr.p.back();
  return lerp(tr, k - 1, t);
}

// Index of the piece containing t (the last piece whose start is <= t).
std::size_t piece_at(const Track& tr, double t) {
  const auto it = std::upper_bound(tr.t_s.begin(), tr.t_s.end(), t);
  const auto k = static_cast<std::size_t>(it - tr.t_s.begin());
  return std::min(k == 0 ? 0 : k - 1, tr.pieces() - 1);
}

Position to_position(Vec3 v) { return {v.x, v.y, v.z}; }

double clamp(double v, double lo, double hi) { return std::min(std::max(v, lo), hi); }

traj::Millis floor_ms(double s) {
  const double ms = s * 1000.0;
  const double r = std::round(ms);
  // s came from a whole millisecond more often than not; do not let rounding move it by one.
  return traj::Millis(static_cast<std::int64_t>(std::abs(ms - r) < 1e-6 ? r : std::floor(ms)));
}

traj::Millis ceil_ms(double s) {
  const double ms = s * 1000.0;
  const double r = std::round(ms);
  return traj::Millis(static_cast<std::int64_t>(std::abs(ms - r) < 1e-6 ? r : std::ceil(ms)));
}

// Open interval (lo, hi) of local time; empty when lo >= hi.
struct Window {
  double lo = kInf;
  double hi = -kInf;
};
constexpr Window kAlways{-kInf, kInf};
constexpr Window kNever{kInf, -kInf};

bool closer(double d, const ClosestApproach& best) { return d < best.distance_m; }

// The exact narrow phase for one pair of tracks. Accumulates merged violations and the pair's
// closest approaches; the caller folds those into the report.
class PairSolver {
 public:
  PairSolver(const Track& a, std::size_t index_a, const Track& b, std::size_t index_b)
      : a_(a),
        b_(b),
        index_a_(index_a),
        index_b_(index_b),
        h_m_(std::max(a.horizontal_m, b.horizontal_m)),
        v_m_(std::max(a.vertical_m, b.vertical_m)) {
    closest_3d_ = approach_template();
    closest_hv_ = approach_template();
  }

  void run(std::vector<Violation>& out) {
    const double lo = std::max(a_.begin_s(), b_.begin_s());
    const double hi = std::min(a_.end_s(), b_.end_s());
    if (lo > hi) return;
    if (lo == hi) {
      solve_instant(lo);
    } else {
      // Walk the pieces of both tracks in time order; each step solves one overlap of
      // positive length. Overlaps of zero length (shared piece boundaries) are covered by
      // their neighbours, since both trajectories are continuous.
      std::size_t i = piece_at(a_, lo);
      std::size_t j = piece_at(b_, lo);
      while (i < a_.pieces() && j < b_.pieces()) {
        const double plo = std::max(a_.t_s[i], b_.t_s[j]);
        const double phi = std::min(a_.t_s[i + 1], b_.t_s[j + 1]);
        if (plo >= hi) break;
        if (plo < phi) solve_piece(i, j, plo, phi);
        const double ea = a_.t_s[i + 1];
        const double eb = b_.t_s[j + 1];
        if (ea <= eb) ++i;
        if (eb <= ea) ++j;
      }
    }
    flush(out);
  }

  [[nodiscard]] const ClosestApproach& closest_3d() const { return closest_3d_; }
  [[nodiscard]] const ClosestApproach& closest_hv() const { return closest_hv_; }
  [[nodiscard]] std::size_t piece_pairs() const { return piece_pairs_; }

 private:
  // What one piece pair (or one instant) contributes to a violation.
  struct Sub {
    double begin_s;
    double end_s;
    double min_h_m;
    double min_v_m;
    double min_3d_m;
    double closest_s;
    Vec3 pa;
    Vec3 pb;
  };

  [[nodiscard]] ClosestApproach approach_template() const {
    ClosestApproach c;
    c.id_a = a_.id;
    c.id_b = b_.id;
    c.index_a = index_a_;
    c.index_b = index_b_;
    return c;
  }

  static void offer(ClosestApproach& best, double d, double t_s) {
    if (closer(d, best)) {
      best.distance_m = d;
      best.time = Seconds(t_s);
    }
  }

  void solve_instant(double t) {
    ++piece_pairs_;
    const Vec3 pa = position_at(a_, t);
    const Vec3 pb = position_at(b_, t);
    const Vec3 d = pa - pb;
    const double h2 = d.x * d.x + d.y * d.y;
    const double dz = std::abs(d.z);
    offer(closest_3d_, std::sqrt(h2 + d.z * d.z), t);
    if (dz < v_m_) offer(closest_hv_, std::sqrt(h2), t);
    if (h2 < h_m_ * h_m_ && dz < v_m_) {
      add({t, t, std::sqrt(h2), dz, std::sqrt(h2 + d.z * d.z), t, pa, pb});
    }
  }

  // Pieces i of A and j of B overlap on [plo, phi], phi > plo. With local time tau = t - plo
  // the relative position is d + v * tau, so horizontal distance squared is a quadratic in tau
  // and dz is linear: solve each strict inequality for its open window and intersect.
  void solve_piece(std::size_t i, std::size_t j, double plo, double phi) {
    ++piece_pairs_;
    const double span = phi - plo;
    const Vec3 pa = lerp(a_, i, plo);
    const Vec3 pb = lerp(b_, j, plo);
    const Vec3 va = velocity(a_, i);
    const Vec3 vb = velocity(b_, j);
    const Vec3 d = pa - pb;
    const Vec3 v = va - vb;
    const double h2_min = h_m_ * h_m_;

    // Horizontal: |d_xy + v_xy tau| < H. The minimum is computed from the closest point
    // itself (not c - b^2/4a) to avoid cancellation when the aircraft are far apart.
    const double ah = v.x * v.x + v.y * v.y;
    double tau_h = 0.0;
    Window hwin = kNever;
    if (ah > 0.0) tau_h = -(d.x * v.x + d.y * v.y) / ah;
    if (ah > 0.0 && std::isfinite(tau_h)) {
      const double mx = d.x + v.x * tau_h;
      const double my = d.y + v.y * tau_h;
      const double m2 = mx * mx + my * my;
      if (m2 < h2_min) {
        const double w = std::sqrt((h2_min - m2) / ah);
        hwin = {tau_h - w, tau_h + w};
      }
    } else {
      tau_h = 0.0;  // constant horizontal distance
      hwin = d.x * d.x + d.y * d.y < h2_min ? kAlways : kNever;
    }

    // Vertical: |dz + vz tau| < V.
    double tau_v = 0.0;
    Window vwin = kNever;
    if (v.z != 0.0) {
      const double r1 = (-v_m_ - d.z) / v.z;
      const double r2 = (v_m_ - d.z) / v.z;
      vwin = {std::min(r1, r2), std::max(r1, r2)};
      tau_v = -d.z / v.z;
    } else {
      vwin = std::abs(d.z) < v_m_ ? kAlways : kNever;
    }

    const double a3 = ah + v.z * v.z;
    const double tau_3 = a3 > 0.0 ? -(d.x * v.x + d.y * v.y + d.z * v.z) / a3 : 0.0;
    const auto horizontal_at = [&](double tau) {
      return std::hypot(d.x + v.x * tau, d.y + v.y * tau);
    };
    const auto vertical_at = [&](double tau) { return std::abs(d.z + v.z * tau); };
    const auto distance_at = [&](double tau) {
      const Vec3 r = d + v * tau;
      return std::sqrt(r.x * r.x + r.y * r.y + r.z * r.z);
    };
    const auto closest_in = [&](double tau, double lo, double hi) {
      return std::isfinite(tau) ? clamp(tau, lo, hi) : lo;
    };

    // Minimum separation over the whole overlap.
    {
      const double tau = closest_in(tau_3, 0.0, span);
      offer(closest_3d_, distance_at(tau), plo + tau);
      const double vlo = std::max(0.0, vwin.lo);
      const double vhi = std::min(span, vwin.hi);
      if (vlo < vhi) {
        const double th = closest_in(tau_h, vlo, vhi);
        offer(closest_hv_, horizontal_at(th), plo + th);
      }
    }

    const double l = std::max({0.0, hwin.lo, vwin.lo});
    const double u = std::min({span, hwin.hi, vwin.hi});
    if (!(l < u)) return;
    const double t3 = closest_in(tau_3, l, u);
    // Clamped ends map back to the exact piece boundaries, so sub-intervals of consecutive
    // pieces touch exactly and merge.
    add({l == 0.0 ? plo : plo + l, u == span ? phi : plo + u,
         horizontal_at(closest_in(tau_h, l, u)),
         v.z != 0.0 ? vertical_at(clamp(tau_v, l, u)) : std::abs(d.z), distance_at(t3), plo + t3,
         pa + va * t3, pb + vb * t3});
  }

  void add(const Sub& s) {
    if (open_ && s.begin_s <= current_.end.count()) {
      current_.end = Seconds(std::max(current_.end.count(), s.end_s));
      current_.min_horizontal_m = std::min(current_.min_horizontal_m, s.min_h_m);
      current_.min_vertical_m = std::min(current_.min_vertical_m, s.min_v_m);
      if (s.min_3d_m < current_.min_distance_3d_m) set_closest(s);
      return;
    }
    if (open_) pending_.push_back(current_);
    open_ = true;
    current_ = Violation{};
    current_.id_a = a_.id;
    current_.id_b = b_.id;
    current_.index_a = index_a_;
    current_.index_b = index_b_;
    current_.begin = Seconds(s.begin_s);
    current_.end = Seconds(s.end_s);
    current_.horizontal_minimum_m = h_m_;
    current_.vertical_minimum_m = v_m_;
    current_.min_horizontal_m = s.min_h_m;
    current_.min_vertical_m = s.min_v_m;
    set_closest(s);
  }

  void set_closest(const Sub& s) {
    current_.min_distance_3d_m = s.min_3d_m;
    current_.closest_time = Seconds(s.closest_s);
    current_.position_a = to_position(s.pa);
    current_.position_b = to_position(s.pb);
  }

  void flush(std::vector<Violation>& out) {
    if (open_) pending_.push_back(current_);
    open_ = false;
    for (Violation& v : pending_) {
      v.begin_floor = floor_ms(v.begin.count());
      v.end_ceil = ceil_ms(v.end.count());
      out.push_back(v);
    }
    pending_.clear();
  }

  const Track& a_;
  const Track& b_;
  std::size_t index_a_;
  std::size_t index_b_;
  double h_m_;
  double v_m_;
  ClosestApproach closest_3d_;
  ClosestApproach closest_hv_;
  std::size_t piece_pairs_ = 0;
  bool open_ = false;
  Violation current_;
  std::vector<Violation> pending_;
};

// Runs the narrow phase on one pair and folds its result into the report. Pairs must be fed
// in a fixed order: on equal distances the first pair examined is kept.
void examine(const Track& a, std::size_t index_a, const Track& b, std::size_t index_b,
             ConflictReport& report) {
  PairSolver solver(a, index_a, b, index_b);
  solver.run(report.violations);
  ++report.stats.pairs_examined;
  report.stats.piece_pairs += solver.piece_pairs();
  if (closer(solver.closest_3d().distance_m, report.min_separation.distance_3d)) {
    report.min_separation.distance_3d = solver.closest_3d();
  }
  if (closer(solver.closest_hv().distance_m, report.min_separation.horizontal_within_vertical)) {
    report.min_separation.horizontal_within_vertical = solver.closest_hv();
  }
}

bool exist_together(const traj::Trajectory4D& a, const traj::Trajectory4D& b) {
  return a.points.front().t <= b.points.back().t && b.points.front().t <= a.points.back().t;
}

using PairList = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

// Every pair of tracks that exists at a common instant (sort by start, sweep).
void time_sweep_pairs(const std::vector<Track>& tracks, PairList& pairs) {
  std::vector<std::uint32_t> order(tracks.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    return tracks[x].begin_s() < tracks[y].begin_s();
  });
  std::vector<std::uint32_t> active;
  for (const std::uint32_t k : order) {
    const double start = tracks[k].begin_s();
    std::erase_if(active, [&](std::uint32_t q) { return tracks[q].end_s() < start; });
    for (const std::uint32_t q : active) pairs.emplace_back(std::min(k, q), std::max(k, q));
    active.push_back(k);
  }
}

// A bounded sub-segment of one linear piece: raw x-y box, closed time range, inflation.
struct Chunk {
  double x0 = 0.0;
  double y0 = 0.0;
  double x1 = 0.0;
  double y1 = 0.0;
  double t0 = 0.0;
  double t1 = 0.0;
  double r = 0.0;  // max(H, horizon) + slack for this track
  std::uint32_t track = 0;
};

// The broad phase: cells of a uniform x-y grid, each swept in time. See check_all's brief for
// why it never drops a pair that comes within max(H_pair, horizon) at a common instant.
void grid_pairs(const std::vector<Track>& tracks, double horizon_m, PairList& pairs,
                CheckStats& stats) {
  double r_max = 0.0;
  for (const Track& tr : tracks) r_max = std::max(r_max, std::max(tr.horizontal_m, horizon_m));
  r_max += kBroadSlackM;
  const double max_extent = std::max(kMinChunkExtentM, 2.0 * r_max);

  // Coordinates are validated to +-1e9 m, so a piece gives at most 2e6 chunks even when absurd.
  const auto cuts = [&](const Track& tr, std::size_t i) {
    const Vec3 d = tr.p[i + 1] - tr.p[i];
    const double extent = std::max(std::abs(d.x), std::abs(d.y));
    return static_cast<std::size_t>(std::max(1.0, std::ceil(extent / max_extent)));
  };
  std::size_t total = 0;
  for (const Track& tr : tracks) {
    total += tr.t_s.size() == 1 ? 1 : 0;
    for (std::size_t i = 0; i + 1 < tr.t_s.size(); ++i) total += cuts(tr, i);
  }
  std::vector<Chunk> chunks;
  chunks.reserve(total);
  double gx = kInf;
  double gy = kInf;
  double gx_hi = -kInf;
  double gy_hi = -kInf;
  for (std::uint32_t k = 0; k < tracks.size(); ++k) {
    const Track& tr = tracks[k];
    const double r = std::max(tr.horizontal_m, horizon_m) + kBroadSlackM;
    const auto push = [&](Vec3 p, Vec3 q, double t0, double t1) {
      Chunk& c = chunks.emplace_back();
      c.x0 = std::min(p.x, q.x);
      c.y0 = std::min(p.y, q.y);
      c.x1 = std::max(p.x, q.x);
      c.y1 = std::max(p.y, q.y);
      c.t0 = t0;
      c.t1 = t1;
      c.r = r;
      c.track = k;
      gx = std::min(gx, c.x0 - r);
      gy = std::min(gy, c.y0 - r);
      gx_hi = std::max(gx_hi, c.x1 + r);
      gy_hi = std::max(gy_hi, c.y1 + r);
    };
    if (tr.t_s.size() == 1) {
      push(tr.p[0], tr.p[0], tr.t_s[0], tr.t_s[0]);
      continue;
    }
    for (std::size_t i = 0; i < tr.pieces(); ++i) {
      const std::size_t n = cuts(tr, i);
      const double t0 = tr.t_s[i];
      const double dt = tr.t_s[i + 1] - t0;
      double ts = t0;
      Vec3 ps = tr.p[i];
      for (std::size_t m = 1; m <= n; ++m) {
        // Chunk ends are shared bit for bit by neighbours, so chunks tile the piece in time.
        const double te = m == n ? tr.t_s[i + 1] : t0 + dt * static_cast<double>(m) / n;
        const Vec3 pe = m == n ? tr.p[i + 1] : lerp(tr, i, te);
        push(ps, pe, ts, te);
        ts = te;
        ps = pe;
      }
    }
  }
  stats.chunks = chunks.size();
  if (chunks.empty()) return;

  // Cells as large as the largest inflated chunk: a chunk lands in 1-4 cells. Measured on
  // city-scale traffic (bench/conflict_bench.cpp), fewer, larger chunks and cells beat finer
  // ones: sorting the entries costs more than the extra box tests.
  const double cell_m = max_extent + 2.0 * r_max;
  const auto cells_y = static_cast<std::int64_t>(std::floor((gy_hi - gy) / cell_m)) + 1;
  const auto cell_x = [&](double x) {
    return static_cast<std::int64_t>(std::floor((x - gx) / cell_m));
  };
  const auto cell_y = [&](double y) {
    return static_cast<std::int64_t>(std::floor((y - gy) / cell_m));
  };

  struct Entry {
    std::int64_t cell;
    double t0;
    std::uint32_t chunk;
  };
  std::vector<Entry> entries;
  entries.reserve(chunks.size() * 4);
  for (std::uint32_t c = 0; c < chunks.size(); ++c) {
    const Chunk& ch = chunks[c];
    const std::int64_t x_lo = cell_x(ch.x0 - ch.r);
    const std::int64_t x_hi = cell_x(ch.x1 + ch.r);
    const std::int64_t y_lo = cell_y(ch.y0 - ch.r);
    const std::int64_t y_hi = cell_y(ch.y1 + ch.r);
    for (std::int64_t cx = x_lo; cx <= x_hi; ++cx) {
      for (std::int64_t cy = y_lo; cy <= y_hi; ++cy) {
        entries.push_back({cx * cells_y + cy, ch.t0, c});
      }
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& p, const Entry& q) {
    return p.cell != q.cell ? p.cell < q.cell : p.t0 < q.t0;
  });

  std::vector<std::uint32_t> active;
  for (std::size_t begin = 0; begin < entries.size();) {
    const std::int64_t cell = entries[begin].cell;
    std::size_t end = begin;
    while (end < entries.size() && entries[end].cell == cell) ++end;
    active.clear();
    for (std::size_t e = begin; e < end; ++e) {
      const Chunk& a = chunks[entries[e].chunk];
      std::erase_if(active, [&](std::uint32_t q) { return chunks[q].t1 < a.t0; });
      for (const std::uint32_t q : active) {
        const Chunk& b = chunks[q];
        if (a.track == b.track) continue;
        ++stats.box_tests;
        // Horizontal distance >= the Chebyshev gap between the boxes, so a pair closer than
        // max(r_a, r_b) at a common instant passes. Report it only in the cell holding the
        // lower corner of the two inflated boxes' intersection, which both boxes cover.
        const double r = std::max(a.r, b.r);
        if (std::max(a.x0 - b.x1, b.x0 - a.x1) >= r) continue;
        if (std::max(a.y0 - b.y1, b.y0 - a.y1) >= r) continue;
        const std::int64_t home = cell_x(std::max(a.x0 - a.r, b.x0 - b.r)) * cells_y +
                                  cell_y(std::max(a.y0 - a.r, b.y0 - b.r));
        if (home != cell) continue;
        pairs.emplace_back(std::min(a.track, b.track), std::max(a.track, b.track));
      }
      active.push_back(entries[e].chunk);
    }
    begin = end;
  }
}

}  // namespace

Result<void> validate_trajectory(const traj::Trajectory4D& trajectory) {
  const std::string who = "trajectory id " + std::to_string(trajectory.id);
  if (trajectory.points.empty()) return fail("TRAJECTORY_INVALID", who + " has no waypoints");
  for (std::size_t k = 0; k < trajectory.points.size(); ++k) {
    const traj::Waypoint4D& w = trajectory.points[k];
    const std::pair<const char*, double> fields[] = {
        {"x_m", w.x_m}, {"y_m", w.y_m}, {"z_m", w.z_m}};
    for (const auto& [name, value] : fields) {
      if (!std::isfinite(value) || std::abs(value) > kMaxCoordinateM) {
        return fail("TRAJECTORY_INVALID", who + ": waypoint " + std::to_string(k) + " has " + name +
                                              " = " + format_double(value) +
                                              " (must be finite, within +-1e9 m)");
      }
    }
    if (k == 0) continue;
    const traj::Waypoint4D& prev = trajectory.points[k - 1];
    if (w.t < prev.t) {
      return fail("TRAJECTORY_INVALID",
                  who + ": waypoint " + std::to_string(k) + " at t = " + ms_string(w.t) +
                      " is earlier than waypoint " + std::to_string(k - 1) +
                      " at t = " + ms_string(prev.t) + " (times must not decrease)");
    }
    if (w.t == prev.t && !same_position(w, prev)) {
      return fail("TRAJECTORY_INVALID", who + ": waypoints " + std::to_string(k - 1) + " and " +
                                            std::to_string(k) + " share t = " + ms_string(w.t) +
                                            " but differ in position (a jump in zero time)");
    }
  }
  return {};
}

Result<ConflictReport> check_pairwise(const traj::Trajectory4D& a,
                                      const traj::SeparationEnvelope& envelope_a,
                                      const traj::Trajectory4D& b,
                                      const traj::SeparationEnvelope& envelope_b) {
  auto ta = make_track(a, envelope_a, "a");
  if (!ta) return tl::unexpected<Error>(ta.error());
  auto tb = make_track(b, envelope_b, "b");
  if (!tb) return tl::unexpected<Error>(tb.error());
  ConflictReport report;
  report.stats.trajectories = 2;
  examine(*ta, 0, *tb, 1, report);
  return report;
}

Result<ConflictReport> check_against(const traj::Trajectory4D& candidate,
                                     const traj::SeparationEnvelope& envelope,
                                     std::span<const FlightRef> existing) {
  auto tc = make_track(candidate, envelope, "candidate");
  if (!tc) return tl::unexpected<Error>(tc.error());
  ConflictReport report;
  report.stats.trajectories = 1 + existing.size();
  for (std::size_t k = 0; k < existing.size(); ++k) {
    const std::string who = "existing[" + std::to_string(k) + "]";
    const FlightRef& f = existing[k];
    if (f.trajectory == nullptr) return fail("INVALID_ARGUMENT", who + ": null trajectory");
    if (auto ok = validate_trajectory(*f.trajectory); !ok) {
      return fail("TRAJECTORY_INVALID", who + ": " + ok.error().message);
    }
    if (auto ok = validate_envelope(f.envelope, who); !ok) return tl::unexpected<Error>(ok.error());
    if (!exist_together(candidate, *f.trajectory)) continue;
    auto te = make_track(*f.trajectory, f.envelope, who);
    if (!te) return tl::unexpected<Error>(te.error());
    examine(*tc, 0, *te, k, report);
  }
  return report;
}

Result<ConflictReport> check_all(std::span<const FlightRef> flights, const CheckOptions& options) {
  const double horizon_m = options.min_separation_horizon_m;
  if (!(horizon_m >= 0.0)) {
    return fail("INVALID_ARGUMENT", "min_separation_horizon_m = " + format_double(horizon_m) +
                                        " must be >= 0 (or +infinity)");
  }
  if (flights.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return fail("INVALID_ARGUMENT", "check_all takes fewer than 2^32 flights");
  }
  std::vector<Track> tracks;
  tracks.reserve(flights.size());
  for (std::size_t k = 0; k < flights.size(); ++k) {
    const std::string who = "flights[" + std::to_string(k) + "]";
    if (flights[k].trajectory == nullptr) {
      return fail("INVALID_ARGUMENT", who + ": null trajectory");
    }
    auto tr = make_track(*flights[k].trajectory, flights[k].envelope, who);
    if (!tr) return tl::unexpected<Error>(tr.error());
    tracks.push_back(std::move(*tr));
  }

  ConflictReport report;
  report.stats.trajectories = tracks.size();
  PairList pairs;
  if (std::isinf(horizon_m)) {
    time_sweep_pairs(tracks, pairs);
  } else {
    grid_pairs(tracks, horizon_m, pairs, report.stats);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  for (const auto& [i, j] : pairs) examine(tracks[i], i, tracks[j], j, report);

  for (ClosestApproach* c :
       {&report.min_separation.distance_3d, &report.min_separation.horizontal_within_vertical}) {
    if (c->distance_m >= horizon_m) *c = ClosestApproach{};
  }
  return report;
}

}  // namespace skylane::conflict
