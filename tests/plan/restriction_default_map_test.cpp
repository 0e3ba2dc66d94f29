// Run-time restrictions on the embedded Shenzhen–Boluo map (ctest fixture default_map), between
// the first two zone-free vertiports 6-15 km apart whose direct plan is nearly straight: a square
// restriction (up to 5 km) across the line between them forces a detour, a 2 km one active
// only for a few minutes is waited for or flown around, one over the goal pad gives GOAL_BLOCKED
// naming it and removing it restores the direct plan; restriction_affects on real plans. Plans
// are checked against the polygon independently: the lon/lat ring is projected here with its
// own GeoFrame and every waypoint and every point 2 m apart along the segments is tested.
#include <algorithm>
#include <cmath>

#include "map_check.hpp"
#include <gtest/gtest.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/plan/airspace_planner.hpp"
#include "skylane/plan/restriction.hpp"
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

constexpr std::int64_t kEpoch = 1'767'225'600;  // 2026-01-01T00:00:00Z
/// Points at least this far inside the polygon are in a column whose centre is inside (a point
/// is at most 14.2 m from its column centre at 20 m cells), with margin for segments that
/// graze a covered column's corner between the planner's checks.
constexpr double kDeepInsideM = 30.0;

class DefaultMapRestriction : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto a = airspace::read_airspace(std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya");
    ASSERT_TRUE(a.has_value()) << a.error().to_string();
    map_ = new airspace::Airspace(std::move(*a));
    frame_ = new geo::GeoFrame(std::move(*geo::GeoFrame::create(map_->info().crs)));
    table_ = new search::ReservationTable(map_->nx(), map_->ny(), map_->info().nz);
    choose_pair();
  }
  static void TearDownTestSuite() {
    delete planner_;
    delete table_;
    delete frame_;
    delete map_;
  }

  void SetUp() override { ASSERT_NE(planner_, nullptr) << "no suitable vertiport pair"; }

  static void choose_pair() {
    // Vertiports outside every zone; the first pair 6-15 km apart in map order whose direct
    // plan is nearly straight (so a square on the line between them is in its way).
    std::vector<const airspace::Vertiport*> usable;
    for (const auto& v : map_->vertiports()) {
      std::int32_t x = 0;
      std::int32_t y = 0;
      ASSERT_TRUE(map_->column_at(v.x_m, v.y_m, x, y));
      if (map_->zone_set_members(map_->zone_set(map_->column(x, y))).empty()) usable.push_back(&v);
    }
    vc_ = shipped_ark40();
    PlannerOptions o;
    o.epoch_unix_s = kEpoch;
    auto p = AirspacePlanner::create(*map_, vc_, o);
    ASSERT_TRUE(p.has_value()) << p.error().to_string();
    planner_ = new AirspacePlanner(std::move(*p));
    for (std::size_t i = 0; i < usable.size(); ++i) {
      for (std::size_t j = i + 1; j < usable.size(); ++j) {
        const double d =
            std::hypot(usable[i]->x_m - usable[j]->x_m, usable[i]->y_m - usable[j]->y_m);
        if (d < 6'000.0 || d > 15'000.0) continue;
        from_ = usable[i];
        to_ = usable[j];
        request_.from = {from_->x_m, from_->y_m, std::nullopt};
        request_.to = {to_->x_m, to_->y_m, std::nullopt};
        request_.trajectory_id = 1;
        direct_ = plan_found(nullptr);
        if (direct_.outcome == Outcome::kFound && direct_.distance_m < 1.05 * d) return;
      }
    }
    delete planner_;
    planner_ = nullptr;
  }

  static AirspacePlan plan_found(const RestrictionSet* set) {
    PlanRequest r = request_;
    r.restrictions = set;
    auto p = planner_->plan(r, *table_);
    EXPECT_TRUE(p.has_value()) << p.error().to_string();
    if (!p) return {};
    EXPECT_EQ(p->outcome, Outcome::kFound)
        << from_->name << " -> " << to_->name << ": " << no_route_reason_name(p->reason) << " "
        << p->reason_text;
    const testing::PadColumns pads{p->start_pad.x, p->start_pad.y, p->goal_pad.x, p->goal_pad.y};
    for (const auto& why : testing::check_against_map(*map_, vc_, p->trajectory, pads, kEpoch)) {
      ADD_FAILURE() << why;
    }
    for (const auto& why : testing::check_kinematics(vc_, p->trajectory)) ADD_FAILURE() << why;
    return *p;
  }

  /// The point of the direct flight halfway along its horizontal length, and when it is there.
  static void direct_midpoint(double& x_m, double& y_m, milliseconds& t) {
    const auto& p = direct_.trajectory.points;
    double total = 0.0;
    for (std::size_t i = 1; i < p.size(); ++i) {
      total += std::hypot(p[i].x_m - p[i - 1].x_m, p[i].y_m - p[i - 1].y_m);
    }
    double left = total / 2.0;
    for (std::size_t i = 1; i < p.size(); ++i) {
      const double len = std::hypot(p[i].x_m - p[i - 1].x_m, p[i].y_m - p[i - 1].y_m);
      if (len >= left && len > 0.0) {
        const double s = left / len;
        x_m = p[i - 1].x_m + s * (p[i].x_m - p[i - 1].x_m);
        y_m = p[i - 1].y_m + s * (p[i].y_m - p[i - 1].y_m);
        t = p[i - 1].t + milliseconds{static_cast<std::int64_t>(
                             std::llround(s * static_cast<double>((p[i].t - p[i - 1].t).count())))};
        return;
      }
      left -= len;
    }
  }

  /// A lon/lat square of half-size `half_m` around working-frame point (x, y).
  static Ring square(double x_m, double y_m, double half_m) {
    Ring ring;
    for (const auto& [dx, dy] : {std::pair{-1.0, -1.0}, {1.0, -1.0}, {1.0, 1.0}, {-1.0, 1.0}}) {
      auto ll = frame_->to_lonlat({x_m + dx * half_m, y_m + dy * half_m});
      EXPECT_TRUE(ll.has_value());
      ring.push_back({ll->lon_deg, ll->lat_deg});
    }
    return ring;
  }

  /// Times (ms) at which the trajectory is at least kDeepInsideM inside the lon/lat ring, every
  /// waypoint and every 2 m along the segments. The ring is projected here, independently of
  /// the rasteriser; the test polygon is convex.
  static std::vector<double> deep_inside_times(const Ring& ring, const traj::Trajectory4D& t) {
    std::vector<std::array<double, 2>> poly;
    for (const auto& p : ring) {
      auto q = frame_->to_plane({p[0], p[1]});
      EXPECT_TRUE(q.has_value());
      poly.push_back({q->x_m, q->y_m});
    }
    auto deep = [&](double x, double y) {
      bool in = false;
      double nearest = INFINITY;
      for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
        const auto& a = poly[i];
        const auto& b = poly[j];
        if ((a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) {
          in = !in;
        }
        const double ex = b[0] - a[0];
        const double ey = b[1] - a[1];
        const double s =
            std::clamp(((x - a[0]) * ex + (y - a[1]) * ey) / (ex * ex + ey * ey), 0.0, 1.0);
        nearest = std::min(nearest, std::hypot(x - a[0] - s * ex, y - a[1] - s * ey));
      }
      return in && nearest > kDeepInsideM;
    };
    std::vector<double> times;
    const auto& p = t.points;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (deep(p[i].x_m, p[i].y_m)) times.push_back(static_cast<double>(p[i].t.count()));
      if (i + 1 == p.size()) break;
      const double len = std::hypot(p[i + 1].x_m - p[i].x_m, p[i + 1].y_m - p[i].y_m);
      const int n = std::max(1, static_cast<int>(std::ceil(len / 2.0)));
      for (int k = 1; k < n; ++k) {
        const double s = static_cast<double>(k) / n;
        if (deep(p[i].x_m + s * (p[i + 1].x_m - p[i].x_m),
                 p[i].y_m + s * (p[i + 1].y_m - p[i].y_m))) {
          times.push_back(static_cast<double>(p[i].t.count()) +
                          s * static_cast<double>((p[i + 1].t - p[i].t).count()));
        }
      }
    }
    return times;
  }

  static double horizontal_length_m(const traj::Trajectory4D& t) {
    double d = 0.0;
    for (std::size_t i = 1; i < t.points.size(); ++i) {
      d += std::hypot(t.points[i].x_m - t.points[i - 1].x_m, t.points[i].y_m - t.points[i - 1].y_m);
    }
    return d;
  }

  /// Shortest path from a to b around the axis-aligned square (cx, cy) +- half (a and b outside
  /// it, the segment ab through it): the shorter of the two chains of the convex hull of
  /// {a, b, corners} that join a and b.
  static double detour_bound_m(std::array<double, 2> a, std::array<double, 2> b, double cx,
                               double cy, double half) {
    std::vector<std::array<double, 2>> pts = {a, b};
    for (const double dx : {-half, half}) {
      for (const double dy : {-half, half}) pts.push_back({cx + dx, cy + dy});
    }
    std::sort(pts.begin(), pts.end());
    auto cross = [](const auto& o, const auto& p, const auto& q) {
      return (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]);
    };
    std::vector<std::array<double, 2>> hull;  // Andrew's monotone chain, counter-clockwise
    for (int pass = 0; pass < 2; ++pass) {
      const std::size_t base = hull.size();
      for (const auto& p : pts) {
        while (hull.size() >= base + 2 && cross(hull[hull.size() - 2], hull.back(), p) <= 0) {
          hull.pop_back();
        }
        hull.push_back(p);
      }
      hull.pop_back();
      std::reverse(pts.begin(), pts.end());
    }
    const auto ia = std::find(hull.begin(), hull.end(), a) - hull.begin();
    const auto ib = std::find(hull.begin(), hull.end(), b) - hull.begin();
    EXPECT_LT(static_cast<std::size_t>(ia), hull.size());
    EXPECT_LT(static_cast<std::size_t>(ib), hull.size());
    double one_way = 0.0;
    double total = 0.0;
    const auto n = static_cast<std::ptrdiff_t>(hull.size());
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const auto& p = hull[static_cast<std::size_t>(i)];
      const auto& q = hull[static_cast<std::size_t>((i + 1) % n)];
      const double len = std::hypot(q[0] - p[0], q[1] - p[1]);
      total += len;
      // Edges from ia forward to ib.
      if (((i - ia) % n + n) % n < ((ib - ia) % n + n) % n) one_way += len;
    }
    return std::min(one_way, total - one_way);
  }

  static Restriction restriction(std::int64_t id, const std::string& name, Ring ring) {
    Restriction r;
    r.id = id;
    r.name = name;
    r.ring_lonlat = std::move(ring);
    return r;
  }

  static airspace::Airspace* map_;
  static geo::GeoFrame* frame_;
  static search::ReservationTable* table_;
  static const airspace::Vertiport* from_;
  static const airspace::Vertiport* to_;
  static vehicle::VehicleClass vc_;
  static AirspacePlanner* planner_;
  static PlanRequest request_;
  static AirspacePlan direct_;
};
airspace::Airspace* DefaultMapRestriction::map_ = nullptr;
geo::GeoFrame* DefaultMapRestriction::frame_ = nullptr;
search::ReservationTable* DefaultMapRestriction::table_ = nullptr;
const airspace::Vertiport* DefaultMapRestriction::from_ = nullptr;
const airspace::Vertiport* DefaultMapRestriction::to_ = nullptr;
vehicle::VehicleClass DefaultMapRestriction::vc_;
AirspacePlanner* DefaultMapRestriction::planner_ = nullptr;
PlanRequest DefaultMapRestriction::request_;
AirspacePlan DefaultMapRestriction::direct_;

