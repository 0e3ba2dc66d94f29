// Missions, their plans and events, and airspace restrictions as the dispatch core keeps them
// (DESIGN.md, Dispatch core). Plain values: the gRPC service maps them to proto messages, the
// simulator reads them directly, the journal stores them as JSON (mission_json.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "skylane/traj/trajectory.hpp"

namespace skylane::dispatch {

/// PENDING -> PLANNED -> ACTIVE -> COMPLETED, or REJECTED (with a reason) / CANCELLED.
/// A replan after a restriction keeps PLANNED (or turns REJECTED); ACTIVE missions are flying
/// and are never replanned (a restriction over an airborne mission is reported, not applied).
enum class MissionState : std::uint8_t {
  kPending = 0,
  kPlanned = 1,
  kActive = 2,
  kCompleted = 3,
  kRejected = 4,
  kCancelled = 5,
};
/// "PENDING", "PLANNED", ... (stable: journal, JSON, logs).
[[nodiscard]] const char* mission_state_name(MissionState state);
[[nodiscard]] std::optional<MissionState> parse_mission_state(std::string_view name);
/// REJECTED, CANCELLED and COMPLETED are final.
[[nodiscard]] bool is_final(MissionState state);

/// One end of a mission: a vertiport of the map (by exact name) or a WGS 84 point.
struct Endpoint {
  std::string vertiport;          ///< wins when non-empty
  std::optional<double> lon_deg;  ///< with lat_deg, when vertiport is empty
  std::optional<double> lat_deg;
};

struct MissionRequest {
  std::string operator_id;  ///< owner; only it may see or cancel the mission
  std::string request_id;   ///< idempotency key, unique per operator (may be empty: no dedup)
  Endpoint origin;
  Endpoint destination;
  double payload_kg = 0.0;
  std::string vehicle_class = "any";  ///< a catalogue name or "any"
  std::int64_t earliest_departure_unix_ms = 0;
  std::optional<std::int64_t> deadline_unix_ms;  ///< landed at the destination by then
  std::int32_t priority = 0;                     ///< higher is more important (replan order)
};

/// One leg as committed: its trajectory is what the reservation table holds.
struct PlannedLeg {
  std::string from;  ///< vertiport name, or "LON,LAT" for a coordinate end
  std::string to;
  /// Working frame metres, z AMSL, t = ms since trajectory_epoch_unix_ms (the dispatcher's
  /// epoch when it was planned; a restarted dispatcher shifts it onto its own). id = mission id.
  traj::Trajectory4D trajectory;
  std::int64_t trajectory_epoch_unix_ms = 0;
  std::int64_t departure_unix_ms = 0;  ///< take-off
  std::int64_t arrival_unix_ms = 0;    ///< touchdown
  double distance_m = 0.0;
  double energy_wh = 0.0;
  double battery_fraction_at_landing = 1.0;
};

/// A ground stop between two legs.
struct PlannedStop {
  std::string vertiport;
  std::string service;  ///< "none", "swap", "charge"
  std::int64_t arrival_unix_ms = 0;
  std::int64_t departure_unix_ms = 0;
};

struct MissionPlan {
  std::string vehicle_class;
  std::vector<PlannedLeg> legs;
  std::vector<PlannedStop> stops;
  std::int64_t departure_unix_ms = 0;  ///< first take-off
  std::int64_t arrival_unix_ms = 0;    ///< last touchdown
  double energy_wh = 0.0;
  double distance_m = 0.0;
  double plan_ms = 0.0;  ///< wall time of the planning that produced it
};

struct Mission {
  std::int64_t id = 0;  ///< > 0, assigned by the dispatcher, never reused
  MissionRequest request;
  MissionState state = MissionState::kPending;
  std::string reason;       ///< UPPER_SNAKE when REJECTED / CANCELLED (else empty)
  std::string reason_text;  ///< human explanation
  std::optional<MissionPlan> plan;
  std::int64_t version = 0;  ///< bumped on every change
  std::int32_t replans = 0;  ///< times replanned after a restriction
  std::int64_t created_unix_ms = 0;
  std::int64_t updated_unix_ms = 0;
};

enum class EventKind : std::uint8_t {
  kPlanned = 0,
  kReplanned = 1,
  kRejected = 2,
  kCancelled = 3,
  kStarted = 4,
  kCompleted = 5,
};
[[nodiscard]] const char* event_kind_name(EventKind kind);  ///< "PLANNED", ...

struct MissionEvent {
  std::uint64_t seq = 0;  ///< 1, 2, ... in commit order (per dispatcher run)
  EventKind kind = EventKind::kPlanned;
  std::int64_t mission_id = 0;
  std::string operator_id;
  std::int64_t time_unix_ms = 0;                ///< dispatcher clock when it happened
  MissionState state = MissionState::kPending;  ///< after the event
  std::string reason;                           ///< for REJECTED / CANCELLED / REPLANNED
  std::int64_t mission_version = 0;
};

/// An airspace restriction added at run time (AddRestriction, or a simulator event).
struct RestrictionSpec {
  std::int64_t id = 0;  ///< assigned by the dispatcher
  std::string name;
  /// A zone kind of the map: "temporary" (default), "prohibited", "restricted",
  /// "airport_protection", "border_band". Classes that must avoid that kind avoid it.
  std::string kind = "temporary";
  std::vector<std::array<double, 2>> ring_lonlat;  ///< WGS 84 [lon, lat], >= 3 distinct points
  double floor_m = 0.0;
  double ceiling_m = 1.0e4;
  bool floor_agl = true;  ///< floor above ground (else AMSL)
  bool ceiling_agl = true;
  std::int64_t active_from_unix_ms = 0;
  std::optional<std::int64_t> active_to_unix_ms;  ///< open-ended if absent
  std::string created_by;                         ///< operator id
};

}  // namespace skylane::dispatch
