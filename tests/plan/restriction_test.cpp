// Run-time restrictions on a small synthetic map (UTM 50N, near 117 E 22.6 N): rasterisation
// checked column by column against an independent point-in-polygon test, every validation
// error, set semantics (copies are snapshots), restriction_affects, and the planner waiting for
// a restriction's window like a timed zone, blocked pads naming it, and a foreign set refused.
#include "skylane/plan/restriction.hpp"

#include <cmath>

#include "map_check.hpp"
#include <gtest/gtest.h>

#include "skylane/plan/airspace_planner.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::plan {
namespace {

/// The shipped catalogue's ark40 class (planner/data/vehicle_catalogue.toml).
vehicle::VehicleClass shipped_ark40() {
  static const vehicle::VehicleClass vc = [] {
    auto c = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
    EXPECT_TRUE(c) << c.error().to_string();
    return c && c->find("ark40") ? *c->find("ark40") : vehicle::VehicleClass{};
  }();
  return vc;
}

using search::Outcome;
using std::chrono::milliseconds;
using Ring = std::vector<std::array<double, 2>>;

constexpr std::int64_t kT0 = 1'767'225'600;  // 2026-01-01T00:00:00Z
constexpr double kOx = 500'000.0;
constexpr double kOy = 2'500'000.0;

airspace::Airspace flat_map() {
  airspace::AirspaceInfo info;
  info.name = "synthetic";
  info.crs = "EPSG:32650";
  info.nx = 80;
  info.ny = 50;
  info.nz = 40;
  info.origin_x_m = kOx;
  info.origin_y_m = kOy;
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

const geo::GeoFrame& frame() {
  static const geo::GeoFrame f = std::move(*geo::GeoFrame::create("EPSG:32650"));
  return f;
}

/// A lon/lat ring from working-frame points (metres relative to the map origin).
Ring ring_from_plane(const std::vector<std::array<double, 2>>& local_m) {
  Ring out;
  for (const auto& p : local_m) {
    auto ll = frame().to_lonlat({kOx + p[0], kOy + p[1]});
    EXPECT_TRUE(ll.has_value());
    out.push_back({ll->lon_deg, ll->lat_deg});
  }
  return out;
}

/// Even-odd point-in-polygon (crossing number), written independently of the rasteriser.
bool point_in_polygon(const std::vector<std::array<double, 2>>& poly, double x, double y) {
  bool in = false;
  for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const auto& a = poly[i];
    const auto& b = poly[j];
    if ((a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) {
      in = !in;
    }
  }
  return in;
}

Restriction restriction(std::int64_t id, const std::string& name, Ring ring) {
  Restriction r;
  r.id = id;
  r.name = name;
  r.ring_lonlat = std::move(ring);
  return r;
}

/// The wall x in [40, 41) columns (x from 800 to 820 m), across the whole map.
Ring wall_ring() {
  return ring_from_plane({{801.0, -100.0}, {819.0, -100.0}, {819.0, 1100.0}, {801.0, 1100.0}});
}

std::string reason_of(const Result<void>& r) { return r ? "OK" : r.error().reason; }

PadPoint pad(const airspace::Airspace& a, std::int32_t x, std::int32_t y) {
  const auto g = a.info().geometry();
  return PadPoint{g.center_x_m(x), g.center_y_m(y), std::nullopt};
}

PlannerOptions options() {
  PlannerOptions o;
  o.epoch_unix_s = kT0;
  return o;
}

TEST(Restriction, RasterisesColumnsWhoseCentreIsInsideTheRing) {
  const auto a = flat_map();
  // A concave "L" with slanted edges; vertices off the cell grid.
  const std::vector<std::array<double, 2>> local = {{103.0, 97.0},  {731.0, 143.0}, {705.0, 377.0},
                                                    {391.0, 351.0}, {333.0, 811.0}, {87.0, 768.0}};
  auto r = RasterisedRestriction::create(restriction(1, "L", ring_from_plane(local)), a, frame());
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  std::size_t inside = 0;
  for (std::int32_t y = 0; y < a.ny(); ++y) {
    for (std::int32_t x = 0; x < a.nx(); ++x) {
      const bool expected = point_in_polygon(local, (x + 0.5) * 20.0, (y + 0.5) * 20.0);
      EXPECT_EQ((*r)->covers(x, y), expected) << "column (" << x << ", " << y << ")";
      inside += expected ? 1 : 0;
    }
  }
  EXPECT_GT(inside, 300u);
  EXPECT_EQ((*r)->covered_columns(), inside);
  EXPECT_FALSE((*r)->covers(-1, 10));
  EXPECT_FALSE((*r)->covers(10, 500));
  // A ring reaching past the map edge is clipped to it.
  auto big = RasterisedRestriction::create(
      restriction(
          2, "big",
          ring_from_plane({{-500.0, -500.0}, {3000.0, -500.0}, {3000.0, 300.0}, {-500.0, 300.0}})),
      a, frame());
  ASSERT_TRUE(big.has_value()) << big.error().to_string();
  EXPECT_EQ((*big)->covered_columns(), 80u * 15u);
  EXPECT_EQ((*big)->x0(), 0);
  EXPECT_EQ((*big)->x1(), 80);
  EXPECT_EQ((*big)->y1(), 15);
}

TEST(Restriction, LayersFollowFloorAndCeilingAglOrAmsl) {
  auto a = flat_map();
  auto spec = restriction(1, "band", wall_ring());
  spec.floor = {60.0, airspace::AltitudeRef::kAgl};
  spec.ceiling = {155.0, airspace::AltitudeRef::kAmsl};
  auto r = RasterisedRestriction::create(spec, a, frame());
  ASSERT_TRUE(r.has_value());
  // Layers are 10 m from -50 m: 60 m AGL over 0 m ground is the bottom of layer 11; 155 m AMSL
  // lies in layer 20, which overlaps and is blocked.
  const LayerBand b = (*r)->layers(0.0);
  EXPECT_EQ(b.lo, 11);
  EXPECT_EQ(b.hi, 21);
  const LayerBand high_ground = (*r)->layers(50.0);  // floor 110 m AMSL: layer 16
  EXPECT_EQ(high_ground.lo, 16);
  EXPECT_EQ(high_ground.hi, 21);
}

TEST(Restriction, BadInputIsAnErrorNamingTheField) {
  const auto a = flat_map();
  const auto good = restriction(5, "good", wall_ring());
  auto check = [&](const Restriction& r, const std::string& reason, const std::string& needle) {
    auto out = RasterisedRestriction::create(r, a, frame());
    ASSERT_FALSE(out.has_value()) << needle;
    EXPECT_EQ(out.error().reason, reason) << out.error().message;
    EXPECT_NE(out.error().message.find(needle), std::string::npos) << out.error().message;
    EXPECT_NE(out.error().message.find("restriction 5"), std::string::npos);
  };
  ASSERT_TRUE(RasterisedRestriction::create(good, a, frame()).has_value());

  auto r = good;
  r.ring_lonlat.resize(2);
  check(r, "RESTRICTION_INVALID", "2 distinct points");
  r = good;
  r.ring_lonlat = {good.ring_lonlat[0], good.ring_lonlat[1], good.ring_lonlat[0],
                   good.ring_lonlat[1]};
  check(r, "RESTRICTION_INVALID", "2 distinct points");
  r = good;
  r.ring_lonlat[2][1] = std::nan("");
  check(r, "RESTRICTION_INVALID", "ring_lonlat[2]");
  r = good;
  r.ring_lonlat[1][0] = std::numeric_limits<double>::infinity();
  check(r, "RESTRICTION_INVALID", "ring_lonlat[1]");
  r = good;
  r.ring_lonlat[3][1] = 91.0;
  check(r, "RESTRICTION_INVALID", "ring_lonlat[3]");
  r = good;
  r.floor = {100.0, airspace::AltitudeRef::kAgl};
  r.ceiling = {100.0, airspace::AltitudeRef::kAgl};
  check(r, "RESTRICTION_INVALID", "floor");
  r = good;
  r.floor.value_m = std::nan("");
  check(r, "RESTRICTION_INVALID", "floor");
  r = good;
  r.ceiling.value_m = std::nan("");
  check(r, "RESTRICTION_INVALID", "ceiling");
  r = good;
  r.active_from = milliseconds{5000};
  r.active_to = milliseconds{1000};
  check(r, "RESTRICTION_INVALID", "active window");
  r = good;
  r.active_to = r.active_from;
  check(r, "RESTRICTION_INVALID", "active window");
  // 100 km east of the map.
  r = good;
  r.ring_lonlat = ring_from_plane({{100'000.0, 0.0}, {101'000.0, 0.0}, {101'000.0, 900.0}});
  check(r, "RESTRICTION_OUTSIDE_MAP", "no column centre");
  // Inside the map but thinner than a cell, between two rows of centres.
  r = good;
  r.ring_lonlat = ring_from_plane({{100.0, 101.0}, {900.0, 101.0}, {900.0, 108.0}});
  check(r, "RESTRICTION_OUTSIDE_MAP", "thinner than");
}

TEST(Restriction, SetCopiesAreSnapshots) {
  const auto a = flat_map();
  RestrictionSet set(a);
  ASSERT_TRUE(set.add(restriction(1, "one", wall_ring())).has_value());
  const RestrictionSet snapshot = set;  // what a planner holds
  auto second =
      restriction(2, "two", ring_from_plane({{100.0, 100.0}, {300.0, 100.0}, {300.0, 300.0}}));
  ASSERT_TRUE(set.add(second, frame()).has_value());
  EXPECT_EQ(reason_of(set.add(restriction(2, "dup", wall_ring()))), "RESTRICTION_ALREADY_EXISTS");
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(snapshot.size(), 1u);
  ASSERT_NE(set.find(2), nullptr);
  EXPECT_EQ(set.find(2)->restriction().name, "two");
  EXPECT_EQ(snapshot.find(2), nullptr);
  // Entries are shared, not copied.
  EXPECT_EQ(set.find(1), snapshot.find(1));
  EXPECT_TRUE(set.remove(1));
  EXPECT_FALSE(set.remove(1));
  EXPECT_EQ(set.find(1), nullptr);
  ASSERT_NE(snapshot.find(1), nullptr);  // still alive in the snapshot
  EXPECT_EQ(set.all().size(), 1u);
  EXPECT_EQ(set.all()[0]->id(), 2);
  // A pre-rasterised entry moves between sets of the same map, not to another map's set.
  RestrictionSet other(a);
  ASSERT_TRUE(other.add(set.find_shared(2)).has_value());
  const auto b = flat_map();
  RestrictionSet foreign(b);
  EXPECT_EQ(reason_of(foreign.add(set.find_shared(2))), "RESTRICTION_MAP_MISMATCH");
  EXPECT_EQ(reason_of(RestrictionSet().add(restriction(9, "x", wall_ring()))),
            "RESTRICTION_MAP_MISMATCH");
  // A failed add leaves the set as it was.
  auto bad = restriction(3, "bad", wall_ring());
  bad.ring_lonlat.resize(1);
  EXPECT_EQ(reason_of(set.add(bad)), "RESTRICTION_INVALID");
  EXPECT_EQ(set.size(), 1u);
}

TEST(Restriction, AffectsOnlyTrajectoriesInsideWhileActive) {
  const auto a = flat_map();
  auto spec = restriction(1, "wall", wall_ring());
  spec.floor = {0.0, airspace::AltitudeRef::kAgl};
  spec.ceiling = {100.0, airspace::AltitudeRef::kAgl};
  spec.active_from = milliseconds{100'000};
  spec.active_to = milliseconds{200'000};
  auto r = RasterisedRestriction::create(spec, a, frame());
  ASSERT_TRUE(r.has_value());
  const auto& w = **r;
  // West to east at 55 m AMSL across the wall (x = 800..820 m), 20 m/s, crossing at t0 + 40 s.
  auto crossing = [](std::int64_t t0_ms, double z_m) {
    traj::Trajectory4D t;
    t.points = {{kOx + 0.0, kOy + 500.0, z_m, milliseconds{t0_ms}},
                {kOx + 1600.0, kOy + 500.0, z_m, milliseconds{t0_ms + 80'000}}};
    return t;
  };
  auto affects = [&](const traj::Trajectory4D& t) {
    auto out = restriction_affects(w, t, a);
    EXPECT_TRUE(out.has_value()) << out.error().to_string();
    return out.value_or(false);
  };
  EXPECT_TRUE(affects(crossing(100'000, 55.0)));
  EXPECT_TRUE(affects(crossing(150'000, 55.0)));
  EXPECT_FALSE(affects(crossing(0, 55.0)));         // crosses at 40 s, before the window
  EXPECT_FALSE(affects(crossing(170'000, 55.0)));   // crosses at 210 s, after it
  EXPECT_FALSE(affects(crossing(120'000, 115.0)));  // above the 100 m ceiling (layer 16)
  // Parallel to the wall, 60 m west of it, during the window.
  traj::Trajectory4D beside;
  beside.points = {{kOx + 740.0, kOy + 0.0, 55.0, milliseconds{100'000}},
                   {kOx + 740.0, kOy + 990.0, 55.0, milliseconds{160'000}}};
  EXPECT_FALSE(affects(beside));
  // Hovering inside from before to after the window: affected although no waypoint time is in
  // the window.
  traj::Trajectory4D hover;
  hover.points = {{kOx + 810.0, kOy + 500.0, 55.0, milliseconds{50'000}},
                  {kOx + 810.0, kOy + 500.0, 55.0, milliseconds{250'000}}};
  EXPECT_TRUE(affects(hover));
  // Bad trajectories and a foreign map are errors.
  traj::Trajectory4D empty;
  EXPECT_EQ(restriction_affects(w, empty, a).error().reason, "TRAJECTORY_INVALID");
  auto nan = hover;
  nan.points[1].z_m = std::nan("");
  EXPECT_EQ(restriction_affects(w, nan, a).error().reason, "TRAJECTORY_INVALID");
  const auto b = flat_map();
  EXPECT_EQ(restriction_affects(w, hover, b).error().reason, "RESTRICTION_MAP_MISMATCH");
}

TEST(Restriction, PlannerWaitsForTheWindowAndNamesBlockingRestrictions) {
  const auto a = flat_map();
  const auto vc = shipped_ark40();
  auto planner = AirspacePlanner::create(a, vc, options());
  ASSERT_TRUE(planner.has_value());
  const search::ReservationTable table(a.nx(), a.ny(), a.info().nz);
  PlanRequest req;
  req.from = pad(a, 10, 25);
  req.to = pad(a, 70, 25);
  req.goal_dwell = milliseconds{30'000};
  auto free_plan = planner->plan(req, table);
  ASSERT_TRUE(free_plan.has_value());
  ASSERT_EQ(free_plan->outcome, Outcome::kFound);

  // A wall across the whole map (no way around), active [0, 600 s), every altitude.
  RestrictionSet set(a);
  auto wall = restriction(11, "storm wall", wall_ring());
  wall.active_to = milliseconds{600'000};
  ASSERT_TRUE(set.add(wall).has_value());
  req.restrictions = &set;
  auto p = planner->plan(req, table);
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  ASSERT_EQ(p->outcome, Outcome::kFound) << p->reason_text;
  auto affected = restriction_affects(*set.find(11), p->trajectory, a);
  ASSERT_TRUE(affected.has_value());
  EXPECT_FALSE(*affected);
  EXPECT_TRUE(*restriction_affects(*set.find(11), free_plan->trajectory, a));
  EXPECT_GE(p->arrival.count(), 600'000);
  const testing::PadColumns pads{p->start_pad.x, p->start_pad.y, p->goal_pad.x, p->goal_pad.y};
  EXPECT_TRUE(testing::check_against_map(a, vc, p->trajectory, pads, kT0).empty());
  EXPECT_TRUE(testing::check_kinematics(vc, p->trajectory).empty());

  // Departing after the window: the same flight time as without restrictions.
  req.earliest_departure = milliseconds{700'000};
  p = planner->plan(req, table);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->outcome, Outcome::kFound);
  EXPECT_EQ(p->arrival - p->departure, free_plan->arrival - free_plan->departure);

  // Open-ended over the goal pad: GOAL_BLOCKED naming it; with a deadline before the end of a
  // bounded window as well.
  req.earliest_departure = milliseconds{0};
  auto goal = restriction(
      12, "hospital pad closure",
      ring_from_plane({{1380.0, 480.0}, {1440.0, 480.0}, {1440.0, 540.0}, {1380.0, 540.0}}));
  RestrictionSet goal_set(a);
  ASSERT_TRUE(goal_set.add(goal).has_value());
  req.restrictions = &goal_set;
  p = planner->plan(req, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->reason, NoRouteReason::kGoalBlocked);
  EXPECT_NE(p->reason_text.find("hospital pad closure"), std::string::npos) << p->reason_text;
  goal.id = 13;
  goal.active_to = milliseconds{3'600'000};
  RestrictionSet bounded(a);
  ASSERT_TRUE(bounded.add(goal).has_value());
  req.restrictions = &bounded;
  req.arrival_deadline = milliseconds{1'800'000};
  p = planner->plan(req, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->reason, NoRouteReason::kGoalBlocked) << p->reason_text;
  req.arrival_deadline.reset();
  p = planner->plan(req, table);  // lands after the window
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->outcome, Outcome::kFound) << p->reason_text;
  EXPECT_GE(p->arrival.count(), 3'600'000);

  // Over the start pad throughout the departure window: START_BLOCKED naming it.
  auto start = restriction(
      14, "launch ban",
      ring_from_plane({{180.0, 480.0}, {240.0, 480.0}, {240.0, 540.0}, {180.0, 540.0}}));
  RestrictionSet start_set(a);
  ASSERT_TRUE(start_set.add(start).has_value());
  req.restrictions = &start_set;
  p = planner->plan(req, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->reason, NoRouteReason::kStartBlocked);
  EXPECT_NE(p->reason_text.find("launch ban"), std::string::npos) << p->reason_text;

  // A kind the class may enter is ignored.
  auto lenient = vc;
  lenient.limits.blocked_zone_kinds &=
      static_cast<std::uint8_t>(~(1u << static_cast<int>(airspace::ZoneKind::kTemporary)));
  auto lenient_planner = AirspacePlanner::create(a, lenient, options());
  ASSERT_TRUE(lenient_planner.has_value());
  p = lenient_planner->plan(req, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kFound) << p->reason_text;

  // A set bound to another map is refused; an unbound empty set is fine.
  const auto b = flat_map();
  RestrictionSet foreign(b);
  req.restrictions = &foreign;
  auto err = planner->plan(req, table);
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().reason, "RESTRICTION_MAP_MISMATCH");
  const RestrictionSet unbound;
  req.restrictions = &unbound;
  p = planner->plan(req, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kFound);
}

}  // namespace
}  // namespace skylane::plan
