#include "skylane/network/mission_router.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "ground_slots.hpp"

#include "skylane/core/try.hpp"

namespace skylane::network {
namespace {

using detail::GroundSlots;
using detail::SlotBlock;

traj::Millis ceil_ms(double seconds) {
  return traj::Millis(static_cast<std::int64_t>(std::ceil(seconds * 1000.0 - 1e-6)));
}

std::string slot_text(SlotBlock why, const std::string& where) {
  switch (why) {
    case SlotBlock::kClosed:
      return "'" + where + "' is closed then";
    case SlotBlock::kPad:
      return "no pad free in time at '" + where + "'";
    case SlotBlock::kLimit:
      return "it would arrive after the latest arrival";
    case SlotBlock::kNone:
      break;
  }
  return "no admissible slot at '" + where + "'";
}

Millis ground_time(const vehicle::VehicleClass& vc, StopService s, Millis pad_slot) {
  switch (s) {
    case StopService::kSwap:
      return pad_slot + ceil_ms(vc.swap_time_s);
    case StopService::kCharge:
      return pad_slot + ceil_ms(vc.charge_time_s);
    case StopService::kNone:
      break;
  }
  return pad_slot;
}

// Plans the legs of one candidate. Returns false (with `failure`) if a leg fails.
Result<bool> fly_candidate(const VertiportNetwork& net, const MissionRequest& req,
                           const CandidateRoute& cand, std::size_t ci, const LegPlanner& planner,
                           const GroundSlots& slots, const RouterOptions& opt, int max_leg_retries,
                           MissionPlan& plan, LegFailure& failure,
                           std::map<std::pair<std::size_t, std::size_t>, double>& measured) {
  const vehicle::VehicleClass& vc = net.vehicle();
  const double usable_wh = vehicle::usable_energy_wh(vc);
  plan.legs.clear();
  plan.stops.clear();
  double since_reset_wh = 0.0;
  Millis ready = req.earliest_departure;
  std::optional<std::size_t> on_pad;  // where the previous leg landed: the next takes off there
  for (std::size_t i = 0; i + 1 < cand.vertices.size(); ++i) {
    const std::size_t u = cand.vertices[i];
    const std::size_t w = cand.vertices[i + 1];
    const StopService service = cand.services[i + 1];
    const auto& uname = net.node(u).vertiport.name;
    const auto& wname = net.node(w).vertiport.name;
    failure = {ci, i, uname, wname, ""};
    const Millis landing =
        opt.pad_slot + (service == StopService::kSwap ? ceil_ms(vc.swap_time_s) : Millis(0));
    const LegEstimate* est = net.leg(u, w);
    if (!est)
      return fail("INTERNAL", "candidate leg '" + uname + "' -> '" + wname + "' is no edge");
    const detail::LegTiming timing =
        slots.time_leg(u, w, ready, ceil_ms(est->duration_s), opt.pad_slot, landing);
    if (!timing.ok) {
      failure.reason =
          "no departure slot: " + slot_text(timing.why, net.node(timing.where).vertiport.name);
      return false;
    }
    Millis earliest = timing.departure;
    std::optional<LegPlan> planned;
    for (int attempt = 0; attempt <= max_leg_retries && !planned; ++attempt) {
      LegRequest lr{net.node(u).index,
                    net.node(w).index,
                    &net.node(u).vertiport,
                    &net.node(w).vertiport,
                    &vc,
                    req.payload_kg,
                    earliest,
                    on_pad};
      SKY_TRY(lp, planner(lr));
      if (lp.outcome != search::Outcome::kFound) {
        if (lp.outcome == search::Outcome::kNoRoute) {
          measured[{u, w}] = std::numeric_limits<double>::infinity();
        }
        failure.reason = std::string("4D leg planning: ") + search::outcome_name(lp.outcome) +
                         (lp.reason.empty() ? "" : " (" + lp.reason + ")");
        return false;
      }
      if (lp.departure < earliest || lp.arrival < lp.departure) {
        return fail("INTERNAL", "the leg planner returned departure/arrival out of order for '" +
                                    uname + "' -> '" + wname + "'");
      }
      const detail::SlotResult up = slots.earliest(u, lp.departure, opt.pad_slot);
      if (!up.start) {
        failure.reason = "as planned in 4D, take-off: " + slot_text(up.why, uname);
        return false;
      }
      if (*up.start != lp.departure) {
        earliest = *up.start;
        continue;
      }
      const detail::SlotResult down = slots.earliest(w, lp.arrival, landing);
      if (!down.start) {
        failure.reason = "as planned in 4D, landing: " + slot_text(down.why, wname);
        return false;
      }
      if (*down.start != lp.arrival) {
        earliest = lp.departure + (*down.start - lp.arrival);
        continue;
      }
      planned = std::move(lp);
    }
    if (!planned) {
      failure.reason =
          "no admissible pad slots after " + std::to_string(max_leg_retries) + " later departures";
      return false;
    }
    const double leg_wh = vehicle::energy_wh(vc, req.payload_kg, planned->flown);
    measured[{u, w}] = leg_wh;
    if (since_reset_wh + leg_wh > usable_wh + 1e-9) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "as planned in 4D the leg needs %.0f Wh but only %.0f Wh are left above the "
                    "%.0f %% reserve",
                    leg_wh, usable_wh - since_reset_wh, vc.energy.reserve_fraction * 100.0);
      failure.reason = buf;
      return false;
    }
    since_reset_wh += leg_wh;
    MissionLeg leg;
    leg.from = u;
    leg.to = w;
    leg.from_name = uname;
    leg.to_name = wname;
    leg.energy_wh = leg_wh;
    leg.energy_since_reset_wh = since_reset_wh;
    leg.battery_fraction_at_landing = 1.0 - since_reset_wh / vc.energy.battery_wh;
    leg.plan = std::move(*planned);
    on_pad = leg.plan.to_pad;
    const Millis arrival = leg.plan.arrival;
    if (!plan.stops.empty()) plan.stops.back().departure = leg.plan.departure;
    plan.legs.push_back(std::move(leg));
    if (i + 2 < cand.vertices.size()) {
      GroundStop stop{
          w, wname, arrival, service, arrival + ground_time(vc, service, opt.pad_slot), Millis(0)};
      ready = stop.ready;
      if (service != StopService::kNone) since_reset_wh = 0.0;
      plan.stops.push_back(stop);
    }
  }
  return true;
}

}  // namespace

