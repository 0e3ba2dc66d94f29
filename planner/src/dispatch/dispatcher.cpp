#include "skylane/dispatch/dispatcher.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <utility>

#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/core/try.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/network/mission_router.hpp"
#include "skylane/network/pad_availability.hpp"
#include "skylane/plan/airspace_leg_planner.hpp"
#include "skylane/plan/airspace_planner.hpp"
#include "skylane/plan/planner_pool.hpp"
#include "skylane/plan/restriction.hpp"
#include "skylane/search/reservation_table.hpp"
#include "skylane/vehicle/vehicle_energy.hpp"

namespace skylane::dispatch {

namespace {

using Clock = std::chrono::steady_clock;
using traj::Millis;

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double elapsed_ms(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

bool finite(double v) { return std::isfinite(v); }

double length_3d(const traj::Trajectory4D& t) {
  double d = 0.0;
  for (std::size_t i = 1; i < t.points.size(); ++i) {
    const auto& a = t.points[i - 1];
    const auto& b = t.points[i];
    d += std::sqrt((b.x_m - a.x_m) * (b.x_m - a.x_m) + (b.y_m - a.y_m) * (b.y_m - a.y_m) +
                   (b.z_m - a.z_m) * (b.z_m - a.z_m));
  }
  return d;
}

/// Outcome of planning one mission (before commit).
struct Planned {
  bool found = false;
  MissionPlan plan;
  std::string reason;  ///< UPPER_SNAKE when not found
  std::string reason_text;
};

/// Readers (planners) take the table shared; a writer first takes the gate, so that new readers
/// queue behind it instead of starving it (glibc's rwlock prefers readers).
class TableLock {
 public:
  std::shared_lock<std::shared_mutex> read() const {
    std::lock_guard gate(gate_);
    return std::shared_lock(mutex_);
  }
  std::unique_lock<std::shared_mutex> write() const {
    std::lock_guard gate(gate_);
    return std::unique_lock(mutex_);
  }

 private:
  mutable std::mutex gate_;
  mutable std::shared_mutex mutex_;
};

// ---- runtime restrictions (plan/restriction.hpp) ------------------------------------------

Result<plan::Restriction> to_plan_restriction(const RestrictionSpec& spec, std::int64_t epoch_ms) {
  plan::Restriction r;
  r.id = spec.id;
  r.name = spec.name;
  auto kind = airspace::parse_zone_kind(spec.kind);
  if (!kind) {
    return fail("RESTRICTION_INVALID", "restriction kind '" + spec.kind +
                                           "' is not one of prohibited, restricted, "
                                           "airport_protection, border_band, temporary");
  }
  r.kind = *kind;
  r.ring_lonlat = spec.ring_lonlat;
  r.floor = {spec.floor_m,
             spec.floor_agl ? airspace::AltitudeRef::kAgl : airspace::AltitudeRef::kAmsl};
  r.ceiling = {spec.ceiling_m,
               spec.ceiling_agl ? airspace::AltitudeRef::kAgl : airspace::AltitudeRef::kAmsl};
  r.active_from = Millis(spec.active_from_unix_ms - epoch_ms);
  r.active_to =
      spec.active_to_unix_ms ? Millis(*spec.active_to_unix_ms - epoch_ms) : search::kTimeInf;
  return r;
}

/// The restriction rasterised on the map (a few ms: outside any lock where possible).
Result<plan::RestrictionSet::Entry> rasterise(const RestrictionSpec& spec,
                                              const airspace::Airspace& airspace,
                                              std::int64_t epoch_ms) {
  SKY_TRY(r, to_plan_restriction(spec, epoch_ms));
  SKY_TRY(frame, geo::GeoFrame::create(airspace.info().crs));
  return plan::RasterisedRestriction::create(r, airspace, frame);
}

/// A copy of `set` with `entry` added (the set is immutable once published: planners may hold
/// the old one).
Result<std::shared_ptr<const plan::RestrictionSet>> with_restriction(
    const plan::RestrictionSet& set, plan::RestrictionSet::Entry entry) {
  plan::RestrictionSet copy = set;
  SKY_CHECK(copy.add(std::move(entry)));
  return std::make_shared<const plan::RestrictionSet>(std::move(copy));
}

std::shared_ptr<const plan::RestrictionSet> without_restriction(const plan::RestrictionSet& set,
                                                                std::int64_t id) {
  plan::RestrictionSet copy = set;
  copy.remove(id);
  return std::make_shared<const plan::RestrictionSet>(std::move(copy));
}

}  // namespace

struct Dispatcher::Impl {
  const airspace::Airspace* airspace = nullptr;
  const vehicle::VehicleCatalogue* catalogue = nullptr;
  DispatcherOptions options;
  std::unique_ptr<Journal> journal;
  std::string crs;
  std::unique_ptr<plan::PlannerPool> pool;  ///< one planner per served class
  std::vector<std::string> served;          ///< class names, catalogue order
  traj::SeparationEnvelope max_envelope;
  std::int64_t epoch_ms = 0;

  // The reservation table, the restriction set and the commit log: read under table_lock.read(),
  // written under table_lock.write(). Lock order: table, then state, then events.
  TableLock table_lock;
  std::unique_ptr<search::ReservationTable> table;
  std::shared_ptr<const plan::RestrictionSet> restriction_set;
  std::uint64_t version = 0;              ///< bumped by every commit that reserves
  std::uint64_t restriction_version = 0;  ///< bumped by every restriction added
  /// What the table holds, per mission: its joined trajectory, class separation and the version
  /// that committed it (for the commit-time check with the independent conflict checker).
  struct LiveFlight {
    std::string vehicle_class;
    traj::SeparationEnvelope separation;
    std::vector<traj::Trajectory4D> legs;
    std::uint64_t committed_version = 0;
  };
  std::map<std::int64_t, LiveFlight> live_flights;

  mutable std::mutex state_mutex;
  std::map<std::int64_t, Mission> missions;
  std::set<std::int64_t> live;  ///< PLANNED and ACTIVE missions (they hold reservations)
  std::map<std::pair<std::string, std::string>, std::int64_t> by_request;
  std::map<std::int64_t, RestrictionSpec> restrictions;
  std::int64_t next_restriction_id = 1;
  std::atomic<std::int64_t> next_mission_id{1};
  /// Completed missions whose reservations are still held: (release time, id).
  std::multimap<std::int64_t, std::int64_t> to_release;
  std::uint64_t commits = 0;
  std::uint64_t commit_retries = 0;

  mutable std::mutex event_mutex;
  mutable std::condition_variable event_cv;
  std::deque<MissionEvent> events;
  std::uint64_t last_seq = 0;
  bool shut_down = false;

