// The simulator's view of the dispatch core: the few calls it makes. In production runs it is
// the real dispatch::Dispatcher (with the 4D planner, separation and restrictions); the
// straight-line stand-in exists only for engine benchmarks at 100k missions and for model
// tests without a map, and gives NO separation guarantee.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"
#include "skylane/dispatch/dispatcher.hpp"
#include "skylane/dispatch/mission.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::sim {

class MissionPort {
 public:
  virtual ~MissionPort() = default;
  /// As dispatch::Dispatcher::submit: PLANNED or REJECTED (reason), or an Error.
  virtual Result<dispatch::Mission> submit(const dispatch::MissionRequest& request) = 0;
  virtual Result<dispatch::RestrictionChange> add_restriction(dispatch::RestrictionSpec spec) = 0;
  /// Moves the core's time on (missions become ACTIVE / COMPLETED).
  virtual std::vector<dispatch::MissionEvent> advance(std::int64_t now_unix_ms) = 0;
  virtual Result<dispatch::Mission> get(std::int64_t id) const = 0;
  /// Unix ms of the trajectories' t = 0.
  [[nodiscard]] virtual std::int64_t epoch_unix_ms() const = 0;
  /// "dispatch" or "straight_line".
  [[nodiscard]] virtual const char* kind() const = 0;
};

struct PortOptions {
  std::int64_t epoch_unix_ms = 0;   ///< trajectories' time origin (the scenario start)
  std::int64_t plan_budget_ms = 0;  ///< 0 = none (deterministic)
  /// The simulation clock (Unix ms); the dispatcher reads it for "now".
  std::function<std::int64_t()> clock;
};

/// The real dispatch core, in process, with an in-memory journal. Errors: those of
/// Dispatcher::create.
[[nodiscard]] Result<std::unique_ptr<MissionPort>> make_dispatch_port(
    const airspace::Airspace& airspace, const vehicle::VehicleCatalogue& catalogue,
    const PortOptions& options);

/// Stand-in: one straight leg per mission (vertical climb to 100 m AGL, cruise, descent) at the
/// class's speeds, energy from the class's model, rejected NO_ROUTE_RANGE when the leg would
/// break the reserve. No airspace, no separation, restrictions ignored. Benchmarks only.
[[nodiscard]] std::unique_ptr<MissionPort> make_straight_line_port(
    const airspace::Airspace& airspace, const vehicle::VehicleCatalogue& catalogue,
    const PortOptions& options);

}  // namespace skylane::sim