Result<MissionPlan> plan_mission(const VertiportNetwork& net, const MissionRequest& req,
                                 const LegPlanner& leg_planner, const PadOracle& pads,
                                 const RouterOptions& opt, int max_leg_retries) {
  if (!leg_planner) return fail("INVALID_ARGUMENT", "plan_mission needs a LegPlanner");
  RouterOptions round_opt = opt;
  SKY_TRY(routes, find_routes(net, req, pads, round_opt));
  MissionPlan plan;
  plan.vehicle_class = net.vehicle().name;
  plan.payload_kg = req.payload_kg;
  plan.candidates_found = routes.candidates.size();
  plan.route_stats = routes.stats;
  if (routes.candidates.empty()) {
    plan.outcome = routes.outcome;
    plan.failure = routes.failure;
    plan.reason = routes.reason;
    if (plan.reason.empty()) plan.reason = "route search stopped early (budget or cancellation)";
    return plan;
  }
  const Millis limit = req.latest_arrival.value_or(req.earliest_departure + opt.horizon);
  const std::int64_t local_offset_ms =
      (req.epoch_unix_s + static_cast<std::int64_t>(net.utc_offset_s())) * 1000;
  const GroundSlots slots(net, pads, local_offset_ms, limit);
  // Candidates share legs, and the network's estimate of a leg may be far from what the 4D
  // planner flies (a ridge flown over rather than round, a detour round a zone): when every
  // candidate fails, search again knowing the energy of every leg planned so far.
  std::size_t tried = 0;
  for (std::size_t round = 0;; ++round) {
    auto& measured = round_opt.measured_leg_energy_wh;
    const std::size_t known = measured.size();
    for (std::size_t ci = 0; ci < routes.candidates.size(); ++ci, ++tried) {
      LegFailure failure;
      SKY_TRY(ok, fly_candidate(net, req, routes.candidates[ci], tried, leg_planner, slots, opt,
                                max_leg_retries, plan, failure, measured));
      if (!ok) {
        plan.failures.push_back(std::move(failure));
        continue;
      }
      plan.outcome = search::Outcome::kFound;
      plan.failure = RouteFailure::kNone;
      plan.candidate = tried;
      plan.departure = plan.legs.front().plan.departure;
      plan.arrival = plan.legs.back().plan.arrival;
      plan.energy_wh = 0.0;
      for (const auto& l : plan.legs) plan.energy_wh += l.energy_wh;
      return plan;
    }
    if (round >= opt.max_replans || measured.size() == known) break;
    SKY_TRY(again, find_routes(net, req, pads, round_opt));
    plan.replans = round + 1;
    plan.candidates_found += again.candidates.size();
    if (again.candidates.empty()) {
      plan.legs.clear();
      plan.stops.clear();
      plan.outcome = again.outcome;
      plan.failure = again.outcome == search::Outcome::kNoRoute ? RouteFailure::kLegPlanningFailed
                                                                : again.failure;
      plan.reason = "no route once the legs' energies are those planned in 4D (" +
                    std::string(route_failure_name(again.failure)) + ": " + again.reason + "):";
      for (const auto& f : plan.failures) {
        plan.reason += " [route " + std::to_string(f.candidate + 1) + ", leg '" + f.from +
                       "' -> '" + f.to + "': " + f.reason + "]";
      }
      return plan;
    }
    routes = std::move(again);
  }
  plan.legs.clear();
  plan.stops.clear();
  plan.outcome = search::Outcome::kNoRoute;
  plan.failure = RouteFailure::kLegPlanningFailed;
  plan.reason = "every candidate route had a leg that could not be flown:";
  for (const auto& f : plan.failures) {
    plan.reason += " [route " + std::to_string(f.candidate + 1) + ", leg '" + f.from + "' -> '" +
                   f.to + "': " + f.reason + "]";
  }
  return plan;
}