  [[nodiscard]] std::int64_t now() const {
    return options.clock ? options.clock() : system_now_ms();
  }
  [[nodiscard]] Millis to_mission_time(std::int64_t unix_ms) const {
    return Millis(unix_ms - epoch_ms);
  }
  [[nodiscard]] std::int64_t to_unix(Millis t) const { return t.count() + epoch_ms; }

  const plan::AirspacePlanner* planner_for(std::string_view name) const {
    if (std::find(served.begin(), served.end(), name) == served.end()) return nullptr;
    return pool->find(name);
  }

  // ---- validation -------------------------------------------------------------------------

  Result<plan::PadPoint> resolve(const Endpoint& e, const char* which, geo::GeoFrame& frame,
                                 const airspace::Vertiport** vertiport) const {
    *vertiport = nullptr;
    if (!e.vertiport.empty()) {
      for (const auto& v : airspace->vertiports()) {
        if (v.name == e.vertiport) {
          *vertiport = &v;
          return plan::PadPoint{v.x_m, v.y_m, {}};
        }
      }
      std::string names;
      for (const auto& v : airspace->vertiports()) names += (names.empty() ? "" : ", ") + v.name;
      return fail("VERTIPORT_NOT_FOUND", std::string(which) + ": no vertiport named '" +
                                             e.vertiport + "' on this map (known: " + names + ")");
    }
    if (!e.lon_deg || !e.lat_deg) {
      return fail("MISSION_REQUEST_INVALID",
                  std::string(which) + ": give a vertiport name or both lon_deg and lat_deg");
    }
    if (!finite(*e.lon_deg) || !finite(*e.lat_deg) || std::abs(*e.lat_deg) > 90.0 ||
        std::abs(*e.lon_deg) > 180.0) {
      return fail("MISSION_REQUEST_INVALID",
                  std::string(which) + ": coordinate (" + std::to_string(*e.lon_deg) + ", " +
                      std::to_string(*e.lat_deg) + ") is not a valid WGS 84 lon/lat");
    }
    SKY_TRY(p, frame.to_plane({*e.lon_deg, *e.lat_deg}));
    std::int32_t cx = 0;
    std::int32_t cy = 0;
    if (!airspace->column_at(p.x_m, p.y_m, cx, cy)) {
      return fail("PLAN_POINT_OUTSIDE_MAP",
                  std::string(which) + ": (" + std::to_string(*e.lon_deg) + ", " +
                      std::to_string(*e.lat_deg) + ") lies outside the map '" +
                      airspace->info().name + "'");
    }
    return plan::PadPoint{p.x_m, p.y_m, {}};
  }

  Result<void> validate(const MissionRequest& r, std::int64_t now_ms) const {
    if (r.operator_id.empty()) return fail("MISSION_REQUEST_INVALID", "operator_id is empty");
    if (r.request_id.size() > 128) {
      return fail("MISSION_REQUEST_INVALID", "request_id is longer than 128 bytes");
    }
    if (!finite(r.payload_kg) || r.payload_kg < 0.0) {
      return fail("MISSION_REQUEST_INVALID",
                  "payload_kg " + std::to_string(r.payload_kg) + " is negative or not a number");
    }
    if (r.payload_kg > options.max_payload_kg) {
      return fail("MISSION_REQUEST_INVALID", "payload_kg " + std::to_string(r.payload_kg) +
                                                 " exceeds the service limit of " +
                                                 std::to_string(options.max_payload_kg) + " kg");
    }
    if (r.vehicle_class != "any" && planner_for(r.vehicle_class) == nullptr) {
      std::string names;
      for (const auto& name : served) names += (names.empty() ? "" : ", ") + name;
      return fail("VEHICLE_CLASS_NOT_FOUND", "vehicle_class '" + r.vehicle_class +
                                                 "' is not served here (served: " + names +
                                                 ", or \"any\")");
    }
    if (r.earliest_departure_unix_ms < now_ms - options.max_past_ms) {
      return fail("MISSION_REQUEST_INVALID",
                  "earliest departure " + std::to_string(r.earliest_departure_unix_ms) +
                      " ms is in the past (now " + std::to_string(now_ms) + " ms)");
    }
    if (r.earliest_departure_unix_ms - epoch_ms > std::int64_t{20} * 24 * 3600 * 1000) {
      return fail("MISSION_REQUEST_INVALID",
                  "earliest departure is more than 20 days after the dispatcher epoch");
    }
    if (r.deadline_unix_ms && *r.deadline_unix_ms <= r.earliest_departure_unix_ms) {
      return fail("MISSION_REQUEST_INVALID", "deadline " + std::to_string(*r.deadline_unix_ms) +
                                                 " ms is not after the earliest departure " +
                                                 std::to_string(r.earliest_departure_unix_ms) +
                                                 " ms");
    }
    if (!r.origin.vertiport.empty() && r.origin.vertiport == r.destination.vertiport) {
      return fail("MISSION_REQUEST_INVALID",
                  "origin and destination are the same vertiport '" + r.origin.vertiport + "'");
    }
    return {};
  }

  // ---- planning ---------------------------------------------------------------------------

  /// Classes to try for a request: the named one, or for "any" every served class that can
  /// carry the payload, fastest cruise first (catalogue order on ties).
  std::vector<const vehicle::VehicleClass*> candidate_classes(const MissionRequest& r) const {
    std::vector<const vehicle::VehicleClass*> out;
    for (const auto& e : catalogue->entries()) {
      if (r.vehicle_class != "any" && e.vehicle.name != r.vehicle_class) continue;
      if (planner_for(e.vehicle.name) == nullptr) continue;
      if (r.vehicle_class == "any" && r.payload_kg > e.vehicle.max_payload_kg) continue;
      out.push_back(&e.vehicle);
    }
    std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
      return a->motion.cruise_speed_mps > b->motion.cruise_speed_mps;
    });
    return out;
  }

