// Multi-leg routing on a small synthetic network (vertiports only, no terrain): K candidates,
// opening hours, pad slots, blocking reasons, 4D fallback and energy bookkeeping.
#include "skylane/network/route_search.hpp"

#include <algorithm>
#include <set>

#include "network_fixtures.hpp"
#include <gtest/gtest.h>

#include "skylane/network/mission_router.hpp"
#include "skylane/network/straight_line_leg_planner.hpp"

namespace skylane::network {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::reference_energy_wh;
using testing::shipped_catalogue;

constexpr airspace::UnixSeconds kEpoch = 1780243200;  // 2026-06-01 00:00 +08:00 (Shenzhen)
constexpr Millis kNineAm{9 * 3600 * 1000};

const vehicle::VehicleClass& flycart() { return *shipped_catalogue().find("flycart30"); }

VertiportNetwork build(const airspace::Airspace& a, double payload = 30.0) {
  auto net = VertiportNetwork::build(a, flycart(), payload);
  EXPECT_TRUE(net) << net.error().to_string();
  return std::move(*net);
}

MissionRequest request(double payload = 30.0) {
  MissionRequest r;
  r.origin = "A hub";
  r.destination = "B hub";
  r.payload_kg = payload;
  r.earliest_departure = kNineAm;
  r.epoch_unix_s = kEpoch;
  return r;
}

std::vector<std::string> names(const VertiportNetwork& net, const CandidateRoute& c) {
  std::vector<std::string> out;
  for (std::size_t v : c.vertices) out.push_back(net.node(v).vertiport.name);
  return out;
}

// Energy bookkeeping recomputed from the catalogue formulas, independently of the router.
void expect_energy_bookkeeping(const MissionPlan& plan, const vehicle::VehicleClass& v) {
  ASSERT_EQ(plan.outcome, search::Outcome::kFound) << plan.reason;
  ASSERT_EQ(plan.stops.size() + 1, plan.legs.size());
  double total = 0.0;
  double since_reset = 0.0;
  for (std::size_t i = 0; i < plan.legs.size(); ++i) {
    const MissionLeg& leg = plan.legs[i];
    const auto& f = leg.plan.flown;
    const double e =
        reference_energy_wh(v, plan.payload_kg, f.horizontal_m, f.climb_m, f.descent_m, f.hover_s);
    EXPECT_NEAR(leg.energy_wh, e, 1e-6 * e) << "leg " << i;
    since_reset += e;
    total += e;
    EXPECT_NEAR(leg.energy_since_reset_wh, since_reset, 1e-6 * since_reset) << "leg " << i;
    // Lands with at least the reserve.
    EXPECT_LE(since_reset, (1.0 - v.energy.reserve_fraction) * v.energy.battery_wh + 1e-6)
        << "leg " << i << " " << leg.from_name << " -> " << leg.to_name;
    EXPECT_NEAR(leg.battery_fraction_at_landing, 1.0 - since_reset / v.energy.battery_wh, 1e-9);
    EXPECT_GE(leg.battery_fraction_at_landing, v.energy.reserve_fraction - 1e-9);
    EXPECT_LE(leg.plan.departure, leg.plan.arrival);
    if (i < plan.stops.size()) {
      const GroundStop& s = plan.stops[i];
      EXPECT_EQ(s.vertex, leg.to);
      EXPECT_EQ(s.arrival, leg.plan.arrival);
      EXPECT_LE(s.ready, s.departure);
      EXPECT_EQ(s.departure, plan.legs[i + 1].plan.departure);
      if (s.service != StopService::kNone) since_reset = 0.0;
    }
  }
  EXPECT_NEAR(plan.energy_wh, total, 1e-6 * total);
  EXPECT_EQ(plan.departure, plan.legs.front().plan.departure);
  EXPECT_EQ(plan.arrival, plan.legs.back().plan.arrival);
}

TEST(RouteSearch, KCandidatesAreDistinctAndInArrivalOrder) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  RouterOptions opt;
  opt.max_candidates = 4;
  auto r = find_routes(net, request(), always_free_pads(), opt);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->outcome, search::Outcome::kFound) << r->reason;
  ASSERT_GE(r->candidates.size(), 2u);
  EXPECT_LE(r->candidates.size(), 4u);
  std::set<std::vector<std::size_t>> seen;
  for (std::size_t i = 0; i < r->candidates.size(); ++i) {
    const CandidateRoute& c = r->candidates[i];
    EXPECT_TRUE(seen.insert(c.vertices).second) << "duplicate route " << i;
    if (i > 0) {
      EXPECT_LE(r->candidates[i - 1].arrival, c.arrival);
    }
    EXPECT_EQ(c.vertices.front(), 0u);
    EXPECT_EQ(c.vertices.back(), 4u);
    // Elementary, legs are edges, energy since the last reset within the battery less reserve.
    EXPECT_EQ(std::set<std::size_t>(c.vertices.begin(), c.vertices.end()).size(),
              c.vertices.size());
    double since = 0.0;
    for (std::size_t k = 0; k < c.legs.size(); ++k) {
      const LegEstimate* e = net.leg(c.legs[k].from, c.legs[k].to);
      ASSERT_NE(e, nullptr);
      since += e->energy_wh;
      EXPECT_NEAR(c.legs[k].energy_since_reset_wh, since, 1e-6);
      EXPECT_LE(since, vehicle::usable_energy_wh(flycart()) + 1e-9);
      if (c.services[k + 1] != StopService::kNone) since = 0.0;
      if (k > 0) {
        EXPECT_LE(c.legs[k - 1].arrival, c.legs[k].departure);
      }
    }
  }
  // The best goes A - R1 - R2 - B, swapping at both relays.
  EXPECT_EQ(names(net, r->candidates[0]),
            (std::vector<std::string>{"A hub", "R1 relay", "R2 relay", "B hub"}));
  EXPECT_EQ(r->candidates[0].services[1], StopService::kSwap);
  EXPECT_EQ(r->candidates[0].services[2], StopService::kSwap);
}

