// The dispatch core in-process on the default map (no gRPC): T threads each submit missions
// between random usable vertiports (short city hops and relay legs, class "any", 2 kg, departures
// spread over the next hour) into one Dispatcher with a MemoryJournal. Reports accepted and
// rejected submits per second, p50 / p99 submit latency, commit retries (lost races), and the
// independent conflict checker's verdict over every accepted plan (the benchmark fails on any
// conflict). This is the ceiling the gRPC service adds transport and fsync costs to.
// Flags: --skylane_missions=N per run (default 200), --skylane_map=PATH.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/dispatch/dispatcher.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::dispatch {
namespace {

std::size_t g_missions = 200;
std::string g_map = std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya";

struct World {
  std::string error;
  std::unique_ptr<airspace::Airspace> map;
  std::unique_ptr<vehicle::VehicleCatalogue> catalogue;
  std::vector<std::string> usable;  ///< vertiports some class can use
};

World& world() {
  static World w = [] {
    World out;
    auto a = airspace::read_airspace(g_map);
    if (!a) {
      out.error = a.error().to_string();
      return out;
    }
    out.map = std::make_unique<airspace::Airspace>(std::move(*a));
    auto c = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
    if (!c) {
      out.error = c.error().to_string();
      return out;
    }
    out.catalogue = std::make_unique<vehicle::VehicleCatalogue>(std::move(*c));
    for (const auto& v : out.map->vertiports()) {
      // Docks inside always-active airport protection zones serve no class (map README).
      if (v.name == "Futian CBD dock" || v.name.rfind("Nanshan", 0) == 0) continue;
      out.usable.push_back(v.name);
    }
    return out;
  }();
  return w;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

void BM_Submit(benchmark::State& state) {
  World& w = world();
  if (!w.error.empty()) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  const int threads = static_cast<int>(state.range(0));
  const std::int64_t now = 1'790'000'000'000;
  for (auto _ : state) {
    state.PauseTiming();
    DispatcherOptions o;
    o.clock = [now] { return now; };
    o.vehicle_classes = {"flycart30", "meituan", "ark40", "longrange"};
    auto d = Dispatcher::create(*w.map, *w.catalogue, std::make_unique<MemoryJournal>(), o);
    if (!d) {
      state.SkipWithError(d.error().to_string().c_str());
      return;
    }
    std::vector<MissionRequest> requests;
    std::mt19937_64 rng(42);
    for (std::size_t i = 0; i < g_missions; ++i) {
      MissionRequest r;
      r.operator_id = "op-" + std::to_string(i % 8);
      r.request_id = "r" + std::to_string(i);
      r.origin.vertiport = w.usable[rng() % w.usable.size()];
      do {
        r.destination.vertiport = w.usable[rng() % w.usable.size()];
      } while (r.destination.vertiport == r.origin.vertiport);
      r.payload_kg = 2.0;
      r.vehicle_class = "any";
      r.earliest_departure_unix_ms = now + static_cast<std::int64_t>(rng() % 3'600'000);
      requests.push_back(std::move(r));
    }
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> errors{0};
    std::mutex latency_mutex;
    std::vector<double> latencies;
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        std::vector<double> mine;
        for (std::size_t i = next++; i < requests.size(); i = next++) {
          const auto s = std::chrono::steady_clock::now();
          auto m = (*d)->submit(requests[i]);
          mine.push_back(
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s)
                  .count());
          if (!m) {
            ++errors;
          } else if (m->state == MissionState::kPlanned) {
            ++accepted;
          }
        }
        std::lock_guard lock(latency_mutex);
        latencies.insert(latencies.end(), mine.begin(), mine.end());
      });
    }
    for (auto& th : pool) th.join();
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.PauseTiming();
    const auto flights = (*d)->flights();
    std::vector<conflict::FlightRef> refs;
    for (const auto& f : flights) {
      refs.push_back({&f.trajectory, w.catalogue->find(f.vehicle_class)->separation});
    }
    auto report = conflict::check_all(refs);
    if (!report) {
      state.SkipWithError(report.error().to_string().c_str());
      return;
    }
    const auto stats = (*d)->stats();
    state.counters["submits_per_s"] = static_cast<double>(requests.size()) / wall_s;
    state.counters["accepted_per_s"] = static_cast<double>(accepted.load()) / wall_s;
    state.counters["accepted"] = static_cast<double>(accepted.load());
    state.counters["rejected"] =
        static_cast<double>(requests.size() - accepted.load() - errors.load());
    state.counters["errors"] = static_cast<double>(errors.load());
    state.counters["p50_ms"] = percentile(latencies, 0.50);
    state.counters["p99_ms"] = percentile(latencies, 0.99);
    state.counters["commit_retries"] = static_cast<double>(stats.commit_retries);
    std::size_t conflicts = 0;
    for (const auto& v : report->violations) conflicts += v.id_a != v.id_b;  // same vehicle
    state.counters["conflicts"] = static_cast<double>(conflicts);
    if (conflicts > 0) {
      for (const auto& v : report->violations) {
        if (v.id_a == v.id_b) continue;
        const auto a = (*d)->get(v.id_a, {});
        const auto b = (*d)->get(v.id_b, {});
        std::fprintf(stderr,
                     "conflict %lld (%s %s->%s, %zu legs) x %lld (%s %s->%s, %zu legs): "
                     "t %.1f-%.1f s, h %.1f m, v %.1f m, A (%.0f %.0f %.0f) B (%.0f %.0f %.0f)\n",
                     static_cast<long long>(v.id_a), a->plan->vehicle_class.c_str(),
                     a->request.origin.vertiport.c_str(), a->request.destination.vertiport.c_str(),
                     a->plan->legs.size(), static_cast<long long>(v.id_b),
                     b->plan->vehicle_class.c_str(), b->request.origin.vertiport.c_str(),
                     b->request.destination.vertiport.c_str(), b->plan->legs.size(),
                     v.begin.count(), v.end.count(), v.min_horizontal_m, v.min_vertical_m,
                     v.position_a.x_m, v.position_a.y_m, v.position_a.z_m, v.position_b.x_m,
                     v.position_b.y_m, v.position_b.z_m);
      }
      state.SkipWithError("the conflict checker found conflicts between accepted plans");
      return;
    }
    d->reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Submit)->Arg(1)->Arg(2)->Arg(8)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace skylane::dispatch

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--skylane_missions=", 19) == 0) {
      skylane::dispatch::g_missions = std::stoul(argv[i] + 19);
    } else if (std::strncmp(argv[i], "--skylane_map=", 14) == 0) {
      skylane::dispatch::g_map = argv[i] + 14;
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
