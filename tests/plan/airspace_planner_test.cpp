// AirspacePlanner on small synthetic airspaces: plans found and checked independently against
// the map, timed zones (wait or detour during their window, no effect outside it), every
// no-route reason, every bad request, budget and cancellation.
#include "skylane/plan/airspace_planner.hpp"

#include <atomic>
#include <cmath>
#include <optional>

#include "map_check.hpp"
#include <gtest/gtest.h>

#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::plan {
namespace {

using search::Outcome;
using std::chrono::milliseconds;
using traj::Millis;

constexpr std::int64_t kT0 = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr std::int32_t kNx = 80;
constexpr std::int32_t kNy = 50;

/// Flat ground at 0 m AMSL, 20 m x 10 m cells, 40 layers from -50 m. No obstacles, no zones.
airspace::Airspace flat_map(std::int32_t nx = kNx, std::int32_t ny = kNy) {
  airspace::AirspaceInfo info;
  info.name = "synthetic";
  info.crs = "EPSG:32650";
  info.nx = nx;
  info.ny = ny;
  info.nz = 40;
  info.origin_x_m = 500'000.0;
  info.origin_y_m = 2'500'000.0;
  info.cell_xy_m = 20.0;
  info.cell_z_m = 10.0;
  info.altitude_min_amsl_m = -50.0;
  airspace::Airspace a(info);
  for (std::size_t c = 0; c < a.column_count(); ++c) {
    a.set_ground_amsl_m(c, 0.0);
    a.set_obstacle_top_amsl_m(c, 0.0);
  }
  return a;
}

/// Adds a zone covering the columns for which `inside(x, y)` holds (one zone set per zone; the
/// tests never overlap two zones).
void add_zone(airspace::Airspace& a, airspace::Zone z,
              const std::function<bool(std::int32_t, std::int32_t)>& inside) {
  z.id = static_cast<std::uint16_t>(a.zones().size() + 1);
  a.mutable_zones().push_back(z);
  a.mutable_zone_sets().push_back({z.id});
  const auto set = static_cast<std::uint16_t>(a.zone_sets().size() - 1);
  for (std::int32_t y = 0; y < a.ny(); ++y) {
    for (std::int32_t x = 0; x < a.nx(); ++x) {
      if (inside(x, y)) a.set_zone_set(a.column(x, y), set);
    }
  }
}

airspace::Zone zone(const std::string& name, airspace::ZoneKind kind,
                    std::vector<airspace::ActivityWindow> windows = {}) {
  airspace::Zone z;
  z.name = name;
  z.kind = kind;
  z.windows = std::move(windows);
  return z;
}

airspace::ActivityWindow once(std::int64_t from_s, std::int64_t to_s) {
  airspace::ActivityWindow w;
  w.kind = airspace::ActivityWindow::Kind::kOnce;
  w.begin_utc_s = kT0 + from_s;
  w.end_utc_s = kT0 + to_s;
  return w;
}

PadPoint pad(const airspace::Airspace& a, std::int32_t x, std::int32_t y) {
  const auto g = a.info().geometry();
  return PadPoint{g.center_x_m(x), g.center_y_m(y), std::nullopt};
}

/// The shipped catalogue (planner/data/vehicle_catalogue.toml).
const vehicle::VehicleCatalogue& catalogue() {
  static const vehicle::VehicleCatalogue cat = [] {
    auto c = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
    EXPECT_TRUE(c) << c.error().to_string();
    return c ? std::move(*c) : vehicle::VehicleCatalogue();
  }();
  return cat;
}

vehicle::VehicleClass ark40() { return *catalogue().find("ark40"); }

PlannerOptions options() {
  PlannerOptions o;
  o.epoch_unix_s = kT0;
  return o;
}

PlanRequest request(const airspace::Airspace& a, std::int32_t x0, std::int32_t y0, std::int32_t x1,
                    std::int32_t y1) {
  PlanRequest r;
  r.from = pad(a, x0, y0);
  r.to = pad(a, x1, y1);
  r.goal_dwell = milliseconds{30'000};
  r.trajectory_id = 7;
  return r;
}

/// ark40 without the static-leg cache (the order of goal pads it plans is the request's).
Result<AirspacePlanner> uncached_ark40(const airspace::Airspace& a) {
  PlannerOptions o = options();
  o.static_legs = 0;
  return AirspacePlanner::create(a, ark40(), o);
}

search::ReservationTable empty_table(const airspace::Airspace& a) {
  return search::ReservationTable(a.nx(), a.ny(), a.info().nz);
}

/// Plans and checks everything a found plan must satisfy.
AirspacePlan plan_ok(const AirspacePlanner& planner, const PlanRequest& r,
                     const search::ReservationTable& table) {
  auto p = planner.plan(r, table);
  EXPECT_TRUE(p.has_value()) << p.error().to_string();
  if (!p) return {};
  EXPECT_EQ(p->outcome, Outcome::kFound) << p->reason_text;
  if (p->outcome != Outcome::kFound) return *p;
  const auto& a = planner.airspace();
  const testing::PadColumns pads{p->start_pad.x, p->start_pad.y, p->goal_pad.x, p->goal_pad.y};
  for (const auto* t : {&p->trajectory, &p->grid_trajectory}) {
    for (const auto& why : testing::check_against_map(a, planner.vehicle_class(), *t, pads, kT0)) {
      ADD_FAILURE() << why;
    }
    for (const auto& why : testing::check_kinematics(planner.vehicle_class(), *t)) {
      ADD_FAILURE() << why;
    }
  }
  const auto& pts = p->trajectory.points;
  EXPECT_GE(pts.front().t, r.earliest_departure);
  EXPECT_EQ(pts.back().t - p->arrival, r.goal_dwell);
  // Vertical take-off and landing at the pad centres.
  const auto g = a.info().geometry();
  EXPECT_DOUBLE_EQ(pts.front().x_m, g.center_x_m(p->start_pad.x));
  EXPECT_DOUBLE_EQ(pts.front().y_m, g.center_y_m(p->start_pad.y));
  EXPECT_DOUBLE_EQ(pts.back().x_m, g.center_x_m(p->goal_pad.x));
  EXPECT_DOUBLE_EQ(pts.back().y_m, g.center_y_m(p->goal_pad.y));
  EXPECT_NEAR(pts.front().z_m, 5.0, 1e-9);  // the layer centre at or just above the ground
  EXPECT_NEAR(pts.back().z_m, 5.0, 1e-9);
  std::size_t moved = 1;  // first waypoint after any wait on the pad: straight above it
  while (moved + 1 < pts.size() && pts[moved].z_m == pts[0].z_m) ++moved;
  EXPECT_EQ(pts[moved].x_m, pts[0].x_m);
  EXPECT_EQ(pts[moved].y_m, pts[0].y_m);
  EXPECT_GT(pts[moved].z_m, pts[0].z_m);
  return *p;
}

/// Earliest time the trajectory is over column x (sampled every 100 ms), or -1.
std::int64_t first_time_over_column(const traj::Trajectory4D& t, const airspace::Airspace& a,
                                    std::int32_t x) {
  const auto& p = t.points;
  const auto g = a.info().geometry();
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    for (std::int64_t ms = p[i].t.count(); ms <= p[i + 1].t.count(); ms += 100) {
      const double s = p[i + 1].t == p[i].t
                           ? 0.0
                           : static_cast<double>(ms - p[i].t.count()) /
                                 static_cast<double>((p[i + 1].t - p[i].t).count());
      const double px = p[i].x_m + s * (p[i + 1].x_m - p[i].x_m);
      if (static_cast<std::int32_t>(std::floor((px - g.origin_x_m) / g.cell_xy_m)) == x) return ms;
    }
  }
  return -1;
}

TEST(AirspacePlanner, FlatMapPlanIsFoundCheckedAndNearTheStraightLineTime) {
  const auto a = flat_map();
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value()) << planner.error().to_string();
  const auto table = empty_table(a);
  const auto p = plan_ok(*planner, request(a, 5, 10, 75, 40), table);
  // 70 x 30 cells: octile 82.4 cells = 1648 m at 15 m/s = 110 s, plus climbing 5 m -> 115 m
  // (5 m/s, overlapped with cruise except the first 50 m) and descending 110 m at 3 m/s.
  const double flight_s = static_cast<double>((p.arrival - p.departure).count()) / 1000.0;
  EXPECT_GT(flight_s, 110.0);
  EXPECT_LT(flight_s, 110.0 + 24.0 + 37.0 + 10.0);
  EXPECT_GT(p.stats.expansions, 0u);
  EXPECT_GE(p.stats.path_cells, 71u);
  // Smoothing straightened the octile staircase: fewer waypoints, shorter path.
  EXPECT_LE(p.trajectory.points.size(), p.grid_trajectory.points.size());
  EXPECT_GT(p.distance_m, std::hypot(70 * 20.0, 30 * 20.0));
}

