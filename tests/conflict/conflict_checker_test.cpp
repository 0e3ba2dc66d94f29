// Scenario tests for the conflict checker: hand-built encounters whose conflict intervals are
// known in closed form.
#include "skylane/conflict/conflict_checker.hpp"

#include <cmath>
#include <initializer_list>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace skylane::conflict {
namespace {

using traj::Millis;
using traj::SeparationEnvelope;
using traj::Trajectory4D;
using traj::Waypoint4D;

constexpr double kTol = 1e-9;  // seconds / metres: roots are exact up to rounding
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Pt {
  double x, y, z, t_s;
};

Trajectory4D make(std::int64_t id, std::initializer_list<Pt> pts) {
  Trajectory4D t;
  t.id = id;
  for (const Pt& p : pts) {
    t.points.push_back(
        {p.x, p.y, p.z, Millis(static_cast<std::int64_t>(std::llround(p.t_s * 1000)))});
  }
  return t;
}

SeparationEnvelope env(double h, double v) { return {h, v, Millis(0)}; }

const SeparationEnvelope kEnv = env(32.0, 7.6);
const SeparationEnvelope kRound = env(30.0, 8.0);  // exactly representable minima

ConflictReport pairwise(const Trajectory4D& a, const SeparationEnvelope& ea, const Trajectory4D& b,
                        const SeparationEnvelope& eb) {
  auto r = check_pairwise(a, ea, b, eb);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  return r ? *r : ConflictReport{};
}

TEST(ConflictChecker, HeadOnAtEqualAltitudeIntervalIsAnalytic) {
  // Closing at 40 m/s from 2 km apart: |2000 - 40 t| < 32  <=>  t in (49.2, 50.8) s.
  const auto a = make(1, {{0, 0, 100, 0}, {2000, 0, 100, 100}});
  const auto b = make(2, {{2000, 0, 100, 0}, {0, 0, 100, 100}});
  const ConflictReport r = pairwise(a, kEnv, b, kEnv);
  ASSERT_EQ(r.violations.size(), 1u);
  const Violation& v = r.violations[0];
  EXPECT_EQ(v.id_a, 1);
  EXPECT_EQ(v.id_b, 2);
  EXPECT_NEAR(v.begin.count(), 49.2, kTol);
  EXPECT_NEAR(v.end.count(), 50.8, kTol);
  EXPECT_EQ(v.begin_floor, Millis(49200));
  EXPECT_EQ(v.end_ceil, Millis(50800));
  EXPECT_NEAR(v.min_horizontal_m, 0.0, kTol);
  EXPECT_EQ(v.min_vertical_m, 0.0);
  EXPECT_NEAR(v.min_distance_3d_m, 0.0, kTol);
  EXPECT_NEAR(v.closest_time.count(), 50.0, kTol);
  EXPECT_NEAR(v.position_a.x_m, 1000.0, kTol);
  EXPECT_NEAR(v.position_b.x_m, 1000.0, kTol);
  EXPECT_EQ(v.position_a.z_m, 100.0);
  EXPECT_EQ(v.horizontal_minimum_m, 32.0);
  EXPECT_EQ(v.vertical_minimum_m, 7.6);
  EXPECT_NEAR(r.min_separation.distance_3d.distance_m, 0.0, kTol);
  EXPECT_NEAR(r.min_separation.distance_3d.time.count(), 50.0, kTol);
  EXPECT_NEAR(r.min_separation.horizontal_within_vertical.distance_m, 0.0, kTol);
}

TEST(ConflictChecker, RightAngleCrossingWithConflictingTiming) {
  // Both reach the origin at t = 100 s at 20 m/s: distance sqrt(2) * 20 |t - 100| < 32.
  const auto a = make(1, {{-2000, 0, 100, 0}, {2000, 0, 100, 200}});
  const auto b = make(2, {{0, -2000, 100, 0}, {0, 2000, 100, 200}});
  const ConflictReport r = pairwise(a, kEnv, b, kEnv);
  ASSERT_EQ(r.violations.size(), 1u);
  const double half = 32.0 / (20.0 * std::sqrt(2.0));
  EXPECT_NEAR(r.violations[0].begin.count(), 100.0 - half, kTol);
  EXPECT_NEAR(r.violations[0].end.count(), 100.0 + half, kTol);
  EXPECT_NEAR(r.violations[0].closest_time.count(), 100.0, kTol);
}

TEST(ConflictChecker, RightAngleCrossingTenSecondsApartIsClear) {
  // B is 10 s behind: distance^2 = (20t-2000)^2 + (20t-2200)^2, minimum 100*sqrt(2) at 105 s.
  const auto a = make(1, {{-2000, 0, 100, 0}, {2000, 0, 100, 200}});
  const auto b = make(2, {{0, -2000, 100, 10}, {0, 2000, 100, 210}});
  const ConflictReport r = pairwise(a, kEnv, b, kEnv);
  EXPECT_TRUE(r.conflict_free());
  EXPECT_NEAR(r.min_separation.distance_3d.distance_m, 100.0 * std::sqrt(2.0), 1e-9);
  EXPECT_NEAR(r.min_separation.distance_3d.time.count(), 105.0, kTol);
  EXPECT_NEAR(r.min_separation.horizontal_within_vertical.distance_m, 100.0 * std::sqrt(2.0), 1e-9);
}

TEST(ConflictChecker, ParallelTracksJustInsideAndOutsideHorizontalMinimum) {
  const auto a = make(1, {{0, 0, 100, 0}, {3000, 0, 100, 150}});
  const auto inside = make(2, {{0, 29.99, 100, 0}, {3000, 29.99, 100, 150}});
  const auto touching = make(3, {{0, 30, 100, 0}, {3000, 30, 100, 150}});
  const auto outside = make(4, {{0, 30.01, 100, 0}, {3000, 30.01, 100, 150}});

  const ConflictReport in = pairwise(a, kRound, inside, kRound);
  ASSERT_EQ(in.violations.size(), 1u);
  EXPECT_EQ(in.violations[0].begin.count(), 0.0);
  EXPECT_EQ(in.violations[0].end.count(), 150.0);
  EXPECT_NEAR(in.violations[0].min_horizontal_m, 29.99, 1e-12);

  // Exactly at the minimum is separated: the comparison is strict.
  const ConflictReport at = pairwise(a, kRound, touching, kRound);
  EXPECT_TRUE(at.conflict_free());
  EXPECT_EQ(at.min_separation.horizontal_within_vertical.distance_m, 30.0);

  EXPECT_TRUE(pairwise(a, kRound, outside, kRound).conflict_free());
}

TEST(ConflictChecker, VerticalSeparationJustInsideAndOutside) {
  // Same ground track, same timing: only the altitude difference separates them.
  const auto a = make(1, {{0, 0, 100, 0}, {1000, 0, 100, 50}});
  const auto inside = make(2, {{0, 0, 107.99, 0}, {1000, 0, 107.99, 50}});
  const auto touching = make(3, {{0, 0, 108, 0}, {1000, 0, 108, 50}});
  const auto outside = make(4, {{0, 0, 108.01, 0}, {1000, 0, 108.01, 50}});
  const ConflictReport in = pairwise(a, kRound, inside, kRound);
  ASSERT_EQ(in.violations.size(), 1u);
  EXPECT_NEAR(in.violations[0].min_vertical_m, 7.99, 1e-12);
  EXPECT_NEAR(in.violations[0].min_distance_3d_m, 7.99, 1e-12);
  EXPECT_TRUE(pairwise(a, kRound, touching, kRound).conflict_free());
  const ConflictReport out = pairwise(a, kRound, outside, kRound);
  EXPECT_TRUE(out.conflict_free());
  EXPECT_NEAR(out.min_separation.distance_3d.distance_m, 8.01, 1e-12);
  // Never vertically within V: the horizontal-within-vertical measure has no instant.
  EXPECT_EQ(out.min_separation.horizontal_within_vertical.distance_m, kInf);
}

TEST(ConflictChecker, ClimbThroughAnotherLevelIsCaughtOnlyWhileWithinV) {
  // A climbs 2 m/s straight up through B's level (100 m) while B hovers 10 m away.
  const auto a = make(1, {{0, 0, 50, 0}, {0, 0, 150, 50}});
  const auto b = make(2, {{10, 0, 100, 0}, {10, 0, 100, 50}});
  const ConflictReport r = pairwise(a, kRound, b, kRound);
  ASSERT_EQ(r.violations.size(), 1u);
  // z_a = 50 + 2t; |z_a - 100| < 8  <=>  t in (21, 29).
  EXPECT_NEAR(r.violations[0].begin.count(), 21.0, kTol);
  EXPECT_NEAR(r.violations[0].end.count(), 29.0, kTol);
  EXPECT_NEAR(r.violations[0].min_vertical_m, 0.0, kTol);
  EXPECT_NEAR(r.violations[0].min_horizontal_m, 10.0, kTol);
}

TEST(ConflictChecker, HoveringAircraftAndOnePassingBy) {
  // H hovers at the origin (repeated waypoint); P passes 10 m north at 20 m/s.
  // x^2 + 10^2 < 32^2  <=>  |20 (t - 50)| < sqrt(924).
  const auto hover = make(1, {{0, 0, 100, 0}, {0, 0, 100, 300}});
  const auto pass = make(2, {{-1000, 10, 100, 0}, {1000, 10, 100, 100}});
  const ConflictReport r = pairwise(hover, kEnv, pass, kEnv);
  ASSERT_EQ(r.violations.size(), 1u);
  const double half = std::sqrt(924.0) / 20.0;
  EXPECT_NEAR(r.violations[0].begin.count(), 50.0 - half, kTol);
  EXPECT_NEAR(r.violations[0].end.count(), 50.0 + half, kTol);
  EXPECT_NEAR(r.violations[0].min_horizontal_m, 10.0, kTol);
  EXPECT_NEAR(r.violations[0].position_a.x_m, 0.0, kTol);
  EXPECT_NEAR(r.violations[0].position_b.x_m, 0.0, kTol);
}

TEST(ConflictChecker, TwoAircraftUsingTheSamePadAreCaught) {
  // A lands on the pad (0, 0, 50) at t = 100 s and sits there 60 s (repeated waypoint).
  const auto lander =
      make(1, {{1000, 0, 150, 0}, {0, 0, 150, 50}, {0, 0, 50, 100}, {0, 0, 50, 160}});
  // B takes off from the same pad at t = 130 s, climbing 2 m/s: |dz| < 7.6 until t = 133.8 s.
  const auto taker = make(2, {{0, 0, 50, 130}, {0, 0, 150, 180}, {800, 0, 150, 220}});
  const ConflictReport r = pairwise(lander, kEnv, taker, kEnv);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].begin.count(), 130.0);
  EXPECT_NEAR(r.violations[0].end.count(), 133.8, kTol);
  EXPECT_EQ(r.violations[0].min_distance_3d_m, 0.0);
  EXPECT_EQ(r.violations[0].closest_time.count(), 130.0);
  EXPECT_EQ(r.min_separation.distance_3d.distance_m, 0.0);
}

