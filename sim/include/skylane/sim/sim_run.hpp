// One simulation run end to end, the library call behind `skylane sim` (and each task of
// `skylane sweep`): read the scenario (with overrides), the map and the catalogue, replay or
// generate the mission log, simulate through the dispatch core, audit every flown trajectory
// with the independent conflict checker, compute the metrics and write the outputs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"

namespace skylane::sim {

struct SimRunOptions {
  std::string scenario_path;
  std::vector<std::string> overrides;  ///< "key.path=value", applied in order
  std::string log_path;                ///< replay this log ("" = generate from the demand model)
  std::optional<std::uint64_t> seed;   ///< replaces scenario.seed
  std::string out_dir;                 ///< "" = write nothing
  /// Called with the fraction of simulated time done (for a progress bar).
  std::function<void(double)> progress;
  /// An already loaded map to use instead of reading scenario.map (sweeps reuse one).
  const airspace::Airspace* airspace = nullptr;
};

struct SimRunReport {
  /// summary.json: deterministic (same scenario + seed -> identical bytes). At least
  /// missions_completed, throughput_per_hour, on_time_rate, conflicts, min_separation_m.
  nlohmann::json summary;
  /// timing.json: wall times and planning time per mission (never byte-compared).
  nlohmann::json timing;
  std::vector<std::string> files;  ///< written, in order
};

/// Errors: those of load_scenario, read_airspace, load_vehicle_catalogue, read_mission_log,
/// check_missions (MISSION_LOG_INVALID), VERTIPORT_UNKNOWN / VEHICLE_CLASS_UNKNOWN for the
/// fleet, vertiport overrides and flows, the dispatch core's creation, IO_ERROR for outputs.
[[nodiscard]] Result<SimRunReport> run_sim(const SimRunOptions& options);

}  // namespace skylane::sim