  /// One direct flight between two pads for one class (coordinate ends, or a vertiport pair
  /// the router is not needed for).
  Result<Planned> plan_direct(const MissionRequest& r, std::int64_t id,
                              const vehicle::VehicleClass& vc, const plan::PadPoint& from,
                              const plan::PadPoint& to, const std::string& from_name,
                              const std::string& to_name, const plan::RestrictionSet* restrictions,
                              const search::StopCondition& stop) const {
    Planned out;
    if (r.payload_kg > vc.max_payload_kg) {
      out.reason = "PAYLOAD_ABOVE_CLASS_LIMIT";
      out.reason_text = "payload " + std::to_string(r.payload_kg) + " kg exceeds " + vc.name +
                        "'s limit of " + std::to_string(vc.max_payload_kg) + " kg";
      return out;
    }
    const plan::AirspacePlanner& planner = *planner_for(vc.name);
    plan::PlanRequest q;
    q.from = from;
    q.to = to;
    q.earliest_departure = to_mission_time(r.earliest_departure_unix_ms);
    q.latest_departure = q.earliest_departure + Millis(options.departure_window_ms);
    if (r.deadline_unix_ms) q.arrival_deadline = to_mission_time(*r.deadline_unix_ms);
    q.goal_dwell = Millis(options.pad_dwell_ms);
    q.trajectory_id = id;
    q.restrictions = restrictions;
    SKY_TRY(p, planner.plan(q, *table, stop));
    if (p.outcome != search::Outcome::kFound) {
      out.reason = p.outcome == search::Outcome::kNoRoute     ? plan::no_route_reason_name(p.reason)
                   : p.outcome == search::Outcome::kCancelled ? "PLAN_CANCELLED"
                                                              : "PLAN_BUDGET_EXHAUSTED";
      out.reason_text = vc.name + ": " + p.reason_text;
      return out;
    }
    const vehicle::FlightProfile flown =
        plan::flown_profile(p.trajectory, p.takeoff, p.arrival, vc, vehicle::kReferenceHoverS);
    const double energy = vehicle::energy_wh(vc, r.payload_kg, flown);
    const double usable = vehicle::usable_energy_wh(vc);
    if (energy > usable) {
      out.reason = "ENERGY_INSUFFICIENT";
      out.reason_text = vc.name + ": the direct flight needs " + std::to_string(energy) +
                        " Wh with " + std::to_string(r.payload_kg) + " kg, " +
                        std::to_string(usable) + " Wh usable above the reserve";
      return out;
    }
    PlannedLeg leg;
    leg.from = from_name;
    leg.to = to_name;
    leg.departure_unix_ms = to_unix(p.takeoff);
    leg.arrival_unix_ms = to_unix(p.arrival);
    leg.distance_m = p.distance_m;
    leg.energy_wh = energy;
    leg.battery_fraction_at_landing = 1.0 - energy / vc.energy.battery_wh;
    leg.trajectory = std::move(p.trajectory);
    leg.trajectory.id = id;
    leg.trajectory_epoch_unix_ms = epoch_ms;
    out.found = true;
    out.plan.vehicle_class = vc.name;
    out.plan.departure_unix_ms = leg.departure_unix_ms;
    out.plan.arrival_unix_ms = leg.arrival_unix_ms;
    out.plan.energy_wh = energy;
    out.plan.distance_m = leg.distance_m;
    out.plan.legs.push_back(std::move(leg));
    return out;
  }

  /// Vertiport to vertiport through the network (relays and swaps when one hop is too far).
  Result<Planned> plan_network(const MissionRequest& r, std::int64_t id,
                               const vehicle::VehicleClass& vc,
                               const plan::RestrictionSet* restrictions,
                               const search::StopCondition& stop) const {
    const std::int64_t dwell = options.pad_dwell_ms;
    // The 4D leg planner: the router hands it (from, to, earliest departure); it plans against
    // the current table with this mission's id and the restrictions of the snapshot.
    plan::AirspaceLegPlannerOptions lo;
    lo.trajectory_id = id;
    lo.goal_dwell = Millis(dwell);
    lo.max_departure_delay = Millis(options.departure_window_ms);
    lo.stop = stop;
    lo.customise_request = [restrictions](plan::PlanRequest& q) { q.restrictions = restrictions; };
    const plan::AirspaceLegPlanner leg_planner(*pool, *table, std::move(lo));
    const network::LegPlanner legs = leg_planner.as_leg_planner();
    network::MissionRequest mr;
    mr.origin = r.origin.vertiport;
    mr.destination = r.destination.vertiport;
    mr.payload_kg = r.payload_kg;
    mr.earliest_departure = to_mission_time(r.earliest_departure_unix_ms);
    if (r.deadline_unix_ms) mr.latest_arrival = to_mission_time(*r.deadline_unix_ms);
    mr.epoch_unix_s = epoch_ms / 1000;
    network::RouterOptions ro;
    ro.pad_slot = Millis(dwell);
    ro.stop = stop;
    network::NetworkOptions no;
    no.view = &planner_for(vc.name)->view();
    SKY_TRY(sel, network::plan_mission_with_class(*airspace, *catalogue, vc.name, mr, legs,
                                                  pad_oracle(), ro, no));
    Planned out;
    const network::MissionPlan& mp = sel.plan;
    if (mp.outcome != search::Outcome::kFound) {
      out.reason = mp.outcome == search::Outcome::kNoRoute
                       ? (mp.failure != network::RouteFailure::kNone
                              ? network::route_failure_name(mp.failure)
                              : "NO_ROUTE")
                       : "PLAN_BUDGET_EXHAUSTED";
      out.reason_text = vc.name + ": " + mp.reason;
      return out;
    }
    out.found = true;
    out.plan.vehicle_class = vc.name;
    out.plan.departure_unix_ms = to_unix(mp.legs.front().plan.departure);
    out.plan.arrival_unix_ms = to_unix(mp.legs.back().plan.arrival);
    out.plan.energy_wh = mp.energy_wh;
    for (const network::MissionLeg& ml : mp.legs) {
      PlannedLeg leg;
      leg.from = ml.from_name;
      leg.to = ml.to_name;
      leg.trajectory = ml.plan.trajectory;
      leg.trajectory.id = id;
      leg.trajectory_epoch_unix_ms = epoch_ms;
      leg.departure_unix_ms = to_unix(ml.plan.departure);
      leg.arrival_unix_ms = to_unix(ml.plan.arrival);
      leg.distance_m = length_3d(leg.trajectory);
      leg.energy_wh = ml.energy_wh;
      leg.battery_fraction_at_landing = ml.battery_fraction_at_landing;
      out.plan.distance_m += leg.distance_m;
      out.plan.legs.push_back(std::move(leg));
    }
    for (const network::GroundStop& gs : mp.stops) {
      out.plan.stops.push_back({gs.name, network::stop_service_name(gs.service),
                                to_unix(gs.arrival), to_unix(gs.departure)});
    }
    return out;
  }

  /// The pad voxel of a vertiport: the layer whose centre is the first at or above the ground
  /// of its column (as the planner places pads).
  std::optional<search::Voxel> pad_voxel(const airspace::Vertiport& v) const {
    std::int32_t x = 0;
    std::int32_t y = 0;
    if (!airspace->column_at(v.x_m, v.y_m, x, y)) return std::nullopt;
    const auto& info = airspace->info();
    const double ground = airspace->ground_amsl_m(airspace->column(x, y));
    const double layer =
        std::ceil((ground - info.altitude_min_amsl_m) / info.cell_z_m - 0.5 - 1e-9);
    if (layer < 0.0 || layer >= info.nz) return std::nullopt;
    return search::Voxel{x, y, static_cast<std::int32_t>(layer)};
  }

