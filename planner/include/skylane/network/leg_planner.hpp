// The seam between the multi-leg router and 4D planning: a LegPlanner plans one leg between two
// vertiports for a vehicle class from an earliest departure and returns the trajectory it found
// (with its times and the profile flown, from which the router books energy) or a no-route
// reason. The 4D implementation is plan::AirspaceLegPlanner (plan/airspace_leg_planner.hpp);
// router tests also use the straight-line stand-in (straight_line_leg_planner.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "skylane/airspace/vertiport.hpp"
#include "skylane/core/error.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/traj/trajectory.hpp"
#include "skylane/vehicle/vehicle_class.hpp"
#include "skylane/vehicle/vehicle_energy.hpp"

namespace skylane::network {

struct LegRequest {
  std::size_t from_index = 0;  ///< into Airspace::vertiports()
  std::size_t to_index = 0;
  const airspace::Vertiport* from = nullptr;
  const airspace::Vertiport* to = nullptr;
  const vehicle::VehicleClass* vehicle = nullptr;
  double payload_kg = 0.0;
  traj::Millis earliest_departure{0};  ///< mission time; take-off not before this
  /// The pad of `from` the vehicle stands on (an airspace::pad_positions index), e.g. where its
  /// previous leg landed: the leg takes off from it. Unset: from whichever pad suits.
  std::optional<std::size_t> from_pad;
};

struct LegPlan {
  search::Outcome outcome = search::Outcome::kNoRoute;
  std::string reason;  ///< why not found (e.g. a SIPP NoRouteReason name); empty when found
  traj::Trajectory4D trajectory;  ///< working frame, AMSL, mission time
  traj::Millis departure{0};      ///< take-off (leaves the pad), mission time
  traj::Millis arrival{0};        ///< touchdown, mission time; duration = arrival - departure
  /// What was flown: horizontal length (m), total climb and descent (m), hover (s). The router
  /// books the leg's energy from it with vehicle::energy_wh.
  vehicle::FlightProfile flown;
  /// The pads used (airspace::pad_positions indices of `from` and `to`; 0 = the vertiport point).
  std::size_t from_pad = 0;
  std::size_t to_pad = 0;
};

/// Plans one leg. Return an Error only for a bad request or a bug; "no route" and "budget
/// exhausted" are LegPlan outcomes. Called sequentially by the router.
using LegPlanner = std::function<Result<LegPlan>(const LegRequest&)>;

}  // namespace skylane::network