TEST(RouteSearch, ABusyPadIsNotUsedWhileBooked) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  PadBookings pads({4, 1, 1, 2, 4, 2});
  const Millis busy_from = kNineAm;
  const Millis busy_to = kNineAm + hours(3);
  pads.book(1, busy_from, busy_to);  // R1's only pad
  RouterOptions opt;
  opt.max_candidates = 3;
  auto r = find_routes(net, request(), pads.oracle(), opt);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->outcome, search::Outcome::kFound) << r->reason;
  for (const CandidateRoute& c : r->candidates) {
    for (const RouteLeg& leg : c.legs) {
      for (auto [v, t] : {std::pair{leg.from, leg.departure}, std::pair{leg.to, leg.arrival}}) {
        if (v != 1) continue;
        // Every pad use at R1 (take-off or landing, >= 60 s) lies outside the booking.
        EXPECT_TRUE(t + opt.pad_slot <= busy_from || t >= busy_to)
            << "R1 used at " << t.count() << " ms";
      }
    }
  }
  // The best now avoids R1 (R1b is free and nearly as short).
  EXPECT_EQ(std::count(r->candidates[0].vertices.begin(), r->candidates[0].vertices.end(), 1u), 0);
}

TEST(RouteSearch, DirectLegInfeasibleButRelaysWork) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  const auto direct = net.estimate(0, 4);
  ASSERT_TRUE(direct);
  EXPECT_GT(direct->energy_wh, vehicle::usable_energy_wh(flycart()));
  auto plan =
      plan_mission(net, request(), make_straight_line_leg_planner_for_tests(), always_free_pads());
  ASSERT_TRUE(plan) << plan.error().to_string();
  expect_energy_bookkeeping(*plan, flycart());
  EXPECT_GE(plan->legs.size(), 3u);
  for (const GroundStop& s : plan->stops) EXPECT_EQ(s.service, StopService::kSwap) << s.name;
  EXPECT_EQ(plan->vehicle_class, "flycart30");
}

