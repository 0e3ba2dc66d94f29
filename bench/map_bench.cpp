// Map build time and peak memory (default Shenzhen–Boluo manifest at 20 m and 10 m cells) and
// free-voxel queries per second on a vehicle view. Informative only; never gates CI.
//
//   ./build/release/bin/map_bench                          # all
//   ./build/release/bin/map_bench --benchmark_filter=Free  # queries only
//
// Each build runs in a forked child so its peak resident memory (ru_maxrss) is its own.
#include <chrono>
#include <cstdio>
#include <random>

#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skylane/airspace/vehicle_view.hpp"
#include "skylane/maps/manifest.hpp"
#include "skylane/maps/map_builder.hpp"

namespace skylane {
namespace {

const std::string kManifest =
    std::string(SKYLANE_SOURCE_DIR) + "/maps/shenzhen-boluo/manifest.toml";

void BM_MapBuild(benchmark::State& state) {
  const double cell = static_cast<double>(state.range(0));
  double peak_mib = 0.0;
  std::uint64_t columns = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    int pipefd[2];
    if (pipe(pipefd) != 0) {
      state.SkipWithError("pipe failed");
      return;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      close(pipefd[0]);
      auto m = maps::load_manifest(kManifest);
      std::uint64_t n = 0;
      if (m) {
        m->cell_xy_m = cell;
        auto a = maps::compile_airspace(*m);
        if (a) n = a->column_count();
      }
      const ssize_t w = write(pipefd[1], &n, sizeof n);
      _exit(w == sizeof n && n > 0 ? 0 : 1);
    }
    close(pipefd[1]);
    const ssize_t r = read(pipefd[0], &columns, sizeof columns);
    close(pipefd[0]);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r != sizeof columns || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("map build failed");
      return;
    }
    state.SetIterationTime(seconds);
    peak_mib = std::max(peak_mib, static_cast<double>(usage.ru_maxrss) / 1024.0);
  }
  state.counters["peak_rss_MiB"] = peak_mib;
  state.counters["columns"] = static_cast<double>(columns);
}
BENCHMARK(BM_MapBuild)->Arg(20)->Arg(10)->UseManualTime()->Unit(benchmark::kSecond)->Iterations(1);

void BM_FreeVoxelQuery(benchmark::State& state) {
  static const airspace::Airspace* map = [] {
    auto m = maps::load_manifest(kManifest);
    auto a = maps::compile_airspace(*m);
    return new airspace::Airspace(std::move(*a));
  }();
  auto view = airspace::VehicleView::create(*map, {});
  // Random voxels, precomputed so the loop measures the query, not the generator.
  std::mt19937_64 rng(7);
  constexpr std::size_t kN = 1 << 20;
  std::vector<std::array<std::int32_t, 3>> q(kN);
  for (auto& v : q) {
    v = {static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(view->size_x())),
         static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(view->size_y())),
         static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(view->size_z()))};
  }
  std::size_t free_count = 0;
  for (auto _ : state) {
    for (const auto& v : q) free_count += view->is_free(v[0], v[1], v[2]) ? 1 : 0;
    benchmark::DoNotOptimize(free_count);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kN));
  state.counters["free_share"] =
      static_cast<double>(free_count) / static_cast<double>(state.iterations() * kN);
}
BENCHMARK(BM_FreeVoxelQuery)->Unit(benchmark::kMillisecond);

// Queries along a flight line (neighbouring columns, cache-friendly), as a search makes them.
void BM_FreeVoxelQueryLocal(benchmark::State& state) {
  auto m = maps::load_manifest(kManifest);
  m->cell_xy_m = 20.0;
  static const airspace::Airspace* map = [&] {
    auto a = maps::compile_airspace(*m);
    return new airspace::Airspace(std::move(*a));
  }();
  auto view = airspace::VehicleView::create(*map, {});
  const std::int32_t nx = view->size_x();
  const std::int32_t y0 = view->size_y() / 2;
  std::size_t free_count = 0;
  std::int64_t n = 0;
  for (auto _ : state) {
    for (std::int32_t x = 0; x < nx; ++x) {
      for (std::int32_t dy = -1; dy <= 1; ++dy) {
        for (std::int32_t z = 0; z < 30; ++z) free_count += view->is_free(x, y0 + dy, z) ? 1 : 0;
      }
    }
    n += static_cast<std::int64_t>(nx) * 3 * 30;
    benchmark::DoNotOptimize(free_count);
  }
  state.SetItemsProcessed(n);
}
BENCHMARK(BM_FreeVoxelQueryLocal)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace skylane

BENCHMARK_MAIN();
