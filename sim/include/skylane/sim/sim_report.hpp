// Metrics and outputs of a simulation: summary.json (deterministic), timing.json (wall times),
// missions.csv, trajectories.geojson and a self-contained report.html (inline SVG charts and a
// map drawn from the airspace file's own zones and vertiports; no network access needed).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "skylane/airspace/airspace.hpp"
#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/core/error.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/sim/scenario.hpp"
#include "skylane/sim/simulator.hpp"

namespace skylane::sim {

/// Result of the conflict audit over every flown (or still planned) leg.
struct Audit {
  std::size_t flights = 0;
  std::size_t conflicts = 0;
  double min_separation_3d_m = -1;          ///< -1 = no two aircraft within the horizon
  double min_horizontal_separation_m = -1;  ///< horizontal, among pairs vertically close
  double horizon_m = 0;
  std::string error;  ///< non-empty if the checker refused a trajectory
  /// The first few violations: "mission A vs mission B at T: horizontal H m, vertical V m".
  std::vector<std::string> examples;
};

[[nodiscard]] Audit audit_flights(const SimResult& result,
                                  const vehicle::VehicleCatalogue& catalogue);

[[nodiscard]] nlohmann::json make_summary(const Scenario& scenario, const SimResult& result,
                                          const Audit& audit);

/// Writes summary.json, missions.csv, trajectories.geojson, report.html into `dir` (created).
/// Errors: IO_ERROR naming the file.
[[nodiscard]] Result<std::vector<std::string>> write_outputs(
    const std::string& dir, const Scenario& scenario, const airspace::Airspace& airspace,
    const SimResult& result, const nlohmann::json& summary, const geo::GeoFrame& frame);

}  // namespace skylane::sim
