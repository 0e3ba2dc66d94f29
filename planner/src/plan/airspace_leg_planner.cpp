#include "skylane/plan/airspace_leg_planner.hpp"

#include <algorithm>
#include <cmath>

#include "skylane/core/try.hpp"
#include "skylane/vehicle/vehicle_energy.hpp"

namespace skylane::plan {
namespace {

// The planner's class is the pool's; a request naming that class with other planning-relevant
// values (e.g. a test's modified copy) would be planned with the wrong limits.
bool same_planning_values(const vehicle::VehicleClass& a, const vehicle::VehicleClass& b) {
  const auto& la = a.limits;
  const auto& lb = b.limits;
  const auto& ma = a.motion;
  const auto& mb = b.motion;
  return la.terrain_clearance_m == lb.terrain_clearance_m &&
         la.obstacle_clearance_m == lb.obstacle_clearance_m &&
         la.ceiling_agl_m == lb.ceiling_agl_m && la.max_amsl_m == lb.max_amsl_m &&
         la.blocked_zone_kinds == lb.blocked_zone_kinds &&
         ma.cruise_speed_mps == mb.cruise_speed_mps && ma.climb_rate_mps == mb.climb_rate_mps &&
         ma.descent_rate_mps == mb.descent_rate_mps && ma.can_hover == mb.can_hover &&
         ma.hovers_to_land == mb.hovers_to_land &&
         a.separation.horizontal_m == b.separation.horizontal_m &&
         a.separation.vertical_m == b.separation.vertical_m &&
         a.separation.time_buffer == b.separation.time_buffer;
}

double seconds(traj::Millis t) { return static_cast<double>(t.count()) / 1000.0; }

}  // namespace

vehicle::FlightProfile flown_profile(const traj::Trajectory4D& trajectory, traj::Millis takeoff,
                                     traj::Millis touchdown, const vehicle::VehicleClass& vehicle,
                                     double takeoff_landing_hover_s) {
  vehicle::FlightProfile f;
  f.hover_s = takeoff_landing_hover_s;
  const auto& pts = trajectory.points;
  const auto& m = vehicle.motion;
  for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
    const traj::Waypoint4D& a = pts[i];
    const traj::Waypoint4D& b = pts[i + 1];
    // Pieces are linear in time: clip to [takeoff, touchdown] (the pads' ground waits lie
    // outside it; a piece straddling a bound contributes its share).
    const traj::Millis t0 = std::max(a.t, takeoff);
    const traj::Millis t1 = std::min(b.t, touchdown);
    if (t1 <= t0 || b.t <= a.t) continue;
    const double share = seconds(t1 - t0) / seconds(b.t - a.t);
    const double dt_s = seconds(t1 - t0);
    const double h = std::hypot(b.x_m - a.x_m, b.y_m - a.y_m) * share;
    const double dz = (b.z_m - a.z_m) * share;
    f.horizontal_m += h;
    if (dz > 0) {
      f.climb_m += dz;
    } else {
      f.descent_m -= dz;
    }
    if (h == 0.0 && dz == 0.0) {
      f.hover_s += dt_s;
      continue;
    }
    // The energy model charges the piece's horizontal and vertical times in sequence; only time
    // beyond their sum is unaccounted for (a shortcut flown slower than the grid moves it
    // replaced, whose times it keeps).
    const double charged_s =
        h / m.cruise_speed_mps +
        (dz > 0 ? dz / m.climb_rate_mps : (dz < 0 ? -dz / m.descent_rate_mps : 0.0));
    const double slow_s = dt_s - charged_s;
    if (slow_s > 1e-3) f.horizontal_m += slow_s * m.cruise_speed_mps;
  }
  return f;
}

AirspaceLegPlanner::AirspaceLegPlanner(const PlannerPool& pool,
                                       const search::ReservationTable& table,
                                       AirspaceLegPlannerOptions options)
    : pool_(&pool), table_(&table), options_(std::move(options)) {}

