// The `skylane plan --from-vertiport A --to-vertiport B --payload-kg KG` library call: a
// multi-leg mission between two vertiports of a loaded map, routed over the vertiport network
// of each class tried (network/mission_router.hpp) with every leg planned in 4D
// (airspace_leg_planner.hpp), rendered as JSON.
#pragma once

#include <cstdint>
#include <string>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/network/mission_router.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::plan {

struct MissionQuery {
  std::string from_vertiport;  ///< exact name or unique prefix
  std::string to_vertiport;
  double payload_kg = 0.0;
  std::string class_name = "any";  ///< a catalogue class, or "any" (earliest arrival wins)
  std::int64_t depart_unix_s = 0;  ///< earliest departure, Unix seconds (the plan's epoch)
  /// The vehicle catalogue; empty: vehicle::default_catalogue_path().
  std::string catalogue_path;
  network::RouterOptions router;  ///< K candidates, pad slot (= the legs' goal dwell), horizon
};

/// Largest payload accepted at all (kg): above it a request is malformed, not merely too heavy
/// for every class.
inline constexpr double kMaxPayloadKg = 1.0e6;

/// Context the renderer needs besides the plan.
struct MissionReportContext {
  const airspace::Airspace* airspace = nullptr;
  const geo::GeoFrame* frame = nullptr;  ///< the map's working frame
  std::int64_t epoch_unix_s = 0;         ///< Unix time of mission time 0
};

/// JSON object: outcome ("found", "no_route", ...), reason (RouteFailure name, e.g.
/// "DESTINATION_UNREACHABLE", or null), reason_text, class, payload_kg, from, to,
/// departure_unix_s (first take-off), arrival_unix_s (last touch-down), duration_s, energy_wh
/// (sum over legs), candidate, candidates_found, legs [{from, to, departure_unix_s,
/// arrival_unix_s, duration_s, distance_m (3D length of the flight between take-off and
/// touch-down), horizontal_m, climb_m, descent_m, hover_s (the profile energy is booked on),
/// energy_wh, energy_since_reset_wh, battery_fraction_at_landing, waypoints [{lon, lat,
/// alt_amsl_m, alt_agl_m, t_s}] with t_s seconds after the leg's take-off (ground waits before it
/// negative, the landing dwell after touch-down included)}], stops [{name, service ("none",
/// "swap", "charge"), arrival_unix_s, ready_unix_s, departure_unix_s}], failures [{candidate,
/// leg, from, to, reason}] of abandoned candidate routes, attempts [{class, outcome, reason,
/// reason_text, arrival_unix_s or null, network_build_ms}] per class tried.
/// Errors: from the projection.
[[nodiscard]] Result<std::string> mission_json(const network::ClassSelection& selection,
                                               const MissionReportContext& context);

/// Validates, builds the planners it needs, plans against an empty reservation table with every
/// pad free, and renders mission_json. Errors: MISSION_REQUEST_INVALID (payload NaN, infinite,
/// negative or above kMaxPayloadKg; same origin and destination), VERTIPORT_NOT_FOUND,
/// VEHICLE_CLASS_NOT_FOUND, PAYLOAD_ABOVE_CLASS_LIMIT (above the named class's max_payload_kg,
/// or, for "any", above every class's), the catalogue loader's, the planner's. Infeasible
/// missions are results (outcome no_route with the blocking constraint).
[[nodiscard]] Result<std::string> run_mission_query(const airspace::Airspace& airspace,
                                                    const MissionQuery& query);

}  // namespace skylane::plan
