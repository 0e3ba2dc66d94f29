#include "skylane/network/straight_line_leg_planner.hpp"

#include <algorithm>
#include <cmath>

namespace skylane::network {
namespace {

traj::Millis ceil_ms(double seconds) {
  return traj::Millis(static_cast<std::int64_t>(std::ceil(seconds * 1000.0 - 1e-6)));
}

}  // namespace

LegPlanner make_straight_line_leg_planner_for_tests(double hover_s) {
  return [hover_s](const LegRequest& r) -> Result<LegPlan> {
    if (!r.from || !r.to || !r.vehicle) {
      return fail("INVALID_ARGUMENT", "leg request lacks its vertiports or vehicle class");
    }
    const vehicle::VehicleClass& v = *r.vehicle;
    const airspace::Vertiport& a = *r.from;
    const airspace::Vertiport& b = *r.to;
    const double cruise_z = std::max(a.ground_amsl_m, b.ground_amsl_m) +
                            std::max(v.limits.terrain_clearance_m, v.limits.obstacle_clearance_m);
    LegPlan plan;
    plan.outcome = search::Outcome::kFound;
    plan.flown.horizontal_m = std::hypot(b.x_m - a.x_m, b.y_m - a.y_m);
    plan.flown.climb_m = cruise_z - a.ground_amsl_m;
    plan.flown.descent_m = cruise_z - b.ground_amsl_m;
    plan.flown.hover_s = hover_s;
    plan.departure = r.earliest_departure;
    traj::Millis t = plan.departure;
    auto& pts = plan.trajectory.points;
    pts.push_back({a.x_m, a.y_m, a.ground_amsl_m, t});
    t += ceil_ms(hover_s / 2);
    pts.push_back({a.x_m, a.y_m, a.ground_amsl_m, t});
    t += ceil_ms(plan.flown.climb_m / v.motion.climb_rate_mps);
    pts.push_back({a.x_m, a.y_m, cruise_z, t});
    t += ceil_ms(plan.flown.horizontal_m / v.motion.cruise_speed_mps);
    pts.push_back({b.x_m, b.y_m, cruise_z, t});
    t += ceil_ms(plan.flown.descent_m / v.motion.descent_rate_mps);
    pts.push_back({b.x_m, b.y_m, b.ground_amsl_m, t});
    t += ceil_ms(hover_s / 2);
    pts.push_back({b.x_m, b.y_m, b.ground_amsl_m, t});
    plan.arrival = t;
    return plan;
  };
}

}  // namespace skylane::network