  /// Pad slots for the router, read from the reservation table: the earliest start >= t at which
  /// the vertiport's pad voxel is free for the whole duration (so that a vehicle waiting on a
  /// relay pad between two legs holds airspace nobody else holds). Reads the table: call with it
  /// held.
  network::PadOracle pad_oracle() const {
    return [this](std::size_t v, Millis earliest, Millis duration) -> std::optional<Millis> {
      const auto& ports = airspace->vertiports();
      if (v >= ports.size()) return std::nullopt;
      const auto voxel = pad_voxel(ports[v]);
      if (!voxel) return std::nullopt;
      for (const search::SafeInterval& si : table->safe_intervals(*voxel)) {
        const Millis start = std::max(si.begin, earliest);
        if (si.end == search::kTimeInf || start + duration <= si.end) return start;
      }
      return std::nullopt;
    };
  }

  /// Plans a mission against the current table (caller holds it shared, or exclusively).
  /// "any": the first class of candidate_classes() that finds a plan (fastest first: planning
  /// every class and keeping the earliest arrival costs a plan per class for a gain only when a
  /// slower class beats a faster one, which traffic rarely makes worth it).
  Result<Planned> plan_mission(const MissionRequest& r, std::int64_t id,
                               const plan::RestrictionSet* restrictions,
                               const search::StopCondition& stop) const {
    const auto t0 = Clock::now();
    SKY_TRY(frame, geo::GeoFrame::create(crs));
    const airspace::Vertiport* va = nullptr;
    const airspace::Vertiport* vb = nullptr;
    SKY_TRY(from, resolve(r.origin, "origin", frame, &va));
    SKY_TRY(to, resolve(r.destination, "destination", frame, &vb));
    const std::string from_name =
        va ? va->name : std::to_string(*r.origin.lon_deg) + "," + std::to_string(*r.origin.lat_deg);
    const std::string to_name =
        vb ? vb->name
           : std::to_string(*r.destination.lon_deg) + "," + std::to_string(*r.destination.lat_deg);
    std::optional<Planned> best;
    std::vector<std::string> why;
    std::string first_reason;
    for (const vehicle::VehicleClass* vc : candidate_classes(r)) {
      if (best) break;
      Planned p;
      if (va && vb) {
        SKY_ASSIGN(p, plan_network(r, id, *vc, restrictions, stop));
      } else {
        SKY_ASSIGN(p, plan_direct(r, id, *vc, from, to, from_name, to_name, restrictions, stop));
      }
      if (p.found) {
        if (!best || p.plan.arrival_unix_ms < best->plan.arrival_unix_ms) best = std::move(p);
      } else {
        if (first_reason.empty()) first_reason = p.reason;
        why.push_back(p.reason_text.empty() ? vc->name + ": " + p.reason : p.reason_text);
      }
    }
    if (best) {
      best->plan.plan_ms = elapsed_ms(t0);
      return std::move(*best);
    }
    Planned out;
    if (first_reason.empty()) {
      out.reason = "PAYLOAD_ABOVE_CLASS_LIMIT";
      out.reason_text = "no vehicle class carries " + std::to_string(r.payload_kg) + " kg";
    } else {
      out.reason = first_reason;
      for (const auto& w : why) out.reason_text += (out.reason_text.empty() ? "" : "; ") + w;
    }
    out.plan.plan_ms = elapsed_ms(t0);
    return out;
  }

  // ---- table ------------------------------------------------------------------------------

  /// Pad holds of a plan's battery swaps: the router's stop rules put the swap on the landing
  /// pad right after the leg's own dwell (route_search.hpp, STOP RULES). Mission time.
  struct PadHold {
    search::Voxel pad;
    Millis begin;
    Millis end;
  };
  std::vector<PadHold> swap_holds(const MissionPlan& plan,
                                  const std::vector<traj::Trajectory4D>& legs) const {
    std::vector<PadHold> out;
    const vehicle::VehicleClass* vc = catalogue->find(plan.vehicle_class);
    if (vc == nullptr) return out;
    const auto swap = Millis(static_cast<std::int64_t>(std::ceil(vc->swap_time_s * 1000.0)));
    for (std::size_t i = 0; i < plan.stops.size() && i < legs.size(); ++i) {
      const PlannedStop& stop = plan.stops[i];
      if (stop.service != "swap" || legs[i].points.empty()) continue;
      for (const auto& v : airspace->vertiports()) {
        if (v.name != stop.vertiport) continue;
        if (const auto voxel = pad_voxel(v)) {
          const Millis begin = legs[i].points.back().t;  // end of the leg's dwell
          out.push_back({*voxel, begin, begin + swap});
        }
      }
    }
    return out;
  }

  Result<void> reserve(const Mission& m) {
    if (!m.plan) return {};
    const vehicle::VehicleClass* vc = catalogue->find(m.plan->vehicle_class);
    if (vc == nullptr) {
      return fail("DISPATCH_RECOVERY_FAILED", "mission " + std::to_string(m.id) +
                                                  " uses vehicle class '" + m.plan->vehicle_class +
                                                  "', which the catalogue no longer has");
    }
    // Each leg holds its airspace and both pads (ground wait before take-off, dwell after
    // touchdown); between legs the vehicle is on a stand, except during a battery swap, which
    // holds the pad. Legs of one mission are one vehicle and never conflict with each other.
    std::vector<traj::Trajectory4D> legs = legs_of(m);
    for (const traj::Trajectory4D& t : legs) {
      auto r = table->reserve(t, vc->separation, max_envelope, airspace->info().geometry());
      if (!r) {
        table->release(m.id);
        return tl::unexpected(r.error());
      }
    }
    for (const PadHold& h : swap_holds(*m.plan, legs)) {
      auto r = table->reserve_pad(h.pad, h.begin, h.end, m.id);
      if (!r) {
        table->release(m.id);
        return tl::unexpected(r.error());
      }
    }
    live_flights[m.id] = {vc->name, vc->separation, std::move(legs), ++version};
    return {};
  }

  /// Frees exactly what mission `id` holds.
  void release(std::int64_t id) {
    table->release(id);
    live_flights.erase(id);
  }