TEST(RouteSearch, ClosedRelayIsTheReason) {
  auto a = testing::synthetic_airspace();
  a.mutable_vertiports()[3].opening_hours = "closed";  // R2: every route needs it
  const auto net = build(a);
  auto r = find_routes(net, request(), always_free_pads());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->outcome, search::Outcome::kNoRoute);
  EXPECT_EQ(r->failure, RouteFailure::kStopClosed);
  EXPECT_NE(r->reason.find("R2 relay"), std::string::npos) << r->reason;
  EXPECT_STREQ(route_failure_name(r->failure), "STOP_CLOSED");
}

TEST(RouteSearch, RelayOpenOnlyEarlyMorningBlocksASameDayDeadline) {
  auto a = testing::synthetic_airspace();
  a.mutable_vertiports()[3].opening_hours = "05:00-06:00";
  const auto net = build(a);
  MissionRequest req = request();
  req.latest_arrival = Millis(18 * 3600 * 1000);
  auto r = find_routes(net, req, always_free_pads());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->failure, RouteFailure::kStopClosed) << r->reason;
  EXPECT_NE(r->reason.find("R2 relay"), std::string::npos) << r->reason;
  EXPECT_NE(r->reason.find("05:00-06:00"), std::string::npos) << r->reason;
  // Without the deadline the vehicle waits on the ground for the relay to open.
  req.latest_arrival.reset();
  auto later = find_routes(net, req, always_free_pads());
  ASSERT_TRUE(later);
  ASSERT_EQ(later->outcome, search::Outcome::kFound) << later->reason;
  for (const RouteLeg& leg : later->candidates[0].legs) {
    if (leg.to != 3) continue;
    const std::int64_t local_s = (kEpoch + 8 * 3600 + leg.arrival.count() / 1000) % 86400;
    EXPECT_GE(local_s, 5 * 3600);
    EXPECT_LT(local_s, 6 * 3600);
  }
}

TEST(RouteSearch, RemovedRelayMakesTheDestinationUnreachable) {
  auto a = testing::synthetic_airspace();
  auto& v = a.mutable_vertiports();
  v.erase(v.begin() + 3);  // R2
  const auto net = build(a);
  auto r = find_routes(net, request(), always_free_pads());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->failure, RouteFailure::kDestinationUnreachable);
  EXPECT_NE(r->reason.find("flycart30"), std::string::npos) << r->reason;
  EXPECT_NE(r->reason.find("B hub"), std::string::npos) << r->reason;
}

TEST(RouteSearch, PayloadAboveTheClassLimit) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a, 35.0);
  EXPECT_EQ(net.edge_count(), 0u);
  auto r = find_routes(net, request(35.0), always_free_pads());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->failure, RouteFailure::kPayloadAboveLimit);
  EXPECT_NE(r->reason.find("max_payload_kg"), std::string::npos) << r->reason;
}

