// Vertiport network and multi-leg routing on the default Shenzhen-Boluo map, per vehicle class
// of the shipped catalogue (each at its max payload): graph size and build time (with and
// without building the class's vehicle view), route search and whole-mission latency
// Huaqiangbei -> Boluo. Missions here use the straight-line LegPlanner stand-in; with every leg
// planned in 4D (0 and 1,000 accepted flights) see bench/mission_bench.cpp. Needs
// ${SKYLANE_BINARY_DIR}/shenzhen-boluo.skya (ctest fixture default_map, or `skylane map build`);
// --skylane_map=PATH overrides. Timings never gate CI.
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/network/mission_router.hpp"
#include "skylane/network/straight_line_leg_planner.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::network {
namespace {

std::string g_map_path = std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya";
constexpr airspace::UnixSeconds kEpoch = 1780243200;  // 2026-06-01 00:00 +08:00
constexpr Millis kNineAm{9 * 3600 * 1000};

struct World {
  std::unique_ptr<airspace::Airspace> map;
  vehicle::VehicleCatalogue catalogue;
  std::string error;
};

const World& world() {
  static const World* w = [] {
    auto* out = new World();
    auto cat = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
    if (!cat) {
      out->error = cat.error().to_string();
      return out;
    }
    out->catalogue = std::move(*cat);
    auto a = airspace::read_airspace(g_map_path);
    if (!a) {
      out->error = a.error().to_string() + " (build it with `skylane map build`)";
      return out;
    }
    out->map = std::make_unique<airspace::Airspace>(std::move(*a));
    return out;
  }();
  return *w;
}

// The class of benchmark argument 0, or nullptr (and the state skipped).
const vehicle::VehicleClass* class_of(benchmark::State& state) {
  const World& w = world();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return nullptr;
  }
  const auto i = static_cast<std::size_t>(state.range(0));
  if (i >= w.catalogue.size()) {
    state.SkipWithError("no such class index");
    return nullptr;
  }
  const vehicle::VehicleClass& v = w.catalogue.entries()[i].vehicle;
  state.SetLabel(v.name);
  return &v;
}

// Per class, its vehicle view and network at max payload, built once and shared by the
// routing benchmarks (a view takes ~0.2 s to build over the 17.5 M columns).
struct ClassWorld {
  std::unique_ptr<airspace::VehicleView> view;
  std::unique_ptr<VertiportNetwork> network;
  std::string error;
};

const ClassWorld& class_world(const vehicle::VehicleClass& v) {
  static std::map<std::string, ClassWorld> cache;
  auto [it, fresh] = cache.try_emplace(v.name);
  if (!fresh) return it->second;
  ClassWorld& cw = it->second;
  auto view = airspace::VehicleView::create(*world().map, v.limits);
  if (!view) {
    cw.error = view.error().to_string();
    return cw;
  }
  cw.view = std::make_unique<airspace::VehicleView>(std::move(*view));
  NetworkOptions opt;
  opt.view = cw.view.get();
  auto net = VertiportNetwork::build(*world().map, v, v.max_payload_kg, opt);
  if (!net) {
    cw.error = net.error().to_string();
    return cw;
  }
  cw.network = std::make_unique<VertiportNetwork>(std::move(*net));
  return cw;
}

MissionRequest hqb_to_boluo(double payload) {
  MissionRequest r;
  r.origin = "Huaqiangbei hub";
  r.destination = "Boluo county hub";
  r.payload_kg = payload;
  r.earliest_departure = kNineAm;
  r.epoch_unix_s = kEpoch;
  return r;
}

void set_size_counters(benchmark::State& state, const VertiportNetwork& net) {
  state.counters["vertices"] = static_cast<double>(net.stats().vertices);
  state.counters["usable"] = static_cast<double>(net.stats().usable_vertices);
  state.counters["edges"] = static_cast<double>(net.stats().edges);
  state.counters["view_ms"] = net.stats().view_ms;
}