  /// A plan's leg trajectories, in this dispatcher's mission time, id = the mission id.
  std::vector<traj::Trajectory4D> legs_of(const MissionPlan& plan, std::int64_t id) const {
    std::vector<traj::Trajectory4D> out;
    for (const PlannedLeg& leg : plan.legs) {
      traj::Trajectory4D t = leg.trajectory;
      t.id = id;
      const Millis shift(leg.trajectory_epoch_unix_ms - epoch_ms);
      for (auto& w : t.points) w.t += shift;
      out.push_back(std::move(t));
    }
    return out;
  }
  std::vector<traj::Trajectory4D> legs_of(const Mission& m) const {
    return m.plan ? legs_of(*m.plan, m.id) : std::vector<traj::Trajectory4D>{};
  }

  enum class Verdict { kOk, kRace, kConflict };
  struct Check {
    Verdict verdict = Verdict::kOk;
    std::string text;
  };

  /// The commit-time check, by the independent conflict checker: every leg of the plan against
  /// every leg the table holds that overlaps it in time, and its swap pad holds against the
  /// table. A conflict with a flight committed after the plan's snapshot (`since`) is a lost
  /// race (replan); one with an older flight means the planner and the checker disagree (the
  /// mission is rejected, not committed). A restriction added since the snapshot is also a lost
  /// race.
  Result<Check> commit_check(const MissionPlan& plan, std::int64_t id, std::uint64_t since,
                             std::uint64_t since_restrictions) const {
    if (since_restrictions != restriction_version) return Check{Verdict::kRace, ""};
    const vehicle::VehicleClass* mine = catalogue->find(plan.vehicle_class);
    const std::vector<traj::Trajectory4D> legs = legs_of(plan, id);
    for (const PadHold& h : swap_holds(plan, legs)) {
      if (!table->is_free(h.pad, h.begin, h.end)) {
        if (since != version) return Check{Verdict::kRace, ""};
        return Check{Verdict::kConflict, "the battery-swap pad is taken during the swap"};
      }
    }
    Check out;
    for (const traj::Trajectory4D& leg : legs) {
      if (leg.points.empty()) continue;
      const Millis t0 = leg.points.front().t;
      const Millis t1 = leg.points.back().t;
      std::vector<conflict::FlightRef> refs;
      std::vector<std::uint64_t> versions;
      for (const auto& [other, f] : live_flights) {
        for (const traj::Trajectory4D& t : f.legs) {
          if (t.points.empty() || t.points.back().t < t0 || t.points.front().t > t1) continue;
          refs.push_back({&t, f.separation});
          versions.push_back(f.committed_version);
        }
      }
      if (refs.empty()) continue;
      SKY_TRY(report, conflict::check_against(leg, mine->separation, refs));
      for (const conflict::Violation& v : report.violations) {
        if (versions[v.index_b] > since) return Check{Verdict::kRace, ""};
        out.verdict = Verdict::kConflict;
        out.text = "the plan comes within " + std::to_string(v.min_horizontal_m) + " m / " +
                   std::to_string(v.min_vertical_m) + " m of mission " + std::to_string(v.id_b) +
                   " at t = " + std::to_string(v.begin.count()) + " s";
      }
    }
    return out;
  }

  // ---- events -----------------------------------------------------------------------------

  void emit(std::vector<MissionEvent>& out, EventKind kind, const Mission& m) {
    MissionEvent e;
    e.kind = kind;
    e.mission_id = m.id;
    e.operator_id = m.request.operator_id;
    e.time_unix_ms = m.updated_unix_ms;
    e.state = m.state;
    e.reason = m.reason;
    e.mission_version = m.version;
    out.push_back(std::move(e));
  }

  void publish(std::vector<MissionEvent>& batch) {
    if (batch.empty()) return;
    {
      std::lock_guard lock(event_mutex);
      for (MissionEvent& e : batch) {
        e.seq = ++last_seq;
        events.push_back(e);
      }
      while (events.size() > options.event_capacity) events.pop_front();
    }
    event_cv.notify_all();
  }
};

// ---- construction ---------------------------------------------------------------------------

Dispatcher::Dispatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Dispatcher::~Dispatcher() { shutdown(); }

Result<std::unique_ptr<Dispatcher>> Dispatcher::create(const airspace::Airspace& airspace,
                                                       const vehicle::VehicleCatalogue& catalogue,
                                                       std::unique_ptr<Journal> journal,
                                                       DispatcherOptions options) {
  if (!journal) return fail("INVALID_ARGUMENT", "the dispatcher needs a journal");
  if (catalogue.size() == 0) return fail("INVALID_ARGUMENT", "the vehicle catalogue is empty");
  auto impl = std::make_unique<Impl>();
  impl->airspace = &airspace;
  impl->catalogue = &catalogue;
  impl->options = std::move(options);
  impl->journal = std::move(journal);
  impl->crs = airspace.info().crs;
  SKY_TRY(probe, geo::GeoFrame::create(impl->crs));
  (void)probe;
  if (impl->options.epoch_unix_ms == 0) {
    const std::int64_t day = 24 * 3600 * 1000;
    impl->epoch_ms = impl->now() / day * day;
  } else {
    impl->epoch_ms = impl->options.epoch_unix_ms;
  }
  for (const std::string& name : impl->options.vehicle_classes) {
    if (catalogue.find(name) == nullptr) {
      return fail("VEHICLE_CLASS_NOT_FOUND", "dispatcher option vehicle_classes names '" + name +
                                                 "', not in " + catalogue.source());
    }
  }
  impl->max_envelope = catalogue.max_separation();
  for (const auto& e : catalogue.entries()) {
    const auto& wanted = impl->options.vehicle_classes;
    if (wanted.empty() || std::find(wanted.begin(), wanted.end(), e.vehicle.name) != wanted.end()) {
      impl->served.push_back(e.vehicle.name);
    }
  }
  plan::PlannerOptions po;
  po.epoch_unix_s = impl->epoch_ms / 1000;
  impl->pool = std::make_unique<plan::PlannerPool>(airspace, catalogue, po);
  SKY_CHECK(impl->pool->build(impl->served));
  impl->table = std::make_unique<search::ReservationTable>(
      static_cast<std::int32_t>(airspace.info().nx), static_cast<std::int32_t>(airspace.info().ny),
      static_cast<std::int32_t>(airspace.info().nz));
  impl->restriction_set = std::make_shared<const plan::RestrictionSet>(airspace);

  // Recovery: restrictions first (plans were made under them), then every live plan back into
  // the table. Nothing is replanned: what was acknowledged stays as acknowledged.
  SKY_TRY(state, impl->journal->load());
  for (RestrictionSpec& spec : state.restrictions) {
    SKY_TRY(entry, rasterise(spec, airspace, impl->epoch_ms));
    SKY_ASSIGN(impl->restriction_set, with_restriction(*impl->restriction_set, std::move(entry)));
    impl->restrictions.emplace(spec.id, spec);
  }
  impl->next_restriction_id = state.next_restriction_id;
  impl->next_mission_id = state.next_mission_id;
  for (Mission& m : state.missions) {
    if (m.state == MissionState::kPlanned || m.state == MissionState::kActive) {
      impl->live.insert(m.id);
      auto r = impl->reserve(m);
      if (!r) {
        return fail("DISPATCH_RECOVERY_FAILED",
                    "mission " + std::to_string(m.id) +
                        ": its stored plan could not be reserved: " + r.error().message);
      }
    } else if (m.state == MissionState::kCompleted && m.plan) {
      // Completed before the restart: its reservations were already released (or are about
      // to be); re-reserving them would only cost memory.
    }
    if (!m.request.request_id.empty()) {
      impl->by_request[{m.request.operator_id, m.request.request_id}] = m.id;
    }
    impl->missions.emplace(m.id, std::move(m));
  }
  return std::unique_ptr<Dispatcher>(new Dispatcher(std::move(impl)));
}

}  // namespace skylane::dispatch

