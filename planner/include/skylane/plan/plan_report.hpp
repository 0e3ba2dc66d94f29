// The `skylane plan` library call: resolve a query (lon/lat points or vertiport names, a vehicle
// class, a departure time) on a loaded map, plan one flight, and render it as JSON or as a
// GeoJSON Feature (WGS 84 lon/lat, altitude AMSL, per-vertex times).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/plan/airspace_planner.hpp"

namespace skylane::plan {

/// One end of a query: a vertiport name of the map, or a WGS 84 point with an optional pad
/// altitude (metres AMSL; default: the ground).
struct QueryEnd {
  std::string vertiport;  ///< exact vertiport name; wins when non-empty
  std::optional<geo::LonLat> point;
  std::optional<double> alt_amsl_m;
};

struct PlanQuery {
  QueryEnd from;
  QueryEnd to;
  std::string class_name = "flycart30";
  std::int64_t depart_unix_s = 0;  ///< earliest departure, Unix seconds
  std::optional<std::int64_t> latest_depart_unix_s;
  std::optional<std::int64_t> arrive_by_unix_s;
  double goal_dwell_s = 60.0;
  /// The vehicle catalogue; empty: vehicle::default_catalogue_path().
  std::string catalogue_path;
  enum class Format { kJson, kGeoJson };
  Format format = Format::kJson;
};

/// Parses a departure time: Unix seconds ("1767225600") or local time of the map
/// "YYYY-MM-DDTHH:MM[:SS]" (utc_offset_s east of UTC). Errors: INVALID_ARGUMENT.
[[nodiscard]] Result<std::int64_t> parse_departure(std::string_view text,
                                                   std::int32_t utc_offset_s);

/// Parses "LON,LAT" or "LON,LAT,ALT" (degrees, degrees, metres AMSL). Errors: USAGE.
[[nodiscard]] Result<QueryEnd> parse_lonlat_alt(std::string_view text);

/// Working-frame pad of a query end: the vertiport of that exact name, else the only one whose
/// name starts with it. Errors: VERTIPORT_NOT_FOUND (none or several; lists the map's names),
/// PLAN_POINT_INVALID (NaN), CRS_INVALID / INVALID_ARGUMENT from the projection.
[[nodiscard]] Result<PadPoint> resolve_end(const QueryEnd& end, const airspace::Airspace& airspace,
                                           const geo::GeoFrame& frame);

/// Context the renderers need besides the plan.
struct ReportContext {
  const airspace::Airspace* airspace = nullptr;
  const geo::GeoFrame* frame = nullptr;  ///< the map's working frame (info().crs)
  std::string class_name;
  std::int64_t epoch_unix_s = 0;  ///< Unix time of the plan's Millis 0
};

/// JSON object: outcome ("found", "no_route", "budget_exhausted", "cancelled"), reason
/// (UPPER_SNAKE or null), reason_text, class, departure_unix_s, takeoff_s, duration_s (landing
/// minus departure), distance_m (3D length), waypoints [{lon, lat, alt_amsl_m, alt_agl_m, t_s}]
/// with t_s seconds after departure, stats {expansions, generated, plan_ms, path_cells,
/// expansions_per_path_cell, route_expansions, corridor_columns, corridor_half_width, attempts,
/// shortcuts}. Errors: from the projection.
[[nodiscard]] Result<std::string> plan_json(const AirspacePlan& plan, const ReportContext& context);

/// GeoJSON Feature with a LineString of [lon, lat, alt_amsl_m] (WGS 84) and properties t_s
/// (per vertex), outcome, class, departure_unix_s, duration_s, distance_m. A plan without a
/// trajectory gives a Feature with a null geometry.
[[nodiscard]] Result<std::string> plan_geojson(const AirspacePlan& plan,
                                               const ReportContext& context);

/// Resolves, plans against an empty reservation table and renders. The library function behind
/// `skylane plan` between two points. Errors: those of resolve_end, of the catalogue loader,
/// VEHICLE_CLASS_NOT_FOUND, those of AirspacePlanner.
[[nodiscard]] Result<std::string> run_plan_query(const airspace::Airspace& airspace,
                                                 const PlanQuery& query);

}  // namespace skylane::plan