Result<network::LegPlan> AirspaceLegPlanner::operator()(const network::LegRequest& r) const {
  if (r.from == nullptr || r.to == nullptr || r.vehicle == nullptr) {
    return fail("INVALID_ARGUMENT", "leg request lacks its vertiports or vehicle class");
  }
  SKY_TRY(planner, pool_->get(r.vehicle->name));
  if (!same_planning_values(planner->vehicle_class(), *r.vehicle)) {
    return fail("INVALID_ARGUMENT",
                "vehicle class '" + r.vehicle->name +
                    "' of the leg request differs in motion, limits or separation from the "
                    "planner pool's class of that name (" +
                    pool_->catalogue().source() + ")");
  }
  PlanRequest req;
  // The pad as `skylane plan --from-vertiport` takes it: the vertiport's working-frame point,
  // on the ground of its column.
  req.from = PadPoint{r.from->x_m, r.from->y_m, std::nullopt};
  req.to = PadPoint{r.to->x_m, r.to->y_m, std::nullopt};
  // The vertiports' other pads (airspace::pad_positions; pad 0 is the point itself): take off
  // from the pad the vehicle stands on if the request names it, else from the one free first;
  // land on another pad when the first is busy. pad_index[k] maps the request's pads back.
  const auto from_at = airspace::pad_positions(*r.from);
  const auto to_at = airspace::pad_positions(*r.to);
  if (r.from_pad && *r.from_pad >= from_at.size()) {
    return fail("INVALID_ARGUMENT", "leg from '" + r.from->name + "': pad " +
                                        std::to_string(*r.from_pad) + " of " +
                                        std::to_string(from_at.size()) + " does not exist");
  }
  auto on_map = [&](const std::pair<double, double>& at) {
    std::int32_t x = 0;
    std::int32_t y = 0;
    return planner->airspace().column_at(at.first, at.second, x, y);
  };
  std::vector<std::size_t> from_index{r.from_pad.value_or(0)};
  std::vector<std::size_t> to_index{0};
  if (r.from_pad) {
    req.from = PadPoint{from_at[*r.from_pad].first, from_at[*r.from_pad].second, std::nullopt};
  } else {
    for (std::size_t k = 1; k < from_at.size(); ++k) {
      if (!on_map(from_at[k])) continue;
      req.from_pads.push_back(PadPoint{from_at[k].first, from_at[k].second, std::nullopt});
      from_index.push_back(k);
    }
  }
  for (std::size_t k = 1; k < to_at.size(); ++k) {
    if (!on_map(to_at[k])) continue;
    req.to_pads.push_back(PadPoint{to_at[k].first, to_at[k].second, std::nullopt});
    to_index.push_back(k);
  }
  req.earliest_departure = r.earliest_departure;
  if (options_.max_departure_delay) {
    req.latest_departure = r.earliest_departure + *options_.max_departure_delay;
  }
  req.goal_dwell = options_.goal_dwell;
  req.trajectory_id = options_.trajectory_id;
  if (options_.customise_request) options_.customise_request(req);
  SKY_TRY(p, planner->plan(req, *table_, options_.stop));
  if (p.outcome == search::Outcome::kFound && options_.energy_aware_retry) {
    const double usable = vehicle::usable_energy_wh(*r.vehicle);
    auto need_wh = [&](const AirspacePlan& plan) {
      return vehicle::energy_wh(*r.vehicle, r.payload_kg,
                                flown_profile(plan.trajectory, plan.takeoff, plan.arrival,
                                              *r.vehicle, options_.takeoff_landing_hover_s));
    };
    if (const double need = need_wh(p); need > usable) {
      req.energy_payload_kg = r.payload_kg;
      SKY_TRY(q, planner->plan(req, *table_, options_.stop));
      if (q.outcome == search::Outcome::kFound && need_wh(q) < need) p = std::move(q);
    }
  }

  network::LegPlan out;
  out.outcome = p.outcome;
  if (p.outcome != search::Outcome::kFound) {
    out.reason = p.reason == NoRouteReason::kNone ? std::string(search::outcome_name(p.outcome))
                                                  : std::string(no_route_reason_name(p.reason));
    if (!p.reason_text.empty()) out.reason += ": " + p.reason_text;
    return out;
  }
  out.departure = p.takeoff;
  out.arrival = p.arrival;
  out.from_pad = from_index.at(p.from_pad);
  out.to_pad = to_index.at(p.to_pad);
  out.flown = flown_profile(p.trajectory, p.takeoff, p.arrival, *r.vehicle,
                            options_.takeoff_landing_hover_s);
  out.trajectory = std::move(p.trajectory);
  out.trajectory.id = options_.trajectory_id;
  return out;
}

network::LegPlanner AirspaceLegPlanner::as_leg_planner() const {
  return [this](const network::LegRequest& r) { return (*this)(r); };
}

}  // namespace skylane::plan
