// Coarse-to-fine airspace planning; see the header. Papers: the column route is weighted A*
// (Hart, Nilsson & Raphael 1968; Pohl 1970), the heuristic a backward Dijkstra (1959), the fine
// search SIPP (Phillips & Likhachev, ICRA 2011).
#include "skylane/plan/airspace_planner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <list>
#include <mutex>
#include <sstream>

#include "skylane/core/try.hpp"
#include "skylane/plan/column_route.hpp"
#include "skylane/plan/corridor.hpp"
#include "skylane/plan/corridor_grid.hpp"
#include "skylane/plan/corridor_heuristic.hpp"
#include "skylane/plan/restriction.hpp"
#include "skylane/plan/timed_zones.hpp"
#include "skylane/plan/trajectory_smoothing.hpp"
#include "skylane/vehicle/vehicle_energy.hpp"

namespace skylane::plan {
namespace {

using search::Millis;
using search::Outcome;
using search::Voxel;

/// Expansion cap of the map-wide detour search around timed zones and restrictions: enough for
/// a pocket of ~10 km x 10 km of 20 m columns behind a wall (memory is O(generated columns), a
/// few tens of bytes each); past it SIPP still gets the unrestricted route and widens its
/// corridor.
constexpr std::uint64_t kDetourBudget = 250'000;
/// Expansion cap of a static leg's route and free-air searches at least, whatever the caller's
/// budget (the leg is the same for every query of its pads; a 73 km free-air flight on the
/// default map takes ~3,500).
constexpr std::uint64_t kStaticLegExpansions = 2'000'000;
/// Weight of that search (at least PlannerOptions::route_weight).
constexpr double kDetourWeight = 3.0;
/// Expansions per step of the free-air flight a goal pad's search is first held to when
/// another goal pad is expected to land as early (AirspacePlanner::plan): past it, the traffic
/// is across that pad's own route (not only its approach) and the other pad is tried first.
/// On the default map the median search takes ~1 per step (bench/plan_bench.cpp).
constexpr std::uint64_t kProbeExpansionsPerStep = 3;

/// Expansions charged to the caller's budget: all but a static leg's own searches.
std::uint64_t charged_expansions(const PlanStats& s) {
  return s.expansions - s.static_leg_expansions;
}

double ms_since(search::Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(search::Clock::now() - t0).count();
}

/// The arrival no plan of this flight can beat (PlannerOptions::ground_delay_first): the
/// free-air flight `path` taking off as soon as the start pad is free for its take-off, then
/// landing as soon as the goal pad is free for the dwell.
Millis reference_arrival(const std::vector<search::PathStep>& path,
                         const search::SippRequest& request, const ZonedReservations& intervals) {
  std::vector<search::SafeInterval> ivs;
  // Take-off: the pad is occupied until half-way through the first move.
  const std::int64_t first = path[1].arrival.count() - path[0].departure.count();
  const std::int64_t lift = first - first / 2;
  std::int64_t takeoff = search::kTimeInf.count();
  intervals.safe_intervals(request.start, search::kTimeInf, ivs);
  for (const search::SafeInterval& iv : ivs) {
    const std::int64_t t = std::max(request.earliest_departure.count(), iv.begin.count());
    if (t + lift <= iv.end.count()) {
      takeoff = t;
      break;
    }
  }
  if (takeoff >= search::kTimeInf.count()) return search::kTimeInf;
  const std::int64_t flown = path.back().arrival.count() - path.front().departure.count();
  const std::int64_t arrival = takeoff + flown;
  const std::int64_t dwell = request.goal_dwell.count();
  intervals.safe_intervals(request.goal, search::kTimeInf, ivs);
  for (const search::SafeInterval& iv : ivs) {
    const std::int64_t t = std::max(arrival, iv.begin.count());
    if (t + dwell <= iv.end.count()) return Millis{t};
  }
  return search::kTimeInf;
}

/// The last kApproach of a free-air flight before touch-down: the airspace a landing needs
/// besides the pad (other pads' climb-outs and approaches cross it). Measured on the default
/// map (bench/plan_bench.cpp, 60 corridor queries against 1,000 flights): with 90 s, 4 queries
/// still chose a pad whose approach was busy and planned a second one (up to 260 ms); with
/// 300 s, 1 did.
constexpr Millis kApproach{300'000};

/// The layer whose centre is the first at or above a pad at `alt` m AMSL, or nullopt outside
/// the map's layers.
std::optional<std::int32_t> pad_layer(const airspace::AirspaceInfo& info, double alt) {
  const double layer = std::ceil((alt - info.altitude_min_amsl_m) / info.cell_z_m - 0.5 - 1e-9);
  if (!(layer >= 0.0 && layer < info.nz)) return std::nullopt;
  return static_cast<std::int32_t>(layer);
}

std::string column_text(std::int32_t x, std::int32_t y) {
  return "(" + std::to_string(x) + ", " + std::to_string(y) + ")";
}

std::string zone_text(const airspace::Zone& z) {
  return "zone " + std::to_string(z.id) + " '" + z.name + "' (" +
         std::string(airspace::zone_kind_name(z.kind)) + ")";
}

/// Bands of the whole map for one query: the vehicle view, the two pad columns' own bands and,
/// optionally, the layers of timed zones removed.
class QueryBands {
 public:
  QueryBands(const airspace::Airspace& a, const airspace::VehicleView& view, std::size_t start_col,
             LayerBand start_band, std::size_t goal_col, LayerBand goal_band,
             const TimedZoneOverlay* cut)
      : a_(&a),
        view_(&view),
        start_col_(start_col),
        start_band_(start_band),
        goal_col_(goal_col),
        goal_band_(goal_band),
        cut_(cut) {}

  [[nodiscard]] std::int32_t size_x() const { return a_->nx(); }
  [[nodiscard]] std::int32_t size_y() const { return a_->ny(); }
  [[nodiscard]] LayerBand band(std::int32_t x, std::int32_t y) const {
    if (!a_->contains(x, y)) return {};
    const std::size_t c = a_->column(x, y);
    LayerBand b;
    if (c == start_col_) {
      b = start_band_;
    } else if (c == goal_col_) {
      b = goal_band_;
    } else {
      b = LayerBand{view_->band_lo(c), view_->band_hi(c)};
    }
    return cut_ != nullptr ? cut_->cut(x, y, b) : b;
  }

 private:
  const airspace::Airspace* a_;
  const airspace::VehicleView* view_;
  std::size_t start_col_;
  LayerBand start_band_;
  std::size_t goal_col_;
  LayerBand goal_band_;
  const TimedZoneOverlay* cut_;
};

/// Bands of `inner` on the columns of the blocks in `blocks` only.
template <ColumnBandSource B>
class BlockRestricted {
 public:
  BlockRestricted(const B& inner, const Corridor& blocks) : inner_(&inner), blocks_(&blocks) {}
  [[nodiscard]] std::int32_t size_x() const { return inner_->size_x(); }
  [[nodiscard]] std::int32_t size_y() const { return inner_->size_y(); }
  [[nodiscard]] LayerBand band(std::int32_t x, std::int32_t y) const {
    if (x < 0 || y < 0 || !blocks_->contains(x / BlockGraph::kBlock, y / BlockGraph::kBlock)) {
      return {};
    }
    return inner_->band(x, y);
  }

 private:
  const B* inner_;
  const Corridor* blocks_;
};

/// A pad column's band [pad layer, top), or why there is none.
struct PadBand {
  LayerBand band;
  NoRouteReason reason = NoRouteReason::kNone;
  std::string text;
};

double path_length_m(const traj::Trajectory4D& t) {
  double d = 0.0;
  for (std::size_t i = 1; i < t.points.size(); ++i) {
    const auto& a = t.points[i - 1];
    const auto& b = t.points[i];
    d += std::sqrt((b.x_m - a.x_m) * (b.x_m - a.x_m) + (b.y_m - a.y_m) * (b.y_m - a.y_m) +
                   (b.z_m - a.z_m) * (b.z_m - a.z_m));
  }
  return d;
}

}  // namespace

/// The part of a plan that depends on the map, the class and the pads only (see
/// PlannerOptions::static_legs). Built in place behind a shared_ptr and never moved: the grid
/// points into the corridor, the guide into the grid.
struct AirspacePlanner::StaticLeg {
  search::Voxel start;
  search::Voxel goal;
  std::int64_t rise_cost = 0;  ///< ColumnRouteOptions of an energy route (0: time route)
  std::int64_t fall_cost = 0;
  std::vector<ColumnXY> blocks;  ///< the block route (BlockGraph::Route::blocks)
  std::vector<ColumnXY> route;   ///< the column route over the static bands
  Corridor corridor;             ///< PlannerOptions::corridor_half_width around `route`
  std::optional<CorridorGrid> grid;
  std::optional<CorridorHeuristic> heuristic;
  /// The free-air flight taking off at t = 0 (empty: none in the first corridor).
  std::vector<search::PathStep> free_air;

