#include "skylane/plan/mission_report.hpp"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "skylane/core/try.hpp"
#include "skylane/plan/airspace_leg_planner.hpp"
#include "skylane/plan/planner_pool.hpp"

namespace skylane::plan {
namespace {

using json = nlohmann::ordered_json;

double seconds(traj::Millis t) { return static_cast<double>(t.count()) / 1000.0; }
double round_to(double v, double step) { return std::round(v / step) * step; }

// 3D length of the trajectory between two instants (pieces straddling them count their share).
double length_between_m(const traj::Trajectory4D& t, traj::Millis from, traj::Millis to) {
  double sum = 0.0;
  for (std::size_t i = 0; i + 1 < t.points.size(); ++i) {
    const auto& a = t.points[i];
    const auto& b = t.points[i + 1];
    const traj::Millis t0 = std::max(a.t, from);
    const traj::Millis t1 = std::min(b.t, to);
    if (t1 <= t0 || b.t <= a.t) continue;
    const double share = seconds(t1 - t0) / seconds(b.t - a.t);
    sum += share * std::sqrt((b.x_m - a.x_m) * (b.x_m - a.x_m) + (b.y_m - a.y_m) * (b.y_m - a.y_m) +
                             (b.z_m - a.z_m) * (b.z_m - a.z_m));
  }
  return sum;
}

std::string kg_text(double kg) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", kg);
  return buf;
}

}  // namespace

Result<std::string> mission_json(const network::ClassSelection& selection,
                                 const MissionReportContext& context) {
  const airspace::Airspace& a = *context.airspace;
  const network::MissionPlan& p = selection.plan;
  const double epoch = static_cast<double>(context.epoch_unix_s);
  const auto unix_s = [&](traj::Millis t) { return epoch + seconds(t); };
  const bool found = p.outcome == search::Outcome::kFound;
  json j;
  j["outcome"] = search::outcome_name(p.outcome);
  j["reason"] = p.failure == network::RouteFailure::kNone
                    ? json(nullptr)
                    : json(network::route_failure_name(p.failure));
  j["reason_text"] = p.reason;
  j["class"] = p.vehicle_class;
  j["payload_kg"] = p.payload_kg;
  j["from"] = found ? json(p.legs.front().from_name) : json(nullptr);
  j["to"] = found ? json(p.legs.back().to_name) : json(nullptr);
  j["departure_unix_s"] = found ? json(unix_s(p.departure)) : json(nullptr);
  j["arrival_unix_s"] = found ? json(unix_s(p.arrival)) : json(nullptr);
  j["duration_s"] = found ? seconds(p.arrival - p.departure) : 0.0;
  j["energy_wh"] = round_to(p.energy_wh, 0.001);
  j["candidate"] = p.candidate;
  j["candidates_found"] = p.candidates_found;
  json legs = json::array();
  for (const network::MissionLeg& l : p.legs) {
    const network::LegPlan& lp = l.plan;
    json wps = json::array();
    for (const auto& w : lp.trajectory.points) {
      SKY_TRY(ll, context.frame->to_lonlat({w.x_m, w.y_m}));
      std::int32_t x = 0;
      std::int32_t y = 0;
      const double ground = a.column_at(w.x_m, w.y_m, x, y) ? a.ground_amsl_m(a.column(x, y)) : 0.0;
      wps.push_back({{"lon", round_to(ll.lon_deg, 1e-8)},
                     {"lat", round_to(ll.lat_deg, 1e-8)},
                     {"alt_amsl_m", round_to(w.z_m, 0.001)},
                     {"alt_agl_m", round_to(w.z_m - ground, 0.001)},
                     {"t_s", seconds(w.t - lp.departure)}});
    }
    legs.push_back(
        {{"from", l.from_name},
         {"to", l.to_name},
         {"departure_unix_s", unix_s(lp.departure)},
         {"arrival_unix_s", unix_s(lp.arrival)},
         {"duration_s", seconds(lp.arrival - lp.departure)},
         {"distance_m", round_to(length_between_m(lp.trajectory, lp.departure, lp.arrival), 0.001)},
         {"horizontal_m", round_to(lp.flown.horizontal_m, 0.001)},
         {"climb_m", round_to(lp.flown.climb_m, 0.001)},
         {"descent_m", round_to(lp.flown.descent_m, 0.001)},
         {"hover_s", round_to(lp.flown.hover_s, 0.001)},
         {"energy_wh", round_to(l.energy_wh, 0.001)},
         {"energy_since_reset_wh", round_to(l.energy_since_reset_wh, 0.001)},
         {"battery_fraction_at_landing", round_to(l.battery_fraction_at_landing, 1e-6)},
         {"waypoints", std::move(wps)}});
  }
  j["legs"] = std::move(legs);
  json stops = json::array();
  for (const network::GroundStop& s : p.stops) {
    stops.push_back({{"name", s.name},
                     {"service", network::stop_service_name(s.service)},
                     {"arrival_unix_s", unix_s(s.arrival)},
                     {"ready_unix_s", unix_s(s.ready)},
                     {"departure_unix_s", unix_s(s.departure)}});
  }
  j["stops"] = std::move(stops);
  json failures = json::array();
  for (const network::LegFailure& f : p.failures) {
    failures.push_back({{"candidate", f.candidate},
                        {"leg", f.leg},
                        {"from", f.from},
                        {"to", f.to},
                        {"reason", f.reason}});
  }
  j["failures"] = std::move(failures);
  json attempts = json::array();
  for (const network::ClassAttempt& at : selection.attempts) {
    attempts.push_back({{"class", at.vehicle_class},
                        {"outcome", search::outcome_name(at.outcome)},
                        {"reason", at.failure == network::RouteFailure::kNone
                                       ? json(nullptr)
                                       : json(network::route_failure_name(at.failure))},
                        {"reason_text", at.reason},
                        {"arrival_unix_s", at.arrival ? json(unix_s(*at.arrival)) : json(nullptr)},
                        {"network_build_ms", at.network_build_ms}});
  }
  j["attempts"] = std::move(attempts);
  return j.dump(2);
}

