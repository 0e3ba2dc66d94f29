// The mission log: one row per mission (id, release, origin, destination, payload, deadline,
// priority, vehicle class), replayed exactly by `skylane sim --log`, or generated from the
// scenario's demand model with a seeded, portable random stream (rng.hpp).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/sim/scenario.hpp"

namespace skylane::sim {

struct MissionRecord {
  std::string id;  ///< unique in the log
  std::int64_t release_unix_ms = 0;
  std::string origin;       ///< vertiport name
  std::string destination;  ///< vertiport name
  double payload_kg = 0.0;
  std::int64_t deadline_unix_ms = 0;  ///< landed (and unloaded) by then
  int priority = 0;
  std::string vehicle_class = "any";
  std::string flow;  ///< demand flow that generated it ("" when read from a log)
  int line = 0;      ///< line in the log file it came from (0 when generated)
};

/// The CSV header written and expected (the columns in order).
inline constexpr const char* kMissionLogHeader =
    "id,release,origin,destination,payload_kg,deadline,priority,vehicle_class";

/// Draws the scenario's missions for [start, end) from its demand model: per flow, a
/// non-homogeneous Poisson process over the hourly profile (local time), weighted origin and
/// destination (never equal), payload from the flow's distribution, rounded to whole seconds and
/// 0.01 kg. Sorted by release (ties: flow order, draw order); ids M000001... Deterministic in
/// `seed` on every platform.
[[nodiscard]] std::vector<MissionRecord> generate_missions(const Scenario& scenario,
                                                           std::uint64_t seed);

/// Writes the log (header + rows; times local "YYYY-MM-DDTHH:MM:SS").
void write_mission_log(std::ostream& out, const std::vector<MissionRecord>& missions,
                       std::int32_t utc_offset_s);
/// Errors: IO_ERROR.
[[nodiscard]] Result<void> write_mission_log_file(const std::string& path,
                                                  const std::vector<MissionRecord>& missions,
                                                  std::int32_t utc_offset_s);

/// Reads a log. Errors: FILE_NOT_FOUND; MISSION_LOG_INVALID naming the file and line for a
/// wrong header, a row with the wrong number of fields, an empty or duplicate id, an unparsable
/// time or number, a negative or zero payload, a deadline before the release, an unterminated
/// quote.
[[nodiscard]] Result<std::vector<MissionRecord>> read_mission_log(const std::string& path,
                                                                  std::int32_t utc_offset_s);
[[nodiscard]] Result<std::vector<MissionRecord>> parse_mission_log(std::string_view text,
                                                                   const std::string& source,
                                                                   std::int32_t utc_offset_s);

/// Checks a log against a scenario: every origin and destination a vertiport in `vertiports`,
/// every class "any" or in `classes`, the release within [start, end]. Errors:
/// MISSION_LOG_INVALID naming the line (or mission id) and the value.
[[nodiscard]] Result<void> check_missions(const std::vector<MissionRecord>& missions,
                                          const Scenario& scenario,
                                          const std::vector<std::string>& vertiports,
                                          const std::vector<std::string>& classes,
                                          const std::string& source);

}  // namespace skylane::sim
