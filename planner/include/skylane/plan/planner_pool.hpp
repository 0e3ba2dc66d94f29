// One AirspacePlanner per vehicle class of a catalogue, over one airspace, shared by every
// mission (and thread) that plans on that map. A planner holds its class's vehicle view and
// block graph (~0.1-1 s and ~50 MB each on the default map), so they are built once, up front
// or on first use, and never rebuilt.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"
#include "skylane/plan/airspace_planner.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::plan {

/// Planners keyed by class name. Thread-safety: every member function may be called
/// concurrently; get() builds a missing planner under an exclusive lock (other callers wait),
/// and the planners themselves are immutable once built (AirspacePlanner::plan is const), so a
/// pointer returned by get() stays valid and usable from any thread for the pool's lifetime.
/// The airspace must outlive the pool. Not copyable or movable (hold it by value or pointer).
class PlannerPool {
 public:
  /// `options` apply to every planner, epoch_unix_s included: every mission planned through
  /// the pool must use that epoch for its times (network::MissionRequest::epoch_unix_s).
  PlannerPool(const airspace::Airspace& airspace, vehicle::VehicleCatalogue catalogue,
              PlannerOptions options = {});
  PlannerPool(const PlannerPool&) = delete;
  PlannerPool& operator=(const PlannerPool&) = delete;

  /// Builds the planners of `class_names` now (all classes of the catalogue if empty).
  /// Errors: VEHICLE_CLASS_NOT_FOUND, those of AirspacePlanner::create.
  Result<void> build(std::span<const std::string> class_names = {});

  /// The planner of `class_name`, built now if it is not yet. Errors: VEHICLE_CLASS_NOT_FOUND
  /// (listing the catalogue's names), those of AirspacePlanner::create.
  [[nodiscard]] Result<const AirspacePlanner*> get(std::string_view class_name) const;

  /// The planner of `class_name` if it is already built, else nullptr. Never builds.
  [[nodiscard]] const AirspacePlanner* find(std::string_view class_name) const;

  /// Number of planners built so far.
  [[nodiscard]] std::size_t built() const;

  [[nodiscard]] const airspace::Airspace& airspace() const { return *airspace_; }
  [[nodiscard]] const vehicle::VehicleCatalogue& catalogue() const { return catalogue_; }
  [[nodiscard]] const PlannerOptions& options() const { return options_; }

 private:
  const airspace::Airspace* airspace_;
  vehicle::VehicleCatalogue catalogue_;
  PlannerOptions options_;
  mutable std::shared_mutex mutex_;
  mutable std::map<std::string, AirspacePlanner, std::less<>> planners_;
};

}  // namespace skylane::plan
