// The 4D LegPlanner of the multi-leg router (network/leg_planner.hpp): each leg is planned by
// the AirspacePlanner of its vehicle class (taken from a shared PlannerPool) between the two
// vertiports' pads, against a reservation table, and the profile the router books energy from
// is measured on the 4D trajectory actually planned.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "skylane/core/error.hpp"
#include "skylane/network/leg_planner.hpp"
#include "skylane/plan/airspace_planner.hpp"
#include "skylane/plan/planner_pool.hpp"
#include "skylane/search/reservation_table.hpp"
#include "skylane/traj/trajectory.hpp"
#include "skylane/vehicle/vehicle_energy.hpp"

namespace skylane::plan {

struct AirspaceLegPlannerOptions {
  /// Owner id of every leg's trajectory (Trajectory4D::id), e.g. the mission id: the caller
  /// reserves the legs under it and releases them together.
  std::int64_t trajectory_id = 0;
  /// Time on the landing pad after touch-down, reserved with the leg (PlanRequest::goal_dwell).
  /// Set it to the router's pad slot (network::RouterOptions::pad_slot).
  traj::Millis goal_dwell{60'000};
  /// Take-off no later than earliest departure + this; unset: no bound (the planner may wait on
  /// the pad as long as it must, and proves "no route" over all departures).
  std::optional<traj::Millis> max_departure_delay;
  /// Hover charged per leg for take-off and landing (the planned trajectory lifts off and
  /// touches down without hovering). Default as the network's estimates
  /// (NetworkOptions::hover_s_per_leg) and the catalogue's calibration flight.
  double takeoff_landing_hover_s = vehicle::kReferenceHoverS;
  /// Deadline / cancellation / expansion cap of each leg's plan.
  search::StopCondition stop;
  /// Called on every PlanRequest just before it is planned (after the fields above are set):
  /// where a caller adds what PlanRequest gains later (runtime restrictions, deadlines). May be
  /// empty. Called from the thread that plans; must not throw.
  std::function<void(PlanRequest&)> customise_request;
  /// When the leg as planned needs more energy than the class may use on one battery
  /// (vehicle::usable_energy_wh), plan it again with an energy-aware route
  /// (PlanRequest::energy_payload_kg = the leg's payload) and keep whichever needs less.
  bool energy_aware_retry = true;
};

/// A LegPlanner backed by the 4D planner. Holds references: the pool and the table must outlive
/// it, and nobody may write the table while a leg is being planned (ReservationTable's rule).
/// operator() is const and keeps no per-call state: one object may serve concurrent missions.
class AirspaceLegPlanner {
 public:
  AirspaceLegPlanner(const PlannerPool& pool, const search::ReservationTable& table,
                     AirspaceLegPlannerOptions options = {});

  /// Plans one leg: from the pad of request.from (its working-frame x/y, on the ground) to that
  /// of request.to, earliest departure = request.earliest_departure (mission time = the pool's
  /// epoch), with the options above, for the pool's planner of request.vehicle->name.
  /// LegPlan: outcome/reason from the planner (reason = "NO_ROUTE_REASON: text"); trajectory =
  /// the whole planned flight (ready on the start pad to the end of the goal dwell, id =
  /// trajectory_id), ready to reserve; departure = take-off; arrival = touch-down; flown =
  /// flown_profile() of it (see energy_aware_retry). Errors: INVALID_ARGUMENT (request without
  /// vertiports or class, or a class whose motion, limits or separation differ from the pool's
  /// class of that name), VEHICLE_CLASS_NOT_FOUND, and the planner's (PLAN_POINT_OUTSIDE_MAP, ...).
  [[nodiscard]] Result<network::LegPlan> operator()(const network::LegRequest& request) const;

  /// This object as a network::LegPlanner (which refers to it: keep it alive).
  [[nodiscard]] network::LegPlanner as_leg_planner() const;

  [[nodiscard]] const AirspaceLegPlannerOptions& options() const { return options_; }
  [[nodiscard]] const PlannerPool& pool() const { return *pool_; }

 private:
  const PlannerPool* pool_;
  const search::ReservationTable* table_;
  AirspaceLegPlannerOptions options_;
};

/// The profile vehicle::energy_wh is evaluated on, measured on `trajectory` between take-off and
/// touch-down (waits on the pads before and after are on the ground and cost nothing):
/// horizontal_m = horizontal length, plus cruise_speed x the time a moving piece takes beyond
/// its horizontal time at cruise speed plus its vertical time at the climb or descent rate (the
/// times the energy model charges, in sequence): smoothing keeps the grid path's times, so a
/// shortcut may be flown slower than the moves it replaced; that time is charged as cruise, an
/// upper bound of slow flight for a multirotor whose cruise power exceeds its hover power and
/// what a wing-borne class spends going round;
/// climb_m / descent_m = sums of the rises and falls; hover_s = time spent in the air without
/// moving, plus takeoff_landing_hover_s. Charging climb and cruise in sequence while SIPP flies
/// them at once is conservative. O(points).
[[nodiscard]] vehicle::FlightProfile flown_profile(const traj::Trajectory4D& trajectory,
                                                   traj::Millis takeoff, traj::Millis touchdown,
                                                   const vehicle::VehicleClass& vehicle,
                                                   double takeoff_landing_hover_s);

}  // namespace skylane::plan
