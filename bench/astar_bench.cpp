// A* on the Moving AI 3D voxel maps (Brewer & Sturtevant, SoCS 2018) from ${SKYLANE_SHARED_DIR}:
// one benchmark per map; an iteration solves an evenly spaced sample of its scenarios through
// run_voxel_bench (the same call as `skylane voxel-bench`). Counters give per-scenario wall ms
// (mean, p50, p95, max), CPU ms p95, expansions per second and the optimal count.
// Sample size per map: --skylane_scenarios=N or the env var SKYLANE_BENCH_SCENARIOS (default
// 400, as in the shared README's reference figures; a full run takes about a minute).
// The smoke test passes --skylane_scenarios=2.
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "skylane/search/astar.hpp"
#include "skylane/search/movingai.hpp"
#include "skylane/search/voxel_bench.hpp"

namespace {

using namespace skylane::search;

std::size_t g_scenarios = 400;

struct LoadedMap {
  std::unique_ptr<VoxelGrid> grid;
  MovingAiScenarioSet scenarios;
  std::string error;
};

const LoadedMap& load(const std::string& name) {
  static std::map<std::string, LoadedMap> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  LoadedMap& m = cache[name];
  const auto dir = std::filesystem::path(SKYLANE_SHARED_DIR) / "data" / "movingai-3d";
  auto grid = read_movingai_map(dir / (name + ".3dmap"));
  auto set = read_movingai_scenarios(dir / (name + ".3dmap.3dscen"));
  if (!grid) {
    m.error = grid.error().to_string();
  } else if (!set) {
    m.error = set.error().to_string();
  } else {
    m.grid = std::make_unique<VoxelGrid>(std::move(*grid));
    m.scenarios = std::move(*set);
  }
  return m;
}

void astar_movingai(benchmark::State& state, const std::string& name) {
  const LoadedMap& m = load(name);
  if (!m.error.empty()) {
    state.SkipWithError(m.error.c_str());
    return;
  }
  VoxelBenchConfig config;
  const std::size_t rows = m.scenarios.scenarios.size();
  config.every = std::max<std::size_t>(1, rows / std::max<std::size_t>(1, g_scenarios));
  config.max_scenarios = g_scenarios;
  VoxelBenchReport report;
  for (auto _ : state) {
    auto r = run_voxel_bench(*m.grid, m.scenarios, name, config);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
    report = std::move(*r);
    double total_ms = 0.0;
    for (const auto& row : report.rows) total_ms += row.ms;
    state.SetIterationTime(total_ms / 1e3);
  }
  state.counters["scenarios"] = static_cast<double>(report.scenarios);
  state.counters["optimal"] = static_cast<double>(report.optimal);
  state.counters["mean_ms"] = report.mean_ms;
  state.counters["p50_ms"] = report.p50_ms;
  state.counters["p95_ms"] = report.p95_ms;
  state.counters["max_ms"] = report.max_ms;
  state.counters["p95_cpu_ms"] = report.p95_cpu_ms;
  state.counters["exp_per_s"] = report.expansions_per_s;
}

/// A synthetic map that needs no data files: a 96³ cube with 20% random obstacles (fixed seed),
/// corner to corner. Measures raw expansion speed.
void astar_random_cube(benchmark::State& state) {
  constexpr std::int32_t kSize = 96;
  auto grid = VoxelGrid::create(kSize, kSize, kSize);
  std::mt19937 rng(42);
  std::bernoulli_distribution blocked(0.2);
  for (std::int32_t z = 0; z < kSize; ++z) {
    for (std::int32_t y = 0; y < kSize; ++y) {
      for (std::int32_t x = 0; x < kSize; ++x) {
        if (blocked(rng)) grid->set_free(x, y, z, false);
      }
    }
  }
  const Voxel start{0, 0, 0}, goal{kSize - 1, kSize - 1, kSize - 1};
  grid->set_free(start.x, start.y, start.z, true);
  grid->set_free(goal.x, goal.y, goal.z, true);
  AStar<VoxelGrid> astar(*grid);
  (void)astar.reserve();
  std::uint64_t expansions = 0;
  for (auto _ : state) {
    auto r = astar.find_path(start, goal);
    if (!r || r->outcome != skylane::search::Outcome::kFound) {
      state.SkipWithError("no path in the random cube");
      return;
    }
    expansions += r->stats.expansions;
    benchmark::DoNotOptimize(r->cost);
  }
  state.counters["expansions"] =
      benchmark::Counter(static_cast<double>(expansions), benchmark::Counter::kAvgIterations);
  state.counters["exp_per_s"] =
      benchmark::Counter(static_cast<double>(expansions), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(astar_random_cube)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(astar_movingai, Simple, std::string("Simple"))
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(astar_movingai, Complex, std::string("Complex"))
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(astar_movingai, DA1, std::string("DA1"))
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(astar_movingai, BC1, std::string("BC1"))
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  if (const char* env = std::getenv("SKYLANE_BENCH_SCENARIOS")) {
    g_scenarios = std::strtoull(env, nullptr, 10);
  }
  // Take our own flag out before Google Benchmark sees (and rejects) it.
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    constexpr const char* kFlag = "--skylane_scenarios=";
    if (std::strncmp(argv[i], kFlag, std::strlen(kFlag)) == 0) {
      g_scenarios = std::strtoull(argv[i] + std::strlen(kFlag), nullptr, 10);
    } else {
      args.push_back(argv[i]);
    }
  }
  if (g_scenarios == 0) g_scenarios = 1;
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
