// Conflict checker throughput on synthetic city-scale traffic: a 70 km x 100 km region, one
// day, 10-40 min flights at 60-120 m. check_all over the whole set and check_against one
// candidate vs the accepted set. Timings are informative only (never gate CI).
#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "skylane/conflict/conflict_checker.hpp"

namespace skylane::conflict {
namespace {

using traj::Millis;
using traj::SeparationEnvelope;
using traj::Trajectory4D;
using traj::Waypoint4D;

constexpr double kWidthM = 70000.0;
constexpr double kHeightM = 100000.0;

double reflect(double v, double hi) {
  v = std::fmod(std::abs(v), 2.0 * hi);
  return v > hi ? 2.0 * hi - v : v;
}

// Pad hover, climb to a cruise level, 2-6 legs in random directions, descent, pad hover.
Trajectory4D random_flight(std::mt19937_64& rng, std::int64_t id, double window_s) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double duration_s = 600.0 + 1800.0 * u(rng);
  const double start_s = (window_s - duration_s) * u(rng);
  const double speed_mps = 15.0 + 25.0 * u(rng);
  const double cruise_m = 80.0 + 40.0 * u(rng);
  const double pad_m = 60.0;
  const double climb_s = (cruise_m - pad_m) / 3.0;
  const double hover_s = 30.0 + 60.0 * u(rng);
  const int legs = 2 + static_cast<int>(5 * u(rng));
  const double leg_s = (duration_s - 2 * hover_s - 2 * climb_s) / legs;

  Trajectory4D tr;
  tr.id = id;
  double t = start_s;
  double x = kWidthM * u(rng);
  double y = kHeightM * u(rng);
  const auto at = [&](double z) {
    tr.points.push_back({x, y, z, Millis(static_cast<std::int64_t>(t * 1000.0))});
  };
  at(pad_m);
  t += hover_s;
  at(pad_m);
  t += climb_s;
  at(cruise_m);
  double heading = 2.0 * std::numbers::pi * u(rng);
  for (int k = 0; k < legs; ++k) {
    heading += (u(rng) - 0.5) * std::numbers::pi / 2.0;
    x = reflect(x + std::cos(heading) * speed_mps * leg_s, kWidthM);
    y = reflect(y + std::sin(heading) * speed_mps * leg_s, kHeightM);
    t += leg_s;
    at(std::clamp(cruise_m + 10.0 * (u(rng) - 0.5), 60.0, 120.0));
  }
  t += climb_s;
  at(pad_m);
  t += hover_s;
  at(pad_m);
  return tr;
}

struct Traffic {
  std::vector<Trajectory4D> trajectories;
  std::vector<FlightRef> flights;
  Trajectory4D candidate;
};

// n flights departing over `hours` (24: a day of a city; 2: a rush hour scenario, about 12x
// denser in the air).
const Traffic& traffic(std::size_t n, int hours) {
  static std::map<std::pair<std::size_t, int>, Traffic> cache;
  auto [it, inserted] = cache.try_emplace({n, hours});
  if (inserted) {
    const double window_s = hours * 3600.0;
    std::mt19937_64 rng(42 + n + 1000 * hours);
    Traffic& t = it->second;
    t.trajectories.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
      t.trajectories.push_back(random_flight(rng, static_cast<std::int64_t>(k), window_s));
    }
    const SeparationEnvelope classes[] = {{32.0, 7.6, Millis(2000)}, {50.0, 10.0, Millis(2000)}};
    for (std::size_t k = 0; k < n; ++k) t.flights.push_back({&t.trajectories[k], classes[k % 2]});
    t.candidate = random_flight(rng, -1, window_s);
    // Make the candidate fly in the middle of the window so it has company.
    const Millis shift =
        Millis(static_cast<std::int64_t>(window_s * 500.0)) - t.candidate.points.front().t;
    for (Waypoint4D& w : t.candidate.points) w.t += shift;
  }
  return it->second;
}

void BM_CheckAll(benchmark::State& state) {
  const Traffic& t =
      traffic(static_cast<std::size_t>(state.range(0)), static_cast<int>(state.range(1)));
  ConflictReport last;
  for (auto _ : state) {
    auto r = check_all(t.flights);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
    last = std::move(*r);
    benchmark::DoNotOptimize(last);
  }
  // items = trajectories checked
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["chunks"] = static_cast<double>(last.stats.chunks);
  state.counters["box_tests"] = static_cast<double>(last.stats.box_tests);
  state.counters["pairs_examined"] = static_cast<double>(last.stats.pairs_examined);
  state.counters["piece_pairs"] = static_cast<double>(last.stats.piece_pairs);
  state.counters["violations"] = static_cast<double>(last.violations.size());
  state.counters["min_3d_m"] = last.min_separation.distance_3d.distance_m;
}
BENCHMARK(BM_CheckAll)
    ->ArgNames({"flights", "hours"})
    ->Args({1000, 24})
    ->Args({10000, 24})
    ->Args({10000, 2})
    ->Unit(benchmark::kMillisecond);

void BM_CheckAgainst(benchmark::State& state) {
  const Traffic& t =
      traffic(static_cast<std::size_t>(state.range(0)), static_cast<int>(state.range(1)));
  const SeparationEnvelope envelope{32.0, 7.6, Millis(2000)};
  ConflictReport last;
  for (auto _ : state) {
    auto r = check_against(t.candidate, envelope, t.flights);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
    last = std::move(*r);
    benchmark::DoNotOptimize(last);
  }
  // items = accepted trajectories checked against
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["pairs_examined"] = static_cast<double>(last.stats.pairs_examined);
  state.counters["piece_pairs"] = static_cast<double>(last.stats.piece_pairs);
  state.counters["violations"] = static_cast<double>(last.violations.size());
}
BENCHMARK(BM_CheckAgainst)
    ->ArgNames({"existing", "hours"})
    ->Args({1000, 24})
    ->Args({10000, 24})
    ->Args({10000, 2})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace skylane::conflict

BENCHMARK_MAIN();
