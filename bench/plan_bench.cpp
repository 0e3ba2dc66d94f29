// Corridor planning on the default map (Shenzhen–Boluo, built by the ctest fixture
// default_map into ${CMAKE_BINARY_DIR}/shenzhen-boluo.skya, or --skylane_map=PATH):
// Huaqiangbei -> Boluo for the long-range class against 0 / 100 / 1,000 / 10,000 previously
// accepted flights between random vertiports (planned and reserved first, outside the timing).
// Reported as counters: p50 / p99 / max plan time over --skylane_queries departures spread over
// an hour in the middle of the traffic, expansions and expansions per path cell, reservation
// table memory per accepted flight, set-up time, and the independent conflict checker's verdict
// over all accepted flights (the benchmark fails if it finds any conflict). BM_PlanRestricted:
// the same query with no traffic against a 5 km x 5 km run-time restriction (restriction.hpp)
// centred on the middle waypoint of the unrestricted flight, open-ended: rasterising it, planning
// around it, and restriction_affects on the unrestricted plan. Flags: --skylane_queries=N (default
// 100), --skylane_max_flights=N (default 1000: larger traffic is skipped with a message unless
// allowed; 10,000 flights need ~5.2 GB of table and plan for ~16 min), --skylane_map=PATH,
// --skylane_traffic_dir=DIR (accepted traffic is saved there as traffic_<N>.bin after it is planned
// and reloaded by later runs, which then only reserve it: set-up drops from minutes to seconds,
// e.g. for profiling; delete the files whenever the map or the planner changes), --skylane_verbose
// (one line per corridor query on stderr), --skylane_single_pad (the corridor queries use the
// vertiport point only, not the hubs' other pads), --skylane_ground_delay_tolerance_s=S
// (PlannerOptions::ground_delay_tolerance for the traffic and the queries; negative turns
// ground_delay_first off), --skylane_static_legs=N (PlannerOptions::static_legs; 0: no cache),
// --skylane_air_time_bucket_ms=N (PlannerOptions::air_time_bucket, traffic and queries).
// Each run of corridor queries starts with an empty static-leg cache: `legs_built` queries paid
// for their pad pair's leg (slowest of them: `built_max_ms`), the others reused one; `legs_MB`
// is the cache at the end. Each corridor query has a budget of 2,000,000 SIPP
// expansions (counter `exhausted`); `ground_delay` counts the answers that are the free-air flight
// delayed on the ground (PlannerOptions::ground_delay_first), and every answer is checked against
// all accepted flights by the independent conflict checker (`query_conflicts`, outside the
// timing; any conflict fails the run); `late_s_*`: how much later than earliest departure plus
// the free-air flight time the answers land (the cost of the traffic to the query). Timings never
// gate CI.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/plan/airspace_planner.hpp"
#include "skylane/plan/restriction.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::plan {
namespace {

using std::chrono::milliseconds;

std::size_t g_queries = 100;
std::int64_t g_max_flights = 1000;
std::string g_map = std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya";
std::string g_traffic_dir;
bool g_verbose = false;
bool g_single_pad = false;
std::optional<std::int64_t> g_air_bucket_ms;  // --skylane_air_time_bucket_ms
std::optional<std::size_t> g_static_legs;     // --skylane_static_legs (default: the planner's)
std::optional<double> g_tolerance_s;  // --skylane_ground_delay_tolerance_s (default: the planner's)

double rss_mb() {
  std::ifstream in("/proc/self/statm");
  std::size_t pages = 0;
  std::size_t resident = 0;
  in >> pages >> resident;
  return static_cast<double>(resident) * 4096.0 / 1e6;
}

struct World {
  std::string error;
  std::unique_ptr<airspace::Airspace> map;
  vehicle::VehicleCatalogue catalogue;    // the shipped one
  std::vector<AirspacePlanner> planners;  // catalogue order, envelope <= 64 m
  traj::SeparationEnvelope max_env{0.0, 0.0, milliseconds{0}};
  std::size_t longrange = 0;
  std::vector<const airspace::Vertiport*> usable;  // vertiports outside every zone
  const airspace::Vertiport* from = nullptr;
  const airspace::Vertiport* to = nullptr;
};

World& world() {
  static World w = [] {
    World out;
    auto a = airspace::read_airspace(g_map);
    if (!a) {
      out.error = a.error().to_string() + " (build it: ctest -R default_map_build)";
      return out;
    }
    out.map = std::make_unique<airspace::Airspace>(std::move(*a));
    auto cat = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
    if (!cat) {
      out.error = cat.error().to_string();
      return out;
    }
    out.catalogue = std::move(*cat);
    for (const auto& entry : out.catalogue.entries()) {
      const vehicle::VehicleClass& vc = entry.vehicle;
      // Traffic and the query use the classes whose envelope is at most 64 m / 15 m (evtol218's
      // 150 m would sweep each reservation over ~10x the voxels). The table is swept with the
      // largest envelope of those classes (max_env).
      if (vc.separation.horizontal_m > 64.0) continue;
      out.max_env.horizontal_m = std::max(out.max_env.horizontal_m, vc.separation.horizontal_m);
      out.max_env.vertical_m = std::max(out.max_env.vertical_m, vc.separation.vertical_m);
      out.max_env.time_buffer = std::max(out.max_env.time_buffer, vc.separation.time_buffer);
      PlannerOptions options;
      if (g_static_legs) options.static_legs = *g_static_legs;
      if (g_air_bucket_ms) options.air_time_bucket = milliseconds{*g_air_bucket_ms};
      if (g_tolerance_s) {
        options.ground_delay_first = *g_tolerance_s >= 0.0;
        options.ground_delay_tolerance =
            milliseconds{static_cast<std::int64_t>(std::max(0.0, *g_tolerance_s) * 1000.0)};
      }
      auto p = AirspacePlanner::create(*out.map, vc, options);
      if (!p) {
        out.error = p.error().to_string();
        return out;
      }
      if (vc.name == "longrange") out.longrange = out.planners.size();
      out.planners.push_back(std::move(*p));
    }
    for (const auto& v : out.map->vertiports()) {
      std::int32_t x = 0;
      std::int32_t y = 0;
      if (!out.map->column_at(v.x_m, v.y_m, x, y)) continue;
      if (out.map->zone_set_members(out.map->zone_set(out.map->column(x, y))).empty()) {
        out.usable.push_back(&v);
      }
      if (v.name.rfind("Huaqiangbei", 0) == 0) out.from = &v;
      if (v.name.rfind("Boluo county hub", 0) == 0) out.to = &v;
    }
    if (out.from == nullptr || out.to == nullptr) out.error = "vertiports not found in the map";
    return out;
  }();
  return w;
}

/// A request between two vertiports offering all their pads (airspace::pad_positions on the map:
/// pad 0 at the vertiport point, the others 100 m apart around it); the planner takes off from
/// the pad free first and lands on another when the first is busy.
PlanRequest between(const airspace::Vertiport& a, const airspace::Vertiport& b) {
  const airspace::Airspace& map = *world().map;
  PlanRequest r;
  r.from = {a.x_m, a.y_m, {}};
  r.to = {b.x_m, b.y_m, {}};
  for (const auto& [v, pads] : {std::pair{&a, &r.from_pads}, std::pair{&b, &r.to_pads}}) {
    const auto at = airspace::pad_positions(*v);
    for (std::size_t k = 1; k < at.size(); ++k) {
      std::int32_t x = 0;
      std::int32_t y = 0;
      if (map.column_at(at[k].first, at[k].second, x, y)) {
        pads->push_back({at[k].first, at[k].second, {}});
      }
    }
  }
  return r;
}

/// Accepted traffic: N flights between random usable vertiports (each offering all its pads, see
/// between()), random classes, departures uniform over the window max(2 h, N * 7.2 s), each
/// planned against the ones before it and reserved.
struct Traffic {
  std::unique_ptr<search::ReservationTable> table;
  std::vector<traj::Trajectory4D> flights;
  std::vector<traj::SeparationEnvelope> envelopes;
  milliseconds window{0};
  std::size_t not_found = 0;
  double setup_s = 0.0;
  double rss_delta_mb = 0.0;
  std::size_t conflicts = 0;
  double check_s = 0.0;
  bool from_cache = false;
};

// Traffic cache: magic, flight count, not-accepted count, then per flight its id, envelope
// (horizontal_m, vertical_m, time_buffer ms), point count and points (x, y, z, t ms).
constexpr std::uint64_t kTrafficMagic = 0x31464654'4c594b53ULL;  // "SKYLTFF1"

std::string traffic_path(std::int64_t n) {
  return g_traffic_dir + "/traffic_" + std::to_string(n) + ".bin";
}

template <class V>
void put(std::ofstream& out, const V& v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof(V));
}
template <class V>
bool get(std::ifstream& in, V& v) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&v), sizeof(V)));
}

