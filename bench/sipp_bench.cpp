// SIPP plan time and expansions on an open 400 x 400 x 12 grid with 0 / 100 / 1000 previously
// reserved random flights; ReservationTable memory per reserved flight and reserve/release
// throughput. Timings are informative only; they never gate CI.
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>
#include <malloc.h>

#include "skylane/search/reservation_table.hpp"
#include "skylane/search/sipp.hpp"

// Live heap bytes, counted by replacing the global allocation functions (usable sizes, so the
// allocator's rounding is included; its per-chunk header is not).
namespace {
std::atomic<std::int64_t> g_live_bytes{0};
std::atomic<bool> g_counting{false};  // only BM_TableMemoryPerFlight pays for the counting
}  // namespace

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // malloc/free are the pair here
void* operator new(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  if (g_counting.load(std::memory_order_relaxed)) {
    g_live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)),
                           std::memory_order_relaxed);
  }
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  if (g_counting.load(std::memory_order_relaxed)) {
    g_live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)),
                           std::memory_order_relaxed);
  }
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }
#pragma GCC diagnostic pop

namespace skylane::search {
namespace {

using std::chrono::milliseconds;

constexpr std::int32_t kSx = 400, kSy = 400, kSz = 12;
constexpr GridGeometry kGeo{0.0, 0.0, 0.0, 20.0, 10.0};  // 8 km x 8 km x 120 m
constexpr traj::SeparationEnvelope kEnv{};               // 32 m, 7.6 m, 2 s (DESIGN.md)

constexpr Voxel kStart{15, 40, 0};
constexpr Voxel kGoal{385, 300, 0};

/// Open grid. With `pads_only_below_20m`, the two lowest layers are blocked except the pad
/// columns of the benchmark query, so the flight must climb into the traffic's cruise layers.
struct OpenGrid {
  bool pads_only_below_20m = false;
  std::int32_t size_x() const { return kSx; }
  std::int32_t size_y() const { return kSy; }
  std::int32_t size_z() const { return kSz; }
  bool is_free(std::int32_t x, std::int32_t y, std::int32_t z) const {
    if (x < 0 || y < 0 || z < 0 || x >= kSx || y >= kSy || z >= kSz) return false;
    return !pads_only_below_20m || z >= 2 || (x == kStart.x && y == kStart.y) ||
           (x == kGoal.x && y == kGoal.y);
  }
};

MotionModel model() {
  MotionModel m;
  m.cruise_speed_mps = 15.0;
  m.climb_rate_mps = 5.0;
  m.descent_rate_mps = 3.0;
  return m;
}

/// A random straight flight: vertical climb from a ground pad to a cruise layer, straight line,
/// vertical descent; departures spread over 20 minutes.
traj::Trajectory4D random_flight(std::mt19937_64& rng, std::int64_t id) {
  std::uniform_real_distribution<double> xy(10.0, kSx * kGeo.cell_xy_m - 10.0);
  std::uniform_int_distribution<int> layer(2, kSz - 2);
  std::uniform_int_distribution<std::int64_t> dep(0, 1'200'000);
  const double x0 = xy(rng), y0 = xy(rng), x1 = xy(rng), y1 = xy(rng);
  const double zg = kGeo.center_z_m(0);
  const double zc = kGeo.center_z_m(layer(rng));
  const auto t0 = dep(rng);
  const auto t1 = t0 + static_cast<std::int64_t>((zc - zg) / 5.0 * 1000.0);
  const auto t2 = t1 + static_cast<std::int64_t>(std::hypot(x1 - x0, y1 - y0) / 15.0 * 1000.0);
  const auto t3 = t2 + static_cast<std::int64_t>((zc - zg) / 3.0 * 1000.0);
  return traj::Trajectory4D{id,
                            {{x0, y0, zg, milliseconds{t0}},
                             {x0, y0, zc, milliseconds{t1}},
                             {x1, y1, zc, milliseconds{t2}},
                             {x1, y1, zg, milliseconds{t3}}}};
}

/// Tables with N reserved flights, built once per N and kept for the process lifetime.
ReservationTable& table_with(std::int64_t flights) {
  static std::map<std::int64_t, std::unique_ptr<ReservationTable>> tables;
  auto& t = tables[flights];
  if (!t) {
    t = std::make_unique<ReservationTable>(kSx, kSy, kSz);
    std::mt19937_64 rng(42);
    for (std::int64_t i = 0; i < flights; ++i) {
      if (!t->reserve(random_flight(rng, i + 1), kEnv, kEnv, kGeo)) std::abort();
    }
  }
  return *t;
}

// One long query (7.4 km east, 5.2 km north) departing in the middle of the traffic. Arg 0:
// reserved flights; arg 1: 0 = open grid, endpoints at cruise layer 6 (the heuristic is exact in
// empty space, so expansions measure the traffic); 1 = ground pads with the two lowest layers
// blocked elsewhere (the heuristic ignores the climb and descent, so A* expands the whole
// octile plateau between the pads).
void BM_SippPlan(benchmark::State& state) {
  const bool pads = state.range(1) != 0;
  const OpenGrid grid{pads};
  const ReservationTable& table = table_with(state.range(0));
  const Sipp<OpenGrid> sipp(grid, table, kGeo, model());
  SippRequest req;
  req.start = pads ? kStart : Voxel{kStart.x, kStart.y, 6};
  req.goal = pads ? kGoal : Voxel{kGoal.x, kGoal.y, 6};
  req.earliest_departure = milliseconds{300'000};
  req.latest_departure = milliseconds{600'000};
  req.goal_dwell = milliseconds{pads ? 30'000 : 0};
  SearchStats last;
  double flight_s = 0.0;
  bool found = false;
  for (auto _ : state) {
    const auto plan = sipp.plan(req);
    if (!plan) {
      state.SkipWithError(plan.error().to_string().c_str());
      return;
    }
    last = plan->stats;
    found = plan->outcome == Outcome::kFound;
    flight_s =
        found ? static_cast<double>((plan->arrival - req.earliest_departure).count()) / 1e3 : 0.0;
    benchmark::DoNotOptimize(plan->path.data());
  }
  state.counters["expansions"] = static_cast<double>(last.expansions);
  state.counters["generated"] = static_cast<double>(last.generated);
  state.counters["found"] = found ? 1.0 : 0.0;
  state.counters["flight_s"] = flight_s;
}
BENCHMARK(BM_SippPlan)
    ->ArgNames({"flights", "pads"})
    ->Args({0, 0})
    ->Args({100, 0})
    ->Args({1000, 0})
    ->Args({0, 1})
    ->Args({1000, 1})
    ->Unit(benchmark::kMillisecond);

// Heap held per reserved flight (measured by the counting allocator and estimated by the table),
// and entries / voxels touched per flight. One iteration: the work is the 1000 reservations.
void BM_TableMemoryPerFlight(benchmark::State& state) {
  const std::int64_t flights = state.range(0);
  double measured = 0.0, estimated = 0.0, entries = 0.0, voxels = 0.0;
  for (auto _ : state) {
    // Counting is switched on with the table's lifetime inside it, so frees of blocks
    // allocated before are never subtracted.
    g_counting = true;
    const std::int64_t before = g_live_bytes.load();
    {
      ReservationTable table(kSx, kSy, kSz);
      std::mt19937_64 rng(7);
      for (std::int64_t i = 0; i < flights; ++i) {
        if (!table.reserve(random_flight(rng, i + 1), kEnv, kEnv, kGeo)) std::abort();
      }
      const auto n = static_cast<double>(flights);
      measured = static_cast<double>(g_live_bytes.load() - before) / n;
      estimated = static_cast<double>(table.approx_memory_bytes()) / n;
      entries = static_cast<double>(table.entry_count()) / n;
      voxels = static_cast<double>(table.voxel_count());
    }
    g_counting = false;
  }
  state.counters["heap_B_per_flight"] = measured;
  state.counters["est_B_per_flight"] = estimated;
  state.counters["entries_per_flight"] = entries;
  state.counters["voxels_total"] = voxels;
}
BENCHMARK(BM_TableMemoryPerFlight)
    ->Arg(100)
    ->Arg(1000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Reserve then release one random flight against a table already holding 1000 flights.
void BM_ReserveRelease(benchmark::State& state) {
  ReservationTable& table = table_with(1000);
  std::mt19937_64 rng(99);
  std::vector<traj::Trajectory4D> flights;
  flights.reserve(64);
  for (int i = 0; i < 64; ++i) flights.push_back(random_flight(rng, 1'000'000 + i));
  std::size_t i = 0, entries = 0;
  for (auto _ : state) {
    const auto& f = flights[i++ % flights.size()];
    const auto added = table.reserve(f, kEnv, kEnv, kGeo);
    entries += *added;
    benchmark::DoNotOptimize(table.release(f.id));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["entries_per_flight"] =
      static_cast<double>(entries) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ReserveRelease)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace skylane::search

BENCHMARK_MAIN();