TEST(ConflictChecker, PadHandoverAtTheSameInstantIsAZeroLengthConflict) {
  // A's trajectory ends on the pad exactly when B's starts there: both exist at t = 160 s at
  // distance 0. Documented: reported with begin == end.
  const auto lander = make(1, {{0, 0, 150, 100}, {0, 0, 50, 150}, {0, 0, 50, 160}});
  const auto taker = make(2, {{0, 0, 50, 160}, {0, 0, 150, 210}});
  const ConflictReport r = pairwise(lander, kEnv, taker, kEnv);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].begin.count(), 160.0);
  EXPECT_EQ(r.violations[0].end.count(), 160.0);
  EXPECT_EQ(r.violations[0].begin_floor, Millis(160000));
  EXPECT_EQ(r.violations[0].end_ceil, Millis(160000));
  // One millisecond later the pad is free.
  const auto later = make(3, {{0, 0, 50, 160.001}, {0, 0, 150, 210}});
  EXPECT_TRUE(pairwise(lander, kEnv, later, kEnv).conflict_free());
}

TEST(ConflictChecker, TrajectoriesThatNeverOverlapInTimeNeverConflict) {
  const auto a = make(1, {{0, 0, 100, 0}, {1000, 0, 100, 100}});
  const auto b = make(2, {{0, 0, 100, 100.001}, {1000, 0, 100, 200}});
  const ConflictReport r = pairwise(a, kEnv, b, kEnv);
  EXPECT_TRUE(r.conflict_free());
  EXPECT_EQ(r.min_separation.distance_3d.distance_m, kInf);
  EXPECT_EQ(r.min_separation.horizontal_within_vertical.distance_m, kInf);
  EXPECT_EQ(r.stats.piece_pairs, 0u);
}