namespace skylane::dispatch {

namespace {

/// Liang-Barsky: the parameter range [t0, t1] within [0, 1] where the segment a->b lies in the
/// box, or false.
bool clip_segment(const traj::Waypoint4D& a, const traj::Waypoint4D& b,
                  const std::array<double, 6>& box, double& t0, double& t1) {
  t0 = 0.0;
  t1 = 1.0;
  const double p0[3] = {a.x_m, a.y_m, a.z_m};
  const double d[3] = {b.x_m - a.x_m, b.y_m - a.y_m, b.z_m - a.z_m};
  for (int k = 0; k < 3; ++k) {
    const double lo = box[2 * k];
    const double hi = box[2 * k + 1];
    if (d[k] == 0.0) {
      if (p0[k] < lo || p0[k] > hi) return false;
      continue;
    }
    double u0 = (lo - p0[k]) / d[k];
    double u1 = (hi - p0[k]) / d[k];
    if (u0 > u1) std::swap(u0, u1);
    t0 = std::max(t0, u0);
    t1 = std::min(t1, u1);
    if (t0 > t1) return false;
  }
  return true;
}

}  // namespace

Result<Mission> Dispatcher::submit(const MissionRequest& request,
                                   const search::StopCondition& stop_in) {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.event_mutex);
    if (d.shut_down) return fail("DISPATCH_SHUTTING_DOWN", "the dispatcher is shutting down");
  }
  SKY_CHECK(d.validate(request, d.now()));
  const auto existing = [&]() -> std::optional<Mission> {
    if (request.request_id.empty()) return std::nullopt;
    const auto it = d.by_request.find({request.operator_id, request.request_id});
    if (it == d.by_request.end()) return std::nullopt;
    return d.missions.at(it->second);
  };
  {
    std::lock_guard lock(d.state_mutex);
    if (auto m = existing()) return std::move(*m);
  }
  search::StopCondition stop = stop_in;
  if (d.options.plan_budget.count() > 0) {
    stop.deadline = std::min(stop.deadline, Clock::now() + d.options.plan_budget);
  }
  const std::int64_t id = d.next_mission_id++;
  for (int attempt = 0;; ++attempt) {
    Planned planned;
    std::uint64_t since = 0;
    std::uint64_t since_restrictions = 0;
    const bool last_try = attempt >= d.options.max_commit_retries;
    std::unique_lock<std::shared_mutex> write;
    if (!last_try) {
      auto read = d.table_lock.read();
      since = d.version;
      since_restrictions = d.restriction_version;
      const auto restrictions = d.restriction_set;
      SKY_ASSIGN(planned, d.plan_mission(request, id, restrictions.get(), stop));
      read.unlock();
      write = d.table_lock.write();
    } else {
      // Out of retries: plan while holding the table, so that nobody can commit in between.
      write = d.table_lock.write();
      since = d.version;
      since_restrictions = d.restriction_version;
      SKY_ASSIGN(planned, d.plan_mission(request, id, d.restriction_set.get(), stop));
    }
    std::unique_lock state(d.state_mutex);
    if (auto m = existing()) return std::move(*m);
    if (planned.found) {
      SKY_TRY(check, d.commit_check(planned.plan, id, since, since_restrictions));
      if (check.verdict == Impl::Verdict::kRace && !last_try) {
        ++d.commit_retries;
        continue;  // releases both locks; plan again against the new table
      }
      if (check.verdict != Impl::Verdict::kOk) {
        planned.found = false;
        planned.reason = "CONFLICT_CHECK_FAILED";
        planned.reason_text = "the independent conflict checker refused the plan: " + check.text;
        std::fprintf(stderr, "skylane dispatch: mission %lld: %s\n", static_cast<long long>(id),
                     planned.reason_text.c_str());
      }
    }
    Mission m;
    m.id = id;
    m.request = request;
    m.created_unix_ms = m.updated_unix_ms = d.now();
    m.version = 1;
    if (planned.found) {
      m.state = MissionState::kPlanned;
      m.plan = std::move(planned.plan);
      SKY_CHECK(d.reserve(m));
    } else {
      m.state = MissionState::kRejected;
      m.reason = planned.reason;
      m.reason_text = planned.reason_text;
    }
    if (auto j = d.journal->commit({&m, 1}, {}, {}); !j) {
      if (m.plan) d.release(id);
      return tl::unexpected(j.error());
    }
    ++d.commits;
    if (!request.request_id.empty()) {
      d.by_request[{request.operator_id, request.request_id}] = id;
    }
    d.missions.emplace(id, m);
    if (m.plan) d.live.insert(id);
    std::vector<MissionEvent> batch;
    d.emit(batch, m.plan ? EventKind::kPlanned : EventKind::kRejected, m);
    d.publish(batch);
    return m;
  }
}

Result<Mission> Dispatcher::get(std::int64_t id,
                                const std::optional<std::string>& operator_id) const {
  const Impl& d = *impl_;
  std::lock_guard lock(d.state_mutex);
  const auto it = d.missions.find(id);
  if (it == d.missions.end() || (operator_id && it->second.request.operator_id != *operator_id)) {
    return fail("MISSION_NOT_FOUND", "no mission " + std::to_string(id));
  }
  return it->second;
}

