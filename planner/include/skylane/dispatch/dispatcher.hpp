// The dispatch core: missions, their 4D plans and reservations, runtime restrictions, events.
// Knows nothing of gRPC; skylaned is a thin adapter over it and the simulator drives it
// in-process, so a what-if run exercises the code that serves operators (DESIGN.md).
//
// Concurrency: submit() plans in parallel with other submits against the current reservation
// table under a shared lock, then commits under an exclusive lock after a version check: if any
// mission was committed since the plan started, the new plan is checked against those missions
// with the independent conflict checker, and replanned (up to max_commit_retries) if it
// conflicts. Every accepted plan therefore passes the checker against every other.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"
#include "skylane/dispatch/journal.hpp"
#include "skylane/dispatch/mission.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::dispatch {

struct DispatcherOptions {
  /// Unix ms of the planner's Millis 0 (trajectories are stored relative to it). Default:
  /// 0 = the UTC midnight before the first clock reading.
  std::int64_t epoch_unix_ms = 0;
  /// Vehicle classes served (catalogue names); empty = every class of the catalogue. Each costs
  /// a planner (about a second and 50 MB on the default map).
  std::vector<std::string> vehicle_classes;
  /// Clock of the dispatcher (Unix ms). Default: the system clock. The simulator sets its own.
  std::function<std::int64_t()> clock;
  /// Wall-time budget per mission plan (all legs, all classes tried); 0 = none.
  std::chrono::milliseconds plan_budget{5000};
  /// Replans when a commit loses a race (then the mission is rejected COMMIT_CONFLICT).
  int max_commit_retries = 4;
  /// Ground time reserved on each landing pad after touchdown (ms).
  std::int64_t pad_dwell_ms = 60'000;
  /// Latest departure = earliest + this (the planner may delay take-off within it).
  std::int64_t departure_window_ms = 2 * 3600 * 1000;
  /// Maximum payload accepted by validation (anything above every class is also rejected).
  double max_payload_kg = 1000.0;
  /// Requests whose earliest departure is more than this before the clock are rejected.
  std::int64_t max_past_ms = 60'000;
  /// Keep completed missions' reservations this long after arrival, then release them.
  std::int64_t release_after_ms = 0;
  /// Events kept in memory for watch_events() (older ones are dropped).
  std::size_t event_capacity = 100'000;
};

struct ListQuery {
  std::optional<std::string> operator_id;  ///< only this operator's missions (nullopt = all)
  std::optional<MissionState> state;
  std::int64_t after_id = 0;  ///< page token: missions with id > after_id
  std::size_t page_size = 100;
};

struct MissionPage {
  std::vector<Mission> missions;   ///< ascending id
  std::int64_t next_after_id = 0;  ///< 0 when this was the last page
};

/// Outcome of a restriction change: the missions it touched, in the order they were replanned.
struct RestrictionChange {
  RestrictionSpec restriction;
  std::vector<Mission> affected;  ///< after replanning (PLANNED with a new plan, or REJECTED)
  std::vector<std::int64_t> airborne_affected;  ///< ACTIVE missions crossing it (not replanned)
};

/// A reservation box answer (QueryAirspace): a mission whose trajectory passes through the box
/// during the window, with the part inside.
struct AirspaceQuery {
  double min_lon_deg = 0, min_lat_deg = 0, max_lon_deg = 0, max_lat_deg = 0;
  double floor_amsl_m = -1e4, ceiling_amsl_m = 1e4;
  std::int64_t from_unix_ms = 0;
  std::int64_t to_unix_ms = 0;
  std::optional<std::string> operator_id;  ///< restrict to this operator's missions
};
struct AirspaceHit {
  std::int64_t mission_id = 0;
  std::string operator_id;
  std::string vehicle_class;
  std::int64_t enter_unix_ms = 0;
  std::int64_t exit_unix_ms = 0;
};

struct DispatcherStats {
  std::size_t missions_by_state[6] = {};
  std::size_t reservation_entries = 0;
  std::size_t reservation_bytes = 0;
  std::size_t restrictions = 0;
  std::uint64_t commits = 0;
  std::uint64_t commit_retries = 0;  ///< plans redone after losing a race
  std::uint64_t last_event_seq = 0;
};