void save_traffic(const Traffic& t, std::int64_t n) {
  std::ofstream out(traffic_path(n), std::ios::binary | std::ios::trunc);
  put(out, kTrafficMagic);
  put(out, static_cast<std::uint64_t>(t.flights.size()));
  put(out, static_cast<std::uint64_t>(t.not_found));
  for (std::size_t i = 0; i < t.flights.size(); ++i) {
    put(out, t.flights[i].id);
    put(out, t.envelopes[i].horizontal_m);
    put(out, t.envelopes[i].vertical_m);
    put(out, t.envelopes[i].time_buffer.count());
    put(out, static_cast<std::uint64_t>(t.flights[i].points.size()));
    for (const auto& w : t.flights[i].points) {
      put(out, w.x_m);
      put(out, w.y_m);
      put(out, w.z_m);
      put(out, w.t.count());
    }
  }
}

/// True if the cache file exists and reads completely (flights and envelopes filled).
bool load_traffic(Traffic& t, std::int64_t n) {
  std::ifstream in(traffic_path(n), std::ios::binary);
  std::uint64_t magic = 0;
  std::uint64_t count = 0;
  std::uint64_t not_found = 0;
  if (!get(in, magic) || magic != kTrafficMagic || !get(in, count) || !get(in, not_found)) {
    return false;
  }
  for (std::uint64_t i = 0; i < count; ++i) {
    traj::Trajectory4D f;
    traj::SeparationEnvelope e;
    std::int64_t buffer_ms = 0;
    std::uint64_t points = 0;
    if (!get(in, f.id) || !get(in, e.horizontal_m) || !get(in, e.vertical_m) ||
        !get(in, buffer_ms) || !get(in, points) || points > 10'000'000) {
      return false;
    }
    e.time_buffer = milliseconds{buffer_ms};
    f.points.resize(points);
    for (auto& w : f.points) {
      std::int64_t ms = 0;
      if (!get(in, w.x_m) || !get(in, w.y_m) || !get(in, w.z_m) || !get(in, ms)) return false;
      w.t = milliseconds{ms};
    }
    t.flights.push_back(std::move(f));
    t.envelopes.push_back(e);
  }
  t.not_found = not_found;
  return true;
}