MissionPage Dispatcher::list(const ListQuery& query) const {
  const Impl& d = *impl_;
  const std::size_t size = std::clamp<std::size_t>(query.page_size, 1, 1000);
  MissionPage page;
  std::lock_guard lock(d.state_mutex);
  for (auto it = d.missions.upper_bound(query.after_id); it != d.missions.end(); ++it) {
    const Mission& m = it->second;
    if (query.operator_id && m.request.operator_id != *query.operator_id) continue;
    if (query.state && m.state != *query.state) continue;
    if (page.missions.size() == size) {
      page.next_after_id = page.missions.back().id;
      break;
    }
    page.missions.push_back(m);
  }
  return page;
}

Result<Mission> Dispatcher::cancel(std::int64_t id, const std::optional<std::string>& operator_id,
                                   const std::string& reason) {
  Impl& d = *impl_;
  auto write = d.table_lock.write();
  std::lock_guard state(d.state_mutex);
  const auto it = d.missions.find(id);
  if (it == d.missions.end() || (operator_id && it->second.request.operator_id != *operator_id)) {
    return fail("MISSION_NOT_FOUND", "no mission " + std::to_string(id));
  }
  if (is_final(it->second.state)) {
    return fail("MISSION_FINAL", "mission " + std::to_string(id) + " is already " +
                                     mission_state_name(it->second.state));
  }
  Mission m = it->second;
  m.state = MissionState::kCancelled;
  m.reason = reason.empty() ? "CANCELLED_BY_OPERATOR" : reason;
  m.reason_text = "cancelled";
  ++m.version;
  m.updated_unix_ms = d.now();
  SKY_CHECK(d.journal->commit({&m, 1}, {}, {}));
  d.release(id);
  d.live.erase(id);
  it->second = m;
  std::vector<MissionEvent> batch;
  d.emit(batch, EventKind::kCancelled, m);
  d.publish(batch);
  return m;
}

Result<RestrictionChange> Dispatcher::add_restriction(RestrictionSpec spec) {
  Impl& d = *impl_;
  {
    // Validate and rasterise before taking any lock (the id is set below).
    SKY_TRY(probe, rasterise(spec, *d.airspace, d.epoch_ms));
    (void)probe;
  }
  auto write = d.table_lock.write();
  std::lock_guard state(d.state_mutex);
  spec.id = d.next_restriction_id;
  SKY_TRY(raster, rasterise(spec, *d.airspace, d.epoch_ms));
  SKY_TRY(set, with_restriction(*d.restriction_set, raster));
  RestrictionChange change;
  std::vector<Mission*> affected;
  for (const std::int64_t id : d.live) {
    Mission& m = d.missions.at(id);
    bool hit = false;
    for (const traj::Trajectory4D& leg : d.legs_of(m)) {
      SKY_TRY(h, plan::restriction_affects(*raster, leg, *d.airspace));
      hit = hit || h;
    }
    if (!hit) continue;
    if (m.state == MissionState::kActive) {
      change.airborne_affected.push_back(id);
    } else {
      affected.push_back(&m);
    }
  }
  std::stable_sort(affected.begin(), affected.end(), [](const Mission* a, const Mission* b) {
    return a->request.priority > b->request.priority;
  });
  // Free every affected plan first, so that the replans (highest priority first) may use each
  // other's old airspace.
  for (Mission* m : affected) d.release(m->id);
  const std::int64_t now = d.now();
  std::vector<Mission> updated;
  for (Mission* m : affected) {
    MissionRequest q = m->request;
    q.earliest_departure_unix_ms = std::max(q.earliest_departure_unix_ms, now);
    search::StopCondition stop;
    if (d.options.plan_budget.count() > 0)
      stop = search::StopCondition::within(d.options.plan_budget);
    Mission n = *m;
    ++n.version;
    n.updated_unix_ms = now;
    auto planned = d.plan_mission(q, n.id, set.get(), stop);
    if (planned && planned->found) {
      n.plan = std::move(planned->plan);
      ++n.replans;
      auto r = d.reserve(n);
      if (!r) planned = tl::unexpected(r.error());
    }
    if (!planned || !planned->found) {
      n.state = MissionState::kRejected;
      n.reason = "RESTRICTION_CONFLICT";
      n.reason_text =
          "restriction " + std::to_string(spec.id) + " '" + spec.name +
          "' crosses the plan and no new one was found: " +
          (planned ? planned->reason + " " + planned->reason_text : planned.error().message);
    }
    updated.push_back(std::move(n));
  }
  if (auto j = d.journal->commit(updated, {&spec, 1}, {}); !j) {
    // Nothing was acknowledged: put the old plans back.
    for (const Mission& n : updated) d.release(n.id);
    for (Mission* m : affected) (void)d.reserve(*m);
    return tl::unexpected(j.error());
  }
  ++d.next_restriction_id;
  d.restriction_set = std::move(set);
  d.restrictions.emplace(spec.id, spec);
  ++d.restriction_version;
  std::vector<MissionEvent> batch;
  for (Mission& n : updated) {
    d.emit(batch, n.state == MissionState::kPlanned ? EventKind::kReplanned : EventKind::kRejected,
           n);
    if (n.state != MissionState::kPlanned) d.live.erase(n.id);
    d.missions[n.id] = n;
    change.affected.push_back(std::move(n));
  }
  d.publish(batch);
  change.restriction = std::move(spec);
  return change;
}

Result<RestrictionSpec> Dispatcher::remove_restriction(std::int64_t id) {
  Impl& d = *impl_;
  auto write = d.table_lock.write();
  std::lock_guard state(d.state_mutex);
  const auto it = d.restrictions.find(id);
  if (it == d.restrictions.end()) {
    return fail("RESTRICTION_NOT_FOUND", "no restriction " + std::to_string(id));
  }
  SKY_CHECK(d.journal->commit({}, {}, {&id, 1}));
  RestrictionSpec spec = std::move(it->second);
  d.restrictions.erase(it);
  d.restriction_set = without_restriction(*d.restriction_set, id);
  return spec;
}

std::vector<RestrictionSpec> Dispatcher::restrictions() const {
  const Impl& d = *impl_;
  std::lock_guard state(d.state_mutex);
  std::vector<RestrictionSpec> out;
  for (const auto& [id, r] : d.restrictions) out.push_back(r);
  return out;
}

