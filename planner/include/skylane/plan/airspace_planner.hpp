// The airspace planner: one 4D trajectory for one vehicle class between two ground pads on a
// real map, against the reservations of accepted flights, the class's static airspace view and
// the zones active only part of the time and the run-time restrictions (restriction.hpp). Coarse to
// fine: a route over 8x8-column blocks (block_graph.hpp), a 2D column route near it
// (column_route.hpp), a corridor around that (corridor.hpp), an exact 2D heuristic and a
// climb-aware guide inside it (corridor_heuristic.hpp), SIPP inside the corridor (search/sipp.hpp),
// then smoothing (trajectory_smoothing.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/airspace/vehicle_view.hpp"
#include "skylane/core/error.hpp"
#include "skylane/plan/block_graph.hpp"
#include "skylane/search/reservation_table.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/search/sipp.hpp"
#include "skylane/traj/trajectory.hpp"
#include "skylane/vehicle/vehicle_class.hpp"

namespace skylane::plan {

class RestrictionSet;

/// A take-off or landing pad: a ground point in the map's working frame (metres). The pad sits on
/// the ground of its column unless alt_amsl_m says otherwise (a rooftop pad, metres AMSL).
struct PadPoint {
  double x_m = 0.0;
  double y_m = 0.0;
  std::optional<double> alt_amsl_m;
};

/// One flight to plan. Times are traj::Millis since the planner's epoch
/// (PlannerOptions::epoch_unix_s), like every trajectory and reservation.
struct PlanRequest {
  PadPoint from;
  PadPoint to;
  traj::Millis earliest_departure{0};  ///< the vehicle is ready on the start pad from then
  traj::Millis latest_departure{search::kTimeInf};  ///< it must take off by then
  std::optional<traj::Millis> arrival_deadline;     ///< landed by then, if set
  traj::Millis goal_dwell{60'000};  ///< time on the landing pad after touch-down (reserved)
  std::int64_t trajectory_id = 0;   ///< owner id of the result's reservations
  /// Run-time restrictions to respect (optional; must outlive the plan() call and be bound to
  /// the planner's airspace or to none). They act like timed zones: blocked over their exact
  /// active window on the voxels they cover, cut from the 2D detour route while active in the
  /// query horizon, and a pad they block throughout the window gives kStartBlocked /
  /// kGoalBlocked naming them. Restrictions whose kind the class may enter are ignored.
  const RestrictionSet* restrictions = nullptr;
  /// Energy-aware routing (optional): the 2D column route, and so the corridor SIPP searches,
  /// minimises the flight's estimated energy with this payload aboard instead of its time: each
  /// metre the terrain-following floor of the class rises (falls) along the route costs the
  /// cruise time that would use as much energy as climbing (descending) that metre
  /// (vehicle_energy.hpp), so the route goes round a ridge rather than over it when that saves
  /// energy. SIPP still minimises arrival time inside the corridor. Searches the whole map for
  /// the route (not only near the coarse block route). Must be finite and >= 0.
  std::optional<double> energy_payload_kg;
  /// Other pads of the same two sites (optional; airspace::pad_positions). The flight takes off
  /// from whichever of `from` and from_pads is free first for a take-off (ties: the earlier in
  /// that order). With the static-leg cache (PlannerOptions::static_legs) it is planned to the
  /// goal pad that could take it first: free for the dwell at the free-air arrival (the static
  /// leg's flight time to `to`), with the last 5 min of that leg's approach, moved onto the pad,
  /// clear of the reservations (ties: the earlier in `to`, to_pads). When the next pad by that
  /// ranking is as good (within PlannerOptions::ground_delay_tolerance), the chosen pad's
  /// search is first held to a few expansions per step of the free-air flight; a search cut
  /// there (traffic across that pad's route further out) gives way to the next pad if that one
  /// lands as expected, else the chosen pad is searched in full. Without the cache it is
  /// planned to `to`. If another goal pad would let it land more than ground_delay_tolerance
  /// earlier than that plan does, it is planned to that pad too and the earlier landing kept. A
  /// goal pad blocked for good (GOAL_BLOCKED, GOAL_IN_ZONE) makes it try the others in turn. Each
  /// pad must be a valid point as `from` and `to` are; a pad with no room to climb or in a zone is
  /// simply never the answer. AirspacePlan::from_pad / to_pad tell which.
  std::vector<PadPoint> from_pads;
  std::vector<PadPoint> to_pads;
};

/// Which constraint made a request infeasible (Outcome::kNoRoute).
enum class NoRouteReason {
  kNone,
  kStartInZone,       ///< the start pad lies in an always-active zone the class may not enter
  kStartBlocked,      ///< no room to climb from the pad, or the pad is reserved / in a timed
                      ///< zone throughout the departure window
  kGoalInZone,        ///< the goal pad lies in an always-active zone the class may not enter
  kGoalBlocked,       ///< no room to descend to the pad, or it is never free for the dwell,
                      ///< or it is in a timed zone / restriction from the departure until the
                      ///< arrival deadline (or for ever)
  kGoalUnreachable,   ///< no route, whatever the timing
  kWindowTooTight,    ///< a route exists if take-off could be later than latest_departure
  kDeadlineTooTight,  ///< a route exists, but not landing by arrival_deadline
};

/// Stable UPPER_SNAKE name ("START_IN_ZONE"), for JSON, logs and gRPC details.
[[nodiscard]] const char* no_route_reason_name(NoRouteReason reason);

struct PlannerOptions {
  /// Unix time of Millis 0: zones' activity windows are evaluated in absolute time.
  std::int64_t epoch_unix_s = 0;
  /// Corridor half-width (cells) around the 2D route(s) for the first fine search; when SIPP
  /// finds no route it retries with the width times 4 up to max_corridor_half_width.
  std::int32_t corridor_half_width = 4;
  std::int32_t max_corridor_half_width = 128;
  /// SIPP open-list weight on the guide (SippOptions::heuristic_weight). The guide is already
  /// inadmissible; a weight above 1 makes the search follow it instead of expanding the
  /// plateaus of near-equal alternatives, which matters most when traffic forces a wait (every
  /// state cheaper than the wait would otherwise be expanded). Measured on the default map, 50
  /// random missions against each other's reservations: weight 1.02 -> 46 s of SIPP in total
  /// (worst 19 s), weight 3 -> 0.34 s (worst 23 ms) for 0.4 % more total flight time.
  double heuristic_weight = 3.0;
  /// Classes that cannot hover: SippOptions::loiter_weight. Every airborne state is charged
  /// this times the time it has lost in the air since take-off (detours and loops forced by
  /// traffic) and, when the goal pad is still busy at its earliest arrival (an earlier flight's
  /// dwell), the loops it would have to fly there; so the search takes off later instead of
  /// expanding every loop (states per ground_wait_step of arrival time without hover).
  /// Measured on the default map (bench/plan_bench.cpp, longrange Huaqiangbei -> Boluo against
  /// 1,000 flights that keep both hub pads busy): charging only the goal's loops with exact-time
  /// states, 14 of 30 queries exhausted 2 million expansions; with the delay charge, 1 s state
  /// buckets and a landing hover (MotionModel::hovers_to_land), 7 of 30 still do.
  double loiter_weight = 8.0;
  /// Classes that cannot hover: SippOptions::air_time_bucket. Measured on the default map
  /// (bench/plan_bench.cpp, longrange Huaqiangbei -> Boluo, 60 queries against 1,000 flights):
  /// 1 s buckets (the ground_wait_step) generate 71k states per query at the median, 4 s 45k,
  /// for a median plan time of 22 -> 19 ms, the worst 170-190 -> 93-101 ms, and the same median
  /// flight time.
  traj::Millis air_time_bucket{4'000};
  /// Ground delay first: before searching the reservations, plan the flight in free air (SIPP
  /// over an empty schedule in the first corridor) and take it off later on the ground until it
  /// fits the reservations and timed zones as flown (search::Sipp::delayed). Accepted at once if
  /// it lands within ground_delay_tolerance of the reference arrival: the free-air flight taking
  /// off as soon as the start pad is free and landing as soon as the goal pad is free for the
  /// dwell (no plan of this planner lands earlier than that). Otherwise SIPP searches the
  /// reservations for an earlier arrival, within improve_expansions for each
  /// ground_delay_tolerance by which the delayed flight lands after the reference (at least
  /// once), and the delayed free-air flight stands if it finds none. Every plan still obeys SIPP's
  /// occupancy rule, so it is separated by construction. A ground delay costs no energy and no
  /// airspace; the search would otherwise explore every take-off time, detour and loop that might
  /// land earlier, which near a busy pad is millions of states for a class that cannot hover
  /// (bench/plan_bench.cpp).
  bool ground_delay_first = true;
  traj::Millis ground_delay_tolerance{60'000};
  std::uint64_t improve_expansions = 20'000;
  /// A vehicle that must wait before take-off waits off the pad (in its stand or hangar) and
  /// moves onto it at most this long before take-off: the trajectory, and so its reservation,
  /// starts then rather than at earliest_departure. Leaving the pad free meanwhile only frees
  /// airspace, so the plan stays separated; without it every waiting vehicle would hold its
  /// pad for the whole wait and block the flights behind it. kTimeInf: wait on the pad.
  traj::Millis max_pad_wait{30'000};
  /// Weight of the 2D route search (its cost is only a guide for the corridor).
  double route_weight = 1.5;
  /// Timed zones are evaluated from earliest_departure to latest_departure (or
  /// earliest_departure if unbounded) plus this; beyond it every timed zone counts as active.
  traj::Millis zone_horizon{std::chrono::hours(24)};
  /// Line-of-sight smoothing of the grid path (checked against reservations and zones).
  bool smooth = true;
  /// Static legs kept per pad pair (and energy costs): the column route, the first corridor
  /// with its guide, and the flight in free air. They depend on the map and the class only
  /// (restrictions and timed zones add a detour route, planned per query), so a repeated pair
  /// skips the route, guide and free-air searches; a plan between two given pads is the same
  /// with or without them. With PlanRequest::to_pads the cache also lets plan() choose the goal
  /// pad before planning (see there), so the pad it lands on may differ. About 2-4 MB per 73 km leg
  /// at 20 m cells (plan_bench's legs_MB); least recently used dropped first, past static_legs legs
  /// or static_leg_bytes (the newest always stays). 0 in either: no cache.
  std::size_t static_legs = 64;
  std::size_t static_leg_bytes = std::size_t{128} << 20;
};

struct PlanStats {
  std::uint64_t expansions = 0;          ///< SIPP expansions, all attempts
  std::uint64_t generated = 0;           ///< SIPP generated states, all attempts
  std::uint64_t route_expansions = 0;    ///< 2D column searches
  std::uint64_t heuristic_settled = 0;   ///< corridor Dijkstra
  std::size_t corridor_columns = 0;      ///< of the last attempt
  std::int32_t corridor_half_width = 0;  ///< of the last attempt
  std::int32_t attempts = 0;             ///< fine searches run
  std::size_t path_cells = 0;            ///< voxels on the SIPP path
  std::size_t shortcuts = 0;
  /// The plan is the free-air flight delayed on the ground (PlannerOptions::ground_delay_first)
  /// by ground_delay_ms (0: the free-air flight fits as it is).
  bool ground_delay = false;
  std::int64_t ground_delay_ms = 0;
  std::uint64_t free_air_expansions = 0;  ///< SIPP over an empty schedule (ground delay first)
  std::int64_t free_air_flight_ms = 0;    ///< its take-off to touch-down (0: not planned)
  std::int32_t pad_plans = 0;             ///< plans to other goal pads (PlanRequest::to_pads)
  std::int32_t static_legs_reused = 0;    ///< plans that took their static leg from the cache
  std::int32_t static_legs_built = 0;     ///< static legs planned by this call
  /// Of `expansions`, those that built static legs: not charged to the caller's budget, so a
  /// cold and a warm cache give the same answer.
  std::uint64_t static_leg_expansions = 0;
  double route_ms = 0.0;
  double heuristic_ms = 0.0;
  double sipp_ms = 0.0;
  double smooth_ms = 0.0;
  double plan_ms = 0.0;  ///< wall time of the whole plan() call
};

struct AirspacePlan {
  search::Outcome outcome = search::Outcome::kNoRoute;
  NoRouteReason reason = NoRouteReason::kNone;
  std::string reason_text;  ///< names the blocking constraint (zone, pad, window) if kNoRoute
  /// The flight: working-frame metres, z AMSL, t since the epoch; starts when the vehicle is
  /// ready on the start pad, ends at the end of the goal dwell. Ready for
  /// ReservationTable::reserve and the conflict checker.
  traj::Trajectory4D trajectory;
  traj::Trajectory4D grid_trajectory;  ///< SIPP's voxel-centre path, collinear points merged
  std::vector<search::PathStep> path;  ///< SIPP's voxel path
  bool smoothed = false;               ///< trajectory differs from grid_trajectory
  traj::Millis departure{0};  ///< on the pad (first waypoint; see PlannerOptions::max_pad_wait)
  traj::Millis takeoff{0};    ///< leaves the pad
  traj::Millis arrival{0};    ///< touches down on the goal pad
  double distance_m = 0.0;    ///< 3D length of `trajectory`
  search::Voxel start_pad;    ///< voxels of the pads
  search::Voxel goal_pad;
  /// Which pads of the request: 0 = from / to, k = from_pads / to_pads[k - 1].
  std::size_t from_pad = 0;
  std::size_t to_pad = 0;
  PlanStats stats;
};

/// Plans flights of one vehicle class over one airspace. Holds the class's VehicleView (2 bytes
/// per column) and BlockGraph (1/32 byte per column), built once, and a cache of static legs
/// (PlannerOptions::static_legs; behind a mutex). plan() is const and its answer depends on the
/// request and the table only: plans may run concurrently on one planner if nobody writes the
/// table meanwhile. The airspace must outlive the planner.
class AirspacePlanner {
 public:
  AirspacePlanner(AirspacePlanner&&) noexcept;
  AirspacePlanner& operator=(AirspacePlanner&&) noexcept;
  ~AirspacePlanner();

  /// Errors: INVALID_ARGUMENT (from VehicleView), SIPP_MOTION_MODEL_INVALID, CELL_SIZE_INVALID,
  /// PLAN_OPTIONS_INVALID.
  [[nodiscard]] static Result<AirspacePlanner> create(const airspace::Airspace& airspace,
                                                      const vehicle::VehicleClass& vehicle_class,
                                                      const PlannerOptions& options = {});

  /// Plans one flight against `table` (same dimensions as the map; may be empty).
  /// Bad requests are errors: PLAN_POINT_INVALID (NaN / infinite coordinate, pad below ground,
  /// same start and goal column), PLAN_POINT_OUTSIDE_MAP, PLAN_WINDOW_INVALID (inverted window,
  /// deadline before it, negative dwell), SIPP_TABLE_MISMATCH, RESTRICTION_MAP_MISMATCH
  /// (request.restrictions bound to another airspace). Infeasibility, budget and
  /// cancellation are outcomes. A no-route answer from a corridor is final only after the widest
  /// corridor; START_/GOAL_ reasons and a 2D route search that finds nothing are proofs over the
  /// whole map. stop.max_expansions bounds the searches against the reservations; a static
  /// leg's own route and free-air searches (once per pad pair, PlannerOptions::static_legs) are
  /// bounded by 2,000,000 expansions or the caller's budget if larger, so that a cold and a warm
  /// cache give the same answer; the deadline and cancellation bound everything. Typical cost:
  /// see bench/plan_bench.cpp.
  [[nodiscard]] Result<AirspacePlan> plan(const PlanRequest& request,
                                          const search::ReservationTable& table,
                                          const search::StopCondition& stop = {}) const;

  [[nodiscard]] const airspace::Airspace& airspace() const { return *airspace_; }
  [[nodiscard]] const vehicle::VehicleClass& vehicle_class() const { return class_; }
  [[nodiscard]] const airspace::VehicleView& view() const { return *view_; }
  [[nodiscard]] const PlannerOptions& options() const { return options_; }
  /// Static legs held in the cache now (PlannerOptions::static_legs) and their bytes.
  [[nodiscard]] std::size_t static_legs_cached() const;
  [[nodiscard]] std::size_t static_leg_bytes() const;
  /// Empties the cache (e.g. to measure cold queries).
  void clear_static_legs();

 private:
  struct StaticLeg;
  class StaticLegCache;
  AirspacePlanner();
  /// plan() for `request`'s from / to only (its from_pads / to_pads are ignored). With
  /// `static_only` it stops once it has the static leg (no table, no timed zones): outcome
  /// kFound and stats.free_air_flight_ms, or why the pads have no leg; the leg in *leg_out.
  /// `cap` bounds the expansions against the reservations (stats.expansions but a static leg's)
  /// below stop.max_expansions; the route searches keep stop's budget.
  [[nodiscard]] Result<AirspacePlan> plan_one(
      const PlanRequest& request, const search::ReservationTable& table,
      const search::StopCondition& stop, bool static_only = false,
      std::shared_ptr<const StaticLeg>* leg_out = nullptr,
      std::uint64_t cap = std::numeric_limits<std::uint64_t>::max()) const;

  const airspace::Airspace* airspace_ = nullptr;
  vehicle::VehicleClass class_;
  PlannerOptions options_;
  std::unique_ptr<airspace::VehicleView> view_;
  BlockGraph blocks_;
  std::unique_ptr<StaticLegCache> legs_;
};

}  // namespace skylane::plan
