// Solves Moving AI 3D benchmark scenarios with A* and compares each cost with the listed
// optimum: the one library call behind `skylane voxel-bench`, its tests and bench/astar_bench.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/search/movingai.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/search/voxel_grid.hpp"

namespace skylane::search {

struct VoxelBenchConfig {
  std::filesystem::path map_file;       ///< `.3dmap`
  std::filesystem::path scenario_file;  ///< `.3dscen`
  std::size_t every = 1;                ///< solve rows 0, every, 2·every, ... (must be >= 1)
  std::size_t max_scenarios = 0;        ///< stop after this many solved rows; 0 = no limit
  /// A cost counts as optimal when |found − optimal| <= tolerance_rel · max(optimal, 1).
  double tolerance_rel = 1e-4;
};

/// One solved scenario.
struct VoxelBenchRow {
  std::size_t line = 0;  ///< line in the scenario file
  Outcome outcome = Outcome::kNoRoute;
  double optimal_cost = 0.0;  ///< as listed in the file
  double found_cost = 0.0;    ///< A* cost (0 unless kFound)
  double rel_error = 0.0;     ///< |found − optimal| / max(optimal, 1), when kFound
  double ms = 0.0;            ///< wall time of the query
  double cpu_ms = 0.0;        ///< CPU time of the query (thread clock)
  std::uint64_t expansions = 0;
};

struct VoxelBenchReport {
  std::string map_name;          ///< as named on line 2 of the scenario file
  std::size_t scenarios = 0;     ///< rows solved
  std::size_t optimal = 0;       ///< rows whose cost matched within tolerance
  std::size_t unsolved = 0;      ///< rows where A* found no path (never expected)
  double worst_rel_error = 0.0;  ///< over rows with a path
  /// Wall time per query (what a caller waits); percentiles by nearest rank.
  double mean_ms = 0.0, p50_ms = 0.0, p95_ms = 0.0, max_ms = 0.0;
  /// CPU time per query: close to wall time on an idle machine, lower when cores are shared.
  double mean_cpu_ms = 0.0, p50_cpu_ms = 0.0, p95_cpu_ms = 0.0, max_cpu_ms = 0.0;
  std::uint64_t expansions = 0;                                             ///< total over all rows
  double p50_expansions = 0.0, p95_expansions = 0.0, max_expansions = 0.0;  ///< per query
  double expansions_per_s = 0.0;  ///< total expansions / total wall time of the queries
  double load_ms = 0.0;           ///< reading and parsing both files
  double reserve_ms = 0.0;        ///< AStar::reserve (allocating the search state), untimed
  std::vector<VoxelBenchRow> rows;
};

/// Reads both files and solves the selected rows. Errors: file and parse errors of the reader;
/// INVALID_ARGUMENT for every == 0 or a bad tolerance; SEARCH_* errors for a scenario whose
/// endpoint is outside the map or blocked, with the message naming scenario file and line.
/// Single-threaded; time grows with the rows selected (seconds for Simple, minutes for all of BC1).
[[nodiscard]] Result<VoxelBenchReport> run_voxel_bench(const VoxelBenchConfig& config);

/// Same on data already loaded; `source` names the scenario file in messages.
[[nodiscard]] Result<VoxelBenchReport> run_voxel_bench(const VoxelGrid& grid,
                                                       const MovingAiScenarioSet& scenarios,
                                                       const std::string& source,
                                                       const VoxelBenchConfig& config);

}  // namespace skylane::search