void BM_NetworkBuild(benchmark::State& state) {
  const vehicle::VehicleClass* v = class_of(state);
  if (!v) return;
  for (auto _ : state) {
    auto net = VertiportNetwork::build(*world().map, *v, v->max_payload_kg);
    if (!net) {
      state.SkipWithError(net.error().to_string().c_str());
      return;
    }
    set_size_counters(state, *net);
    benchmark::DoNotOptimize(net->edge_count());
  }
}
BENCHMARK(BM_NetworkBuild)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);

void BM_NetworkBuildGivenView(benchmark::State& state) {
  const vehicle::VehicleClass* v = class_of(state);
  if (!v) return;
  const ClassWorld& cw = class_world(*v);
  if (!cw.error.empty()) {
    state.SkipWithError(cw.error.c_str());
    return;
  }
  NetworkOptions opt;
  opt.view = cw.view.get();
  for (auto _ : state) {
    auto net = VertiportNetwork::build(*world().map, *v, v->max_payload_kg, opt);
    if (!net) {
      state.SkipWithError(net.error().to_string().c_str());
      return;
    }
    set_size_counters(state, *net);
    benchmark::DoNotOptimize(net->edge_count());
  }
}
BENCHMARK(BM_NetworkBuildGivenView)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);

void BM_RouteHuaqiangbeiBoluo(benchmark::State& state) {
  const vehicle::VehicleClass* v = class_of(state);
  if (!v) return;
  const ClassWorld& cw = class_world(*v);
  if (!cw.error.empty()) {
    state.SkipWithError(cw.error.c_str());
    return;
  }
  const VertiportNetwork* net = cw.network.get();
  RouterOptions opt;
  opt.max_candidates = 3;
  const MissionRequest req = hqb_to_boluo(v->max_payload_kg);
  const PadOracle pads = always_free_pads();
  for (auto _ : state) {
    auto r = find_routes(*net, req, pads, opt);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    state.counters["found"] = r->outcome == search::Outcome::kFound ? 1 : 0;
    state.counters["candidates"] = static_cast<double>(r->candidates.size());
    state.counters["expansions"] = static_cast<double>(r->stats.expansions);
    state.counters["legs"] =
        r->candidates.empty() ? 0.0 : static_cast<double>(r->candidates.front().legs.size());
  }
}
BENCHMARK(BM_RouteHuaqiangbeiBoluo)->DenseRange(0, 5)->Unit(benchmark::kMicrosecond);

void BM_MissionHuaqiangbeiBoluoStraightLine(benchmark::State& state) {
  const vehicle::VehicleClass* v = class_of(state);
  if (!v) return;
  const ClassWorld& cw = class_world(*v);
  if (!cw.error.empty()) {
    state.SkipWithError(cw.error.c_str());
    return;
  }
  const VertiportNetwork* net = cw.network.get();
  const MissionRequest req = hqb_to_boluo(v->max_payload_kg);
  const LegPlanner legs = make_straight_line_leg_planner_for_tests();
  const PadOracle pads = always_free_pads();
  for (auto _ : state) {
    auto p = plan_mission(*net, req, legs, pads);
    if (!p) {
      state.SkipWithError(p.error().to_string().c_str());
      return;
    }
    state.counters["found"] = p->outcome == search::Outcome::kFound ? 1 : 0;
    state.counters["legs"] = static_cast<double>(p->legs.size());
    // Simulated mission figures (not timings): block time and energy of the plan.
    state.counters["mission_min"] =
        p->outcome == search::Outcome::kFound ? (p->arrival - p->departure).count() / 60000.0 : 0;
    state.counters["energy_wh"] = p->energy_wh;
  }
}
BENCHMARK(BM_MissionHuaqiangbeiBoluoStraightLine)->DenseRange(0, 5)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace skylane::network

int main(int argc, char** argv) {
  // --skylane_map=PATH (ours) is removed before Google Benchmark parses the rest.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--skylane_map=", 14) == 0) {
      skylane::network::g_map_path = argv[i] + 14;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
