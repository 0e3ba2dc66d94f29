// Multi-leg missions with every leg planned in 4D (plan::AirspaceLegPlanner) on the default
// Shenzhen-Boluo map: Huaqiangbei -> Boluo for each class of the shipped catalogue, at its max
// payload and at a light payload (min(5 kg, max)), against 0 and 1,000 accepted flights. Graph size
// and build time of the network: bench/network_bench.cpp (BM_NetworkBuild*).
//
// Accepted traffic is made as in bench/plan_bench.cpp: flights between random usable vertiports
// (a random pad within 60 m), random classes, departures uniform over max(2 h, N * 7.2 s), each
// planned against those before it and reserved; the conflict checker must find none. Traffic
// classes are those with the default 32 m / 7.6 m / 2 s envelope (flycart30, flycart30_single,
// ark40, meituan) and the table is swept with it: larger envelopes (longrange 64 m, evtol218
// 150 m) would multiply the table by ~3x / ~17x (plan_bench: ~2 MB per flight at 32 m). So for
// longrange and evtol218 the 1,000-flight figure is the latency of planning against that traffic,
// not a separation guarantee for their larger envelopes.
//
// Reported per class: p50 / max wall time of plan_mission_with_class over --skylane_missions
// departures 5 min apart in the middle of the traffic (network built with the pool's vehicle
// view, every leg in 4D, the router's re-searches included; the planner pool is built before
// the timing and its build time reported as pool_build_ms), and outcome counters. Flags:
// --skylane_missions=N (default 3), --skylane_max_flights=N (default 1000), --skylane_map=PATH.
// Timings never gate CI.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/network/mission_router.hpp"
#include "skylane/plan/airspace_leg_planner.hpp"
#include "skylane/plan/planner_pool.hpp"