TEST(RouteSearch, BadRequestsAreErrors) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  MissionRequest req = request();
  req.destination = "Nowhere";
  EXPECT_EQ(find_routes(net, req, always_free_pads()).error().reason, "VERTIPORT_NOT_FOUND");
  req.destination = "R1";  // prefix of "R1 relay" and "R1b relay"
  auto amb = find_routes(net, req, always_free_pads());
  ASSERT_FALSE(amb);
  EXPECT_NE(amb.error().message.find("ambiguous"), std::string::npos);
  req.destination = "A hub";
  EXPECT_EQ(find_routes(net, req, always_free_pads()).error().reason, "MISSION_REQUEST_INVALID");
  req = request();
  req.payload_kg = std::nan("");
  EXPECT_EQ(find_routes(net, req, always_free_pads()).error().reason, "MISSION_REQUEST_INVALID");
  RouterOptions zero;
  zero.max_candidates = 0;
  EXPECT_EQ(find_routes(net, request(), always_free_pads(), zero).error().reason,
            "MISSION_REQUEST_INVALID");
  EXPECT_EQ(VertiportNetwork::build(a, flycart(), -1.0).error().reason, "INVALID_ARGUMENT");
  auto bad_hours = a;
  bad_hours.mutable_vertiports()[2].opening_hours = "sometimes";
  auto e = VertiportNetwork::build(bad_hours, flycart(), 30.0);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().reason, "OPENING_HOURS_INVALID");
  EXPECT_NE(e.error().message.find("R1b relay"), std::string::npos);
}

TEST(RouteSearch, ExpansionCapIsABudgetOutcome) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  RouterOptions opt;
  opt.stop.max_expansions = 1;
  auto r = find_routes(net, request(), always_free_pads(), opt);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, search::Outcome::kBudgetExhausted);
}

// A LegPlanner that fails or distorts chosen legs, else flies the straight line.
LegPlanner faulty(std::set<std::pair<std::string, std::string>> fail,
                  std::set<std::pair<std::string, std::string>> stretch = {}) {
  const LegPlanner straight = make_straight_line_leg_planner_for_tests();
  return [=](const LegRequest& r) -> Result<LegPlan> {
    auto key = std::pair{r.from->name, r.to->name};
    if (fail.count(key)) {
      LegPlan p;
      p.outcome = search::Outcome::kNoRoute;
      p.reason = "GOAL_UNREACHABLE";
      return p;
    }
    auto p = straight(r);
    if (p && stretch.count(key)) p->flown.horizontal_m *= 3.0;  // a long detour in 4D
    return p;
  };
}

TEST(MissionRouter, FallsBackToTheNextCandidateWhenALegFailsIn4D) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  auto plan = plan_mission(net, request(), faulty({{"A hub", "R1 relay"}}), always_free_pads());
  ASSERT_TRUE(plan) << plan.error().to_string();
  expect_energy_bookkeeping(*plan, flycart());
  EXPECT_GT(plan->candidate, 0u);
  ASSERT_FALSE(plan->failures.empty());
  EXPECT_EQ(plan->failures[0].candidate, 0u);
  EXPECT_EQ(plan->failures[0].from, "A hub");
  EXPECT_EQ(plan->failures[0].to, "R1 relay");
  EXPECT_NE(plan->failures[0].reason.find("GOAL_UNREACHABLE"), std::string::npos);
  for (const MissionLeg& l : plan->legs) {
    EXPECT_FALSE(l.from_name == "A hub" && l.to_name == "R1 relay");
  }
}

TEST(MissionRouter, ALegThatNoLongerFitsTheBatteryAsFlownFallsBack) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  auto plan =
      plan_mission(net, request(), faulty({}, {{"R1 relay", "R2 relay"}}), always_free_pads());
  ASSERT_TRUE(plan) << plan.error().to_string();
  ASSERT_FALSE(plan->failures.empty());
  EXPECT_NE(plan->failures[0].reason.find("needs"), std::string::npos) << plan->failures[0].reason;
  if (plan->outcome == search::Outcome::kFound) expect_energy_bookkeeping(*plan, flycart());
}

TEST(MissionRouter, EveryCandidateFailingIsLegPlanningFailed) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  auto plan = plan_mission(
      net, request(),
      faulty({{"R2 relay", "B hub"}, {"R1 relay", "R2 relay"}, {"R1b relay", "R2 relay"}}),
      always_free_pads());
  ASSERT_TRUE(plan) << plan.error().to_string();
  EXPECT_EQ(plan->outcome, search::Outcome::kNoRoute);
  EXPECT_EQ(plan->failure, RouteFailure::kLegPlanningFailed);
  EXPECT_EQ(plan->failures.size(), plan->candidates_found);
  EXPECT_TRUE(plan->legs.empty());
  EXPECT_NE(plan->reason.find("R2 relay"), std::string::npos) << plan->reason;
}

