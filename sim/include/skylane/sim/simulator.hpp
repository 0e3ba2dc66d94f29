// The simulation model: drones (class, battery, position, state), vertiports (pads and
// chargers as FIFO occupancy queues, battery stock), loading / unloading, battery swap and
// charging, missions released from a log, assigned to drones by policy and planned through the
// dispatch core (MissionPort), restrictions as timed events. Driven by the event engine
// (event_queue.hpp); deterministic for a given scenario, log and port.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"
#include "skylane/dispatch/mission.hpp"
#include "skylane/sim/mission_log.hpp"
#include "skylane/sim/mission_port.hpp"
#include "skylane/sim/scenario.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::sim {

enum class DroneState : std::uint8_t {
  kIdle = 0,
  kWaitingPad,  ///< on the ground, waiting for a pad to load
  kLoading,     ///< on a pad, loaded or loading, until take-off
  kFlying,      ///< delivery leg or ground stop between legs
  kFerrying,    ///< repositioning flight (empty)
  kUnloading,
  kSwapping,
  kWaitingCharger,
  kCharging,
};
inline constexpr int kDroneStateCount = 9;
[[nodiscard]] const char* drone_state_name(DroneState s);

/// One delivery mission (or repositioning ferry) as the simulation saw it. Times are Unix ms;
/// 0 = did not happen.
struct JobOutcome {
  MissionRecord record;  ///< for ferries: id "F000001", origin / destination of the flight
  bool ferry = false;
  std::string state = "WAITING";  ///< COMPLETED, REJECTED, UNFINISHED
  std::string reason;             ///< rejection reason (dispatch core's, or NO_DRONE_AVAILABLE ...)
  std::string reason_text;        ///< the core's explanation, when it gave one
  std::string vehicle_class;
  int drone = -1;
  std::int64_t dispatch_id = 0;
  std::int64_t assigned_unix_ms = 0;
  std::int64_t departure_unix_ms = 0;
  std::int64_t arrival_unix_ms = 0;    ///< last touch-down
  std::int64_t completed_unix_ms = 0;  ///< unloaded (deliveries) / landed (ferries)
  std::int64_t pad_wait_ms = 0;        ///< waiting for a loading pad
  int replans = 0;
  double distance_m = 0.0;
  double energy_wh = 0.0;
  double submit_wall_ms = 0.0;  ///< wall time of the dispatch core's submit (timing only)
  std::vector<dispatch::PlannedLeg> legs;
  std::vector<dispatch::PlannedStop> stops;
  [[nodiscard]] bool on_time() const {
    return state == "COMPLETED" && completed_unix_ms <= record.deadline_unix_ms;
  }
};

struct DroneOutcome {
  int id = 0;
  std::string vehicle_class;
  std::string home;
  std::string final_vertiport;
  std::array<std::int64_t, kDroneStateCount> ms_in_state{};
  int deliveries = 0;
  int ferries = 0;
  double energy_wh = 0.0;
};

struct VertiportOutcome {
  std::string name;
  double x_m = 0, y_m = 0, lon_deg = 0, lat_deg = 0;
  int pads = 0;
  int chargers = 0;
  int battery_stock = 0;
  bool battery_swap = false;
  std::int64_t pad_busy_ms = 0;       ///< integral of occupied pads over time
  std::int64_t charger_busy_ms = 0;   ///< integral of busy chargers
  std::int64_t pad_queue_ms = 0;      ///< integral of the pad queue length
  std::int64_t charger_queue_ms = 0;  ///< integral of the charger queue length
  int pad_queue_max = 0;
  int charger_queue_max = 0;
  int pad_overflows = 0;  ///< landings when every pad was taken (counted, not refused)
  int swaps = 0;
  int stockouts = 0;  ///< swaps wanted with no charged pack (drone charged instead)
  int min_stock = 0;
  int departures = 0;
  int arrivals = 0;
  std::vector<std::int64_t> pad_waits_ms;  ///< one per pad acquisition that waited or not
  std::vector<std::int64_t> charger_waits_ms;
};

struct RestrictionOutcome {
  std::string name;
  std::int64_t announce_unix_ms = 0;
  std::string error;  ///< non-empty if the core refused it
  int affected = 0;
  int replanned = 0;
  int rejected = 0;
  int airborne_affected = 0;
};

struct SimResult {
  std::vector<JobOutcome> jobs;  ///< deliveries in log order, then ferries
  std::size_t deliveries = 0;    ///< jobs[0, deliveries) are deliveries
  std::vector<DroneOutcome> drones;
  std::vector<VertiportOutcome> vertiports;
  std::vector<RestrictionOutcome> restrictions;
  std::int64_t start_unix_ms = 0;
  std::int64_t end_unix_ms = 0;       ///< scenario end
  std::int64_t finished_unix_ms = 0;  ///< last event handled (after draining)
  std::uint64_t events = 0;
  std::uint64_t core_events = 0;  ///< events returned by the core's advance()
  std::string port_kind;
};

struct SimOptions {
  /// Keep handling flights after the scenario end for at most this long (no new releases).
  std::int64_t drain_ms = 6 * 3'600'000;
  /// Called now and then with the fraction of simulated time done (0..1).
  std::function<void(double)> progress;
};

/// Runs the model. `missions` must have passed check_missions. Errors: INTERNAL only if the
/// port answers inconsistently (e.g. a PLANNED mission without a plan).
[[nodiscard]] Result<SimResult> simulate(const Scenario& scenario,
                                         const airspace::Airspace& airspace,
                                         const vehicle::VehicleCatalogue& catalogue,
                                         const std::vector<MissionRecord>& missions,
                                         MissionPort& port, const SimOptions& options = {});

}  // namespace skylane::sim
