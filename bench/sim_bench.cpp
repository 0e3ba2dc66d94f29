// Simulator benchmarks: raw engine events/s; wall time and peak memory of the default
// Shenzhen-Boluo day and of a 10x demand day through the real dispatch core; growth of wall time
// with 1k / 10k / 100k missions with the straight-line stand-in planner (the real planner at 100k
// would take hours; see docs/sim.md). Needs build/<preset>/shenzhen-boluo.skya for all but the
// engine benchmarks. Peak memory is the process's (ru_maxrss): run one day benchmark per process
// (--benchmark_filter) for a clean figure.
#include <random>
#include <string>

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "skylane/sim/event_queue.hpp"
#include "skylane/sim/sim_run.hpp"

namespace {

using skylane::sim::Engine;
using skylane::sim::Event;
using skylane::sim::EventQueue;

// Fill the queue with N events, then drain it through the engine; every handled event schedules
// a follow-up with probability 1/2 (a realistic mix of push and pop at a changing queue size).
void BM_EngineEvents(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {
    Engine e;
    std::mt19937_64 g(1);
    e.queue().reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) e.at(static_cast<std::int64_t>(g() % 86'400'000), 0, 0);
    std::uint64_t k = 0;
    events += e.run_until(INT64_MAX / 2, [&](const Event& ev) {
      if ((++k & 1) == 0) e.at(ev.time_ms + static_cast<std::int64_t>(k % 600'000), 1, 0);
    });
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EngineEvents)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Steady state ("hold" model): pop the earliest, push one later; queue size constant.
void BM_EngineHold(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  EventQueue q;
  std::mt19937_64 g(2);
  for (std::size_t i = 0; i < n; ++i) q.schedule(static_cast<std::int64_t>(g() % 1'000'000), 0, 0);
  std::uint64_t events = 0;
  for (auto _ : state) {
    const Event e = q.pop();
    q.schedule(e.time_ms + static_cast<std::int64_t>(g() % 1'000'000), 0, 0);
    ++events;
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EngineHold)->Arg(1'000)->Arg(100'000);

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void run_day(benchmark::State& state, std::vector<std::string> overrides) {
  const std::string map = std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya";
  overrides.insert(overrides.begin(), "scenario.map=" + map);
  for (auto _ : state) {
    skylane::sim::SimRunOptions o;
    o.scenario_path = std::string(SKYLANE_SOURCE_DIR) + "/sim/scenarios/shenzhen-boluo.toml";
    o.overrides = overrides;
    auto r = skylane::sim::run_sim(o);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    state.counters["missions"] = r->summary["missions_released"].get<double>();
    state.counters["completed"] = r->summary["missions_completed"].get<double>();
    state.counters["conflicts"] =
        r->summary["conflicts"].is_number() ? r->summary["conflicts"].get<double>() : -1;
    state.counters["wall_s"] = r->timing["wall_s"].get<double>();
    state.counters["plan_ms_mean"] = r->timing["submit_ms_mean"].get<double>();
    state.counters["events"] = r->timing["events"].get<double>();
  }
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

// The default day as shipped (real planner).
void BM_DefaultDay(benchmark::State& state) { run_day(state, {}); }
BENCHMARK(BM_DefaultDay)->Iterations(1)->Unit(benchmark::kSecond);

// Ten times the demand and ten times the fleet (real planner).
void BM_TenTimesDay(benchmark::State& state) {
  run_day(state, {"demand.volume=10", "fleet.ark40.count=200", "fleet.flycart30.count=80",
                  "fleet.evtol_hqb.count=30", "fleet.evtol_boluo.count=20",
                  "vertiports.\"Huaqiangbei hub (SEG Plaza)\".pads=40"});
}
BENCHMARK(BM_TenTimesDay)->Iterations(1)->Unit(benchmark::kSecond);

// Growth with the number of missions, fleet scaled with demand, straight-line stand-in planner.
void BM_Growth(benchmark::State& state) {
  const double missions = static_cast<double>(state.range(0));
  const double scale = missions / 364.0;  // the default day releases about 364 missions
  auto n = [&](double base) { return std::to_string(static_cast<int>(base * scale + 0.5)); };
  run_day(state, {"scenario.planner=straight_line", "demand.volume=" + std::to_string(scale),
                  "fleet.ark40.count=" + n(20), "fleet.flycart30.count=" + n(8),
                  "fleet.evtol_hqb.count=" + n(3), "fleet.evtol_boluo.count=" + n(2)});
}
BENCHMARK(BM_Growth)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Iterations(1)->Unit(
    benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
