// Randomized cross-checks of the conflict checker: against a brute-force reference that
// samples time densely (written here, independent of the checker), and check_all against the
// all-pairs result of check_pairwise. Seeds are fixed; nothing here depends on timing.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <optional>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "skylane/conflict/conflict_checker.hpp"

namespace skylane::conflict {
namespace {

using traj::Millis;
using traj::SeparationEnvelope;
using traj::Trajectory4D;
using traj::Waypoint4D;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- reference: positions by direct interpolation, conflicts by the definition ----

struct P3 {
  double x, y, z;
};

double secs(Millis t) { return static_cast<double>(t.count()) / 1000.0; }

std::optional<P3> ref_position(const Trajectory4D& tr, double t) {
  const auto& pts = tr.points;
  if (t < secs(pts.front().t) || t > secs(pts.back().t)) return std::nullopt;
  for (std::size_t k = 0; k + 1 < pts.size(); ++k) {
    const double t0 = secs(pts[k].t);
    const double t1 = secs(pts[k + 1].t);
    if (t >= t0 && t <= t1 && t1 > t0) {
      const double f = (t - t0) / (t1 - t0);
      return P3{pts[k].x_m + f * (pts[k + 1].x_m - pts[k].x_m),
                pts[k].y_m + f * (pts[k + 1].y_m - pts[k].y_m),
                pts[k].z_m + f * (pts[k + 1].z_m - pts[k].z_m)};
    }
  }
  return P3{pts.back().x_m, pts.back().y_m, pts.back().z_m};  // single point or at the end
}

struct Sample {
  bool both = false;  // both exist
  bool conflict = false;
  double d3 = kInf;
};

Sample ref_sample(const Trajectory4D& a, const SeparationEnvelope& ea, const Trajectory4D& b,
                  const SeparationEnvelope& eb, double t) {
  const auto pa = ref_position(a, t);
  const auto pb = ref_position(b, t);
  Sample s;
  if (!pa || !pb) return s;
  s.both = true;
  const double h = std::max(ea.horizontal_m, eb.horizontal_m);
  const double v = std::max(ea.vertical_m, eb.vertical_m);
  const double dx = pa->x - pb->x;
  const double dy = pa->y - pb->y;
  const double dz = pa->z - pb->z;
  s.conflict = dx * dx + dy * dy < h * h && std::abs(dz) < v;
  s.d3 = std::sqrt(dx * dx + dy * dy + dz * dz);
  return s;
}

double max_speed(const Trajectory4D& tr) {
  double best = 0.0;
  for (std::size_t k = 0; k + 1 < tr.points.size(); ++k) {
    const auto& p = tr.points[k];
    const auto& q = tr.points[k + 1];
    const double dt = secs(q.t) - secs(p.t);
    if (dt <= 0) continue;
    best = std::max(best, std::hypot(q.x_m - p.x_m, q.y_m - p.y_m, q.z_m - p.z_m) / dt);
  }
  return best;
}

// ---- generators ----

struct Arena {
  double size_m;
  double z_lo_m;
  double z_hi_m;
  double start_window_s;
  double leg_lo_s;
  double leg_hi_s;
  int max_points;
};

Trajectory4D random_trajectory(std::mt19937_64& rng, std::int64_t id, const Arena& arena) {
  std::uniform_real_distribution<double> xy(0.0, arena.size_m);
  std::uniform_real_distribution<double> z(arena.z_lo_m, arena.z_hi_m);
  std::uniform_real_distribution<double> start(0.0, arena.start_window_s);
  std::uniform_real_distribution<double> leg(arena.leg_lo_s, arena.leg_hi_s);
  std::uniform_int_distribution<int> count(1, arena.max_points);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  Trajectory4D tr;
  tr.id = id;
  const int n = count(rng);
  auto t_ms = static_cast<std::int64_t>(start(rng) * 1000.0);
  tr.points.push_back({xy(rng), xy(rng), z(rng), Millis(t_ms)});
  for (int k = 1; k < n; ++k) {
    Waypoint4D w = tr.points.back();
    const double c = coin(rng);
    if (c < 0.1) {
      // repeated waypoint: same time, same place
    } else if (c < 0.3) {
      t_ms += static_cast<std::int64_t>(leg(rng) * 1000.0);  // hover
    } else if (c < 0.4) {
      t_ms += static_cast<std::int64_t>(leg(rng) * 1000.0);  // vertical move (pad)
      w.z_m = z(rng);
    } else {
      t_ms += static_cast<std::int64_t>(leg(rng) * 1000.0);
      w.x_m = xy(rng);
      w.y_m = xy(rng);
      w.z_m = z(rng);
    }
    w.t = Millis(t_ms);
    tr.points.push_back(w);
  }
  return tr;
}

SeparationEnvelope random_envelope(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> h(15.0, 45.0);
  std::uniform_real_distribution<double> v(3.0, 12.0);
  return {h(rng), v(rng), Millis(0)};
}

// ---- pairs vs dense sampling ----

void cross_check_pair(const Trajectory4D& a, const SeparationEnvelope& ea, const Trajectory4D& b,
                      const SeparationEnvelope& eb, std::mt19937_64& rng, int& sampled_conflicts) {
  auto result = check_pairwise(a, ea, b, eb);
  ASSERT_TRUE(result.has_value()) << result.error().to_string();
  const ConflictReport& r = *result;
  const auto& vs = r.violations;
  for (std::size_t k = 0; k < vs.size(); ++k) {
    ASSERT_LE(vs[k].begin, vs[k].end);
    if (k > 0) {
      ASSERT_LT(vs[k - 1].end, vs[k].begin) << "intervals not maximal/sorted";
    }
    // The reported closest point is real and inside the interval.
    EXPECT_GE(vs[k].closest_time, vs[k].begin);
    EXPECT_LE(vs[k].closest_time, vs[k].end);
    const Sample at = ref_sample(a, ea, b, eb, vs[k].closest_time.count());
    ASSERT_TRUE(at.both);
    EXPECT_NEAR(at.d3, vs[k].min_distance_3d_m, 1e-6);
    EXPECT_LE(vs[k].min_horizontal_m, std::max(ea.horizontal_m, eb.horizontal_m));
    EXPECT_LE(vs[k].min_vertical_m, std::max(ea.vertical_m, eb.vertical_m));
    EXPECT_LE(vs[k].begin_floor.count(), vs[k].begin.count() * 1000.0 + 1e-6);
    EXPECT_GE(vs[k].end_ceil.count(), vs[k].end.count() * 1000.0 - 1e-6);
    // Random instants strictly inside a reported interval are conflicts by the definition.
    const double len = (vs[k].end - vs[k].begin).count();
    if (len > 1e-5) {
      std::uniform_real_distribution<double> inside(vs[k].begin.count() + 1e-6,
                                                    vs[k].end.count() - 1e-6);
      for (int s = 0; s < 5; ++s) {
        const double t = inside(rng);
        EXPECT_TRUE(ref_sample(a, ea, b, eb, t).conflict) << "t=" << t;
      }
    }
  }

  const double lo = std::max(secs(a.points.front().t), secs(b.points.front().t));
  const double hi = std::min(secs(a.points.back().t), secs(b.points.back().t));
  if (lo > hi) {
    EXPECT_TRUE(vs.empty());
    EXPECT_EQ(r.min_separation.distance_3d.distance_m, kInf);
    return;
  }
  constexpr double kStep = 0.01;
  const auto steps = static_cast<std::int64_t>(std::floor((hi - lo) / kStep));
  std::vector<int> hits(vs.size(), 0);
  double sampled_min = kInf;
  for (std::int64_t s = 0; s <= steps + 1; ++s) {
    const double t = s <= steps ? lo + kStep * static_cast<double>(s) : hi;
    const Sample smp = ref_sample(a, ea, b, eb, t);
    if (!smp.both) continue;
    sampled_min = std::min(sampled_min, smp.d3);
    if (!smp.conflict) continue;
    ++sampled_conflicts;
    bool covered = false;
    for (std::size_t k = 0; k < vs.size(); ++k) {
      if (t >= vs[k].begin.count() - 1e-7 && t <= vs[k].end.count() + 1e-7) {
        covered = true;
        ++hits[k];
      }
    }
    EXPECT_TRUE(covered) << "sampled conflict at t=" << t << " not reported; ids " << a.id << ","
                         << b.id;
  }
  for (std::size_t k = 0; k < vs.size(); ++k) {
    if ((vs[k].end - vs[k].begin).count() > 2 * kStep) {
      EXPECT_GT(hits[k], 0) << "reported interval [" << vs[k].begin.count() << ", "
                            << vs[k].end.count() << ") has no sampled conflict";
    }
  }
  // The exact minimum is a lower bound of every sample and close to the best one.
  const double exact_min = r.min_separation.distance_3d.distance_m;
  EXPECT_GE(sampled_min, exact_min - 1e-6);
  EXPECT_LE(sampled_min, exact_min + (max_speed(a) + max_speed(b)) * kStep + 1e-6);
  const Sample at_min = ref_sample(a, ea, b, eb, r.min_separation.distance_3d.time.count());
  EXPECT_NEAR(at_min.d3, exact_min, 1e-6);

  // The pair is symmetric.
  auto swapped = check_pairwise(b, eb, a, ea);
  ASSERT_TRUE(swapped.has_value());
  ASSERT_EQ(swapped->violations.size(), vs.size());
  for (std::size_t k = 0; k < vs.size(); ++k) {
    EXPECT_NEAR(swapped->violations[k].begin.count(), vs[k].begin.count(), 1e-9);
    EXPECT_NEAR(swapped->violations[k].end.count(), vs[k].end.count(), 1e-9);
    EXPECT_EQ(swapped->violations[k].id_a, b.id);
  }
}

TEST(ConflictRandom, PairsAgreeWithDenseTimeSampling) {
  std::mt19937_64 rng(20240603);
  // A small arena so that most pairs meet; vertical moves make the |dz| < V windows matter.
  const Arena arena{300.0, 90.0, 110.0, 120.0, 5.0, 60.0, 6};
  int sampled_conflicts = 0;
  int pairs_with_violations = 0;
  for (int n = 0; n < 400; ++n) {
    const Trajectory4D a = random_trajectory(rng, 2 * n, arena);
    const Trajectory4D b = random_trajectory(rng, 2 * n + 1, arena);
    const SeparationEnvelope ea = random_envelope(rng);
    const SeparationEnvelope eb = random_envelope(rng);
    cross_check_pair(a, ea, b, eb, rng, sampled_conflicts);
    auto r = check_pairwise(a, ea, b, eb);
    if (r && !r->conflict_free()) ++pairs_with_violations;
    if (HasFatalFailure()) return;
  }
  // The generator must actually exercise conflicts.
  EXPECT_GT(pairs_with_violations, 40);
  EXPECT_GT(sampled_conflicts, 10000);
}

TEST(ConflictRandom, CloseFollowersAgreeWithDenseTimeSampling) {
  // B copies A's waypoints with a small offset in space and time: long, grazing conflicts that
  // start and stop near the minima.
  std::mt19937_64 rng(77);
  const Arena arena{2000.0, 80.0, 120.0, 10.0, 10.0, 60.0, 8};
  std::uniform_real_distribution<double> off(-40.0, 40.0);
  std::uniform_real_distribution<double> off_z(-10.0, 10.0);
  std::uniform_int_distribution<int> lag_ms(-5000, 5000);
  int sampled_conflicts = 0;
  for (int n = 0; n < 200; ++n) {
    const Trajectory4D a = random_trajectory(rng, 2 * n, arena);
    Trajectory4D b = a;
    b.id = 2 * n + 1;
    const double dx = off(rng);
    const double dy = off(rng);
    const double dz = off_z(rng);
    const Millis lag(lag_ms(rng));
    for (Waypoint4D& w : b.points) {
      w.x_m += dx;
      w.y_m += dy;
      w.z_m += dz;
      w.t += lag;
    }
    cross_check_pair(a, {32.0, 7.6, Millis(0)}, b, {32.0, 7.6, Millis(0)}, rng, sampled_conflicts);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(sampled_conflicts, 10000);
}

// ---- check_all vs all pairs ----

struct AllPairs {
  std::vector<Violation> violations;
  MinSeparation min_separation;
};

AllPairs all_pairs(const std::vector<FlightRef>& flights) {
  AllPairs out;
  for (std::size_t i = 0; i < flights.size(); ++i) {
    for (std::size_t j = i + 1; j < flights.size(); ++j) {
      auto r = check_pairwise(*flights[i].trajectory, flights[i].envelope, *flights[j].trajectory,
                              flights[j].envelope);
      EXPECT_TRUE(r.has_value());
      if (!r) continue;
      for (Violation v : r->violations) {
        v.index_a = i;
        v.index_b = j;
        out.violations.push_back(v);
      }
      auto fold = [&](ClosestApproach& best, ClosestApproach c) {
        if (c.distance_m < best.distance_m) {
          c.index_a = i;
          c.index_b = j;
          best = c;
        }
      };
      fold(out.min_separation.distance_3d, r->min_separation.distance_3d);
      fold(out.min_separation.horizontal_within_vertical,
           r->min_separation.horizontal_within_vertical);
    }
  }
  return out;
}

void expect_same_approach(const ClosestApproach& got, const ClosestApproach& want, double horizon_m,
                          const char* what) {
  if (want.distance_m >= horizon_m) {
    EXPECT_EQ(got.distance_m, kInf) << what;
    return;
  }
  EXPECT_EQ(got.distance_m, want.distance_m) << what;
  EXPECT_EQ(got.index_a, want.index_a) << what;
  EXPECT_EQ(got.index_b, want.index_b) << what;
  EXPECT_EQ(got.time, want.time) << what;
}

void expect_check_all_matches(const std::vector<FlightRef>& flights, double horizon_m,
                              const AllPairs& want) {
  SCOPED_TRACE("horizon " + std::to_string(horizon_m));
  auto got = check_all(flights, {.min_separation_horizon_m = horizon_m});
  ASSERT_TRUE(got.has_value()) << got.error().to_string();
  ASSERT_EQ(got->violations.size(), want.violations.size());
  for (std::size_t k = 0; k < want.violations.size(); ++k) {
    const Violation& g = got->violations[k];
    const Violation& w = want.violations[k];
    EXPECT_EQ(g.index_a, w.index_a);
    EXPECT_EQ(g.index_b, w.index_b);
    EXPECT_EQ(g.id_a, w.id_a);
    EXPECT_EQ(g.id_b, w.id_b);
    EXPECT_EQ(g.begin, w.begin);
    EXPECT_EQ(g.end, w.end);
    EXPECT_EQ(g.min_distance_3d_m, w.min_distance_3d_m);
  }
  expect_same_approach(got->min_separation.distance_3d, want.min_separation.distance_3d, horizon_m,
                       "distance_3d");
  expect_same_approach(got->min_separation.horizontal_within_vertical,
                       want.min_separation.horizontal_within_vertical, horizon_m,
                       "horizontal_within_vertical");
  const std::size_t n = flights.size();
  EXPECT_LE(got->stats.pairs_examined, n * (n - 1) / 2);
}

void run_set_cross_check(std::uint64_t seed, int count, const Arena& arena) {
  std::mt19937_64 rng(seed);
  const SeparationEnvelope classes[] = {{32.0, 7.6, Millis(0)},
                                        {50.0, 10.0, Millis(0)},
                                        {20.0, 5.0, Millis(0)},
                                        {0.0, 0.0, Millis(0)}};
  std::uniform_int_distribution<int> pick(0, 3);
  std::vector<Trajectory4D> trajectories;
  trajectories.reserve(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) trajectories.push_back(random_trajectory(rng, 1000 + k, arena));
  std::vector<FlightRef> flights;
  for (const auto& t : trajectories) flights.push_back({&t, classes[pick(rng)]});
  const AllPairs want = all_pairs(flights);
  for (const double horizon : {0.0, 40.0, 500.0, 3000.0, kInf}) {
    expect_check_all_matches(flights, horizon, want);
  }
}

TEST(ConflictRandom, CheckAllMatchesAllPairsInADenseArena) {
  // 3 km x 3 km over 20 min: many conflicts, pieces long enough to be cut into chunks.
  const Arena arena{3000.0, 60.0, 120.0, 1200.0, 10.0, 200.0, 8};
  for (std::uint64_t seed : {1u, 2u, 3u}) run_set_cross_check(seed, 150, arena);
}

TEST(ConflictRandom, CheckAllMatchesAllPairsAcrossManyGridCells) {
  // 12 km square over 30 min: many cell boundaries between close pairs of mixed classes.
  const Arena arena{12000.0, 60.0, 120.0, 1800.0, 20.0, 300.0, 8};
  for (std::uint64_t seed : {21u, 22u}) run_set_cross_check(seed, 500, arena);
}

TEST(ConflictRandom, BroadPhaseKeepsMixedClassPairsAtCellBoundaries) {
  // Hovering pairs closer than the larger minimum (50 m) but farther than the smaller (0 m),
  // scattered over 50 km so that many straddle grid cell boundaries in x or y.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> pos(0.0, 50000.0);
  std::uniform_real_distribution<double> gap(0.5, 49.5);
  std::uniform_real_distribution<double> angle(0.0, 2.0 * std::numbers::pi);
  constexpr int kPairs = 3000;
  std::vector<Trajectory4D> trajectories;
  trajectories.reserve(2 * kPairs);
  std::vector<FlightRef> flights;
  for (int k = 0; k < kPairs; ++k) {
    const double x = pos(rng);
    const double y = pos(rng);
    const double g = gap(rng);
    const double th = angle(rng);
    Trajectory4D a;
    a.id = 2 * k;
    a.points = {{x, y, 100.0, Millis(0)}, {x, y, 100.0, Millis(60000)}};
    Trajectory4D b = a;
    b.id = 2 * k + 1;
    for (Waypoint4D& w : b.points) {
      w.x_m += g * std::cos(th);
      w.y_m += g * std::sin(th);
    }
    trajectories.push_back(a);
    trajectories.push_back(b);
  }
  for (int k = 0; k < kPairs; ++k) {
    const SeparationEnvelope wide{50.0, 8.0, Millis(0)};
    const SeparationEnvelope none{0.0, 0.0, Millis(0)};
    const bool wide_first = k % 2 == 0;
    flights.push_back({&trajectories[2 * k], wide_first ? wide : none});
    flights.push_back({&trajectories[2 * k + 1], wide_first ? none : wide});
  }
  for (const double horizon : {0.0, 20.0}) {
    auto r = check_all(flights, {.min_separation_horizon_m = horizon});
    ASSERT_TRUE(r.has_value());
    std::vector<bool> found(kPairs, false);
    for (const Violation& v : r->violations) {
      if (v.index_b == v.index_a + 1 && v.index_a % 2 == 0) found[v.index_a / 2] = true;
    }
    EXPECT_EQ(std::count(found.begin(), found.end(), true), kPairs) << "horizon " << horizon;
  }
}

TEST(ConflictRandom, CheckAllMatchesAllPairsInASparseCity) {
  // 30 km square over 4 h, 10-40 min flights: mostly clear, few close approaches.
  const Arena arena{30000.0, 60.0, 120.0, 4 * 3600.0, 60.0, 600.0, 6};
  for (std::uint64_t seed : {11u, 12u}) run_set_cross_check(seed, 400, arena);
}

}  // namespace
}  // namespace skylane::conflict