Traffic& traffic(std::int64_t n) {
  static std::map<std::int64_t, std::unique_ptr<Traffic>> cache;
  auto& slot = cache[n];
  if (slot) return *slot;
  World& w = world();
  slot = std::make_unique<Traffic>();
  Traffic& t = *slot;
  const auto& info = w.map->info();
  const double rss0 = rss_mb();
  const auto t0 = std::chrono::steady_clock::now();
  t.table = std::make_unique<search::ReservationTable>(w.map->nx(), w.map->ny(), info.nz);
  t.window = milliseconds{std::max<std::int64_t>(2 * 3'600'000, n * 7'200)};
  std::mt19937_64 rng(20260101);
  std::uniform_int_distribution<std::size_t> pick(0, w.usable.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_class(0, w.planners.size() - 1);
  std::uniform_int_distribution<std::int64_t> depart(0, t.window.count());
  const auto max_env = w.max_env;
  if (!g_traffic_dir.empty() && load_traffic(t, n)) {
    t.from_cache = true;
    for (const auto& f : t.flights) {
      const std::size_t i = static_cast<std::size_t>(&f - t.flights.data());
      if (!t.table->reserve(f, t.envelopes[i], max_env, info.geometry())) {
        t.flights.clear();
        t.envelopes.clear();
        break;
      }
    }
  }
  const std::int64_t to_plan = t.from_cache ? 0 : n;
  for (std::int64_t i = 0; i < to_plan; ++i) {
    const auto* a = w.usable[pick(rng)];
    const auto* b = w.usable[pick(rng)];
    while (b == a) b = w.usable[pick(rng)];
    const AirspacePlanner& planner = w.planners[pick_class(rng)];
    PlanRequest r = between(*a, *b);
    r.earliest_departure = milliseconds{depart(rng)};
    r.trajectory_id = i + 1;
    search::StopCondition stop;
    stop.max_expansions = 2'000'000;
    auto p = planner.plan(r, *t.table, stop);
    if (!p || p->outcome != search::Outcome::kFound) {
      ++t.not_found;
      continue;
    }
    if (!t.table->reserve(p->trajectory, planner.vehicle_class().separation, max_env,
                          info.geometry())) {
      ++t.not_found;
      continue;
    }
    t.flights.push_back(std::move(p->trajectory));
    t.envelopes.push_back(planner.vehicle_class().separation);
  }
  t.setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t.rss_delta_mb = rss_mb() - rss0;
  if (!g_traffic_dir.empty() && !t.from_cache) save_traffic(t, n);
  const auto c0 = std::chrono::steady_clock::now();
  std::vector<conflict::FlightRef> refs;
  for (std::size_t i = 0; i < t.flights.size(); ++i)
    refs.push_back({&t.flights[i], t.envelopes[i]});
  const auto report = conflict::check_all(refs);
  t.conflicts = report ? report->violations.size() : static_cast<std::size_t>(-1);
  t.check_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
  return t;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

/// --skylane_verbose, for a query that was not found: the same query on an empty table, and the
/// first steps of that free-air plan the accepted traffic makes busy (where, when, whose).
void explain_blocked(const AirspacePlanner& planner, const PlanRequest& r,
                     const search::ReservationTable& table) {
  const search::ReservationTable empty(table.size_x(), table.size_y(), table.size_z());
  const auto free_plan = planner.plan(r, empty);
  if (!free_plan || free_plan->outcome != search::Outcome::kFound) {
    std::fprintf(stderr, "  (no plan on an empty table either)\n");
    return;
  }
  const auto& path = free_plan->path;
  std::vector<std::size_t> busy;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (!table.is_free(path[i].voxel, path[i].arrival, path[i].departure)) busy.push_back(i);
  }
  std::fprintf(stderr, "  free-air plan: %zu of %zu steps busy\n", busy.size(), path.size());
  if (busy.size() > 12) busy.erase(busy.begin() + 6, busy.end() - 6);  // first and last six
  std::vector<search::Reservation> owners;
  for (const std::size_t i : busy) {
    const auto& s = path[i];
    owners.clear();
    table.reservations(s.voxel, owners);
    std::string who;
    for (const auto& o : owners) {
      if (o.end < s.arrival - milliseconds{60'000} ||
          o.begin > s.departure + milliseconds{60'000}) {
        continue;
      }
      who += " #" + std::to_string(o.owner) + "[" + std::to_string(o.begin.count() / 1000) + "-" +
             std::to_string(o.end.count() / 1000) + " s]";
    }
    std::fprintf(stderr, "  free-air step %zu/%zu voxel (%d, %d, %d) at %lld-%lld s busy:%s\n", i,
                 path.size(), s.voxel.x, s.voxel.y, s.voxel.z,
                 static_cast<long long>(s.arrival.count() / 1000),
                 static_cast<long long>(s.departure.count() / 1000), who.c_str());
  }
}

/// --skylane_verbose, for a query that takes off more than a minute late: who holds the start pad
/// (and the voxel above it) between the earliest departure and the take-off, and the goal pad
/// around the arrival.
void explain_pads(search::Voxel start, search::Voxel goal, milliseconds from, milliseconds takeoff,
                  milliseconds arrival, const search::ReservationTable& table) {
  std::vector<search::Reservation> owners;
  auto show = [&](const char* what, search::Voxel v, milliseconds a, milliseconds b) {
    owners.clear();
    table.reservations(v, owners);
    std::string who;
    for (const auto& o : owners) {
      if (o.end < a || o.begin > b) continue;
      who += " #" + std::to_string(o.owner) + "[" + std::to_string(o.begin.count() / 1000) + "-" +
             std::to_string(o.end.count() / 1000) + " s]";
    }
    std::fprintf(stderr, "  %s (%d, %d, %d) %lld-%lld s:%s\n", what, v.x, v.y, v.z,
                 static_cast<long long>(a.count() / 1000), static_cast<long long>(b.count() / 1000),
                 who.c_str());
  };
  show("start pad", start, from, takeoff);
  show("above start pad", {start.x, start.y, start.z + 1}, from, takeoff);
  show("goal pad", goal, arrival - milliseconds{600'000}, arrival);
}

// Arg: accepted flights. One iteration plans --skylane_queries Huaqiangbei -> Boluo flights of
// the long-range class, departing every 36 s over the hour in the middle of the traffic window
// (each against the same accepted traffic; none is reserved).
void BM_PlanCorridor(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  World& w = world();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  if (n > g_max_flights) {
    const std::string why = std::to_string(n) +
                            " accepted flights skipped: raise --skylane_max_flights (needs about " +
                            std::to_string(n * 52 / 100'000) + " GB of reservation table)";
    state.SkipWithError(why.c_str());
    return;
  }
  Traffic& t = traffic(n);
  if (t.conflicts != 0) {
    const std::string why = "conflict checker found " + std::to_string(t.conflicts) +
                            " conflicts among the accepted flights";
    state.SkipWithError(why.c_str());
    return;
  }
  AirspacePlanner& planner = w.planners[w.longrange];
  std::vector<double> ms;
  std::vector<double> expansions;
  std::vector<double> per_cell;
  std::vector<double> flight_s;
  std::vector<double> generated;
  std::vector<double> sipp_ms;
  std::vector<double> heuristic_ms;
  std::vector<double> route_ms;
  std::vector<double> smooth_ms;
  std::vector<double> built_ms;  // queries that planned their static leg (cold)
  std::vector<double> late_s;    // landing after earliest departure + free-air flight
  std::size_t found = 0;
  std::size_t exhausted = 0;
  std::size_t ground_delay = 0;
  std::size_t query_conflicts = 0;
  std::vector<conflict::FlightRef> refs;
  for (std::size_t i = 0; i < t.flights.size(); ++i)
    refs.push_back({&t.flights[i], t.envelopes[i]});
  for (auto _ : state) {
    ms.clear();
    built_ms.clear();
    late_s.clear();
    // Every run starts with no static legs of the query's class (the traffic's planning may
    // have left some): the first query of each pad pair pays for its leg (built_*).
    planner.clear_static_legs();
    expansions.clear();
    per_cell.clear();
    flight_s.clear();
    generated.clear();
    sipp_ms.clear();
    heuristic_ms.clear();
    route_ms.clear();
    smooth_ms.clear();
    found = 0;
    exhausted = 0;
    ground_delay = 0;
    query_conflicts = 0;
    for (std::size_t q = 0; q < g_queries; ++q) {
      PlanRequest r = g_single_pad ? PlanRequest{} : between(*w.from, *w.to);
      if (g_single_pad) {
        r.from = {w.from->x_m, w.from->y_m, {}};
        r.to = {w.to->x_m, w.to->y_m, {}};
      }
      r.earliest_departure =
          t.window / 2 - milliseconds{1'800'000} +
          milliseconds{static_cast<std::int64_t>(q) * 3'600'000 /
                       static_cast<std::int64_t>(std::max<std::size_t>(g_queries, 1))};
      r.trajectory_id = 1'000'000 + static_cast<std::int64_t>(q);
      // The budget the traffic itself was planned with: a query past it is reported as
      // exhausted (counter `exhausted`), not left running for minutes.
      search::StopCondition stop;
      stop.max_expansions = 2'000'000;
      const auto p = planner.plan(r, *t.table, stop);
      if (!p) {
        state.SkipWithError(p.error().to_string().c_str());
        return;
      }
      ms.push_back(p->stats.plan_ms);
      if (p->stats.static_legs_built > 0) built_ms.push_back(p->stats.plan_ms);
      expansions.push_back(static_cast<double>(p->stats.expansions));
      generated.push_back(static_cast<double>(p->stats.generated));
      sipp_ms.push_back(p->stats.sipp_ms);
      heuristic_ms.push_back(p->stats.heuristic_ms);
      route_ms.push_back(p->stats.route_ms);
      smooth_ms.push_back(p->stats.smooth_ms);
      if (p->outcome == search::Outcome::kBudgetExhausted) ++exhausted;
      if (g_verbose) {
        std::fprintf(
            stderr,
            "query %zu depart %lld ms: %s %.1f ms (route %.1f, heuristic %.1f, sipp %.1f, "
            "smooth %.1f), %llu expansions, %llu generated, %d plans%s%s%lld s\n",
            q, static_cast<long long>(r.earliest_departure.count()),
            search::outcome_name(p->outcome), p->stats.plan_ms, p->stats.route_ms,
            p->stats.heuristic_ms, p->stats.sipp_ms, p->stats.smooth_ms,
            static_cast<unsigned long long>(p->stats.expansions),
            static_cast<unsigned long long>(p->stats.generated), p->stats.pad_plans + 1,
            p->stats.static_legs_built > 0 ? ", leg built" : ", leg reused",
            p->stats.ground_delay ? ", ground delay " : ", searched, take-off after ",
            static_cast<long long>(p->stats.ground_delay
                                       ? p->stats.ground_delay_ms / 1000
                                       : (p->takeoff - r.earliest_departure).count() / 1000));
      }
      if (g_verbose && p->outcome != search::Outcome::kFound) explain_blocked(planner, r, *t.table);
      if (g_verbose && p->outcome == search::Outcome::kFound &&
          p->takeoff - r.earliest_departure > milliseconds{60'000}) {
        explain_pads(p->start_pad, p->goal_pad, r.earliest_departure, p->takeoff, p->arrival,
                     *t.table);
      }
      if (p->outcome == search::Outcome::kFound) {
        ++found;
        if (p->stats.ground_delay) ++ground_delay;
        // The independent checker, outside the timing: the query against every accepted flight.
        state.PauseTiming();
        const auto check =
            conflict::check_against(p->trajectory, planner.vehicle_class().separation, refs);
        query_conflicts += check ? check->violations.size() : 1;
        state.ResumeTiming();
        per_cell.push_back(static_cast<double>(p->stats.expansions) /
                           static_cast<double>(std::max<std::size_t>(p->stats.path_cells, 1)));
        flight_s.push_back(static_cast<double>((p->arrival - p->departure).count()) / 1000.0);
        if (p->stats.free_air_flight_ms > 0) {
          late_s.push_back(static_cast<double>((p->arrival - r.earliest_departure).count() -
                                               p->stats.free_air_flight_ms) /
                           1000.0);
        }
      }
      benchmark::DoNotOptimize(p->trajectory.points.data());
    }
  }
  const auto accepted = static_cast<double>(std::max<std::size_t>(t.flights.size(), 1));
  state.counters["accepted"] = static_cast<double>(t.flights.size());
  state.counters["not_accepted"] = static_cast<double>(t.not_found);
  state.counters["queries"] = static_cast<double>(ms.size());
  state.counters["found"] = static_cast<double>(found);
  state.counters["exhausted"] = static_cast<double>(exhausted);
  state.counters["ground_delay"] = static_cast<double>(ground_delay);
  state.counters["query_conflicts"] = static_cast<double>(query_conflicts);
  if (query_conflicts != 0) {
    state.SkipWithError("conflict checker found a query plan in conflict with accepted traffic");
  }
  state.counters["legs_built"] = static_cast<double>(built_ms.size());
  state.counters["built_max_ms"] = percentile(built_ms, 1.0);
  state.counters["legs_MB"] = static_cast<double>(planner.static_leg_bytes()) / 1e6;
  state.counters["p50_ms"] = percentile(ms, 0.50);
  state.counters["p99_ms"] = percentile(ms, 0.99);
  state.counters["max_ms"] = percentile(ms, 1.0);
  state.counters["exp_p50"] = percentile(expansions, 0.50);
  state.counters["exp_p99"] = percentile(expansions, 0.99);
  state.counters["gen_p50"] = percentile(generated, 0.50);
  state.counters["sipp_ms_p50"] = percentile(sipp_ms, 0.50);
  state.counters["heur_ms_p50"] = percentile(heuristic_ms, 0.50);
  state.counters["route_ms_p50"] = percentile(route_ms, 0.50);
  state.counters["smooth_ms_p50"] = percentile(smooth_ms, 0.50);
  state.counters["exp_per_cell_p50"] = percentile(per_cell, 0.50);
  state.counters["exp_per_cell_p99"] = percentile(per_cell, 0.99);
  state.counters["flight_s_p50"] = percentile(flight_s, 0.50);
  state.counters["late_s_p50"] = percentile(late_s, 0.50);
  state.counters["late_s_p99"] = percentile(late_s, 0.99);
  double late_sum = 0.0;
  for (const double l : late_s) late_sum += l;
  state.counters["late_s_mean"] =
      late_s.empty() ? 0.0 : late_sum / static_cast<double>(late_s.size());
  state.counters["table_MB"] = static_cast<double>(t.table->approx_memory_bytes()) / 1e6;
  state.counters["table_B_per_flight"] =
      t.flights.empty() ? 0.0 : static_cast<double>(t.table->approx_memory_bytes()) / accepted;
  state.counters["entries_per_flight"] =
      t.flights.empty() ? 0.0 : static_cast<double>(t.table->entry_count()) / accepted;
  state.counters["rss_MB_per_flight"] = t.flights.empty() ? 0.0 : t.rss_delta_mb / accepted;
  state.counters["setup_s"] = t.setup_s;
  state.counters["check_all_s"] = t.check_s;
  state.counters["conflicts"] = static_cast<double>(t.conflicts);
}
BENCHMARK(BM_PlanCorridor)
    ->ArgName("accepted")
    ->Arg(0)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

void BM_PlanRestricted(benchmark::State& state) {
  World& w = world();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  const airspace::Airspace& map = *w.map;
  const AirspacePlanner& planner = w.planners[w.longrange];
  const search::ReservationTable table(map.nx(), map.ny(), map.info().nz);
  auto frame = geo::GeoFrame::create(map.info().crs);
  if (!frame) {
    state.SkipWithError(frame.error().to_string().c_str());
    return;
  }
  PlanRequest r;
  r.from = {w.from->x_m, w.from->y_m, {}};
  r.to = {w.to->x_m, w.to->y_m, {}};
  r.trajectory_id = 1;
  const auto free_plan = planner.plan(r, table);
  if (!free_plan || free_plan->outcome != search::Outcome::kFound) {
    state.SkipWithError("the unrestricted plan failed");
    return;
  }
  // Centred on the waypoint of the unrestricted plan nearest its middle in time.
  const auto& pts = free_plan->trajectory.points;
  const traj::Millis mid = pts.front().t + (pts.back().t - pts.front().t) / 2;
  const auto near = std::min_element(pts.begin(), pts.end(), [&](const auto& a, const auto& b) {
    return std::abs((a.t - mid).count()) < std::abs((b.t - mid).count());
  });
  const double cx = near->x_m;
  const double cy = near->y_m;
  Restriction spec;
  spec.id = 1;
  spec.name = "bench 5 km square";
  for (const auto& [dx, dy] : {std::pair{-1.0, -1.0}, {1.0, -1.0}, {1.0, 1.0}, {-1.0, 1.0}}) {
    const auto ll = frame->to_lonlat({cx + dx * 2'500.0, cy + dy * 2'500.0});
    spec.ring_lonlat.push_back({ll->lon_deg, ll->lat_deg});
  }
  std::vector<double> ms;
  std::vector<double> add_ms;
  std::vector<double> affects_ms;
  double detour_m = 0.0;
  std::size_t found = 0;
  std::size_t affected = 0;
  PlanStats last;
  RestrictionSet set(map);
  for (auto _ : state) {
    for (std::size_t q = 0; q < g_queries; ++q) {
      set = RestrictionSet(map);
      const auto a0 = std::chrono::steady_clock::now();
      if (auto added = set.add(spec); !added) {
        state.SkipWithError(added.error().to_string().c_str());
        return;
      }
      add_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a0).count());
      const auto f0 = std::chrono::steady_clock::now();
      const auto hit = restriction_affects(*set.find(1), free_plan->trajectory, map);
      affects_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - f0).count());
      affected += hit && *hit ? 1 : 0;
      r.restrictions = &set;
      const auto p = planner.plan(r, table);
      if (!p) {
        state.SkipWithError(p.error().to_string().c_str());
        return;
      }
      ms.push_back(p->stats.plan_ms);
      last = p->stats;
      if (p->outcome == search::Outcome::kFound) {
        ++found;
        detour_m = p->distance_m - free_plan->distance_m;
      }
    }
  }
  state.counters["queries"] = static_cast<double>(ms.size());
  state.counters["found"] = static_cast<double>(found);
  state.counters["affected"] = static_cast<double>(affected);
  state.counters["covered_columns"] = static_cast<double>(set.find(1)->covered_columns());
  state.counters["add_ms_p50"] = percentile(add_ms, 0.50);
  state.counters["affects_ms_p50"] = percentile(affects_ms, 0.50);
  state.counters["p50_ms"] = percentile(ms, 0.50);
  state.counters["p99_ms"] = percentile(ms, 0.99);
  state.counters["free_ms"] = free_plan->stats.plan_ms;
  state.counters["detour_m"] = detour_m;
  state.counters["route_ms"] = last.route_ms;
  state.counters["heuristic_ms"] = last.heuristic_ms;
  state.counters["sipp_ms"] = last.sipp_ms;
  state.counters["smooth_ms"] = last.smooth_ms;
  state.counters["expansions"] = static_cast<double>(last.expansions);
  state.counters["route_expansions"] = static_cast<double>(last.route_expansions);
  state.counters["attempts"] = last.attempts;
}
BENCHMARK(BM_PlanRestricted)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace skylane::plan

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const auto flag = [&](const char* name) {
      return std::strncmp(argv[i], name, std::strlen(name)) == 0 ? argv[i] + std::strlen(name)
                                                                 : nullptr;
    };
    if (const char* v = flag("--skylane_queries=")) {
      skylane::plan::g_queries = std::strtoull(v, nullptr, 10);
    } else if (const char* v = flag("--skylane_max_flights=")) {
      skylane::plan::g_max_flights = std::strtoll(v, nullptr, 10);
    } else if (const char* v = flag("--skylane_map=")) {
      skylane::plan::g_map = v;
    } else if (std::strcmp(argv[i], "--skylane_verbose") == 0) {
      skylane::plan::g_verbose = true;
    } else if (const char* v = flag("--skylane_ground_delay_tolerance_s=")) {
      skylane::plan::g_tolerance_s = std::strtod(v, nullptr);
    } else if (const char* v = flag("--skylane_air_time_bucket_ms=")) {
      skylane::plan::g_air_bucket_ms = std::strtoll(v, nullptr, 10);
    } else if (const char* v = flag("--skylane_static_legs=")) {
      skylane::plan::g_static_legs = std::strtoull(v, nullptr, 10);
    } else if (std::strcmp(argv[i], "--skylane_single_pad") == 0) {
      skylane::plan::g_single_pad = true;
    } else if (const char* v = flag("--skylane_traffic_dir=")) {
      skylane::plan::g_traffic_dir = v;
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
