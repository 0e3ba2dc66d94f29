// Multi-leg routing over a VertiportNetwork: the K earliest-arriving routes from an origin to a
// destination vertiport, subject to battery energy with reserve on every leg (a battery swap or
// a full charge at a stop that offers it resets the energy used), the payload limit, opening
// hours and pad-slot availability at every stop.
//
// Algorithm: label setting for the resource-constrained shortest path problem (RCSPP) with time
// windows, after M. Desrochers and F. Soumis, "A generalized permanent labelling algorithm for
// the shortest path problem with time windows", INFOR 26(3), 1988, and S. Irnich and
// G. Desaulniers, "Shortest path problems with resource constraints", in Column Generation,
// Springer 2005, ch. 2. A label is (vertex, ready time, energy used since the last reset,
// route); labels are settled in order of ready time. Dominance: at the same vertex, a label
// that is ready no later AND has used no more energy dominates (its every extension is
// feasible and arrives no later, because waiting on the ground is free and the stop rules are
// FIFO: see below). K best: a label is dropped only when labels of K distinct vertiport
// sequences (or one of its own sequence) dominate it (the k-shortest-paths variant of label
// setting, cf. E. Martins, "An algorithm for ranking paths that may contain cycles", EJOR 18,
// 1984). Routes are elementary (no vertiport twice).
//
// Why our own labelling rather than boost::r_c_shortest_paths: that returns the Pareto set at
// the destination, not the K earliest distinct routes, and its resource-extension functions
// would have to re-implement the waiting logic below anyway; the network has tens of vertices.
//
// STOP RULES (shared with mission_router.hpp). A landing at v at time a holds one pad of v over
// [a, a + pad_slot (+ swap time when swapping: the swap is done on the pad)); a take-off at d
// holds one over [d, d + pad_slot). Both must lie inside v's opening hours and be free by the
// PadOracle. After landing the vehicle clears the pad to a stand, where it may charge and wait
// (stands are not a limited resource here). Given the ready time r at u, the leg u -> w departs
// at the least d >= r such that the take-off slot at d and the landing slot at d + flight time
// are both admissible; found by alternating the two "earliest admissible at or after" searches,
// each monotone, so the least common point is reached and the arrival is a non-decreasing
// function of r (FIFO). Hence settling by ready time with the dominance above finds the
// earliest arrival over all walks (K = 1). Routes are restricted to elementary ones, so in rare
// cases a dropped label's best completion needs a vertiport already on the dominating label's
// route: the answer may then be later than optimal (never infeasible). Revisiting a vertiport
// helps only under pad congestion: legs obey the triangle inequality in length, time and energy
// (each leg also pays its own climb, descent and hover). For K > 1 the ranking is likewise exact
// over walks and heuristic over elementary routes. Every route returned satisfies all
// constraints.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "skylane/airspace/zone.hpp"
#include "skylane/core/error.hpp"
#include "skylane/network/pad_availability.hpp"
#include "skylane/network/vertiport_network.hpp"
#include "skylane/search/search_types.hpp"