  [[nodiscard]] bool same(search::Voxel s, search::Voxel g, std::int64_t rise,
                          std::int64_t fall) const {
    return start == s && goal == g && rise_cost == rise && fall_cost == fall;
  }
  [[nodiscard]] std::size_t bytes() const {
    return sizeof(*this) + (blocks.capacity() + route.capacity()) * sizeof(ColumnXY) +
           corridor.memory_bytes() + (grid ? grid->memory_bytes() : 0) +
           (heuristic ? heuristic->memory_bytes() : 0) +
           free_air.capacity() * sizeof(search::PathStep);
  }
};

/// Least recently used static legs, shared by concurrent plans.
class AirspacePlanner::StaticLegCache {
 public:
  StaticLegCache(std::size_t capacity, std::size_t max_bytes)
      : capacity_(capacity), max_bytes_(max_bytes) {}

  [[nodiscard]] std::shared_ptr<const StaticLeg> find(search::Voxel s, search::Voxel g,
                                                      std::int64_t rise, std::int64_t fall) {
    const std::lock_guard lock(mutex_);
    for (auto it = legs_.begin(); it != legs_.end(); ++it) {
      if ((*it)->same(s, g, rise, fall)) {
        legs_.splice(legs_.begin(), legs_, it);
        return legs_.front();
      }
    }
    return nullptr;
  }
  void insert(std::shared_ptr<const StaticLeg> leg) {
    const std::lock_guard lock(mutex_);
    for (const auto& l : legs_) {
      if (l->same(leg->start, leg->goal, leg->rise_cost, leg->fall_cost)) return;
    }
    bytes_ += leg->bytes();
    legs_.push_front(std::move(leg));
    // The newest leg stays even alone over the byte cap (the query holds it anyway).
    while (legs_.size() > 1 && (legs_.size() > capacity_ || bytes_ > max_bytes_)) {
      bytes_ -= legs_.back()->bytes();
      legs_.pop_back();
    }
  }
  [[nodiscard]] std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return legs_.size();
  }
  void clear() {
    const std::lock_guard lock(mutex_);
    legs_.clear();
    bytes_ = 0;
  }
  [[nodiscard]] std::size_t bytes() const {
    const std::lock_guard lock(mutex_);
    return bytes_;
  }