TEST(MissionRouter, SearchesAgainWithTheLegsAsPlannedIn4D) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  RouterOptions opt;
  opt.max_candidates = 1;  // the only candidate uses A hub -> R1 relay
  auto plan =
      plan_mission(net, request(), faulty({{"A hub", "R1 relay"}}), always_free_pads(), opt);
  ASSERT_TRUE(plan) << plan.error().to_string();
  ASSERT_EQ(plan->outcome, search::Outcome::kFound) << plan->reason;
  EXPECT_EQ(plan->replans, 1u);
  EXPECT_EQ(plan->candidate, 1u);
  ASSERT_EQ(plan->failures.size(), 1u);
  expect_energy_bookkeeping(*plan, flycart());
  for (const MissionLeg& l : plan->legs) {
    EXPECT_FALSE(l.from_name == "A hub" && l.to_name == "R1 relay");
  }
  // Without replanning the single candidate's failure is final.
  opt.max_replans = 0;
  plan = plan_mission(net, request(), faulty({{"A hub", "R1 relay"}}), always_free_pads(), opt);
  ASSERT_TRUE(plan) << plan.error().to_string();
  EXPECT_EQ(plan->failure, RouteFailure::kLegPlanningFailed);
  EXPECT_EQ(plan->replans, 0u);
}

TEST(MissionRouter, LegPlannerErrorsPropagate) {
  const auto a = testing::synthetic_airspace();
  const auto net = build(a);
  LegPlanner broken = [](const LegRequest&) -> Result<LegPlan> {
    return fail("INTERNAL", "planner exploded");
  };
  auto plan = plan_mission(net, request(), broken, always_free_pads());
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message, "planner exploded");
}

TEST(MissionRouter, AnyClassPicksAFeasibleClass) {
  const auto a = testing::synthetic_airspace();
  auto sel =
      plan_mission_with_class(a, shipped_catalogue(), "any", request(30.0),
                              make_straight_line_leg_planner_for_tests(), always_free_pads());
  ASSERT_TRUE(sel) << sel.error().to_string();
  ASSERT_EQ(sel->plan.outcome, search::Outcome::kFound) << sel->plan.reason;
  const vehicle::VehicleClass* chosen = shipped_catalogue().find(sel->plan.vehicle_class);
  ASSERT_NE(chosen, nullptr);
  EXPECT_GE(chosen->max_payload_kg, 30.0);
  expect_energy_bookkeeping(sel->plan, *chosen);
  EXPECT_EQ(sel->attempts.size(), shipped_catalogue().size());
  for (const ClassAttempt& at : sel->attempts) {
    const auto* v = shipped_catalogue().find(at.vehicle_class);
    if (v->max_payload_kg < 30.0) {
      EXPECT_EQ(at.failure, RouteFailure::kPayloadAboveLimit);
    }
    if (at.arrival) {
      EXPECT_LE(sel->plan.arrival, *at.arrival) << at.vehicle_class;
    }
  }
  auto none =
      plan_mission_with_class(a, shipped_catalogue(), "any", request(5000.0),
                              make_straight_line_leg_planner_for_tests(), always_free_pads());
  ASSERT_TRUE(none);
  EXPECT_EQ(none->plan.outcome, search::Outcome::kNoRoute);
  EXPECT_EQ(none->plan.failure, RouteFailure::kPayloadAboveLimit);
  auto unknown =
      plan_mission_with_class(a, shipped_catalogue(), "zeppelin", request(),
                              make_straight_line_leg_planner_for_tests(), always_free_pads());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().reason, "VEHICLE_CLASS_NOT_FOUND");
}

}  // namespace
}  // namespace skylane::network