class Dispatcher {
 public:
  /// Loads every mission and restriction from `journal`, re-reserves the trajectories of
  /// PLANNED and ACTIVE missions, and builds one planner per catalogue class (about a second
  /// and 50 MB per class on the default map). The airspace and catalogue must outlive it.
  /// Errors: those of the journal, DISPATCH_RECOVERY_FAILED (a stored plan no longer fits).
  [[nodiscard]] static Result<std::unique_ptr<Dispatcher>> create(
      const airspace::Airspace& airspace, const vehicle::VehicleCatalogue& catalogue,
      std::unique_ptr<Journal> journal, DispatcherOptions options = {});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Validates, plans and commits one mission; returns it PLANNED or REJECTED (with reason:
  /// NO_ROUTE reasons of the planner / router, PLAN_BUDGET_EXHAUSTED, COMMIT_CONFLICT). The
  /// mission is durable when this returns. Idempotent: the same (operator, request_id) returns
  /// the stored mission without planning. Thread-safe; plans run in parallel.
  /// Errors (nothing stored): INVALID_ARGUMENT-class reasons naming the field (unknown vertiport
  /// or class, point outside the map, NaN, payload <= 0 or too large, deadline before
  /// departure, departure in the past), JOURNAL_WRITE_FAILED, CANCELLED via `stop`.
  [[nodiscard]] Result<Mission> submit(const MissionRequest& request,
                                       const search::StopCondition& stop = {});

  /// The mission, if it exists and (when operator_id is given) belongs to that operator.
  /// Errors: MISSION_NOT_FOUND (also for another operator's mission: no existence leak).
  [[nodiscard]] Result<Mission> get(std::int64_t id,
                                    const std::optional<std::string>& operator_id) const;
  [[nodiscard]] MissionPage list(const ListQuery& query) const;

  /// Cancels a PENDING/PLANNED/ACTIVE mission and frees exactly its reservations. Errors:
  /// MISSION_NOT_FOUND, MISSION_FINAL (already completed / rejected / cancelled).
  [[nodiscard]] Result<Mission> cancel(std::int64_t id,
                                       const std::optional<std::string>& operator_id,
                                       const std::string& reason = "CANCELLED_BY_OPERATOR");

  /// Adds a restriction; every PLANNED mission whose trajectory it intersects is replanned in
  /// priority order (highest first, then id) or rejected with RESTRICTION_CONFLICT.
  /// Errors: RESTRICTION_INVALID (naming the field), JOURNAL_WRITE_FAILED.
  [[nodiscard]] Result<RestrictionChange> add_restriction(RestrictionSpec spec);
  /// Lifts one. Missions are not replanned (their plans stay legal). Errors:
  /// RESTRICTION_NOT_FOUND.
  [[nodiscard]] Result<RestrictionSpec> remove_restriction(std::int64_t id);
  [[nodiscard]] std::vector<RestrictionSpec> restrictions() const;

  [[nodiscard]] std::vector<AirspaceHit> query_airspace(const AirspaceQuery& query) const;

  /// Moves time on to `now_unix_ms` (defaults to the clock): PLANNED missions whose first
  /// take-off is due become ACTIVE (STARTED), ACTIVE missions whose last touchdown has passed
  /// become COMPLETED; reservations of missions completed release_after_ms ago are released.
  /// Returns the events emitted.
  std::vector<MissionEvent> advance(std::optional<std::int64_t> now_unix_ms = std::nullopt);

  /// Events with seq > after_seq, waiting up to `wait` for the first one; at most max_events.
  /// If older events were dropped, the first returned may have seq > after_seq + 1.
  /// Thread-safe. Returns early (empty) after shutdown().
  [[nodiscard]] std::vector<MissionEvent> events_after(std::uint64_t after_seq,
                                                       std::chrono::milliseconds wait,
                                                       std::size_t max_events = 1024) const;
  /// Wakes every waiter of events_after and makes new waits return at once.
  void shutdown();

  /// Trajectories the reservation table holds (PLANNED and ACTIVE missions, and COMPLETED ones
  /// until release_after_ms after their end), one per leg, times in ms since epoch_unix_ms(), for
  /// audits with the independent conflict checker. Legs of one mission share its id and are one
  /// vehicle: a checker violation between two entries of the same mission_id is not a conflict
  /// (between legs the vehicle is on a stand or swapping its battery on the pad).
  struct Flight {
    std::int64_t mission_id;
    std::string vehicle_class;
    traj::Trajectory4D trajectory;
  };
  [[nodiscard]] std::vector<Flight> flights() const;

  [[nodiscard]] DispatcherStats stats() const;
  [[nodiscard]] std::int64_t now_unix_ms() const;
  [[nodiscard]] std::int64_t epoch_unix_ms() const;
  [[nodiscard]] const airspace::Airspace& airspace() const;
  [[nodiscard]] const vehicle::VehicleCatalogue& catalogue() const;

 private:
  struct Impl;
  explicit Dispatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace skylane::dispatch