 private:
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;                             ///< StaticLeg::bytes() of legs_
  std::list<std::shared_ptr<const StaticLeg>> legs_;  ///< most recently used first
};

AirspacePlanner::AirspacePlanner() = default;
AirspacePlanner::AirspacePlanner(AirspacePlanner&&) noexcept = default;
AirspacePlanner& AirspacePlanner::operator=(AirspacePlanner&&) noexcept = default;
AirspacePlanner::~AirspacePlanner() = default;

std::size_t AirspacePlanner::static_legs_cached() const {
  return legs_ != nullptr ? legs_->size() : 0;
}
std::size_t AirspacePlanner::static_leg_bytes() const {
  return legs_ != nullptr ? legs_->bytes() : 0;
}
void AirspacePlanner::clear_static_legs() {
  if (legs_ != nullptr) legs_->clear();
}

const char* no_route_reason_name(NoRouteReason reason) {
  switch (reason) {
    case NoRouteReason::kNone:
      return "NONE";
    case NoRouteReason::kStartInZone:
      return "START_IN_ZONE";
    case NoRouteReason::kStartBlocked:
      return "START_BLOCKED";
    case NoRouteReason::kGoalInZone:
      return "GOAL_IN_ZONE";
    case NoRouteReason::kGoalBlocked:
      return "GOAL_BLOCKED";
    case NoRouteReason::kGoalUnreachable:
      return "GOAL_UNREACHABLE";
    case NoRouteReason::kWindowTooTight:
      return "WINDOW_TOO_TIGHT";
    case NoRouteReason::kDeadlineTooTight:
      return "DEADLINE_TOO_TIGHT";
  }
  return "UNKNOWN";
}

Result<AirspacePlanner> AirspacePlanner::create(const airspace::Airspace& airspace,
                                                const vehicle::VehicleClass& vehicle_class,
                                                const PlannerOptions& options) {
  if (options.corridor_half_width < 1 ||
      options.max_corridor_half_width < options.corridor_half_width ||
      !(options.heuristic_weight >= 1.0 && options.heuristic_weight <= 100.0) ||
      !(options.route_weight >= 1.0 && options.route_weight <= 100.0) ||
      !(options.loiter_weight >= 0.0 && options.loiter_weight <= 1000.0) ||
      options.zone_horizon < Millis{0} || options.ground_delay_tolerance < Millis{0} ||
      options.max_pad_wait < Millis{0} || options.air_time_bucket < Millis{0} ||
      options.air_time_bucket > Millis{std::chrono::hours(1)} ||
      options.ground_delay_tolerance > Millis{std::chrono::hours(24)} ||
      options.improve_expansions > 1'000'000'000'000ULL || options.static_legs > 1'000'000 ||
      options.static_leg_bytes > (std::size_t{1} << 40)) {
    return fail("PLAN_OPTIONS_INVALID",
                "corridor_half_width must be >= 1 and <= max_corridor_half_width, weights in "
                "[1, 100], loiter_weight in [0, 1000], zone_horizon >= 0, "
                "ground_delay_tolerance in [0, 24 h], max_pad_wait >= 0, air_time_bucket in "
                "[0, 1 h], "
                "improve_expansions <= 1e12, static_legs <= 1e6, static_leg_bytes <= 1 TiB");
  }
  SKY_CHECK(search::sipp_detail::validate_model(airspace.info().geometry(), vehicle_class.motion));
  SKY_TRY(vehicle_view, airspace::VehicleView::create(airspace, vehicle_class.limits));
  AirspacePlanner p;
  p.airspace_ = &airspace;
  p.class_ = vehicle_class;
  p.options_ = options;
  p.view_ = std::make_unique<airspace::VehicleView>(std::move(vehicle_view));
  p.blocks_ = BlockGraph::build(*p.view_);
  if (options.static_legs > 0 && options.static_leg_bytes > 0) {
    p.legs_ = std::make_unique<StaticLegCache>(options.static_legs, options.static_leg_bytes);
  }
  return p;
}

Result<AirspacePlan> AirspacePlanner::plan(const PlanRequest& request,
                                           const search::ReservationTable& table,
                                           const search::StopCondition& stop) const {
  if (request.from_pads.empty() && request.to_pads.empty()) return plan_one(request, table, stop);
  const auto started = search::Clock::now();
  const airspace::Airspace& a = *airspace_;
  // The pad voxel of a valid point (plan_one names what is wrong with an invalid one).
  auto pad_voxel = [&](const PadPoint& p) -> std::optional<Voxel> {
    std::int32_t x = 0;
    std::int32_t y = 0;
    if (!a.column_at(p.x_m, p.y_m, x, y)) return std::nullopt;
    const double alt = p.alt_amsl_m.value_or(a.ground_amsl_m(a.column(x, y)));
    const auto layer = pad_layer(a.info(), alt);
    if (!layer) return std::nullopt;
    return Voxel{x, y, *layer};
  };
  std::vector<search::SafeInterval> ivs;
  // Earliest t >= from at which the pad voxel stays free over [t, t + hold].
  auto pad_free_from = [&](Voxel v, Millis from, Millis hold) {
    table.safe_intervals(v, search::kTimeInf, ivs);
    for (const search::SafeInterval& iv : ivs) {
      const Millis t = std::max(from, iv.begin);
      if (t + hold <= iv.end) return t;
    }
    return search::kTimeInf;
  };
  for (const auto& [name, pads] :
       {std::pair{"from_pads", &request.from_pads}, std::pair{"to_pads", &request.to_pads}}) {
    for (std::size_t k = 0; k < pads->size(); ++k) {
      const PadPoint& p = (*pads)[k];
      const std::string what = std::string(name) + "[" + std::to_string(k) + "]";
      if (!std::isfinite(p.x_m) || !std::isfinite(p.y_m) ||
          (p.alt_amsl_m && !std::isfinite(*p.alt_amsl_m))) {
        return fail("PLAN_POINT_INVALID", what + " has a NaN or infinite field");
      }
      if (!pad_voxel(p)) {
        return fail("PLAN_POINT_OUTSIDE_MAP",
                    what + " (" + std::to_string(p.x_m) + ", " + std::to_string(p.y_m) +
                        ") m lies outside the map '" + a.info().name + "' or its layers");
      }
    }
  }
  PlanRequest one = request;
  one.from_pads.clear();
  one.to_pads.clear();
  // Take-off: the pad free first for a take-off (the pad wait and the lift-off).
  const Millis hold = std::min(options_.max_pad_wait, Millis{60'000}) + Millis{10'000};
  std::size_t from_pad = 0;
  if (const auto v0 = pad_voxel(request.from); v0 && !request.from_pads.empty()) {
    Millis best = pad_free_from(*v0, request.earliest_departure, hold);
    for (std::size_t k = 0; k < request.from_pads.size(); ++k) {
      const Millis t =
          pad_free_from(*pad_voxel(request.from_pads[k]), request.earliest_departure, hold);
      if (t < best) {
        best = t;
        from_pad = k + 1;
      }
    }
    if (from_pad > 0) one.from = request.from_pads[from_pad - 1];
  }
  auto add_stats = [](PlanStats& to, const PlanStats& from) {
    to.expansions += from.expansions;
    to.generated += from.generated;
    to.route_expansions += from.route_expansions;
    to.heuristic_settled += from.heuristic_settled;
    to.free_air_expansions += from.free_air_expansions;
    to.route_ms += from.route_ms;
    to.heuristic_ms += from.heuristic_ms;
    to.sipp_ms += from.sipp_ms;
    to.smooth_ms += from.smooth_ms;
    to.attempts += from.attempts;
    to.static_legs_reused += from.static_legs_reused;
    to.static_legs_built += from.static_legs_built;
    to.static_leg_expansions += from.static_leg_expansions;
    to.pad_plans += from.pad_plans + 1;
  };
  // The pads share the caller's expansion budget.
  PlanStats spent;
  auto budget = [&] {
    search::StopCondition s = stop;
    const std::uint64_t charged = charged_expansions(spent);
    s.max_expansions = stop.max_expansions > charged ? stop.max_expansions - charged : 0;
    return s;
  };
  auto done = [&](AirspacePlan&& out) {
    out.stats.plan_ms = ms_since(started);
    return std::move(out);
  };
  // Landing: first the pad free first for the dwell at the free-air arrival of the static leg
  // to the first pad (with the cache; without it the first pad, and another one after it if it
  // lands earlier).
  const auto start_voxel = [&] { return pad_voxel(one.from); };
  // The static leg to the first goal pad (with the cache): its free-air approach, moved onto
  // another pad, tells when that pad's airspace lets a landing in as well.
  std::shared_ptr<const StaticLeg> leg0;
  // When the approach of `leg0` moved onto goal pad `v` and landing at t or later is clear of
  // the reservations (the occupancy rule of Sipp::delayed, the approach taking off in the air),
  // or kTimeInf.
  auto approach_clear_from = [&](Voxel v, Millis t) {
    const std::vector<search::PathStep>& path = leg0->free_air;
    const Voxel g0 = path.back().voxel;
    const Millis shift = t - path.back().arrival;
    std::vector<search::PathStep> tail;
    for (const search::PathStep& step : path) {
      if (step.arrival + kApproach < path.back().arrival) continue;
      const Voxel moved{step.voxel.x + v.x - g0.x, step.voxel.y + v.y - g0.y,
                        step.voxel.z + v.z - g0.z};
      if (!table.contains(moved)) return search::kTimeInf;
      tail.push_back({moved, step.arrival + shift, step.departure + shift});
    }
    if (tail.size() < 2) return t;
    search::SippRequest r;
    r.start = tail.front().voxel;
    r.goal = tail.back().voxel;
    r.earliest_departure = tail.front().departure;
    r.goal_dwell = request.goal_dwell;
    const search::Sipp<CorridorGrid, search::ReservationTable> sipp(
        *leg0->grid, table, a.info().geometry(), class_.motion);
    const auto landed = sipp.delayed(tail, r);
    return landed ? landed->back().arrival : search::kTimeInf;
  };
  // Goal pads (but `skip`) by when they could take the flight: the pad free for the dwell at
  // the free-air arrival, then (with leg0) its approach clear, earliest first; a pad whose
  // pad-free time is no better than the best landing so far keeps that time as its bound.
  auto landings = [&](Millis flight, std::size_t skip) {
    const auto sv = start_voxel();
    const Millis ready =
        sv ? pad_free_from(*sv, request.earliest_departure, hold) : request.earliest_departure;
    std::vector<std::pair<Millis, std::size_t>> order;
    std::vector<Voxel> voxels;
    for (std::size_t k = 0; k <= request.to_pads.size(); ++k) {
      if (k == skip) continue;
      const auto v = pad_voxel(k == 0 ? request.to : request.to_pads[k - 1]);
      if (!v) continue;  // plan_one names what is wrong with it
      order.emplace_back(ready + flight >= search::kTimeInf
                             ? search::kTimeInf
                             : pad_free_from(*v, ready + flight, request.goal_dwell),
                         k);
      voxels.push_back(*v);
    }
    if (leg0 != nullptr && !leg0->free_air.empty()) {
      std::vector<std::size_t> by_pad(order.size());
      for (std::size_t i = 0; i < order.size(); ++i) by_pad[i] = i;
      std::stable_sort(by_pad.begin(), by_pad.end(),
                       [&](std::size_t i, std::size_t j) { return order[i] < order[j]; });
      Millis best = search::kTimeInf;
      for (const std::size_t i : by_pad) {
        if (order[i].first >= best || order[i].first >= search::kTimeInf) break;
        order[i].first = approach_clear_from(voxels[i], order[i].first);
        best = std::min(best, order[i].first);
      }
    }
    std::stable_sort(order.begin(), order.end());
    return order;
  };
  std::size_t to_pad = 0;
  // The next goal pad by the same ranking when it is expected to land as early (within
  // ground_delay_tolerance) as the chosen one, and that landing.
  std::size_t runner_up = std::numeric_limits<std::size_t>::max();
  Millis expected_landing = search::kTimeInf;
  if (!request.to_pads.empty() && legs_ != nullptr) {
    auto leg = plan_one(one, table, stop, /*static_only=*/true, &leg0);
    if (leg && leg->outcome == Outcome::kCancelled) return done(std::move(*leg));
    if (leg) {
      spent.expansions += leg->stats.expansions;
      spent.generated += leg->stats.generated;
      spent.route_expansions += leg->stats.route_expansions;
      spent.heuristic_settled += leg->stats.heuristic_settled;
      spent.free_air_expansions += leg->stats.free_air_expansions;
      spent.route_ms += leg->stats.route_ms;
      spent.heuristic_ms += leg->stats.heuristic_ms;
      spent.sipp_ms += leg->stats.sipp_ms;
      spent.static_legs_built += leg->stats.static_legs_built;
      spent.static_legs_reused += leg->stats.static_legs_reused;
      spent.static_leg_expansions += leg->stats.static_leg_expansions;
    }
    if (leg && leg->outcome == Outcome::kFound) {
      const auto order =
          landings(Millis{leg->stats.free_air_flight_ms}, std::numeric_limits<std::size_t>::max());
      if (!order.empty() && order.front().first < search::kTimeInf) {
        to_pad = order.front().second;
        expected_landing = order.front().first;
        if (order.size() > 1 &&
            order[1].first <= expected_landing + options_.ground_delay_tolerance) {
          runner_up = order[1].second;
        }
      }
      if (to_pad > 0) one.to = request.to_pads[to_pad - 1];
    }
  }
  auto goal_pad = [&](std::size_t k) { return k == 0 ? request.to : request.to_pads[k - 1]; };
  // With a runner-up, the chosen pad's search is first held to kProbeExpansionsPerStep per
  // free-air step. A search cut there (traffic across that pad's route, not only its approach,
  // which the ranking cannot see) gives way to the runner-up under the same cap if that lands
  // as expected; else the chosen pad is planned in full, and the runner-up's plan, when it
  // finished within the cap, is kept for the other pads below. A plan that finishes within the
  // cap is the one the full budget finds.
  // The cap bounds the searches against the reservations only (plan_one's `cap`): the route
  // searches keep the caller's budget, so a capped plan takes the same routes and corridors.
  std::optional<std::pair<std::size_t, Result<AirspacePlan>>> probed;
  const std::size_t probed_from = from_pad;  // the take-off pad the kept plan starts from
  auto first = [&]() -> Result<AirspacePlan> {
    const std::uint64_t probe =
        runner_up == std::numeric_limits<std::size_t>::max() || leg0 == nullptr
            ? 0
            : kProbeExpansionsPerStep * leg0->free_air.size();
    if (probe == 0 || probe >= budget().max_expansions) return plan_one(one, table, budget());
    auto cut = [&](const Result<AirspacePlan>& r) {
      return r && r->outcome != Outcome::kCancelled && charged_expansions(r->stats) >= probe;
    };
    auto tried = plan_one(one, table, budget(), false, nullptr, probe);
    if (!cut(tried)) return tried;
    add_stats(spent, tried->stats);
    PlanRequest other = one;
    other.to = goal_pad(runner_up);
    auto alt = plan_one(other, table, budget(), false, nullptr, probe);
    if (alt && alt->outcome == Outcome::kCancelled) {
      to_pad = runner_up;
      return alt;
    }
    if (alt && alt->outcome == Outcome::kFound && !cut(alt) &&
        alt->arrival <= expected_landing + options_.ground_delay_tolerance) {
      to_pad = runner_up;
      one = std::move(other);
      return alt;
    }
    if (alt) add_stats(spent, alt->stats);
    if (alt && alt->outcome == Outcome::kFound && !cut(alt)) {
      probed.emplace(runner_up, std::move(alt));
    }
    return plan_one(one, table, budget());
  }();
  // A chosen pad that cannot serve this flight (the start's or goal's column in a zone, no room
  // to climb, cut off, too far for the deadline, an invalid point): back to that side's first
  // pad, kept if it plans (or if the chosen pad was an error).
  auto back_to_first = [&](PadPoint PlanRequest::*side, const PadPoint& first_pad,
                           std::size_t& chosen) {
    if (chosen == 0 || (first && (first->outcome != Outcome::kNoRoute ||
                                  first->reason == NoRouteReason::kGoalBlocked ||
                                  first->reason == NoRouteReason::kGoalInZone))) {
      return;
    }
    if (first) add_stats(spent, first->stats);
    PlanRequest back = one;
    back.*side = first_pad;
    auto again = plan_one(back, table, budget());
    if (again && (again->outcome == Outcome::kFound || !first)) {
      chosen = 0;
      one = std::move(back);
      first = std::move(again);
    } else if (again) {
      add_stats(spent, again->stats);
    }
  };
  back_to_first(&PlanRequest::to, request.to, to_pad);
  back_to_first(&PlanRequest::from, request.from, from_pad);
  if (!first) return tl::unexpected(first.error());
  AirspacePlan p = std::move(*first);
  add_stats(p.stats, spent);
  p.stats.pad_plans -= 1;  // add_stats counts the plan it adds
  p.from_pad = from_pad;
  p.to_pad = to_pad;
  spent = p.stats;
  if (request.to_pads.empty()) return done(std::move(p));
  const bool found = p.outcome == Outcome::kFound;
  if (!found && p.reason != NoRouteReason::kGoalBlocked && p.reason != NoRouteReason::kGoalInZone) {
    return done(std::move(p));
  }
  // The other goal pads in order of their first free dwell at the free-air arrival.
  const Millis flight{found && p.stats.free_air_flight_ms > 0 ? p.stats.free_air_flight_ms
                      : found                                 ? (p.arrival - p.takeoff).count()
                                                              : 0};
  for (const auto& [land, k] : landings(flight, to_pad)) {
    if (found &&
        (land >= search::kTimeInf || land + options_.ground_delay_tolerance >= p.arrival)) {
      break;
    }
    PlanRequest other = one;
    other.to = goal_pad(k);
    // The runner-up's finished plan, unless the take-off pad changed since (stats already in).
    const bool kept = probed && probed->first == k && from_pad == probed_from;
    auto q = kept ? std::move(probed->second) : plan_one(other, table, budget());
    if (!q) {  // e.g. a pad in the start's column: never the answer
      if (found) break;
      continue;
    }
    if (!kept) add_stats(spent, q->stats);
    if (q->outcome == Outcome::kCancelled) {
      q->from_pad = from_pad;
      q->to_pad = k;
      return done(std::move(*q));
    }
    if (q->outcome != Outcome::kFound) {
      if (found) break;  // one more plan per query at most
      continue;
    }
    if (!found || q->arrival < p.arrival) {
      // q's own figures (path, corridor, ground delay) with the totals over all plans.
      PlanStats own = q->stats;
      q->stats = spent;
      q->stats.corridor_columns = own.corridor_columns;
      q->stats.corridor_half_width = own.corridor_half_width;
      q->stats.path_cells = own.path_cells;
      q->stats.shortcuts = own.shortcuts;
      q->stats.ground_delay = own.ground_delay;
      q->stats.ground_delay_ms = own.ground_delay_ms;
      q->stats.free_air_flight_ms = own.free_air_flight_ms;
      q->from_pad = from_pad;
      q->to_pad = k;
      return done(std::move(*q));
    }
    break;
  }
  p.stats = spent;
  return done(std::move(p));
}

Result<AirspacePlan> AirspacePlanner::plan_one(const PlanRequest& request,
                                               const search::ReservationTable& table,
                                               const search::StopCondition& stop, bool static_only,
                                               std::shared_ptr<const StaticLeg>* leg_out,
                                               std::uint64_t cap) const {
  const auto started = search::Clock::now();
  const airspace::Airspace& a = *airspace_;
  const airspace::AirspaceInfo& info = a.info();
  const search::GridGeometry geometry = info.geometry();

  // ---- Request validation (errors).
  for (const auto& [name, p] : {std::pair{"from", request.from}, std::pair{"to", request.to}}) {
    if (!std::isfinite(p.x_m) || !std::isfinite(p.y_m) ||
        (p.alt_amsl_m && !std::isfinite(*p.alt_amsl_m))) {
      return fail("PLAN_POINT_INVALID", std::string(name) + " point has a NaN or infinite field");
    }
  }
  const Millis earliest = request.earliest_departure;
  const Millis latest = request.latest_departure;
  if (earliest <= search::kTimeNegInf || earliest >= search::kTimeInf ||
      latest > search::kTimeInf || latest < earliest) {
    return fail("PLAN_WINDOW_INVALID", "departure window [" + std::to_string(earliest.count()) +
                                           ", " + std::to_string(latest.count()) +
                                           "] ms is inverted or out of range");
  }
  if (request.arrival_deadline &&
      (*request.arrival_deadline < earliest || *request.arrival_deadline >= search::kTimeInf)) {
    return fail("PLAN_WINDOW_INVALID",
                "arrival deadline " + std::to_string(request.arrival_deadline->count()) +
                    " ms is before the earliest departure " + std::to_string(earliest.count()) +
                    " ms or out of range");
  }
  if (request.goal_dwell < Millis{0} || request.goal_dwell > Millis{std::chrono::hours(24 * 7)}) {
    return fail("PLAN_WINDOW_INVALID", "goal dwell " + std::to_string(request.goal_dwell.count()) +
                                           " ms is negative or longer than a week");
  }
  if (request.energy_payload_kg &&
      (!std::isfinite(*request.energy_payload_kg) || *request.energy_payload_kg < 0.0)) {
    return fail("PLAN_OPTIONS_INVALID", "energy_payload_kg " +
                                            std::to_string(*request.energy_payload_kg) +
                                            " is negative or not finite");
  }
  if (table.size_x() != a.nx() || table.size_y() != a.ny() || table.size_z() != info.nz) {
    return fail("SIPP_TABLE_MISMATCH", "reservation table dimensions differ from the map's");
  }
  if (request.restrictions != nullptr && request.restrictions->airspace() != nullptr &&
      request.restrictions->airspace() != &a) {
    return fail(
        "RESTRICTION_MAP_MISMATCH",
        "the request's restriction set belongs to another airspace than map '" + info.name + "'");
  }
  struct Pad {
    std::int32_t x = 0;
    std::int32_t y = 0;
    std::size_t col = 0;
    std::int32_t layer = 0;
  };
  Pad pads[2];
  for (int k = 0; k < 2; ++k) {
    const PadPoint& p = k == 0 ? request.from : request.to;
    const char* name = k == 0 ? "from" : "to";
    Pad& pad = pads[k];
    if (!a.column_at(p.x_m, p.y_m, pad.x, pad.y)) {
      return fail("PLAN_POINT_OUTSIDE_MAP", std::string(name) + " point (" + std::to_string(p.x_m) +
                                                ", " + std::to_string(p.y_m) +
                                                ") m lies outside the map '" + info.name + "'");
    }
    pad.col = a.column(pad.x, pad.y);
    const double ground = a.ground_amsl_m(pad.col);
    const double alt = p.alt_amsl_m.value_or(ground);
    if (alt < ground - 0.05) {
      return fail("PLAN_POINT_INVALID", std::string(name) + " pad altitude " + std::to_string(alt) +
                                            " m AMSL is below the ground (" +
                                            std::to_string(ground) + " m)");
    }
    const auto layer = pad_layer(info, alt);
    if (!layer) {
      return fail("PLAN_POINT_OUTSIDE_MAP", std::string(name) + " pad altitude " +
                                                std::to_string(alt) +
                                                " m AMSL is outside the map's layers");
    }
    pad.layer = *layer;
  }
  if (pads[0].col == pads[1].col) {
    return fail("PLAN_POINT_INVALID",
                "from and to lie in the same column " + column_text(pads[0].x, pads[0].y));
  }

  AirspacePlan out;
  out.start_pad = Voxel{pads[0].x, pads[0].y, pads[0].layer};
  // A cancelled or expired request stops here (a warm cache may need no search to answer).
  const bool cancelled = stop.cancelled != nullptr && stop.cancelled->load();
  if (cancelled || search::Clock::now() >= stop.deadline) {
    out.outcome = cancelled ? Outcome::kCancelled : Outcome::kBudgetExhausted;
    out.stats.plan_ms = ms_since(started);
    return out;
  }
  out.goal_pad = Voxel{pads[1].x, pads[1].y, pads[1].layer};
  auto finish = [&](Outcome o, NoRouteReason r, std::string text) {
    out.outcome = o;
    out.reason = r;
    out.reason_text = std::move(text);
    out.stats.plan_ms = ms_since(started);
    return out;
  };

  // ---- Pad bands: the vertical take-off / landing column, from the pad up to the band top.
  const std::uint8_t blocked_kinds = class_.limits.blocked_zone_kinds;
  auto layer_below = [&](double h) {
    return static_cast<std::int32_t>(std::clamp(
        std::floor((h - info.altitude_min_amsl_m) / info.cell_z_m + 1e-9), 0.0, double(info.nz)));
  };
  auto layer_at_or_above = [&](double h) {
    return static_cast<std::int32_t>(std::clamp(
        std::ceil((h - info.altitude_min_amsl_m) / info.cell_z_m - 1e-9), 0.0, double(info.nz)));
  };
  auto pad_band = [&](const Pad& pad, bool start) {
    PadBand r;
    const char* which = start ? "start" : "goal";
    const double ground = a.ground_amsl_m(pad.col);
    const std::int32_t lo = view_->band_lo(pad.col);
    const std::int32_t hi = view_->band_hi(pad.col);
    std::int32_t top =
        hi > lo
            ? hi
            : layer_below(std::min(ground + class_.limits.ceiling_agl_m, class_.limits.max_amsl_m));
    for (const std::uint16_t id : a.zone_set_members(a.zone_set(pad.col))) {
      const airspace::Zone& z = a.zone(id);
      if (!z.always_active() || ((blocked_kinds >> static_cast<int>(z.kind)) & 1u) == 0) continue;
      const LayerBand zl{layer_below(z.floor.amsl_m(ground)),
                         layer_at_or_above(z.ceiling.amsl_m(ground))};
      if (zl.contains(pad.layer)) {
        r.reason = start ? NoRouteReason::kStartInZone : NoRouteReason::kGoalInZone;
        r.text = std::string(which) + " pad in column " + column_text(pad.x, pad.y) + " lies in " +
                 zone_text(z) + ", closed to class '" + class_.name + "'";
        return r;
      }
      if (zl.lo > pad.layer) top = std::min(top, zl.lo);
    }
    if (top <= pad.layer) {
      r.reason = start ? NoRouteReason::kStartBlocked : NoRouteReason::kGoalBlocked;
      r.text = std::string(which) + " pad in column " + column_text(pad.x, pad.y) +
               " has no free layer above it (class '" + class_.name + "' ceiling " +
               std::to_string(class_.limits.ceiling_agl_m) + " m AGL, zones)";
      return r;
    }
    r.band = LayerBand{pad.layer, top};
    return r;
  };
  const PadBand start_band = pad_band(pads[0], true);
  if (start_band.reason != NoRouteReason::kNone) {
    return finish(Outcome::kNoRoute, start_band.reason, start_band.text);
  }
  const PadBand goal_band = pad_band(pads[1], false);
  if (goal_band.reason != NoRouteReason::kNone) {
    return finish(Outcome::kNoRoute, goal_band.reason, goal_band.text);
  }

  // ---- Timed zones over the query horizon.
  const Millis horizon_from = earliest;
  const Millis horizon_to =
      (latest >= search::kTimeInf / 2 ? earliest : latest) + options_.zone_horizon;
  const TimedZoneOverlay overlay(a, blocked_kinds, horizon_from, horizon_to, options_.epoch_unix_s,
                                 request.restrictions);
  if (const std::string z =
          static_only ? std::string()
                      : overlay.blocking_throughout(pads[0].x, pads[0].y, pads[0].layer, earliest,
                                                    std::min(latest, search::kTimeInf - Millis{1}));
      !z.empty()) {
    return finish(Outcome::kNoRoute, NoRouteReason::kStartBlocked,
                  "start pad in column " + column_text(pads[0].x, pads[0].y) + " lies in " + z +
                      ", active throughout the departure window");
  }
  // Landing needs the goal pad free at some time before the deadline (if any).
  const Millis goal_until = request.arrival_deadline.value_or(search::kTimeInf - Millis{1});
  if (const std::string z = static_only
                                ? std::string()
                                : overlay.blocking_throughout(pads[1].x, pads[1].y, pads[1].layer,
                                                              earliest, goal_until);
      !z.empty()) {
    return finish(Outcome::kNoRoute, NoRouteReason::kGoalBlocked,
                  "goal pad in column " + column_text(pads[1].x, pads[1].y) + " lies in " + z +
                      (request.arrival_deadline ? ", active from the departure to the deadline"
                                                : ", active from the departure on"));
  }

  // ---- Coarse: 2D column route(s).
  const auto moves = search::sipp_detail::make_moves(geometry, class_.motion);
  const MoveDurations durations{moves[search::sipp_detail::move_index(1, 0, 0)].duration_ms,
                                moves[search::sipp_detail::move_index(1, 1, 0)].duration_ms,
                                moves[search::sipp_detail::move_index(0, 0, 1)].duration_ms,
                                moves[search::sipp_detail::move_index(0, 0, -1)].duration_ms};
  ColumnRouteOptions route_options{durations.axis, durations.diagonal, options_.route_weight};
  const bool energy_route = request.energy_payload_kg.has_value();
  if (energy_route) {
    // ms of cruise that use the energy of one layer of climb (descent): P_climb * (dz / rate)
    // = P_cruise * t.
    const double m = vehicle::total_mass_kg(class_, *request.energy_payload_kg);
    const double p_cruise = vehicle::cruise_power_w(class_, m);
    const double layer_m = info.cell_z_m;
    route_options.rise_cost =
        static_cast<std::int64_t>(std::llround(1e3 * vehicle::climb_power_w(class_, m) * layer_m /
                                               class_.motion.climb_rate_mps / p_cruise));
    route_options.fall_cost =
        static_cast<std::int64_t>(std::llround(1e3 * vehicle::hover_power_w(class_, m) * layer_m /
                                               class_.motion.descent_rate_mps / p_cruise));
  }
  const ColumnXY start_xy{pads[0].x, pads[0].y};
  const ColumnXY goal_xy{pads[1].x, pads[1].y};
  const QueryBands static_bands(a, *view_, pads[0].col, start_band.band, pads[1].col,
                                goal_band.band, nullptr);
  const auto route_started = search::Clock::now();
  auto route_done = [&](Outcome o, NoRouteReason r, std::string text) {
    out.stats.route_ms = ms_since(route_started);
    return finish(o, r, std::move(text));
  };
  // Blocks first: no node route proves there is no column route (BlockGraph is exact). The pad
  // columns' own bands may join components the view does not: start from every component one
  // legal step from the start pad, stop at any one step from the goal pad.
  auto pad_nodes = [&](ColumnXY c) {
    std::vector<std::int32_t> nodes;
    if (const std::int32_t own = blocks_.node_of(c.x, c.y); own >= 0) nodes.push_back(own);
    const LayerBand b = static_bands.band(c.x, c.y);
    for (std::int32_t dy = -1; dy <= 1; ++dy) {
      for (std::int32_t dx = -1; dx <= 1; ++dx) {
        if ((dx == 0 && dy == 0) || !column_step_ok(static_bands, b, c.x, c.y, dx, dy)) continue;
        const std::int32_t n = blocks_.node_of(c.x + dx, c.y + dy);
        if (n >= 0 && std::find(nodes.begin(), nodes.end(), n) == nodes.end()) nodes.push_back(n);
      }
    }
    return nodes;
  };
  const bool adjacent =
      std::max(std::abs(start_xy.x - goal_xy.x), std::abs(start_xy.y - goal_xy.y)) <= 2;
  std::shared_ptr<const StaticLeg> leg =
      legs_ != nullptr ? legs_->find(out.start_pad, out.goal_pad, route_options.rise_cost,
                                     route_options.fall_cost)
                       : nullptr;
  // The leg's own searches (the routes here, the free-air flight below) are not held to a small
  // caller budget: a warm cache skips them, and a cold one must answer alike.
  search::StopCondition leg_stop = stop;
  leg_stop.max_expansions = std::max(stop.max_expansions, kStaticLegExpansions);
  BlockGraph::Route coarse;
  if (leg != nullptr) {
    ++out.stats.static_legs_reused;
    coarse.outcome = Outcome::kFound;
    coarse.blocks = leg->blocks;
  } else if (!adjacent) {
    coarse = blocks_.find_route(pad_nodes(start_xy), pad_nodes(goal_xy), options_.route_weight,
                                leg_stop);
    out.stats.route_expansions += coarse.stats.expansions;
  }
  if (coarse.outcome == Outcome::kBudgetExhausted || coarse.outcome == Outcome::kCancelled) {
    return route_done(coarse.outcome, NoRouteReason::kNone, {});
  }
  const std::string unreachable_text =
      "no column route joins " + column_text(pads[0].x, pads[0].y) + " and " +
      column_text(pads[1].x, pads[1].y) + " for class '" + class_.name +
      "' (terrain, obstacles, ceiling and always-active zones)";
  if (!adjacent && coarse.outcome == Outcome::kNoRoute) {
    return route_done(Outcome::kNoRoute, NoRouteReason::kGoalUnreachable, unreachable_text);
  }
  // Then columns near the block route (1 block around it, then 4), then anywhere (the block
  // route's components guarantee a column route inside the first; the others are safety nets).
  const std::vector<std::vector<ColumnXY>> coarse_routes{coarse.blocks};
  ColumnRouteResult route;
  if (leg != nullptr) {
    route.outcome = Outcome::kFound;
    route.route = leg->route;
  }
  for (const std::int32_t near : {1, 4, -1}) {
    if (leg != nullptr || ((adjacent || energy_route) && near >= 0)) continue;
    if (near < 0) {
      route = find_column_route(static_bands, start_xy, goal_xy, route_options, leg_stop);
    } else {
      const Corridor blocks_near =
          Corridor::around(coarse_routes, near, blocks_.size_x(), blocks_.size_y());
      route = find_column_route(BlockRestricted(static_bands, blocks_near), start_xy, goal_xy,
                                route_options, leg_stop);
    }
    out.stats.route_expansions += route.stats.expansions;
    if (route.outcome != Outcome::kNoRoute) break;
  }
  if (route.outcome == Outcome::kBudgetExhausted || route.outcome == Outcome::kCancelled) {
    return route_done(route.outcome, NoRouteReason::kNone, {});
  }
  if (route.outcome == Outcome::kNoRoute) {
    return route_done(Outcome::kNoRoute, NoRouteReason::kGoalUnreachable, unreachable_text);
  }
  std::vector<std::vector<ColumnXY>> routes;
  routes.push_back(std::move(route.route));
  // A route through timed zones may have to wait: offer SIPP a detour around them as well (near
  // the block route), so it can choose between waiting and flying around.
  if (!static_only && !overlay.empty() && !adjacent &&
      std::any_of(routes[0].begin(), routes[0].end(),
                  [&](const ColumnXY& c) { return overlay.column_has_zones(c.x, c.y); })) {
    const QueryBands cut_bands(a, *view_, pads[0].col, start_band.band, pads[1].col, goal_band.band,
                               &overlay);
    const Corridor blocks_near =
        Corridor::around(coarse_routes, 4, blocks_.size_x(), blocks_.size_y());
    // A detour near the block route costs about as many expansions as the route has columns;
    // behind a wide wall this search would fill the whole band before failing, so it is capped.
    search::StopCondition near_stop = stop;
    near_stop.max_expansions = std::min<std::uint64_t>(
        stop.max_expansions, 8 * static_cast<std::uint64_t>(routes[0].size()) + 10'000);
    ColumnRouteResult detour = find_column_route(BlockRestricted(cut_bands, blocks_near), start_xy,
                                                 goal_xy, route_options, near_stop);
    out.stats.route_expansions += detour.stats.expansions;
    if (detour.outcome == Outcome::kCancelled) {
      return route_done(detour.outcome, NoRouteReason::kNone, {});
    }
    // A wide zone or restriction may leave no detour within 4 blocks of the block route: look
    // anywhere, under a budget (a detour is only an offer to SIPP; enclosed pads must not make
    // this search flood the map).
    if (detour.outcome == Outcome::kNoRoute || detour.outcome == Outcome::kBudgetExhausted) {
      search::StopCondition detour_stop = stop;
      detour_stop.max_expansions = std::min<std::uint64_t>(stop.max_expansions, kDetourBudget);
      // Greedier than the main route search: behind a wall weighted A* fills the pocket of
      // columns with g + w h below the detour's f, which shrinks as w grows. Measured on the
      // default map (bench/plan_bench.cpp BM_PlanRestricted, 5 km square across Huaqiangbei ->
      // Boluo): 222k route expansions in all at weight 1.5, 205k at 3 (most of both in the
      // uncapped near-route search), 60k with the cap above.
      ColumnRouteOptions greedy = route_options;
      greedy.weight = std::max(route_options.weight, kDetourWeight);
      detour = find_column_route(cut_bands, start_xy, goal_xy, greedy, detour_stop);
      out.stats.route_expansions += detour.stats.expansions;
      if (detour.outcome == Outcome::kCancelled) {
        return route_done(detour.outcome, NoRouteReason::kNone, {});
      }
    }
    if (detour.outcome == Outcome::kFound) routes.push_back(std::move(detour.route));
  }
  out.stats.route_ms = ms_since(route_started);

  // The weighted guide is not consistent. The first search of each corridor does not reopen
  // closed states (reopening under weight 3 can re-expand the same region many times over when
  // traffic forces a wait); it is not a proof of infeasibility, so a no-route answer is
  // re-checked by a search that reopens, which is complete.
  search::SippOptions sipp_options{options_.heuristic_weight, false, 0, true,
                                   options_.loiter_weight};
  sipp_options.air_time_bucket = options_.air_time_bucket;
  // The caller's expansion budget left after every search so far.
  // (Building a static leg is not charged: a cold and a warm cache give the same answer.)
  auto remaining = [&]() -> std::uint64_t {
    const std::uint64_t charged = charged_expansions(out.stats);
    const std::uint64_t limit = std::min(stop.max_expansions, cap);
    return limit > charged ? limit - charged : 0;
  };
  // Corridor, bands and guide of width w around `routes`, into `c`, `grid` and `guide`.
  auto build_corridor = [&](std::int32_t w, Corridor& c, std::optional<CorridorGrid>& grid,
                            std::optional<CorridorHeuristic>& guide) {
    const auto h_started = search::Clock::now();
    c = Corridor::around(routes, w, a.nx(), a.ny());
    std::vector<LayerBand> bands(c.size());
    c.for_each([&](std::int32_t x, std::int32_t y, std::int32_t i) {
      bands[static_cast<std::size_t>(i)] = static_bands.band(x, y);
    });
    grid.emplace(c, std::move(bands), a.nx(), a.ny(), info.nz);
    guide.emplace(*grid, out.start_pad, out.goal_pad, durations, moves);
    out.stats.heuristic_settled += guide->settled();
    out.stats.heuristic_ms += ms_since(h_started);
  };

  // The flight in free air over `g` (SIPP over an empty schedule), its work counted.
  auto fly_free = [&](const CorridorGrid& g, const CorridorHeuristic& guide,
                      const search::SippRequest& r, const search::SippOptions& o,
                      const search::StopCondition& st) {
    const search::EmptySchedule empty(a.nx(), a.ny(), info.nz);
    const search::Sipp<CorridorGrid, search::EmptySchedule> free_air(g, empty, geometry,
                                                                     class_.motion);
    const auto s_started = search::Clock::now();
    auto plan = free_air.plan(r, guide, o, st);
    out.stats.sipp_ms += ms_since(s_started);
    if (plan) {
      out.stats.free_air_expansions += plan->stats.expansions;
      out.stats.expansions += plan->stats.expansions;
      out.stats.generated += plan->stats.generated;
    }
    return plan;
  };

  // ---- The static leg (PlannerOptions::static_legs): the first corridor around the column
  // route with its guide, and the free-air flight taking off at t = 0; from the cache, or built
  // here and offered to it. A detour route (timed zones) makes the first corridor the query's own.
  if (leg == nullptr && routes.size() == 1) {
    auto built = std::make_shared<StaticLeg>();
    ++out.stats.static_legs_built;
    built->start = out.start_pad;
    built->goal = out.goal_pad;
    built->rise_cost = route_options.rise_cost;
    built->fall_cost = route_options.fall_cost;
    built->blocks = coarse.blocks;
    built->route = routes[0];
    build_corridor(options_.corridor_half_width, built->corridor, built->grid, built->heuristic);
    // The free-air flight serves ground delay first and, with a cache, the goal pad choice.
    Outcome free_outcome = Outcome::kNoRoute;
    if (options_.ground_delay_first || legs_ != nullptr) {
      search::SippRequest free_request;
      free_request.start = out.start_pad;
      free_request.goal = out.goal_pad;
      free_request.earliest_departure = Millis{0};
      free_request.latest_departure = search::kTimeInf;
      free_request.goal_dwell = request.goal_dwell;
      search::SippOptions free_options = sipp_options;
      free_options.expected_states = 16 * built->heuristic->route().size();
      const auto free_plan =
          fly_free(*built->grid, *built->heuristic, free_request, free_options, leg_stop);
      if (!free_plan) return tl::unexpected(free_plan.error());
      out.stats.static_leg_expansions += free_plan->stats.expansions;
      free_outcome = free_plan->outcome;
      if (free_outcome == Outcome::kCancelled) {
        return finish(Outcome::kCancelled, NoRouteReason::kNone, {});
      }
      if (free_outcome == Outcome::kFound) built->free_air = free_plan->path;
    }
    // A leg whose free-air search ran out of budget is this query's only.
    if (legs_ != nullptr && free_outcome != Outcome::kBudgetExhausted) legs_->insert(built);
    leg = std::move(built);
  }
  if (static_only) {
    if (leg_out != nullptr) *leg_out = leg;
    if (leg == nullptr || leg->free_air.empty()) {
      return finish(Outcome::kNoRoute, NoRouteReason::kGoalUnreachable,
                    "no free-air flight in the first corridor");
    }
    out.stats.free_air_flight_ms =
        (leg->free_air.back().arrival - leg->free_air.front().departure).count();
    return finish(Outcome::kFound, NoRouteReason::kNone, {});
  }

  // ---- Fine: SIPP inside a corridor, widened when it finds nothing.
  const ZonedReservations intervals(table, overlay, a);
  search::SippRequest sreq;
  sreq.start = out.start_pad;
  sreq.goal = out.goal_pad;
  sreq.earliest_departure = earliest;
  sreq.latest_departure = latest;
  sreq.arrival_deadline = request.arrival_deadline;
  sreq.goal_dwell = request.goal_dwell;
  sreq.trajectory_id = request.trajectory_id;
  // ---- Found: trajectory output.
  auto emit = [&](const CorridorGrid& grid, const ZonedReservations& intervals,
                  std::vector<search::PathStep>&& path) {
    out.path = std::move(path);
    if (out.path.front().departure - out.path.front().arrival > options_.max_pad_wait) {
      out.path.front().arrival = out.path.front().departure - options_.max_pad_wait;
    }
    out.stats.path_cells = out.path.size();
    out.departure = out.path.front().arrival;
    out.takeoff = out.path.front().departure;
    out.arrival = out.path.back().arrival;
    out.grid_trajectory = merge_collinear(
        search::sipp_detail::to_trajectory(out.path, geometry, request.trajectory_id));
    out.trajectory = out.grid_trajectory;
    if (options_.smooth) {
      const auto sm_started = search::Clock::now();
      const auto& pts = out.grid_trajectory.points;
      const double sx = geometry.center_x_m(pads[0].x);
      const double sy = geometry.center_y_m(pads[0].y);
      const double gx = geometry.center_x_m(pads[1].x);
      const double gy = geometry.center_y_m(pads[1].y);
      std::size_t first = 0;
      while (first + 1 < pts.size() && pts[first + 1].x_m == sx && pts[first + 1].y_m == sy) {
        ++first;
      }
      std::size_t last = pts.size() - 1;
      while (last > 0 && pts[last - 1].x_m == gx && pts[last - 1].y_m == gy) --last;
      if (first + 1 < last) {
        const OccupancyChecker checker(grid, intervals, geometry);
        SmoothingStats st;
        out.trajectory = shortcut(out.grid_trajectory, first, last, checker, &st);
        out.stats.shortcuts = st.shortcuts;
        out.smoothed = st.shortcuts > 0;
      }
      out.stats.smooth_ms = ms_since(sm_started);
    }
    out.distance_m = path_length_m(out.trajectory);
    return finish(Outcome::kFound, NoRouteReason::kNone, {});
  };
  NoRouteReason last_reason = NoRouteReason::kGoalUnreachable;
  std::string last_text;
  for (std::int32_t w = options_.corridor_half_width;;
       w = std::min(w * 4, options_.max_corridor_half_width)) {
    ++out.stats.attempts;
    // The first corridor is the static leg's when the query has no detour route of its own.
    const bool from_leg = out.stats.attempts == 1 && leg != nullptr && routes.size() == 1;
    Corridor own_corridor;
    std::optional<CorridorGrid> own_grid;
    std::optional<CorridorHeuristic> own_guide;
    if (!from_leg) build_corridor(w, own_corridor, own_grid, own_guide);
    const Corridor& corridor = from_leg ? leg->corridor : own_corridor;
    const CorridorGrid& grid = from_leg ? *leg->grid : *own_grid;
    const CorridorHeuristic& heuristic = from_leg ? *leg->heuristic : *own_guide;
    out.stats.corridor_columns = corridor.size();
    out.stats.corridor_half_width = w;

    const search::Sipp<CorridorGrid, ZonedReservations> sipp(grid, intervals, geometry,
                                                             class_.motion);
    search::StopCondition attempt_stop = stop;
    attempt_stop.max_expansions = remaining();
    auto s_started = search::Clock::now();
    // About a dozen states per route column on the way (measured on the default map).
    sipp_options.expected_states = 16 * heuristic.route().size();
    sipp_options.reopen = false;
    // Ground delay first (PlannerOptions::ground_delay_first), in the first corridor only.
    std::optional<std::vector<search::PathStep>> delayed;
    if (options_.ground_delay_first && out.stats.attempts == 1) {
      // The free-air flight: the static leg's, taking off at the earliest departure, or (with a
      // detour route) planned in this corridor.
      std::vector<search::PathStep> free_path;
      if (from_leg) {
        free_path = leg->free_air;
        for (search::PathStep& step : free_path) {
          step.arrival += earliest;
          step.departure += earliest;
        }
        if (!free_path.empty()) {  // the leg's dwell is the request that built it
          free_path.back().departure = free_path.back().arrival + request.goal_dwell;
        }
      } else {
        search::SippRequest free_request = sreq;
        free_request.latest_departure = search::kTimeInf;
        free_request.arrival_deadline.reset();
        const auto free_plan = fly_free(grid, heuristic, free_request, sipp_options, attempt_stop);
        if (!free_plan) return tl::unexpected(free_plan.error());
        if (free_plan->outcome == Outcome::kCancelled) {
          return finish(Outcome::kCancelled, NoRouteReason::kNone, {});
        }
        if (free_plan->outcome == Outcome::kFound) free_path = free_plan->path;
      }
      if (!free_path.empty()) {
        out.stats.free_air_flight_ms =
            (free_path.back().arrival - free_path.front().departure).count();
        delayed = sipp.delayed(free_path, sreq);
      }
      if (delayed) {
        const std::int64_t shift =
            delayed->front().departure.count() - free_path.front().departure.count();
        const Millis reference = reference_arrival(free_path, sreq, intervals);
        if (delayed->back().arrival <= reference + options_.ground_delay_tolerance) {
          out.stats.ground_delay = true;
          out.stats.ground_delay_ms = shift;
          return emit(grid, intervals, std::move(*delayed));
        }
        // Search only for what lands earlier than the delayed flight, with a budget in
        // proportion to what it might save: improve_expansions per tolerance of the delay
        // beyond the reference (a 2 h restriction across the route is worth a long search for
        // a detour; a minute's crossing is not).
        const double worth = static_cast<double>((delayed->back().arrival - reference).count()) /
                             static_cast<double>(std::max<std::int64_t>(
                                 options_.ground_delay_tolerance.count(), 1'000));
        attempt_stop.max_expansions = static_cast<std::uint64_t>(
            std::min(static_cast<double>(options_.improve_expansions) * std::max(1.0, worth),
                     static_cast<double>(remaining())));
        search::SippRequest better = sreq;
        better.arrival_deadline = std::min(sreq.arrival_deadline.value_or(search::kTimeInf),
                                           delayed->back().arrival - Millis{1});
        search::SippOptions improve = sipp_options;
        improve.diagnose = false;
        const auto s2 = search::Clock::now();
        auto found = sipp.plan(better, heuristic, improve, attempt_stop);
        out.stats.sipp_ms += ms_since(s2);
        if (!found) return tl::unexpected(found.error());
        out.stats.expansions += found->stats.expansions;
        out.stats.generated += found->stats.generated;
        if (found->outcome == Outcome::kCancelled) {
          return finish(Outcome::kCancelled, NoRouteReason::kNone, {});
        }
        if (found->outcome == Outcome::kFound) return emit(grid, intervals, std::move(found->path));
        out.stats.ground_delay = true;
        out.stats.ground_delay_ms = shift;
        return emit(grid, intervals, std::move(*delayed));
      }
      attempt_stop.max_expansions = remaining();
      s_started = search::Clock::now();
    }
    auto result = sipp.plan(sreq, heuristic, sipp_options, attempt_stop);
    if (result && result->outcome == Outcome::kNoRoute) {
      out.stats.expansions += result->stats.expansions;
      out.stats.generated += result->stats.generated;
      attempt_stop.max_expansions = remaining();
      sipp_options.reopen = true;
      result = sipp.plan(sreq, heuristic, sipp_options, attempt_stop);
    }
    out.stats.sipp_ms += ms_since(s_started);
    if (!result) return tl::unexpected(result.error());
    search::SippPlan& sp = *result;
    out.stats.expansions += sp.stats.expansions;
    out.stats.generated += sp.stats.generated;
    if (sp.outcome == Outcome::kBudgetExhausted || sp.outcome == Outcome::kCancelled) {
      return finish(sp.outcome, NoRouteReason::kNone, {});
    }
    if (sp.outcome == Outcome::kNoRoute) {
      switch (sp.reason) {
        case search::NoRouteReason::kStartBlocked:
          return finish(Outcome::kNoRoute, NoRouteReason::kStartBlocked, sp.reason_text);
        case search::NoRouteReason::kGoalBlocked:
          return finish(Outcome::kNoRoute, NoRouteReason::kGoalBlocked, sp.reason_text);
        case search::NoRouteReason::kDepartureWindowTooTight:
          last_reason = NoRouteReason::kWindowTooTight;
          break;
        case search::NoRouteReason::kDeadlineTooTight:
          last_reason = NoRouteReason::kDeadlineTooTight;
          break;
        default:
          last_reason = NoRouteReason::kGoalUnreachable;
          break;
      }
      last_text = sp.reason_text + " (searched a corridor of +-" + std::to_string(w) +
                  " cells around the column route)";
      if (w >= options_.max_corridor_half_width) break;
      continue;
    }

    return emit(grid, intervals, std::move(sp.path));
  }
  return finish(Outcome::kNoRoute, last_reason, last_text);
}

}  // namespace skylane::plan
