// What-if sweeps: a grid of overrides x replications, one independent simulation per task,
// spread over Open MPI ranks when launched with `mpirun -np N` (sequential otherwise). Task
// seeds derive from the scenario seed and the replication index, never from the rank, so the
// gathered table is identical for any number of processes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skylane/core/error.hpp"

namespace skylane::sim {

struct SweepOptions {
  std::string scenario_path;
  /// Axes: "key.path=v1,v2,..." (cartesian product, first axis slowest).
  std::vector<std::string> grid;
  std::vector<std::string> overrides;  ///< fixed "key=value" applied to every task first
  int seeds = 1;                       ///< replications per grid point
  std::string out_dir;                 ///< sweep.csv and sweep.html (written by rank 0)
  bool quiet = false;
};

struct SweepReport {
  bool root = true;  ///< false on MPI ranks other than 0 (they write nothing)
  int processes = 1;
  std::size_t tasks = 0;
  std::size_t failed = 0;  ///< tasks whose run returned an error (listed in the CSV)
  std::string csv_path;
  std::string html_path;
};

/// The seed of replication `r`: mix_seed(scenario seed, r).
[[nodiscard]] std::uint64_t replication_seed(std::uint64_t scenario_seed, int replication);

/// Errors: USAGE for a malformed grid axis or seeds < 1; those of load_scenario for the base
/// scenario (a bad override key fails before any task runs); IO_ERROR for the outputs.
[[nodiscard]] Result<SweepReport> run_sweep(const SweepOptions& options);

}  // namespace skylane::sim
