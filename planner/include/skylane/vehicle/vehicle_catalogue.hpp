// The vehicle class catalogue: a TOML file shipped with the project
// (planner/data/vehicle_catalogue.toml) in which every value cites a fact or is marked an
// assumption. Loading validates every class completely; the router, the planner and the
// simulator look classes up by name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/vehicle/vehicle_class.hpp"

namespace skylane::vehicle {

/// A cited (payload, range) fact the class's energy model is calibrated on: range_m(class,
/// payload_kg) must reproduce range_m within kCalibrationTolerance (below).
struct RangeCalibration {
  double payload_kg = 0.0;
  double range_m = 0.0;
  double hover_to_cruise = 0.0;  ///< shape assumption used to derive the coefficients
  double fixed_share = 0.0;      ///< shape assumption used to derive the coefficients
  std::string source;            ///< where the fact comes from
};

/// Relative tolerance between a class's computed and cited range (0.5 %).
inline constexpr double kCalibrationTolerance = 0.005;

struct CatalogueEntry {
  VehicleClass vehicle;
  std::string description;
  RangeCalibration calibration;
};

class VehicleCatalogue {
 public:
  VehicleCatalogue() = default;
  VehicleCatalogue(std::string source, std::vector<CatalogueEntry> entries)
      : source_(std::move(source)), entries_(std::move(entries)) {}

  /// The class named `name` (exact, case-sensitive), or nullptr. O(classes).
  [[nodiscard]] const VehicleClass* find(std::string_view name) const;
  [[nodiscard]] const CatalogueEntry* find_entry(std::string_view name) const;
  /// In file order.
  [[nodiscard]] const std::vector<CatalogueEntry>& entries() const { return entries_; }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  /// The largest horizontal and vertical separation and time buffer of any class: reservations
  /// are swept with it (ReservationTable::reserve's max_other) so that every class planning
  /// against the same table stays separated. The SeparationEnvelope defaults if empty.
  [[nodiscard]] traj::SeparationEnvelope max_separation() const;
  /// The file it was read from.
  [[nodiscard]] const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<CatalogueEntry> entries_;
};

/// Reads and validates a catalogue file. Errors (each message names the file, the class and the
/// key): FILE_NOT_FOUND, VEHICLE_CATALOGUE_PARSE_ERROR (not TOML),
/// VEHICLE_CATALOGUE_UNKNOWN_KEY, VEHICLE_CATALOGUE_MISSING_FIELD,
/// VEHICLE_CATALOGUE_INVALID_VALUE (wrong type, NaN, infinite, negative, zero rate, unknown
/// category or zone kind, reserve outside [0, 1)), VEHICLE_CATALOGUE_INCONSISTENT (payload above
/// MTOM - empty, category not the one the masses give, ceiling below the clearances or above the
/// category's limit, duplicate name, energy model not reproducing its calibration range).
[[nodiscard]] Result<VehicleCatalogue> load_vehicle_catalogue(const std::string& path);

/// As load_vehicle_catalogue, from TOML text; `source` names it in messages.
[[nodiscard]] Result<VehicleCatalogue> parse_vehicle_catalogue(std::string_view toml_text,
                                                               const std::string& source);

/// Checks one class as the loader does (`where` prefixes messages). Also for classes built in
/// code. Errors: VEHICLE_CATALOGUE_INVALID_VALUE, VEHICLE_CATALOGUE_INCONSISTENT.
[[nodiscard]] Result<void> validate_vehicle_class(const VehicleClass& vehicle,
                                                  const std::string& where);

/// The shipped catalogue: $SKYLANE_VEHICLE_CATALOGUE if set and non-empty, else the file in the
/// source tree the library was built from (compile definition SKYLANE_VEHICLE_CATALOGUE_PATH).
[[nodiscard]] std::string default_catalogue_path();

}  // namespace skylane::vehicle