TEST(AirspacePlanner, AlwaysActiveWallIsFlownAround) {
  auto a = flat_map();
  // A prohibited wall at x = 40 with a gap at y >= 45.
  add_zone(a, zone("wall", airspace::ZoneKind::kProhibited),
           [](std::int32_t x, std::int32_t y) { return x == 40 && y < 45; });
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  const auto table = empty_table(a);
  const auto p = plan_ok(*planner, request(a, 10, 10, 70, 10), table);
  EXPECT_GT(p.distance_m, 2 * std::hypot(30 * 20.0, 35 * 20.0) - 100.0);
}

TEST(AirspacePlanner, TimedWallMakesThePlanWaitDuringItsWindowOnly) {
  auto a = flat_map();
  // A restricted wall across the whole map, active [T0 + 0, T0 + 600 s): no way around.
  add_zone(a, zone("timed wall", airspace::ZoneKind::kRestricted, {once(0, 600)}),
           [](std::int32_t x, std::int32_t) { return x == 40; });
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  const auto table = empty_table(a);
  auto r = request(a, 10, 25, 70, 25);
  const auto during = plan_ok(*planner, r, table);
  const auto crossing = first_time_over_column(during.trajectory, a, 40);
  ASSERT_GE(crossing, 0);
  EXPECT_GE(crossing, 600'000);  // waited for the zone to close
  EXPECT_GE(during.arrival.count(), 600'000);

  // Departing after the window: exactly as on the map without the zone.
  r.earliest_departure = milliseconds{700'000};
  const auto after = plan_ok(*planner, r, table);
  const auto plain_map = flat_map();
  auto plain = AirspacePlanner::create(plain_map, ark40(), options());
  ASSERT_TRUE(plain.has_value());
  const auto reference = plan_ok(*plain, r, table);
  EXPECT_EQ(after.arrival - after.departure, reference.arrival - reference.departure);
  EXPECT_LT(after.arrival - after.departure, during.arrival - during.departure);
}

TEST(AirspacePlanner, TimedWallWithAGapIsDetouredWhenThatIsFaster) {
  auto a = flat_map();
  // Active for an hour; a gap at y < 4 costs ~1 km of detour (~70 s), far less than waiting.
  add_zone(a, zone("timed wall", airspace::ZoneKind::kTemporary, {once(0, 3600)}),
           [](std::int32_t x, std::int32_t y) { return x == 40 && y >= 4; });
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  const auto table = empty_table(a);
  const auto p = plan_ok(*planner, request(a, 10, 25, 70, 25), table);
  EXPECT_LT(p.arrival.count(), 600'000);
  EXPECT_GT(p.distance_m, 2 * std::hypot(30 * 20.0, 21 * 20.0) - 100.0);
}

TEST(AirspacePlanner, PlansAgainstReservationsAreSeparated) {
  const auto a = flat_map();
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  auto table = empty_table(a);
  const auto env = catalogue().max_separation();
  std::vector<traj::Trajectory4D> accepted;
  // Crossing flights, all departing at once: each must wait or go around the others.
  const std::int32_t ends[][4] = {{5, 25, 75, 25}, {40, 2, 40, 48}, {5, 5, 75, 45},
                                  {75, 5, 5, 45},  {40, 48, 40, 2}, {75, 25, 5, 25}};
  for (std::size_t i = 0; i < std::size(ends); ++i) {
    auto r = request(a, ends[i][0], ends[i][1], ends[i][2], ends[i][3]);
    r.trajectory_id = static_cast<std::int64_t>(i + 1);
    const auto p = plan_ok(*planner, r, table);
    ASSERT_EQ(p.outcome, Outcome::kFound);
    ASSERT_TRUE(table.reserve(p.trajectory, env, env, a.info().geometry()).has_value());
    accepted.push_back(p.trajectory);
  }
  std::vector<conflict::FlightRef> refs;
  for (const auto& t : accepted) refs.push_back({&t, env});
  const auto report = conflict::check_all(refs);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->conflict_free()) << report->violations.size() << " conflicts";
}

TEST(AirspacePlanner, AGoalPadWhoseApproachIsBusyIsNotChosen) {
  const auto a = flat_map();
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  auto table = empty_table(a);
  // The first goal pad itself is free, the airspace over it busy for about 3 h.
  for (std::int32_t z = 6; z < 40; ++z) {
    ASSERT_TRUE(table.reserve_pad({60, 30, z}, milliseconds{-1}, milliseconds{10'000'000}, 42));
  }
  PlanRequest r = request(a, 10, 10, 60, 30);
  r.to_pads = {pad(a, 60, 36), pad(a, 60, 24)};
  const AirspacePlan p = plan_ok(*planner, r, table);
  EXPECT_GE(p.to_pad, 1u);
  EXPECT_LT(p.arrival, milliseconds{1'000'000});
  EXPECT_EQ(p.stats.pad_plans, 0) << "chosen before planning, from the leg's approach";
  // Judged by the pad alone, the first pad is planned first, then another.
  auto uncached = uncached_ark40(a);
  ASSERT_TRUE(uncached.has_value());
  const AirspacePlan u = plan_ok(*uncached, r, table);
  EXPECT_GE(u.to_pad, 1u);
  EXPECT_GE(u.stats.pad_plans, 1);
}

TEST(AirspacePlanner, AGoalPadWhoseRouteIsBusyGivesWayToAnotherAsGood) {
  // 16 km long: at 15 m/s the first pad's route meets the traffic ~9 min before landing, beyond
  // the approach the ranking checks, so both pads rank alike.
  const auto a = flat_map(800, 40);
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  auto table = empty_table(a);
  // A wall across the first pad's route (y 12.5 at x 400), not the second's (y 27.5), ~3 h.
  for (std::int32_t x = 398; x <= 402; ++x) {
    for (std::int32_t y = 0; y < 20; ++y) {
      for (std::int32_t z = 0; z < 40; ++z) {
        ASSERT_TRUE(table.reserve_pad({x, y, z}, milliseconds{-1}, milliseconds{10'000'000}, 42));
      }
    }
  }
  PlanRequest r = request(a, 10, 20, 790, 5);
  r.to_pads = {pad(a, 790, 35)};
  const AirspacePlan p = plan_ok(*planner, r, table);
  EXPECT_EQ(p.to_pad, 1u);
  EXPECT_LT(p.arrival, milliseconds{1'500'000});
  EXPECT_EQ(p.stats.pad_plans, 1) << "the first pad's capped search, then the second's";
  // Without the cache the first pad is searched in full, then the second: the same answer.
  auto uncached = uncached_ark40(a);
  ASSERT_TRUE(uncached.has_value());
  const AirspacePlan u = plan_ok(*uncached, r, table);
  EXPECT_EQ(u.to_pad, 1u);
  EXPECT_EQ(u.arrival, p.arrival);
  EXPECT_EQ(u.path, p.path);
  EXPECT_LT(p.stats.expansions, u.stats.expansions);
  // With the second pad's route as busy (its own wall, also beyond the approach), both capped
  // searches are cut and the first pad is searched in full after all: the same answer again.
  for (std::int32_t x = 448; x <= 452; ++x) {
    for (std::int32_t y = 20; y < 40; ++y) {
      for (std::int32_t z = 0; z < 40; ++z) {
        ASSERT_TRUE(table.reserve_pad({x, y, z}, milliseconds{-1}, milliseconds{10'000'000}, 43));
      }
    }
  }
  const AirspacePlan both = plan_ok(*planner, r, table);
  const AirspacePlan both_u = plan_ok(*uncached, r, table);
  EXPECT_EQ(both_u.stats.pad_plans, 1);
  EXPECT_EQ(both.stats.pad_plans, both_u.stats.pad_plans + 2) << "two capped searches first";
  EXPECT_EQ(both.to_pad, both_u.to_pad);
  EXPECT_EQ(both.arrival, both_u.arrival);
  EXPECT_EQ(both.path, both_u.path);
}

TEST(AirspacePlanner, StaticLegsChangeNoAnswerAndDropTheLeastRecentlyUsed) {
  const auto a = flat_map();
  PlannerOptions none = options();
  none.static_legs = 0;
  PlannerOptions two = options();
  two.static_legs = 2;
  auto uncached = AirspacePlanner::create(a, ark40(), none);
  auto cached = AirspacePlanner::create(a, ark40(), two);
  ASSERT_TRUE(uncached.has_value());
  ASSERT_TRUE(cached.has_value());
  auto table = empty_table(a);
  const auto env = catalogue().max_separation();
  // Traffic across the requests below.
  const std::int32_t ends[][4] = {{40, 2, 40, 48}, {75, 5, 5, 45}, {40, 48, 40, 2}};
  for (std::size_t i = 0; i < std::size(ends); ++i) {
    auto r = request(a, ends[i][0], ends[i][1], ends[i][2], ends[i][3]);
    r.trajectory_id = static_cast<std::int64_t>(i + 1);
    const auto p = plan_ok(*uncached, r, table);
    ASSERT_EQ(p.outcome, Outcome::kFound);
    ASSERT_TRUE(table.reserve(p.trajectory, env, env, a.info().geometry()).has_value());
  }
  auto same = [](const AirspacePlan& x, const AirspacePlan& y) {
    ASSERT_EQ(x.outcome, y.outcome);
    EXPECT_EQ(x.arrival, y.arrival);
    EXPECT_EQ(x.path, y.path);
    ASSERT_EQ(x.trajectory.points.size(), y.trajectory.points.size());
    for (std::size_t i = 0; i < x.trajectory.points.size(); ++i) {
      EXPECT_EQ(x.trajectory.points[i].x_m, y.trajectory.points[i].x_m);
      EXPECT_EQ(x.trajectory.points[i].y_m, y.trajectory.points[i].y_m);
      EXPECT_EQ(x.trajectory.points[i].z_m, y.trajectory.points[i].z_m);
      EXPECT_EQ(x.trajectory.points[i].t, y.trajectory.points[i].t);
    }
  };
  // Departures off the whole second (the leg's free-air flight takes off at 0 and is shifted),
  // an energy route (its own leg), and a third pair that pushes the first out of the cache.
  // A longer dwell than the leg's first request.
  struct Case {
    std::int32_t x0, y0, x1, y1;
    std::int64_t depart_ms;
    std::optional<double> payload_kg;
    std::int64_t dwell_ms = 30'000;
  };
  const Case cases[] = {{5, 25, 75, 25, 12'345, std::nullopt},
                        {5, 25, 75, 25, 60'007, std::nullopt, 95'000},
                        {5, 25, 75, 25, 12'345, 5.0},
                        {5, 5, 75, 45, 3'001, std::nullopt},
                        {5, 25, 75, 25, 99, std::nullopt}};
  for (const Case& c : cases) {
    auto r = request(a, c.x0, c.y0, c.x1, c.y1);
    r.earliest_departure = milliseconds{c.depart_ms};
    r.energy_payload_kg = c.payload_kg;
    r.goal_dwell = milliseconds{c.dwell_ms};
    const AirspacePlan want = plan_ok(*uncached, r, table);
    const AirspacePlan cold = plan_ok(*cached, r, table);
    const AirspacePlan warm = plan_ok(*cached, r, table);
    same(want, cold);
    same(want, warm);
    EXPECT_EQ(warm.trajectory.points.back().t, warm.arrival + r.goal_dwell);
    EXPECT_EQ(want.stats.static_legs_reused, 0);
    EXPECT_EQ(warm.stats.static_legs_reused, 1);
    EXPECT_EQ(warm.stats.route_expansions, 0u);
    EXPECT_LE(cached->static_legs_cached(), 2u);
  }
  EXPECT_EQ(cached->static_legs_cached(), 2u);
  EXPECT_GT(cached->static_leg_bytes(), 0u);
  // The last case's pair had been dropped (three pairs since) and was planned again.
  {
    auto r = request(a, 5, 25, 75, 25);
    r.energy_payload_kg = 5.0;
    EXPECT_EQ(plan_ok(*cached, r, table).stats.static_legs_reused, 0);
  }
  // Building a leg is not charged to the budget: a budget just large enough for the uncached
  // plan's own searches serves a cold and a warm cache alike.
  {
    auto r = request(a, 5, 45, 75, 5);
    const AirspacePlan full = plan_ok(*uncached, r, table);
    ASSERT_GT(full.stats.static_leg_expansions, 0u);
    search::StopCondition stop;
    stop.max_expansions = full.stats.expansions - full.stats.static_leg_expansions + 1;
    auto fresh = AirspacePlanner::create(a, ark40(), two);
    ASSERT_TRUE(fresh.has_value());
    for (int pass = 0; pass < 2; ++pass) {
      const auto p = fresh->plan(r, table, stop);
      ASSERT_TRUE(p.has_value());
      EXPECT_EQ(p->outcome, Outcome::kFound) << "pass " << pass;
      EXPECT_EQ(p->arrival, full.arrival) << "pass " << pass;
    }
  }
  // A byte cap below two legs keeps the newest only.
  PlannerOptions small = options();
  small.static_leg_bytes = cached->static_leg_bytes() / 2 + 1;
  auto one_leg = AirspacePlanner::create(a, ark40(), small);
  ASSERT_TRUE(one_leg.has_value());
  plan_ok(*one_leg, request(a, 5, 25, 75, 25), table);
  plan_ok(*one_leg, request(a, 5, 5, 75, 45), table);
  EXPECT_EQ(one_leg->static_legs_cached(), 1u);
  EXPECT_EQ(plan_ok(*one_leg, request(a, 5, 5, 75, 45), table).stats.static_legs_reused, 1);
  EXPECT_EQ(plan_ok(*one_leg, request(a, 5, 25, 75, 25), table).stats.static_legs_reused, 0);
}

// ---- No-route reasons.

TEST(AirspacePlanner, StartAndGoalInAlwaysActiveZones) {
  auto a = flat_map();
  add_zone(a, zone("school", airspace::ZoneKind::kRestricted),
           [](std::int32_t x, std::int32_t y) { return x < 3 && y < 3; });
  add_zone(a, zone("heliport", airspace::ZoneKind::kAirportProtection),
           [](std::int32_t x, std::int32_t y) { return x > 76 && y > 46; });
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  const auto table = empty_table(a);
  auto p = planner->plan(request(a, 1, 1, 40, 40), table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kNoRoute);
  EXPECT_EQ(p->reason, NoRouteReason::kStartInZone);
  EXPECT_NE(p->reason_text.find("school"), std::string::npos) << p->reason_text;
  p = planner->plan(request(a, 40, 40, 78, 48), table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->reason, NoRouteReason::kGoalInZone);
  EXPECT_NE(p->reason_text.find("heliport"), std::string::npos) << p->reason_text;
  EXPECT_STREQ(no_route_reason_name(p->reason), "GOAL_IN_ZONE");
}

TEST(AirspacePlanner, StartBlockedByATimedZoneOrReservationsOrNoRoomToClimb) {
  auto a = flat_map();
  add_zone(a, zone("closure", airspace::ZoneKind::kTemporary, {once(0, 900)}),
           [](std::int32_t x, std::int32_t y) { return x == 2 && y == 2; });
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  auto table = empty_table(a);
  auto r = request(a, 2, 2, 40, 40);
  r.latest_departure = milliseconds{600'000};
  auto p = planner->plan(r, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->reason, NoRouteReason::kStartBlocked);
  EXPECT_NE(p->reason_text.find("closure"), std::string::npos) << p->reason_text;
  // With a later window the same pad is fine: the vehicle appears when the zone closes.
  r.latest_departure = milliseconds{1'200'000};
  const auto later = plan_ok(*planner, r, table);
  EXPECT_GE(later.takeoff.count(), 900'000);

  // Pad reserved by someone else throughout the window.
  auto r2 = request(a, 10, 10, 40, 40);
  r2.latest_departure = milliseconds{60'000};
  ASSERT_TRUE(
      table.reserve_pad({10, 10, p->start_pad.z}, milliseconds{-1}, milliseconds{100'000}, 99)
          .has_value());
  p = planner->plan(r2, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->reason, NoRouteReason::kStartBlocked) << p->reason_text;

  // A rooftop pad above the class ceiling: nowhere to climb to.
  auto r3 = request(a, 20, 20, 40, 40);
  r3.from.alt_amsl_m = ark40().limits.ceiling_agl_m + 30.0;  // flat ground at 0 m, map to 350 m
  p = planner->plan(r3, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->reason, NoRouteReason::kStartBlocked) << p->reason_text;
  EXPECT_STREQ(no_route_reason_name(p->reason), "START_BLOCKED");
}

TEST(AirspacePlanner, GoalBlockedWhenThePadIsNeverFreeForTheDwell) {
  const auto a = flat_map();
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  auto table = empty_table(a);
  const auto r = request(a, 10, 10, 60, 30);
  // Free only in 10 s gaps, shorter than the 30 s dwell.
  for (std::int64_t t = 0; t < 100'000'000; t += 1'000'000) {
    ASSERT_TRUE(
        table.reserve_pad({60, 30, 5}, milliseconds{t}, milliseconds{t + 990'000}, 42).has_value());
  }
  ASSERT_TRUE(table.reserve_pad({60, 30, 5}, milliseconds{-1}, milliseconds{1}, 42).has_value());
  ASSERT_TRUE(table
                  .reserve_pad({60, 30, 5}, milliseconds{100'000'000},
                               search::kTimeInf - milliseconds{1}, 42)
                  .has_value());
  const auto p = planner->plan(r, table);
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ(p->outcome, Outcome::kNoRoute);
  EXPECT_EQ(p->reason, NoRouteReason::kGoalBlocked) << p->reason_text;
}

TEST(AirspacePlanner, OtherPadsOfTheSiteTakeTheFlightWhenTheFirstIsBusy) {
  const auto a = flat_map();
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  auto table = empty_table(a);
  // The first start pad is busy for 10 min, the first goal pad for about 3 h.
  ASSERT_TRUE(table.reserve_pad({10, 10, 5}, milliseconds{-1}, milliseconds{600'000}, 41));
  ASSERT_TRUE(table.reserve_pad({60, 30, 5}, milliseconds{-1}, milliseconds{10'000'000}, 42));
  PlanRequest r = request(a, 10, 10, 60, 30);
  const AirspacePlan alone = plan_ok(*planner, r, table);
  EXPECT_GE(alone.takeoff, milliseconds{600'000});
  EXPECT_GE(alone.arrival, milliseconds{10'000'000});
  EXPECT_EQ(alone.from_pad, 0u);
  EXPECT_EQ(alone.to_pad, 0u);

  r.from_pads = {pad(a, 10, 16)};
  r.to_pads = {pad(a, 60, 36), pad(a, 60, 24)};
  const AirspacePlan p = plan_ok(*planner, r, table);
  EXPECT_EQ(p.from_pad, 1u);
  EXPECT_EQ(p.start_pad, (search::Voxel{10, 16, 5}));
  EXPECT_LT(p.takeoff, milliseconds{60'000}) << "the second start pad is free at once";
  EXPECT_GE(p.to_pad, 1u);
  EXPECT_EQ(p.goal_pad.x, 60);
  EXPECT_NE(p.goal_pad.y, 30);
  EXPECT_LT(p.arrival, alone.arrival - milliseconds{3'600'000});
  EXPECT_TRUE(table.is_free(p.goal_pad, p.arrival, p.arrival + r.goal_dwell));
  // The static leg's free-air flight time chose the goal pad before planning.
  EXPECT_EQ(p.stats.pad_plans, 0);
  {
    // Without static legs the first goal pad is planned first, then the one free earlier.
    auto uncached = uncached_ark40(a);
    ASSERT_TRUE(uncached.has_value());
    const AirspacePlan u = plan_ok(*uncached, r, table);
    EXPECT_EQ(u.from_pad, p.from_pad);
    EXPECT_EQ(u.to_pad, p.to_pad);
    EXPECT_EQ(u.arrival, p.arrival);
    EXPECT_GE(u.stats.pad_plans, 1);
    EXPECT_EQ(uncached->static_legs_cached(), 0u);
  }
  EXPECT_GE(planner->static_legs_cached(), 1u);

  // A goal pad that ranks first but cannot take the flight (in the start's column): the first
  // goal pad instead, not an error.
  {
    PlanRequest same = request(a, 10, 10, 60, 30);
    same.to_pads = {pad(a, 10, 10)};
    const AirspacePlan s = plan_ok(*planner, same, table);
    EXPECT_EQ(s.to_pad, 0u);
    EXPECT_EQ(s.goal_pad, (search::Voxel{60, 30, 5}));
  }

  // A first goal pad that is never free for the dwell: the others are tried.
  ASSERT_TRUE(table.reserve_pad({60, 30, 5}, milliseconds{10'000'000},
                                search::kTimeInf - milliseconds{1}, 42));
  r.to_pads = {pad(a, 60, 24)};
  const AirspacePlan q = plan_ok(*planner, r, table);
  EXPECT_EQ(q.to_pad, 1u);
  EXPECT_EQ(q.goal_pad, (search::Voxel{60, 24, 5}));

  // Bad pads are errors that name them.
  r.to_pads = {PadPoint{std::nan(""), 0.0, std::nullopt}};
  auto bad = planner->plan(r, table);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, "PLAN_POINT_INVALID");
  EXPECT_NE(bad.error().message.find("to_pads[0]"), std::string::npos) << bad.error().message;
  r.to_pads.clear();
  r.from_pads = {pad(a, 10, 16), PadPoint{0.0, 0.0, std::nullopt}};
  bad = planner->plan(r, table);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, "PLAN_POINT_OUTSIDE_MAP");
  EXPECT_NE(bad.error().message.find("from_pads[1]"), std::string::npos) << bad.error().message;
}

TEST(AirspacePlanner, GoalUnreachableBehindAWall) {
  auto a = flat_map();
  add_zone(a, zone("ring", airspace::ZoneKind::kProhibited), [](std::int32_t x, std::int32_t y) {
    return (x == 55 || x == 65) && y >= 15 && y <= 25 ? true
                                                      : (y == 15 || y == 25) && x >= 55 && x <= 65;
  });
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  const auto table = empty_table(a);
  const auto p = planner->plan(request(a, 10, 10, 60, 20), table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kNoRoute);
  EXPECT_EQ(p->reason, NoRouteReason::kGoalUnreachable) << p->reason_text;
}

TEST(AirspacePlanner, WindowTooTightWhenTheClimbIsReservedUntilAfterTheWindow) {
  const auto a = flat_map();
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  auto table = empty_table(a);
  // Layers 6-8 above the pad (a hovering aircraft) are busy until 1000 s.
  for (std::int32_t z = 6; z <= 8; ++z) {
    ASSERT_TRUE(
        table.reserve_pad({10, 10, z}, milliseconds{-1}, milliseconds{1'000'000}, 5).has_value());
  }
  auto r = request(a, 10, 10, 60, 30);
  r.latest_departure = milliseconds{500'000};
  const auto p = planner->plan(r, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kNoRoute);
  EXPECT_EQ(p->reason, NoRouteReason::kWindowTooTight) << p->reason_text;
  EXPECT_STREQ(no_route_reason_name(p->reason), "WINDOW_TOO_TIGHT");
  r.latest_departure = milliseconds{1'500'000};
  EXPECT_EQ(plan_ok(*planner, r, table).outcome, Outcome::kFound);
}

TEST(AirspacePlanner, DeadlineTooTight) {
  const auto a = flat_map();
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  const auto table = empty_table(a);
  auto r = request(a, 5, 10, 75, 40);
  r.arrival_deadline = milliseconds{60'000};  // the flight takes ~150 s
  const auto p = planner->plan(r, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kNoRoute);
  EXPECT_EQ(p->reason, NoRouteReason::kDeadlineTooTight) << p->reason_text;
  r.arrival_deadline = milliseconds{400'000};
  EXPECT_LE(plan_ok(*planner, r, table).arrival, milliseconds{400'000});
}

// ---- Budget, cancellation.

TEST(AirspacePlanner, BudgetAndCancellationAreOutcomes) {
  const auto a = flat_map();
  // The budget bounds the searches against the reservations; on an empty table ground delay
  // first answers from the static leg, whose own searches it does not bound.
  PlannerOptions o = options();
  o.ground_delay_first = false;
  auto planner = AirspacePlanner::create(a, ark40(), o);
  ASSERT_TRUE(planner.has_value());
  const auto table = empty_table(a);
  const auto r = request(a, 5, 10, 75, 40);
  search::StopCondition stop;
  stop.max_expansions = 3;
  auto p = planner->plan(r, table, stop);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kBudgetExhausted);
  // With its leg cached, the same request is still cancelled or out of time, not answered.
  planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  ASSERT_EQ(planner->plan(r, table).value().outcome, Outcome::kFound);
  std::atomic<bool> cancel{true};
  stop = {};
  stop.cancelled = &cancel;
  p = planner->plan(r, table, stop);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kCancelled);
  stop = search::StopCondition{};
  stop.deadline = search::Clock::now() - std::chrono::seconds(1);
  p = planner->plan(r, table, stop);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kBudgetExhausted);
}

// ---- Bad requests.

std::string reason_of(const Result<AirspacePlan>& r) { return r ? "ok" : r.error().reason; }

TEST(AirspacePlanner, BadRequestsAreErrors) {
  const auto a = flat_map();
  auto planner = AirspacePlanner::create(a, ark40(), options());
  ASSERT_TRUE(planner.has_value());
  const auto table = empty_table(a);
  const auto good = request(a, 5, 10, 75, 40);

  auto r = good;
  r.from.x_m = std::nan("");
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_POINT_INVALID");
  r = good;
  r.to.alt_amsl_m = std::numeric_limits<double>::infinity();
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_POINT_INVALID");
  r = good;
  r.to.x_m -= 5'000.0;  // west of the map
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_POINT_OUTSIDE_MAP");
  r = good;
  r.from.alt_amsl_m = 10'000.0;  // above the top layer
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_POINT_OUTSIDE_MAP");
  r = good;
  r.from.alt_amsl_m = -20.0;  // under the ground
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_POINT_INVALID");
  r = good;
  r.to = r.from;
  r.to.x_m += 3.0;  // same column
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_POINT_INVALID");
  r = good;
  r.earliest_departure = milliseconds{1000};
  r.latest_departure = milliseconds{10};
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_WINDOW_INVALID");
  r = good;
  r.earliest_departure = milliseconds{1000};
  r.arrival_deadline = milliseconds{10};
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_WINDOW_INVALID");
  r = good;
  r.goal_dwell = milliseconds{-1};
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_WINDOW_INVALID");
  r = good;
  r.energy_payload_kg = -1.0;
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_OPTIONS_INVALID");
  r.energy_payload_kg = std::nan("");
  EXPECT_EQ(reason_of(planner->plan(r, table)), "PLAN_OPTIONS_INVALID");
  const search::ReservationTable wrong(10, 10, 10);
  EXPECT_EQ(reason_of(planner->plan(good, wrong)), "SIPP_TABLE_MISMATCH");

  EXPECT_EQ(catalogue().find("jumbo-jet"), nullptr);

  PlannerOptions bad = options();
  bad.corridor_half_width = 0;
  EXPECT_EQ(AirspacePlanner::create(a, ark40(), bad).error().reason, "PLAN_OPTIONS_INVALID");
  auto slow = ark40();
  slow.motion.cruise_speed_mps = 0.0;
  EXPECT_EQ(AirspacePlanner::create(a, slow, options()).error().reason,
            "SIPP_MOTION_MODEL_INVALID");
}

}  // namespace
}  // namespace skylane::plan