TEST(ConflictChecker, DifferentClassMinimaUseTheLarger) {
  // 50 m apart horizontally, 10 m vertically: clear for 32/7.6, a conflict for 60/12.
  const auto a = make(1, {{0, 0, 100, 0}, {1000, 0, 100, 100}});
  const auto b = make(2, {{0, 50, 110, 0}, {1000, 50, 110, 100}});
  EXPECT_TRUE(pairwise(a, kEnv, b, kEnv).conflict_free());
  const SeparationEnvelope big = env(60.0, 12.0);
  for (const auto& r : {pairwise(a, kEnv, b, big), pairwise(a, big, b, kEnv)}) {
    ASSERT_EQ(r.violations.size(), 1u);
    EXPECT_EQ(r.violations[0].horizontal_minimum_m, 60.0);
    EXPECT_EQ(r.violations[0].vertical_minimum_m, 12.0);
  }
  // Larger horizontal of one class, larger vertical of the other: both maxima apply.
  EXPECT_EQ(pairwise(a, env(60.0, 7.6), b, env(32.0, 12.0)).violations.size(), 1u);
}

TEST(ConflictChecker, ConflictAcrossManyPiecesIsOneMaximalInterval) {
  // A straight 20 m/s track cut into 10 pieces (with a repeated waypoint) against a parallel
  // single-piece track 20 m away, then both hover side by side: one interval over all of it.
  Trajectory4D a;
  a.id = 1;
  for (int k = 0; k <= 10; ++k) {
    a.points.push_back({100.0 * k, 0, 100, Millis(5000 * k)});
    if (k == 5) a.points.push_back(a.points.back());
  }
  a.points.push_back({1000, 0, 100, Millis(80000)});
  const auto b = make(2, {{0, 20, 100, 0}, {1000, 20, 100, 50}, {1000, 20, 100, 70}});
  const ConflictReport r = pairwise(a, kEnv, b, kEnv);
  ASSERT_GE(r.stats.piece_pairs, 11u);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].begin.count(), 0.0);
  EXPECT_EQ(r.violations[0].end.count(), 70.0);
  EXPECT_NEAR(r.violations[0].min_horizontal_m, 20.0, kTol);
}