std::vector<AirspaceHit> Dispatcher::query_airspace(const AirspaceQuery& q) const {
  const Impl& d = *impl_;
  std::vector<AirspaceHit> hits;
  auto frame = geo::GeoFrame::create(d.crs);
  if (!frame) return hits;
  std::array<double, 6> box = {1e300, -1e300, 1e300, -1e300, q.floor_amsl_m, q.ceiling_amsl_m};
  // The box's edges, sampled, in the working frame: a lon/lat box is not a plane box.
  for (int i = 0; i <= 8; ++i) {
    for (int j = 0; j <= 8; ++j) {
      if (i != 0 && i != 8 && j != 0 && j != 8) continue;
      const double lon = q.min_lon_deg + (q.max_lon_deg - q.min_lon_deg) * i / 8.0;
      const double lat = q.min_lat_deg + (q.max_lat_deg - q.min_lat_deg) * j / 8.0;
      auto p = frame->to_plane({lon, lat});
      if (!p) return hits;
      box[0] = std::min(box[0], p->x_m);
      box[1] = std::max(box[1], p->x_m);
      box[2] = std::min(box[2], p->y_m);
      box[3] = std::max(box[3], p->y_m);
    }
  }
  std::lock_guard state(d.state_mutex);
  for (const std::int64_t id : d.live) {
    const Mission& m = d.missions.at(id);
    if (q.operator_id && m.request.operator_id != *q.operator_id) continue;
    std::optional<std::int64_t> enter;
    std::int64_t exit = 0;
    for (const traj::Trajectory4D& f : d.legs_of(m)) {
      for (std::size_t i = 1; i < f.points.size(); ++i) {
        double t0 = 0;
        double t1 = 0;
        if (!clip_segment(f.points[i - 1], f.points[i], box, t0, t1)) continue;
        const double a = static_cast<double>(d.to_unix(f.points[i - 1].t));
        const double b = static_cast<double>(d.to_unix(f.points[i].t));
        const auto ta = static_cast<std::int64_t>(std::floor(a + (b - a) * t0));
        const auto tb = static_cast<std::int64_t>(std::ceil(a + (b - a) * t1));
        if (tb < q.from_unix_ms || ta > q.to_unix_ms) continue;
        const std::int64_t ca = std::max(ta, q.from_unix_ms);
        const std::int64_t cb = std::min(tb, q.to_unix_ms);
        if (!enter) enter = ca;
        enter = std::min(*enter, ca);
        exit = std::max(exit, cb);
      }
    }
    if (enter) {
      hits.push_back({id, m.request.operator_id, m.plan->vehicle_class, *enter, exit});
    }
  }
  return hits;
}

std::vector<MissionEvent> Dispatcher::advance(std::optional<std::int64_t> now_unix_ms) {
  Impl& d = *impl_;
  const std::int64_t now = now_unix_ms.value_or(d.now());
  auto write = d.table_lock.write();
  std::lock_guard state(d.state_mutex);
  std::vector<Mission> changed;
  std::vector<MissionEvent> batch;
  std::vector<std::int64_t> done;
  for (const std::int64_t id : d.live) {
    Mission& m = d.missions.at(id);
    bool touched = false;
    if (m.state == MissionState::kPlanned && m.plan->departure_unix_ms <= now) {
      m.state = MissionState::kActive;
      ++m.version;
      m.updated_unix_ms = std::max(m.plan->departure_unix_ms, m.created_unix_ms);
      d.emit(batch, EventKind::kStarted, m);
      touched = true;
    }
    if (m.state == MissionState::kActive && m.plan->arrival_unix_ms <= now) {
      m.state = MissionState::kCompleted;
      ++m.version;
      m.updated_unix_ms = m.plan->arrival_unix_ms;
      d.emit(batch, EventKind::kCompleted, m);
      const auto legs = d.legs_of(m);
      const std::int64_t end =
          legs.empty() || legs.back().points.empty() ? now : d.to_unix(legs.back().points.back().t);
      d.to_release.emplace(end + d.options.release_after_ms, id);
      done.push_back(id);
      touched = true;
    }
    if (touched) changed.push_back(m);
  }
  for (const std::int64_t id : done) d.live.erase(id);
  if (!changed.empty()) {
    // The in-memory state moves on even if the journal fails: time passing is not an
    // acknowledgement, and the next advance() stores the same transitions again.
    (void)d.journal->commit(changed, {}, {});
  }
  while (!d.to_release.empty() && d.to_release.begin()->first <= now) {
    d.release(d.to_release.begin()->second);
    d.to_release.erase(d.to_release.begin());
  }
  // The past parts of flights still in the air are useless to any new plan (none departs before
  // now - max_past_ms); dropping them keeps the table small and its time span moving.
  d.table->prune_before(d.to_mission_time(now - d.options.max_past_ms - 60'000));
  d.publish(batch);
  return batch;
}

std::vector<MissionEvent> Dispatcher::events_after(std::uint64_t after_seq,
                                                   std::chrono::milliseconds wait,
                                                   std::size_t max_events) const {
  const Impl& d = *impl_;
  std::unique_lock lock(d.event_mutex);
  d.event_cv.wait_for(lock, wait, [&] { return d.shut_down || d.last_seq > after_seq; });
  std::vector<MissionEvent> out;
  if (d.events.empty() || d.last_seq <= after_seq) return out;
  const std::uint64_t first = d.events.front().seq;
  std::size_t i = after_seq + 1 > first ? static_cast<std::size_t>(after_seq + 1 - first) : 0;
  for (; i < d.events.size() && out.size() < max_events; ++i) out.push_back(d.events[i]);
  return out;
}

void Dispatcher::shutdown() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->event_mutex);
    impl_->shut_down = true;
  }
  impl_->event_cv.notify_all();
}

std::vector<Dispatcher::Flight> Dispatcher::flights() const {
  const Impl& d = *impl_;
  std::vector<Flight> out;
  auto read = d.table_lock.read();
  for (const auto& [id, f] : d.live_flights) {
    for (const auto& leg : f.legs) out.push_back({id, f.vehicle_class, leg});
  }
  return out;
}

DispatcherStats Dispatcher::stats() const {
  const Impl& d = *impl_;
  DispatcherStats s;
  auto read = d.table_lock.read();
  std::lock_guard state(d.state_mutex);
  for (const auto& [id, m] : d.missions) ++s.missions_by_state[static_cast<int>(m.state)];
  s.reservation_entries = d.table->entry_count();
  s.reservation_bytes = d.table->approx_memory_bytes();
  s.restrictions = d.restrictions.size();
  s.commits = d.commits;
  s.commit_retries = d.commit_retries;
  std::lock_guard ev(d.event_mutex);
  s.last_event_seq = d.last_seq;
  return s;
}

std::int64_t Dispatcher::now_unix_ms() const { return impl_->now(); }
std::int64_t Dispatcher::epoch_unix_ms() const { return impl_->epoch_ms; }
const airspace::Airspace& Dispatcher::airspace() const { return *impl_->airspace; }
const vehicle::VehicleCatalogue& Dispatcher::catalogue() const { return *impl_->catalogue; }

}  // namespace skylane::dispatch