TEST_F(DefaultMapRestriction, RestrictionAcrossTheDirectRouteForcesADetour) {
  // Centred on the straight line between the pads (the direct plan crosses it too).
  const double mx = (from_->x_m + to_->x_m) / 2.0;
  const double my = (from_->y_m + to_->y_m) / 2.0;
  // Up to 5 km x 5 km (the planner's local detour search spans ~640 m around the block route,
  // so this exercises the map-wide one); both pads stay outside.
  const double straight_m = std::hypot(to_->x_m - from_->x_m, to_->y_m - from_->y_m);
  const double half_m = std::min(2'500.0, 0.3 * straight_m);
  const Ring ring = square(mx, my, half_m);
  ASSERT_FALSE(deep_inside_times(ring, direct_.trajectory).empty())
      << "the direct route must cross the test polygon";

  RestrictionSet set(*map_);
  ASSERT_TRUE(set.add(restriction(1, "stadium event", ring)).has_value());
  EXPECT_NEAR(static_cast<double>(set.find(1)->covered_columns()), 4 * half_m * half_m / 400.0,
              0.02 * 4 * half_m * half_m / 400.0);  // 20 m cells
  const AirspacePlan p = plan_found(&set);
  ASSERT_EQ(p.outcome, Outcome::kFound);
  RecordProperty("pair", from_->name + " -> " + to_->name);
  RecordProperty("route_expansions", std::to_string(p.stats.route_expansions));
  // The route stage offered the way around: SIPP needed no wider corridor.
  EXPECT_EQ(p.stats.attempts, 1);
  const auto inside = deep_inside_times(ring, p.trajectory);
  EXPECT_TRUE(inside.empty()) << inside.size() << " points deep inside, first at " << inside[0]
                              << " ms";
  // Around the square: at least the shorter convex-hull chain from pad to pad around the part
  // of it the plan may not enter (the planner's own plans are not shortest, so no comparison
  // with the direct plan).
  const double bound =
      detour_bound_m({from_->x_m, from_->y_m}, {to_->x_m, to_->y_m}, mx, my, half_m - kDeepInsideM);
  EXPECT_GT(bound, straight_m + 50.0);
  EXPECT_GT(horizontal_length_m(p.trajectory), bound - 1.0);
  EXPECT_FALSE(*restriction_affects(*set.find(1), p.trajectory, *map_));
  EXPECT_TRUE(*restriction_affects(*set.find(1), direct_.trajectory, *map_));

  // Removing it restores the direct plan.
  EXPECT_TRUE(set.remove(1));
  const AirspacePlan back = plan_found(&set);
  EXPECT_EQ(back.arrival, direct_.arrival);
  EXPECT_DOUBLE_EQ(back.distance_m, direct_.distance_m);
}

TEST_F(DefaultMapRestriction, RestrictionActiveForMinutesIsAvoidedOrCrossedOutsideItsWindow) {
  double mx = 0.0;
  double my = 0.0;
  milliseconds mt{0};
  direct_midpoint(mx, my, mt);
  const Ring ring = square(mx, my, 1'000.0);
  auto spec = restriction(2, "air show", ring);
  spec.active_from = mt - milliseconds{60'000};
  spec.active_to = mt + milliseconds{240'000};
  RestrictionSet set(*map_);
  ASSERT_TRUE(set.add(spec).has_value());
  const AirspacePlan p = plan_found(&set);
  ASSERT_EQ(p.outcome, Outcome::kFound);
  for (const double t : deep_inside_times(ring, p.trajectory)) {
    EXPECT_TRUE(t < static_cast<double>(spec.active_from.count()) ||
                t >= static_cast<double>(spec.active_to.count()))
        << "deep inside at " << t << " ms, window [" << spec.active_from.count() << ", "
        << spec.active_to.count() << ")";
  }
  EXPECT_FALSE(*restriction_affects(*set.find(2), p.trajectory, *map_));
  EXPECT_TRUE(*restriction_affects(*set.find(2), direct_.trajectory, *map_));
}

TEST_F(DefaultMapRestriction, RestrictionOverTheGoalPadGivesGoalBlockedUntilRemoved) {
  RestrictionSet set(*map_);
  ASSERT_TRUE(
      set.add(restriction(3, "police operation", square(to_->x_m, to_->y_m, 150.0))).has_value());
  PlanRequest r = request_;
  r.restrictions = &set;
  auto p = planner_->plan(r, *table_);
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ(p->outcome, Outcome::kNoRoute);
  EXPECT_EQ(p->reason, NoRouteReason::kGoalBlocked);
  EXPECT_NE(p->reason_text.find("police operation"), std::string::npos) << p->reason_text;
  EXPECT_TRUE(*restriction_affects(*set.find(3), direct_.trajectory, *map_));  // lands there

  ASSERT_TRUE(set.remove(3));
  const AirspacePlan back = plan_found(&set);
  EXPECT_EQ(back.arrival, direct_.arrival);
  EXPECT_DOUBLE_EQ(back.distance_m, direct_.distance_m);
}

TEST_F(DefaultMapRestriction, AffectsIsFalseOutsideTheWindowOrAboveTheFlight) {
  double mx = 0.0;
  double my = 0.0;
  milliseconds mt{0};
  direct_midpoint(mx, my, mt);
  const Ring ring = square(mx, my, 1'000.0);
  double top_amsl_m = -INFINITY;
  for (const auto& w : direct_.trajectory.points) top_amsl_m = std::max(top_amsl_m, w.z_m);

  RestrictionSet set(*map_);
  auto later = restriction(4, "later", ring);
  later.active_from = direct_.trajectory.points.back().t + milliseconds{1};
  ASSERT_TRUE(set.add(later).has_value());
  auto above = restriction(5, "above", ring);
  above.floor = {top_amsl_m + 20.0, airspace::AltitudeRef::kAmsl};
  ASSERT_TRUE(set.add(above).has_value());
  auto earlier = restriction(6, "earlier", ring);
  earlier.active_from = milliseconds{-3'600'000};
  earlier.active_to = mt - milliseconds{150'000};  // the flight enters the square ~70-95 s early
  ASSERT_TRUE(set.add(earlier).has_value());
  auto during = restriction(7, "during", ring);
  during.active_from = mt - milliseconds{5'000};
  during.active_to = mt + milliseconds{5'000};
  ASSERT_TRUE(set.add(during).has_value());
  EXPECT_FALSE(*restriction_affects(*set.find(4), direct_.trajectory, *map_));
  EXPECT_FALSE(*restriction_affects(*set.find(5), direct_.trajectory, *map_));
  EXPECT_FALSE(*restriction_affects(*set.find(6), direct_.trajectory, *map_));
  EXPECT_TRUE(*restriction_affects(*set.find(7), direct_.trajectory, *map_));
  // The first three allow the direct flight; a plan made with them is unaffected too (not
  // necessarily the same plan: the detour offered around them widens SIPP's corridor).
  RestrictionSet harmless = set;
  ASSERT_TRUE(harmless.remove(7));
  const AirspacePlan p = plan_found(&harmless);
  ASSERT_EQ(p.outcome, Outcome::kFound);
  for (const std::int64_t id : {4, 5, 6}) {
    EXPECT_FALSE(*restriction_affects(*set.find(id), p.trajectory, *map_)) << id;
  }
}

}  // namespace
}  // namespace skylane::plan