TEST(ConflictChecker, TwoSeparateEncountersGiveTwoIntervals) {
  // B flies out and back along A's hover point: two passes, two intervals.
  const auto a = make(1, {{0, 0, 100, 0}, {0, 0, 100, 400}});
  const auto b = make(2, {{-1000, 0, 100, 0}, {1000, 0, 100, 100}, {-1000, 0, 100, 200}});
  const ConflictReport r = pairwise(a, kEnv, b, kEnv);
  ASSERT_EQ(r.violations.size(), 2u);
  EXPECT_NEAR(r.violations[0].begin.count(), 50.0 - 1.6, kTol);
  EXPECT_NEAR(r.violations[1].end.count(), 150.0 + 1.6, kTol);
  EXPECT_LT(r.violations[0].end, r.violations[1].begin);
}

TEST(ConflictChecker, SinglePointTrajectoryExistsForOneInstant) {
  const auto point = make(1, {{0, 0, 100, 50}});
  const auto pass = make(2, {{-1000, 0, 100, 0}, {1000, 0, 100, 100}});
  const ConflictReport r = pairwise(point, kEnv, pass, kEnv);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].begin, r.violations[0].end);
  EXPECT_EQ(r.violations[0].begin.count(), 50.0);
  const auto miss = make(3, {{0, 0, 100, 52}});  // pass is 40 m away by then
  EXPECT_TRUE(pairwise(miss, kEnv, pass, kEnv).conflict_free());
}

TEST(ConflictChecker, CheckAgainstReportsIndicesInExisting) {
  const auto cand = make(7, {{0, 0, 100, 0}, {2000, 0, 100, 100}});
  const auto far = make(10, {{0, 5000, 100, 0}, {2000, 5000, 100, 100}});
  const auto head_on = make(11, {{2000, 0, 100, 0}, {0, 0, 100, 100}});
  const auto later = make(12, {{0, 0, 100, 200}, {2000, 0, 100, 300}});
  const std::vector<FlightRef> existing = {{&far, kEnv}, {&head_on, kEnv}, {&later, kEnv}};
  auto r = check_against(cand, kEnv, existing);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  ASSERT_EQ(r->violations.size(), 1u);
  EXPECT_EQ(r->violations[0].index_a, 0u);
  EXPECT_EQ(r->violations[0].index_b, 1u);
  EXPECT_EQ(r->violations[0].id_a, 7);
  EXPECT_EQ(r->violations[0].id_b, 11);
  EXPECT_EQ(r->stats.pairs_examined, 2u);  // `later` never coexists with the candidate
}