namespace skylane::network {

/// What a vehicle does at a ground stop.
enum class StopService : std::uint8_t {
  kNone,    ///< lands and takes off again (energy used carries over)
  kSwap,    ///< battery swap on the pad (swap_time_s); energy used resets to 0
  kCharge,  ///< full charge on a charger stand (charge_time_s); energy used resets to 0
};
[[nodiscard]] const char* stop_service_name(StopService service);  ///< "none", "swap", "charge"

/// Why there is no plan: the blocking constraint.
enum class RouteFailure {
  kNone,
  kPayloadAboveLimit,       ///< PAYLOAD_ABOVE_CLASS_LIMIT
  kVertiportUnusable,       ///< VERTIPORT_UNUSABLE: origin or destination walled for the class
  kDestinationUnreachable,  ///< DESTINATION_UNREACHABLE: no chain of legs the class can fly
  kStopClosed,              ///< STOP_CLOSED: every route needs a stop closed at that time
  kPadUnavailable,          ///< PAD_UNAVAILABLE: no pad slot in time at a needed stop
  kEnergyExceeded,          ///< ENERGY_EXCEEDED: chains exist only without the needed resets
  kDeadlineExceeded,        ///< DEADLINE_EXCEEDED: routes exist but none arrives in time
  kLegPlanningFailed,       ///< LEG_PLANNING_FAILED: every candidate had a leg 4D planning failed
};
[[nodiscard]] const char* route_failure_name(RouteFailure failure);

struct MissionRequest {
  std::string origin;       ///< vertiport name (exact, or a unique prefix)
  std::string destination;  ///< vertiport name (exact, or a unique prefix)
  double payload_kg = 0.0;
  traj::Millis earliest_departure{0};          ///< mission time
  std::optional<traj::Millis> latest_arrival;  ///< mission time; default: departure + horizon
  /// Unix time (s) of mission time 0, to read opening hours in the map's local time.
  airspace::UnixSeconds epoch_unix_s = 0;
};

struct RouterOptions {
  std::size_t max_candidates = 3;  ///< K
  /// Pad occupancy for a landing or a take-off. Assumption: 60 s (touch-down / lift-off and
  /// clearing the pad).
  traj::Millis pad_slot{60'000};
  /// Latest arrival when the request gives none: earliest departure + horizon.
  traj::Millis horizon{std::chrono::hours(24)};
  /// May land at a stop without swapping or charging (e.g. to wait for a slot further on).
  bool allow_pass_through = true;
  /// Deadline, cancellation, expansion cap (an expansion = one label settled).
  search::StopCondition stop;
  /// Energy (Wh) of legs as measured once planned in 4D, keyed by (from, to) vertex: replaces
  /// the network's estimate of that edge (a value above usable_energy_wh, e.g. +infinity for a
  /// leg the 4D planner found no route for, removes it). plan_mission fills it between rounds.
  std::map<std::pair<std::size_t, std::size_t>, double> measured_leg_energy_wh;
  /// plan_mission: when every candidate failed and 4D planning measured legs the search did not
  /// know yet, search again with those measurements, at most this many times.
  std::size_t max_replans = 3;
};

struct RouteLeg {
  std::size_t from = 0;  ///< vertex (= index into Airspace::vertiports())
  std::size_t to = 0;
  traj::Millis departure{0};
  traj::Millis arrival{0};
  double energy_wh = 0.0;              ///< this leg, estimated
  double energy_since_reset_wh = 0.0;  ///< at landing, since the last swap/charge (or start)
};

struct CandidateRoute {
  std::vector<std::size_t> vertices;  ///< origin ... destination
  std::vector<StopService> services;  ///< per vertex; kNone at origin and destination
  std::vector<RouteLeg> legs;         ///< estimated times and energies
  traj::Millis departure{0};
  traj::Millis arrival{0};
};

struct RouteSearchResult {
  /// kFound with >= 1 candidate; kNoRoute with failure/reason; kBudgetExhausted / kCancelled
  /// (candidates found before the stop may still be listed).
  search::Outcome outcome = search::Outcome::kNoRoute;
  RouteFailure failure = RouteFailure::kNone;
  std::string reason;                      ///< human text naming vertiports, energies, times
  std::vector<CandidateRoute> candidates;  ///< best (earliest arrival) first
  search::SearchStats stats;
  std::size_t labels = 0;  ///< labels created
};

/// The K earliest-arriving elementary routes (distinct vertiport sequences). Thread-safe for
/// concurrent calls on one network if the oracle is. Errors: VERTIPORT_NOT_FOUND,
/// MISSION_REQUEST_INVALID (NaN or negative payload, origin = destination, K = 0, negative
/// times). "No route" is a result with its blocking constraint.
[[nodiscard]] Result<RouteSearchResult> find_routes(const VertiportNetwork& network,
                                                    const MissionRequest& request,
                                                    const PadOracle& pads,
                                                    const RouterOptions& options = {});

}  // namespace skylane::network
