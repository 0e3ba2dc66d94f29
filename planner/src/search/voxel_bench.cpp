#include "skylane/search/voxel_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "skylane/search/astar.hpp"

namespace skylane::search {
namespace {

double nearest_rank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

struct Summary {
  double mean = 0.0, p50 = 0.0, p95 = 0.0, max = 0.0, total = 0.0;
};

Summary summarise(std::vector<double> values) {
  Summary s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  for (double v : values) s.total += v;
  s.mean = s.total / static_cast<double>(values.size());
  s.p50 = nearest_rank(values, 0.50);
  s.p95 = nearest_rank(values, 0.95);
  s.max = values.back();
  return s;
}

/// CPU time of the calling thread: unlike wall time it does not grow when other processes
/// share the cores, which matters on a shared 2-core machine.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

}  // namespace

Result<VoxelBenchReport> run_voxel_bench(const VoxelGrid& grid,
                                         const MovingAiScenarioSet& scenarios,
                                         const std::string& source,
                                         const VoxelBenchConfig& config) {
  if (config.every == 0) return fail("INVALID_ARGUMENT", "every must be at least 1, got 0");
  if (!(config.tolerance_rel >= 0.0 && config.tolerance_rel < 1.0)) {
    return fail("INVALID_ARGUMENT",
                "tolerance_rel = " + std::to_string(config.tolerance_rel) + " is outside [0, 1)");
  }
  VoxelBenchReport report;
  report.map_name = scenarios.map_name;
  AStar<VoxelGrid> astar(grid);
  // Allocate and fault in the search state before timing, as a long-running planner would.
  const auto t_reserve = std::chrono::steady_clock::now();
  if (auto reserved = astar.reserve(); !reserved) return tl::unexpected(reserved.error());
  report.reserve_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_reserve)
          .count();
  std::vector<double> ms, cpu_ms, expansions;
  for (std::size_t i = 0; i < scenarios.scenarios.size(); i += config.every) {
    if (config.max_scenarios != 0 && report.scenarios == config.max_scenarios) break;
    const MovingAiScenario& s = scenarios.scenarios[i];
    const double cpu0 = thread_cpu_ms();
    auto found = astar.find_path(s.start, s.goal);
    const double cpu = thread_cpu_ms() - cpu0;
    if (!found) {
      Error e = std::move(found).error();
      e.message = source + ":" + std::to_string(s.line) + ": " + e.message;
      return tl::unexpected(std::move(e));
    }
    VoxelBenchRow row;
    row.line = s.line;
    row.outcome = found->outcome;
    row.optimal_cost = s.optimal_cost;
    row.ms = found->stats.elapsed_ms;
    row.cpu_ms = cpu;
    row.expansions = found->stats.expansions;
    ++report.scenarios;
    if (found->outcome == Outcome::kFound) {
      row.found_cost = found->cost;
      row.rel_error = std::fabs(found->cost - s.optimal_cost) / std::max(s.optimal_cost, 1.0);
      report.worst_rel_error = std::max(report.worst_rel_error, row.rel_error);
      if (row.rel_error <= config.tolerance_rel) ++report.optimal;
    } else {
      ++report.unsolved;
    }
    report.expansions += row.expansions;
    ms.push_back(row.ms);
    cpu_ms.push_back(row.cpu_ms);
    expansions.push_back(static_cast<double>(row.expansions));
    report.rows.push_back(row);
  }
  const Summary wall = summarise(ms);
  report.mean_ms = wall.mean;
  report.p50_ms = wall.p50;
  report.p95_ms = wall.p95;
  report.max_ms = wall.max;
  const Summary cpu = summarise(cpu_ms);
  report.mean_cpu_ms = cpu.mean;
  report.p50_cpu_ms = cpu.p50;
  report.p95_cpu_ms = cpu.p95;
  report.max_cpu_ms = cpu.max;
  const Summary exp = summarise(expansions);
  report.p50_expansions = exp.p50;
  report.p95_expansions = exp.p95;
  report.max_expansions = exp.max;
  if (wall.total > 0.0) {
    report.expansions_per_s = static_cast<double>(report.expansions) / (wall.total / 1e3);
  }
  return report;
}

Result<VoxelBenchReport> run_voxel_bench(const VoxelBenchConfig& config) {
  const auto t0 = std::chrono::steady_clock::now();
  auto grid = read_movingai_map(config.map_file);
  if (!grid) return tl::unexpected(std::move(grid).error());
  auto scenarios = read_movingai_scenarios(config.scenario_file);
  if (!scenarios) return tl::unexpected(std::move(scenarios).error());
  const double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto report = run_voxel_bench(*grid, *scenarios, config.scenario_file.string(), config);
  if (report) report->load_ms = load_ms;
  return report;
}

}  // namespace skylane::search