TEST(ConflictChecker, CheckAllFindsThePairsAndClampsAtTheHorizon) {
  const auto a = make(1, {{0, 0, 100, 0}, {2000, 0, 100, 100}});
  const auto b = make(2, {{2000, 0, 100, 0}, {0, 0, 100, 100}});
  const auto c = make(3, {{0, 800, 100, 0}, {2000, 800, 100, 100}});
  const std::vector<FlightRef> flights = {{&a, kEnv}, {&b, kEnv}, {&c, kEnv}};
  auto r = check_all(flights);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  ASSERT_EQ(r->violations.size(), 1u);
  EXPECT_EQ(r->violations[0].index_a, 0u);
  EXPECT_EQ(r->violations[0].index_b, 1u);
  EXPECT_NEAR(r->min_separation.distance_3d.distance_m, 0.0, kTol);

  // Without the head-on pair the closest is 800 m: beyond the default 500 m horizon.
  const std::vector<FlightRef> apart = {{&a, kEnv}, {&c, kEnv}};
  auto clamped = check_all(apart);
  ASSERT_TRUE(clamped.has_value());
  EXPECT_EQ(clamped->min_separation.distance_3d.distance_m, kInf);
  auto exact = check_all(apart, {.min_separation_horizon_m = kInf});
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(exact->min_separation.distance_3d.distance_m, 800.0);
  auto wide = check_all(apart, {.min_separation_horizon_m = 1000.0});
  ASSERT_TRUE(wide.has_value());
  EXPECT_EQ(wide->min_separation.distance_3d.distance_m, 800.0);
}

TEST(ConflictChecker, InvalidInputIsAnErrorWithAReason) {
  const auto good = make(1, {{0, 0, 100, 0}, {100, 0, 100, 10}});
  const auto expect_invalid = [&](const Trajectory4D& bad, const char* fragment) {
    auto r = check_pairwise(good, kEnv, bad, kEnv);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().reason, "TRAJECTORY_INVALID");
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
    EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("id 9"), std::string::npos) << r.error().message;
  };
  Trajectory4D empty;
  empty.id = 9;
  expect_invalid(empty, "no waypoints");
  expect_invalid(make(9, {{0, 0, 100, 0}, {std::nan(""), 0, 100, 10}}), "x_m = nan");
  expect_invalid(make(9, {{0, 0, 100, 0}, {0, kInf, 100, 10}}), "y_m = inf");
  expect_invalid(make(9, {{0, 0, 100, 10}, {0, 0, 100, 5}}), "earlier than waypoint 0");
  expect_invalid(make(9, {{0, 0, 100, 10}, {5, 0, 100, 10}}), "jump");
  expect_invalid(make(9, {{0, 0, 2e9, 10}}), "z_m");

  // Repeated waypoints (same time, same place) are fine.
  EXPECT_TRUE(check_pairwise(good, kEnv, make(9, {{0, 0, 100, 10}, {0, 0, 100, 10}}), kEnv));

  auto bad_env = check_pairwise(good, env(-1.0, 7.6), good, kEnv);
  ASSERT_FALSE(bad_env.has_value());
  EXPECT_EQ(bad_env.error().reason, "INVALID_ARGUMENT");
  EXPECT_FALSE(check_pairwise(good, env(32, std::nan("")), good, kEnv).has_value());

  const auto nan_traj = make(9, {{0, std::nan(""), 100, 0}});
  const std::vector<FlightRef> flights = {{&good, kEnv}, {&nan_traj, kEnv}};
  auto all = check_all(flights);
  ASSERT_FALSE(all.has_value());
  EXPECT_EQ(all.error().reason, "TRAJECTORY_INVALID");
  EXPECT_NE(all.error().message.find("flights[1]"), std::string::npos) << all.error().message;
  auto against = check_against(good, kEnv, flights);
  ASSERT_FALSE(against.has_value());
  EXPECT_NE(against.error().message.find("existing[1]"), std::string::npos);
  const std::vector<FlightRef> null_ref = {{nullptr, kEnv}};
  EXPECT_EQ(check_all(null_ref).error().reason, "INVALID_ARGUMENT");
  EXPECT_EQ(check_all(flights, {.min_separation_horizon_m = std::nan("")}).error().reason,
            "INVALID_ARGUMENT");
}

}  // namespace
}  // namespace skylane::conflict
