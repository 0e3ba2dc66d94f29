// The 4D LegPlanner on a small synthetic map: the request mapping (pads, dwell, owner id,
// earliest departure), the profile measured on the trajectory, the shared planner pool, the
// customising hook, and bad requests.
#include "skylane/plan/airspace_leg_planner.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::plan {
namespace {

using std::chrono::milliseconds;
using traj::Millis;

constexpr std::int64_t kT0 = 1'767'225'600;  // 2026-01-01T00:00:00Z

/// Flat ground at 0 m AMSL, 100 x 60 columns of 20 m, 40 layers of 10 m from -50 m.
airspace::Airspace flat_map() {
  airspace::AirspaceInfo info;
  info.name = "synthetic";
  info.crs = "EPSG:32650";
  info.nx = 100;
  info.ny = 60;
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
  const auto g = info.geometry();
  auto add = [&](const char* name, std::int32_t x, std::int32_t y) {
    airspace::Vertiport v;
    v.name = name;
    v.x_m = g.center_x_m(x);
    v.y_m = g.center_y_m(y);
    a.mutable_vertiports().push_back(v);
  };
  add("west", 5, 30);
  add("east", 90, 30);
  add("north", 50, 55);
  return a;
}

const vehicle::VehicleCatalogue& catalogue() {
  static const vehicle::VehicleCatalogue cat = [] {
    auto c = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
    EXPECT_TRUE(c) << c.error().to_string();
    return c ? std::move(*c) : vehicle::VehicleCatalogue();
  }();
  return cat;
}

PlannerOptions options() {
  PlannerOptions o;
  o.epoch_unix_s = kT0;
  return o;
}

network::LegRequest leg(const airspace::Airspace& a, std::size_t from, std::size_t to,
                        const vehicle::VehicleClass& v, Millis earliest) {
  network::LegRequest r;
  r.from_index = from;
  r.to_index = to;
  r.from = &a.vertiports()[from];
  r.to = &a.vertiports()[to];
  r.vehicle = &v;
  r.payload_kg = 1.0;
  r.earliest_departure = earliest;
  return r;
}

TEST(FlownProfile, MeasuresTheTrajectoryBetweenTakeoffAndTouchdown) {
  vehicle::VehicleClass v;
  v.motion.cruise_speed_mps = 10.0;
  v.motion.climb_rate_mps = 5.0;
  v.motion.descent_rate_mps = 2.0;
  traj::Trajectory4D t;
  t.points = {
      {0, 0, 0, Millis{0}},           // ready on the pad
      {0, 0, 0, Millis{5'000}},       // take-off after a 5 s ground wait
      {0, 0, 50, Millis{15'000}},     // climb 50 m in 10 s (needs 10 s)
      {100, 0, 50, Millis{25'000}},   // 100 m in 10 s (needs 10 s)
      {100, 0, 50, Millis{32'000}},   // hover 7 s
      {200, 0, 50, Millis{52'000}},   // 100 m in 20 s: 10 s slower than cruise
      {200, 0, 10, Millis{72'000}},   // descend 40 m in 20 s
      {200, 0, 10, Millis{132'000}},  // dwell on the pad
  };
  const auto f = flown_profile(t, Millis{5'000}, Millis{72'000}, v, 20.0);
  EXPECT_NEAR(f.climb_m, 50.0, 1e-9);
  EXPECT_NEAR(f.descent_m, 40.0, 1e-9);
  EXPECT_NEAR(f.horizontal_m, 200.0 + 10.0 * 10.0, 1e-9);  // slow piece charged as cruise
  EXPECT_NEAR(f.hover_s, 20.0 + 7.0, 1e-9);
  // Clipping: a take-off in the middle of the climb piece counts half of it.
  const auto half = flown_profile(t, Millis{10'000}, Millis{15'000}, v, 0.0);
  EXPECT_NEAR(half.climb_m, 25.0, 1e-9);
  EXPECT_NEAR(half.horizontal_m, 0.0, 1e-9);
}

class LegPlannerTest : public ::testing::Test {
 protected:
  LegPlannerTest()
      : map_(flat_map()),
        pool_(map_, catalogue(), options()),
        table_(map_.nx(), map_.ny(), map_.info().nz) {}

  airspace::Airspace map_;
  PlannerPool pool_;
  search::ReservationTable table_;
};

TEST_F(LegPlannerTest, PlansTheLegBetweenThePadsAndMeasuresIt) {
  const vehicle::VehicleClass& v = *catalogue().find("ark40");
  AirspaceLegPlannerOptions o;
  o.trajectory_id = 42;
  o.goal_dwell = milliseconds{45'000};
  const AirspaceLegPlanner planner(pool_, table_, o);
  EXPECT_EQ(pool_.built(), 0u);  // lazily
  auto p = planner(leg(map_, 0, 1, v, milliseconds{600'000}));
  ASSERT_TRUE(p) << p.error().to_string();
  ASSERT_EQ(p->outcome, search::Outcome::kFound) << p->reason;
  EXPECT_EQ(pool_.built(), 1u);
  EXPECT_EQ(p->trajectory.id, 42);
  const auto& pts = p->trajectory.points;
  ASSERT_GE(pts.size(), 3u);
  // Starts on the west pad at the earliest departure, ends on the east pad after the dwell.
  EXPECT_NEAR(pts.front().x_m, map_.vertiports()[0].x_m, 10.0);
  EXPECT_NEAR(pts.front().y_m, map_.vertiports()[0].y_m, 10.0);
  EXPECT_NEAR(pts.back().x_m, map_.vertiports()[1].x_m, 10.0);
  EXPECT_EQ(pts.front().t, milliseconds{600'000});
  EXPECT_GE(p->departure, milliseconds{600'000});
  EXPECT_EQ(pts.back().t - p->arrival, milliseconds{45'000});
  // Flown: at least the straight distance; climbed as much as descended (flat ground); the
  // take-off and landing hover; and no faster than the class flies.
  const double straight = std::hypot(map_.vertiports()[1].x_m - map_.vertiports()[0].x_m,
                                     map_.vertiports()[1].y_m - map_.vertiports()[0].y_m);
  EXPECT_GE(p->flown.horizontal_m, straight - 20.0);
  EXPECT_GT(p->flown.climb_m, v.limits.obstacle_clearance_m - 10.0);
  EXPECT_NEAR(p->flown.climb_m, p->flown.descent_m, 1e-6);
  EXPECT_GE(p->flown.hover_s, vehicle::kReferenceHoverS);
  const double flight_s = static_cast<double>((p->arrival - p->departure).count()) / 1000.0;
  EXPECT_LE(flight_s, vehicle::flight_time_s(v, p->flown) + 1e-3);
  // The same class again reuses the pool's planner.
  auto again = planner(leg(map_, 1, 2, v, milliseconds{0}));
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(pool_.built(), 1u);
}

TEST_F(LegPlannerTest, ReservedLegsOfTwoMissionsAreSeparated) {
  const vehicle::VehicleClass& v = *catalogue().find("meituan");
  std::vector<traj::Trajectory4D> flown;
  for (std::int64_t id : {1, 2}) {
    AirspaceLegPlannerOptions o;
    o.trajectory_id = id;
    const AirspaceLegPlanner planner(pool_, table_, o);
    // Opposite directions over the same line at the same time.
    auto p = planner(id == 1 ? leg(map_, 0, 1, v, Millis{0}) : leg(map_, 1, 0, v, Millis{0}));
    ASSERT_TRUE(p) << p.error().to_string();
    ASSERT_EQ(p->outcome, search::Outcome::kFound) << p->reason;
    const auto r = table_.reserve(p->trajectory, v.separation, catalogue().max_separation(),
                                  map_.info().geometry());
    ASSERT_TRUE(r) << r.error().to_string();
    flown.push_back(p->trajectory);
  }
  const auto report = conflict::check_pairwise(flown[0], v.separation, flown[1], v.separation);
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_TRUE(report->conflict_free());
}

TEST_F(LegPlannerTest, TheHookCustomisesEveryRequest) {
  const vehicle::VehicleClass& v = *catalogue().find("ark40");
  AirspaceLegPlannerOptions o;
  int calls = 0;
  o.customise_request = [&calls](PlanRequest& r) {
    ++calls;
    r.arrival_deadline = r.earliest_departure + milliseconds{10'000};  // far too soon
  };
  const AirspaceLegPlanner planner(pool_, table_, o);
  auto p = planner(leg(map_, 0, 1, v, milliseconds{0}));
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(p->outcome, search::Outcome::kNoRoute);
  EXPECT_NE(p->reason.find("DEADLINE_TOO_TIGHT"), std::string::npos) << p->reason;
}

TEST_F(LegPlannerTest, BadRequestsAreErrors) {
  const AirspaceLegPlanner planner(pool_, table_);
  vehicle::VehicleClass v = *catalogue().find("ark40");
  network::LegRequest r = leg(map_, 0, 1, v, Millis{0});
  r.to = nullptr;
  EXPECT_EQ(planner(r).error().reason, "INVALID_ARGUMENT");
  vehicle::VehicleClass stranger = v;
  stranger.name = "jumbo-jet";
  auto e = planner(leg(map_, 0, 1, stranger, Millis{0}));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().reason, "VEHICLE_CLASS_NOT_FOUND");
  EXPECT_NE(e.error().message.find("ark40"), std::string::npos) << e.error().message;
  vehicle::VehicleClass faster = v;
  faster.motion.cruise_speed_mps *= 2.0;
  EXPECT_EQ(planner(leg(map_, 0, 1, faster, Millis{0})).error().reason, "INVALID_ARGUMENT");
  EXPECT_EQ(pool_.get("nope").error().reason, "VEHICLE_CLASS_NOT_FOUND");
  // As a network::LegPlanner too.
  const network::LegPlanner fn = planner.as_leg_planner();
  auto ok = fn(leg(map_, 0, 2, v, Millis{0}));
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ(ok->outcome, search::Outcome::kFound);
}

}  // namespace
}  // namespace skylane::plan