Result<ClassSelection> plan_mission_with_class(
    const airspace::Airspace& airspace, const vehicle::VehicleCatalogue& catalogue,
    const std::string& vehicle_class, const MissionRequest& request, const LegPlanner& leg_planner,
    const PadOracle& pads, const RouterOptions& options, const NetworkOptions& network_options) {
  std::vector<const vehicle::VehicleClass*> classes;
  if (vehicle_class == "any") {
    for (const auto& e : catalogue.entries()) classes.push_back(&e.vehicle);
  } else if (const vehicle::VehicleClass* c = catalogue.find(vehicle_class)) {
    classes.push_back(c);
  } else {
    std::string names;
    for (const auto& e : catalogue.entries()) names += (names.empty() ? "" : ", ") + e.vehicle.name;
    return fail("VEHICLE_CLASS_NOT_FOUND", "vehicle class '" + vehicle_class + "' is not in " +
                                               catalogue.source() + " (classes: " + names +
                                               ", or 'any')");
  }
  ClassSelection out;
  std::optional<MissionPlan> best;
  for (const vehicle::VehicleClass* vc : classes) {
    ClassAttempt attempt;
    attempt.vehicle_class = vc->name;
    if (vehicle_class == "any" && request.payload_kg > vc->max_payload_kg + 1e-9) {
      attempt.failure = RouteFailure::kPayloadAboveLimit;
      attempt.reason = "payload above max_payload_kg " + std::to_string(vc->max_payload_kg);
      out.attempts.push_back(std::move(attempt));
      continue;
    }
    SKY_TRY(net, VertiportNetwork::build(airspace, *vc, request.payload_kg, network_options));
    attempt.network_build_ms = net.stats().build_ms;
    SKY_TRY(plan, plan_mission(net, request, leg_planner, pads, options));
    attempt.outcome = plan.outcome;
    attempt.failure = plan.failure;
    attempt.reason = plan.reason;
    if (plan.outcome == search::Outcome::kFound) {
      attempt.arrival = plan.arrival;
      if (!best || plan.arrival < best->arrival) best = std::move(plan);
    } else if (!best && classes.size() == 1) {
      best = std::move(plan);
    }
    out.attempts.push_back(std::move(attempt));
  }
  if (best) {
    out.plan = std::move(*best);
  } else {
    // The blocking constraint: that of the first class actually tried, else (every class is
    // too small) the payload limit.
    out.plan.outcome = search::Outcome::kNoRoute;
    out.plan.failure = RouteFailure::kPayloadAboveLimit;
    for (const auto& a : out.attempts) {
      if (a.failure != RouteFailure::kPayloadAboveLimit) {
        out.plan.failure = a.failure;
        break;
      }
    }
    out.plan.payload_kg = request.payload_kg;
    out.plan.reason = "no class can fly the mission:";
    for (const auto& a : out.attempts) {
      out.plan.reason +=
          " [" + a.vehicle_class + ": " + route_failure_name(a.failure) + ": " + a.reason + "]";
    }
  }
  return out;
}

}  // namespace skylane::network