namespace skylane::network {
namespace {

using std::chrono::milliseconds;

std::size_t g_missions = 3;
std::int64_t g_max_flights = 1000;
std::string g_map = std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya";

// 2026-06-01 08:00 +08:00: traffic and missions fly in the morning, inside opening hours.
constexpr airspace::UnixSeconds kEpoch = 1780243200 + 8 * 3600;

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct World {
  std::string error;
  std::unique_ptr<airspace::Airspace> map;
  vehicle::VehicleCatalogue catalogue;
  std::unique_ptr<plan::PlannerPool> pool;
  std::map<std::string, double> pool_build_ms;
  std::vector<const vehicle::VehicleClass*> traffic_classes;
  traj::SeparationEnvelope traffic_envelope;
  std::vector<const airspace::Vertiport*> usable;
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
    plan::PlannerOptions o;
    o.epoch_unix_s = kEpoch;
    out.pool = std::make_unique<plan::PlannerPool>(*out.map, out.catalogue, o);
    const traj::SeparationEnvelope standard{};
    for (const auto& e : out.catalogue.entries()) {
      const auto t0 = std::chrono::steady_clock::now();
      auto p = out.pool->get(e.vehicle.name);
      if (!p) {
        out.error = p.error().to_string();
        return out;
      }
      out.pool_build_ms[e.vehicle.name] = ms_since(t0);
      const auto& s = e.vehicle.separation;
      if (s.horizontal_m <= standard.horizontal_m && s.vertical_m <= standard.vertical_m &&
          s.time_buffer <= standard.time_buffer) {
        out.traffic_classes.push_back(&e.vehicle);
      }
    }
    out.traffic_envelope = standard;
    for (const auto& v : out.map->vertiports()) {
      std::int32_t x = 0;
      std::int32_t y = 0;
      if (!out.map->column_at(v.x_m, v.y_m, x, y)) continue;
      if (out.map->zone_set_members(out.map->zone_set(out.map->column(x, y))).empty()) {
        out.usable.push_back(&v);
      }
    }
    if (out.traffic_classes.empty() || out.usable.size() < 2) out.error = "no traffic possible";
    return out;
  }();
  return w;
}

struct Traffic {
  std::unique_ptr<search::ReservationTable> table;
  milliseconds window{0};
  std::size_t accepted = 0;
  std::size_t not_accepted = 0;
  std::size_t conflicts = 0;
  double setup_s = 0.0;
};

Traffic& traffic(std::int64_t n) {
  static std::map<std::int64_t, std::unique_ptr<Traffic>> cache;
  auto& slot = cache[n];
  if (slot) return *slot;
  World& w = world();
  slot = std::make_unique<Traffic>();
  Traffic& t = *slot;
  const auto& info = w.map->info();
  const auto t0 = std::chrono::steady_clock::now();
  t.table = std::make_unique<search::ReservationTable>(w.map->nx(), w.map->ny(), info.nz);
  t.window = milliseconds{std::max<std::int64_t>(2 * 3'600'000, n * 7'200)};
  std::mt19937_64 rng(20260101);
  std::uniform_int_distribution<std::size_t> pick(0, w.usable.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_class(0, w.traffic_classes.size() - 1);
  std::uniform_int_distribution<std::int64_t> depart(0, t.window.count());
  std::uniform_int_distribution<std::int32_t> jitter(-3, 3);
  std::vector<traj::Trajectory4D> flights;
  std::vector<traj::SeparationEnvelope> envelopes;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto* a = w.usable[pick(rng)];
    const auto* b = w.usable[pick(rng)];
    while (b == a) b = w.usable[pick(rng)];
    const vehicle::VehicleClass& vc = *w.traffic_classes[pick_class(rng)];
    const plan::AirspacePlanner& planner = **w.pool->get(vc.name);
    plan::PlanRequest r;
    r.from = {a->x_m + jitter(rng) * info.cell_xy_m, a->y_m + jitter(rng) * info.cell_xy_m, {}};
    r.to = {b->x_m + jitter(rng) * info.cell_xy_m, b->y_m + jitter(rng) * info.cell_xy_m, {}};
    r.earliest_departure = milliseconds{depart(rng)};
    r.trajectory_id = i + 1;
    search::StopCondition stop;
    stop.max_expansions = 2'000'000;
    auto p = planner.plan(r, *t.table, stop);
    if (!p || p->outcome != search::Outcome::kFound ||
        !t.table->reserve(p->trajectory, vc.separation, w.traffic_envelope, info.geometry())) {
      ++t.not_accepted;
      continue;
    }
    flights.push_back(std::move(p->trajectory));
    envelopes.push_back(vc.separation);
  }
  t.accepted = flights.size();
  t.setup_s = ms_since(t0) / 1000.0;
  std::vector<conflict::FlightRef> refs;
  for (std::size_t i = 0; i < flights.size(); ++i) refs.push_back({&flights[i], envelopes[i]});
  const auto report = conflict::check_all(refs);
  t.conflicts = report ? report->violations.size() : static_cast<std::size_t>(-1);
  return t;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

// Args: class index in the catalogue, accepted flights, payload (0: the class's max, 1: light).
void BM_Mission4DHuaqiangbeiBoluo(benchmark::State& state) {
  World& w = world();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  const auto ci = static_cast<std::size_t>(state.range(0));
  const std::int64_t n = state.range(1);
  const bool light = state.range(2) == 1;
  if (ci >= w.catalogue.size()) {
    state.SkipWithError("no such class index");
    return;
  }
  const vehicle::VehicleClass& vc = w.catalogue.entries()[ci].vehicle;
  state.SetLabel(vc.name);
  if (n > g_max_flights) {
    state.SkipWithError("accepted flights above --skylane_max_flights");
    return;
  }
  Traffic& t = traffic(n);
  if (t.conflicts != 0) {
    state.SkipWithError("the conflict checker found conflicts among the accepted flights");
    return;
  }
  const plan::AirspacePlanner& planner = **w.pool->get(vc.name);
  NetworkOptions net_opt;
  net_opt.view = &planner.view();
  std::vector<double> ms;
  std::size_t found = 0;
  double legs = 0.0;
  double stops = 0.0;
  double replans = 0.0;
  double failures = 0.0;
  double minutes = 0.0;
  for (auto _ : state) {
    ms.clear();
    found = 0;
    legs = stops = replans = failures = minutes = 0.0;
    for (std::size_t q = 0; q < g_missions; ++q) {
      plan::AirspaceLegPlannerOptions lo;
      lo.trajectory_id = 2'000'000 + static_cast<std::int64_t>(q);
      const plan::AirspaceLegPlanner leg_planner(*w.pool, *t.table, lo);
      MissionRequest r;
      r.origin = "Huaqiangbei hub";
      r.destination = "Boluo county hub";
      r.payload_kg = light ? std::min(5.0, vc.max_payload_kg) : vc.max_payload_kg;
      r.earliest_departure = t.window / 2 + milliseconds{static_cast<std::int64_t>(q) * 300'000};
      r.epoch_unix_s = kEpoch;
      const auto t0 = std::chrono::steady_clock::now();
      auto sel =
          plan_mission_with_class(*w.map, w.catalogue, vc.name, r, leg_planner.as_leg_planner(),
                                  always_free_pads(), {}, net_opt);
      ms.push_back(ms_since(t0));
      if (!sel) {
        state.SkipWithError(sel.error().to_string().c_str());
        return;
      }
      const MissionPlan& p = sel->plan;
      replans += static_cast<double>(p.replans);
      failures += static_cast<double>(p.failures.size());
      if (p.outcome == search::Outcome::kFound) {
        ++found;
        legs += static_cast<double>(p.legs.size());
        stops += static_cast<double>(p.stops.size());
        minutes += static_cast<double>((p.arrival - p.departure).count()) / 60000.0;
      }
      benchmark::DoNotOptimize(p.legs.data());
    }
  }
  const double runs = static_cast<double>(std::max<std::size_t>(g_missions, 1));
  state.counters["accepted"] = static_cast<double>(t.accepted);
  state.counters["payload_kg"] = light ? std::min(5.0, vc.max_payload_kg) : vc.max_payload_kg;
  state.counters["missions"] = static_cast<double>(ms.size());
  state.counters["found"] = static_cast<double>(found);
  state.counters["p50_ms"] = percentile(ms, 0.5);
  state.counters["max_ms"] = percentile(ms, 1.0);
  state.counters["legs"] = found > 0 ? legs / static_cast<double>(found) : 0.0;
  state.counters["stops"] = found > 0 ? stops / static_cast<double>(found) : 0.0;
  state.counters["mission_min"] = found > 0 ? minutes / static_cast<double>(found) : 0.0;
  state.counters["failed_candidates"] = failures / runs;
  state.counters["replans"] = replans / runs;
  state.counters["pool_build_ms"] = w.pool_build_ms[vc.name];
  state.counters["traffic_setup_s"] = t.setup_s;
}
BENCHMARK(BM_Mission4DHuaqiangbeiBoluo)
    ->ArgNames({"class", "accepted", "light"})
    ->ArgsProduct({benchmark::CreateDenseRange(0, 5, 1), {0, 1000}, {0, 1}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace skylane::network

int main(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const auto flag = [&](const char* name) {
      return std::strncmp(argv[i], name, std::strlen(name)) == 0 ? argv[i] + std::strlen(name)
                                                                 : nullptr;
    };
    if (const char* v = flag("--skylane_missions=")) {
      skylane::network::g_missions = std::strtoull(v, nullptr, 10);
    } else if (const char* v = flag("--skylane_max_flights=")) {
      skylane::network::g_max_flights = std::strtoll(v, nullptr, 10);
    } else if (const char* v = flag("--skylane_map=")) {
      skylane::network::g_map = v;
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
