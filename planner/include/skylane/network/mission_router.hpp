// Multi-leg missions: take the K candidate routes of find_routes (route_search.hpp), plan each
// leg of the best one with a pluggable LegPlanner (the 4D planner in production), and fall back
// to the next candidate when a leg cannot be planned, no longer fits the battery as flown, or
// misses its pad slots. Also chooses a vehicle class from the catalogue ("any").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/network/leg_planner.hpp"
#include "skylane/network/route_search.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::network {

/// One leg as planned and flown.
struct MissionLeg {
  std::size_t from = 0;  ///< vertex = index into Airspace::vertiports()
  std::size_t to = 0;
  std::string from_name;
  std::string to_name;
  LegPlan plan;  ///< the LegPlanner's answer (trajectory, departure, arrival, profile flown)
  double energy_wh = 0.0;              ///< vehicle::energy_wh(class, payload, plan.flown)
  double energy_since_reset_wh = 0.0;  ///< at landing, since the last swap/charge or the start
  double battery_fraction_at_landing = 1.0;  ///< 1 - energy_since_reset_wh / battery_wh
};

/// A ground stop between two legs (not the origin or the destination).
struct GroundStop {
  std::size_t vertex = 0;
  std::string name;
  traj::Millis arrival{0};
  StopService service = StopService::kNone;
  traj::Millis ready{0};      ///< arrival + pad slot + swap or charge time
  traj::Millis departure{0};  ///< take-off of the next leg (>= ready)
};

/// Why one candidate route was abandoned.
struct LegFailure {
  std::size_t candidate = 0;  ///< index into the candidates, 0 = best
  std::size_t leg = 0;        ///< index of the leg in that candidate
  std::string from;
  std::string to;
  std::string reason;
};

struct MissionPlan {
  /// kFound: legs and stops are set. Otherwise failure and reason say why.
  search::Outcome outcome = search::Outcome::kNoRoute;
  RouteFailure failure = RouteFailure::kNone;
  std::string reason;
  std::string vehicle_class;
  double payload_kg = 0.0;
  std::size_t candidate = 0;         ///< which candidate was flown (0 = best), over all rounds
  std::size_t candidates_found = 0;  ///< routes from the search(es), all rounds
  std::size_t replans = 0;           ///< searches repeated with 4D-measured leg energies
  std::vector<MissionLeg> legs;
  std::vector<GroundStop> stops;
  traj::Millis departure{0};
  traj::Millis arrival{0};
  double energy_wh = 0.0;            ///< sum over legs
  std::vector<LegFailure> failures;  ///< candidates tried and abandoned, in order
  search::SearchStats route_stats;   ///< of the route search
};

/// Finds up to K candidate routes, then plans each leg of the first with `leg_planner` (earliest
/// departure = when the stop rules of route_search.hpp let it leave). A leg fails if the planner
/// finds no route, if its flown profile needs more energy than is left above the reserve, or if
/// its take-off or landing slot is not admissible after max_leg_retries later departures; the
/// next candidate is then tried from the start. When all K fail, the search is repeated with
/// the energy every leg planned so far needed in 4D (RouterOptions::measured_leg_energy_wh; a
/// leg with no 4D route is removed), up to RouterOptions::max_replans times, as long as it
/// learned something new. Errors: those of find_routes, and any error the LegPlanner returns
/// (propagated unchanged).
[[nodiscard]] Result<MissionPlan> plan_mission(const VertiportNetwork& network,
                                               const MissionRequest& request,
                                               const LegPlanner& leg_planner, const PadOracle& pads,
                                               const RouterOptions& options = {},
                                               int max_leg_retries = 3);

/// One class's outcome when choosing a class.
struct ClassAttempt {
  std::string vehicle_class;
  search::Outcome outcome = search::Outcome::kNoRoute;
  RouteFailure failure = RouteFailure::kNone;
  std::string reason;
  std::optional<traj::Millis> arrival;
  double network_build_ms = 0.0;
};

struct ClassSelection {
  MissionPlan plan;  ///< of the chosen class, or the no-route plan if none is feasible
  std::vector<ClassAttempt> attempts;  ///< every class, in catalogue order
};

/// `vehicle_class` = a catalogue name, or "any": every class (catalogue order) whose payload
/// limit admits the request is planned and the earliest arrival wins (ties: catalogue order).
/// Builds one network per class tried. Errors: VEHICLE_CLASS_NOT_FOUND, those of
/// VertiportNetwork::build and plan_mission.
[[nodiscard]] Result<ClassSelection> plan_mission_with_class(
    const airspace::Airspace& airspace, const vehicle::VehicleCatalogue& catalogue,
    const std::string& vehicle_class, const MissionRequest& request, const LegPlanner& leg_planner,
    const PadOracle& pads, const RouterOptions& options = {},
    const NetworkOptions& network_options = {});

}  // namespace skylane::network
