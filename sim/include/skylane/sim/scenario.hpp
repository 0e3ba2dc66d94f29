// A simulation scenario (TOML): map and catalogue, fleet, vertiport capacities, dispatch policy,
// restriction events, seed, start and duration, and the demand model. Command-line overrides
// (`--set fleet.flycart30.count=40`) are applied to the TOML tree before it is read, so they
// obey the same schema: an unknown key is an error naming its dotted path.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "skylane/core/error.hpp"

namespace skylane::sim {

/// One fleet group: `count` drones of `vehicle_class`, based at `home`.
struct FleetGroup {
  std::string name;           ///< the TOML key ([fleet.<name>])
  std::string vehicle_class;  ///< catalogue name; defaults to `name`
  int count = 0;
  std::string home;  ///< vertiport name of the map
};

/// Capacity overrides for one vertiport (unset = the map's value).
struct VertiportOverride {
  std::string name;
  std::optional<int> pads;
  std::optional<int> chargers;
  std::optional<int> battery_stock;
};

struct Policy {
  /// "nearest_idle": the idle drone of the class nearest the origin (ferried there if
  /// elsewhere); "at_origin": only drones already at the origin.
  std::string assign = "nearest_idle";
  /// "return_home": an idle drone away from home flies back when nothing waits for it;
  /// "stay": it waits where it landed.
  std::string after_delivery = "return_home";
  double loading_s = 120.0;       ///< on the pad before take-off
  double unloading_s = 120.0;     ///< on the pad after the last touch-down
  double max_wait_s = 3600.0;     ///< a mission waiting this long for a drone is rejected
  double ferry_payload_kg = 0.1;  ///< nominal payload of an empty repositioning flight
  /// Classes for missions with vehicle_class "any", in order: the first whose payload limit
  /// admits the mission and that has an idle drone (empty = every fleet class, fleet order).
  std::vector<std::string> class_preference;
};

/// A restriction that appears at `announce` and is active [from, to).
struct RestrictionEvent {
  std::string name;
  std::vector<std::array<double, 2>> polygon_lonlat;  ///< WGS 84, >= 3 points
  double floor_m = 0.0;
  double ceiling_m = 1.0e4;
  bool agl = true;  ///< floor and ceiling above ground (else AMSL)
  std::int64_t from_unix_ms = 0;
  std::optional<std::int64_t> to_unix_ms;
  std::int64_t announce_unix_ms = 0;  ///< when the dispatcher learns of it (default: from)
};

/// Payload distribution of a flow (kg).
struct PayloadModel {
  std::string distribution = "uniform";  ///< "uniform" (min, max), "lognormal", "fixed"
  double min_kg = 1.0;
  double max_kg = 1.0;
  double median_kg = 1.0;  ///< lognormal
  double sigma = 0.5;      ///< lognormal shape; draws are clipped to [min, max]
};

/// One demand flow: missions per day between weighted origins and destinations.
struct DemandFlow {
  std::string name;
  std::vector<std::pair<std::string, double>> origins;       ///< vertiport, weight
  std::vector<std::pair<std::string, double>> destinations;  ///< vertiport, weight
  double missions_per_day = 0.0;
  std::string vehicle_class = "any";
  PayloadModel payload;
  double deadline_min = 240.0;  ///< deadline = release + this
  int priority = 0;
  std::vector<double> profile;  ///< 24 hourly weights (local time); empty = the demand's
};

struct DemandModel {
  double volume = 1.0;          ///< multiplies every flow's missions_per_day
  std::vector<double> profile;  ///< 24 hourly weights (local time), normalised on use
  std::vector<DemandFlow> flows;
};

struct Scenario {
  std::string source;  ///< file it was read from
  std::string name;
  std::string map;                   ///< airspace file path (resolved by resolve_scenario_path)
  std::string catalogue;             ///< "" = the shipped catalogue
  std::string planner = "dispatch";  ///< "dispatch" (the real core) or "straight_line" (stand-in)
  std::uint64_t seed = 1;
  std::int32_t utc_offset_s = 8 * 3600;
  std::int64_t start_unix_ms = 0;
  std::int64_t duration_ms = 0;
  std::int64_t plan_budget_ms = 0;  ///< per mission; 0 = none (deterministic)
  std::vector<FleetGroup> fleet;
  std::vector<VertiportOverride> vertiports;
  Policy policy;
  std::vector<RestrictionEvent> restrictions;
  DemandModel demand;

  [[nodiscard]] std::int64_t end_unix_ms() const { return start_unix_ms + duration_ms; }
  [[nodiscard]] int fleet_size() const;
};

/// Parses "a.b.\"quoted key\".c=value". The value is read as TOML (number, boolean, string,
/// array) when it parses as one, else as a bare string. Errors: USAGE naming the text.
struct Override {
  std::vector<std::string> path;
  std::string value_text;
  std::string text;  ///< as given
};
[[nodiscard]] Result<Override> parse_override(const std::string& text);

/// Reads a scenario file and applies the overrides in order. Errors (each naming the file and
/// the key path): FILE_NOT_FOUND, SCENARIO_PARSE_ERROR, SCENARIO_UNKNOWN_KEY (also for an
/// override of a key the schema does not know), SCENARIO_MISSING_FIELD,
/// SCENARIO_INVALID_VALUE (wrong type, negative count, bad time, fleet of zero ...).
[[nodiscard]] Result<Scenario> load_scenario(const std::string& path,
                                             const std::vector<std::string>& overrides = {});
/// As load_scenario from TOML text; `source` names it in messages and anchors relative paths.
[[nodiscard]] Result<Scenario> parse_scenario(const std::string& toml_text,
                                              const std::string& source,
                                              const std::vector<std::string>& overrides = {});

/// A path from a scenario: absolute as is; else the first that exists of the working
/// directory, the scenario's folder, and the two folders above it; else as given.
[[nodiscard]] std::string resolve_scenario_path(const std::string& path,
                                                const std::string& scenario_source);

}  // namespace skylane::sim