Result<std::string> run_mission_query(const airspace::Airspace& airspace,
                                      const MissionQuery& query) {
  if (!std::isfinite(query.payload_kg) || query.payload_kg < 0.0 ||
      query.payload_kg > kMaxPayloadKg) {
    return fail("MISSION_REQUEST_INVALID", "payload " + kg_text(query.payload_kg) +
                                               " kg must be a finite number of kilograms in [0, " +
                                               kg_text(kMaxPayloadKg) + "]");
  }
  const std::string path =
      query.catalogue_path.empty() ? vehicle::default_catalogue_path() : query.catalogue_path;
  SKY_TRY(catalogue, vehicle::load_vehicle_catalogue(path));
  if (query.class_name == "any") {
    double heaviest = 0.0;
    std::string which;
    for (const auto& e : catalogue.entries()) {
      if (e.vehicle.max_payload_kg >= heaviest) {
        heaviest = e.vehicle.max_payload_kg;
        which = e.vehicle.name;
      }
    }
    if (query.payload_kg > heaviest + 1e-9) {
      return fail("PAYLOAD_ABOVE_CLASS_LIMIT",
                  "payload " + kg_text(query.payload_kg) + " kg is above every class's limit (" +
                      which + " carries the most: " + kg_text(heaviest) + " kg; " + path + ")");
    }
  } else if (const vehicle::VehicleClass* vc = catalogue.find(query.class_name)) {
    if (query.payload_kg > vc->max_payload_kg + 1e-9) {
      return fail("PAYLOAD_ABOVE_CLASS_LIMIT",
                  "payload " + kg_text(query.payload_kg) + " kg is above class '" + vc->name +
                      "''s max_payload_kg " + kg_text(vc->max_payload_kg) + " (" + path + ")");
    }
  } else {
    std::string names;
    for (const auto& e : catalogue.entries()) names += (names.empty() ? "" : ", ") + e.vehicle.name;
    return fail("VEHICLE_CLASS_NOT_FOUND", "vehicle class '" + query.class_name + "' is not in " +
                                               path + " (classes: " + names + ", or 'any')");
  }
  SKY_TRY(frame, geo::GeoFrame::create(airspace.info().crs));
  PlannerOptions planner_options;
  planner_options.epoch_unix_s = query.depart_unix_s;
  const PlannerPool pool(airspace, catalogue, planner_options);
  const search::ReservationTable table(airspace.nx(), airspace.ny(), airspace.info().nz);
  AirspaceLegPlannerOptions leg_options;
  leg_options.trajectory_id = 1;
  leg_options.goal_dwell = query.router.pad_slot;
  const AirspaceLegPlanner legs(pool, table, leg_options);
  network::MissionRequest request;
  request.origin = query.from_vertiport;
  request.destination = query.to_vertiport;
  request.payload_kg = query.payload_kg;
  request.earliest_departure = traj::Millis{0};
  request.epoch_unix_s = query.depart_unix_s;
  SKY_TRY(selection, network::plan_mission_with_class(airspace, catalogue, query.class_name,
                                                      request, legs.as_leg_planner(),
                                                      network::always_free_pads(), query.router));
  return mission_json(selection, MissionReportContext{&airspace, &frame, query.depart_unix_s});
}

}  // namespace skylane::plan
