#include "skylane/plan/plan_report.hpp"

#include <charconv>
#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "skylane/core/try.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::plan {
namespace {

using json = nlohmann::ordered_json;

bool parse_int(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_double(std::string_view s, double& out) {
  // std::from_chars for double is in libstdc++ 11+.
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

double seconds(traj::Millis t) { return static_cast<double>(t.count()) / 1000.0; }

/// Rounds to a millimetre / millisecond / 1e-8 degree so the output stays readable.
double round_to(double v, double step) { return std::round(v / step) * step; }

}  // namespace

Result<std::int64_t> parse_departure(std::string_view text, std::int32_t utc_offset_s) {
  std::int64_t unix_s = 0;
  if (parse_int(text, unix_s)) return unix_s;
  // YYYY-MM-DDTHH:MM[:SS], local time of the map.
  std::int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const bool shape = (text.size() == 16 || text.size() == 19) && text[4] == '-' && text[7] == '-' &&
                     text[10] == 'T' && text[13] == ':' && (text.size() == 16 || text[16] == ':');
  if (!shape || !parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), mo) ||
      !parse_int(text.substr(8, 2), d) || !parse_int(text.substr(11, 2), h) ||
      !parse_int(text.substr(14, 2), mi) ||
      (text.size() == 19 && !parse_int(text.substr(17, 2), s)) || h > 23 || mi > 59 || s > 59) {
    return fail("INVALID_ARGUMENT", "departure '" + std::string(text) +
                                        "' is neither Unix seconds nor YYYY-MM-DDTHH:MM[:SS]");
  }
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(y)},
                                        std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return fail("INVALID_ARGUMENT", "departure '" + std::string(text) + "' is not a date");
  const auto days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86400 + h * 3600 + mi * 60 + s - utc_offset_s;
}

Result<QueryEnd> parse_lonlat_alt(std::string_view text) {
  double v[3] = {0, 0, 0};
  int n = 0;
  std::size_t pos = 0;
  while (n < 3) {
    const std::size_t comma = text.find(',', pos);
    const std::string_view part =
        text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (!parse_double(part, v[n])) break;
    ++n;
    if (comma == std::string_view::npos) {
      pos = text.size();
      break;
    }
    pos = comma + 1;
  }
  if (n < 2 || pos != text.size()) {
    return fail("USAGE", "'" + std::string(text) + "' is not LON,LAT or LON,LAT,ALT");
  }
  QueryEnd end;
  end.point = geo::LonLat{v[0], v[1]};
  if (n == 3) end.alt_amsl_m = v[2];
  return end;
}

Result<PadPoint> resolve_end(const QueryEnd& end, const airspace::Airspace& airspace,
                             const geo::GeoFrame& frame) {
  if (!end.vertiport.empty()) {
    // An exact name, else the only one starting with it (as VertiportNetwork::find).
    const airspace::Vertiport* match = nullptr;
    std::size_t prefixed = 0;
    for (const auto& v : airspace.vertiports()) {
      if (v.name == end.vertiport) return PadPoint{v.x_m, v.y_m, end.alt_amsl_m};
      if (v.name.rfind(end.vertiport, 0) == 0) {
        match = &v;
        ++prefixed;
      }
    }
    if (prefixed == 1) return PadPoint{match->x_m, match->y_m, end.alt_amsl_m};
    std::string known;
    for (const auto& v : airspace.vertiports()) known += (known.empty() ? "" : "; ") + v.name;
    return fail("VERTIPORT_NOT_FOUND",
                "map '" + airspace.info().name + "' has " +
                    (prefixed > 1 ? "several vertiports starting with '" : "no vertiport '") +
                    end.vertiport + "' (known: " + known + ")");
  }
  if (!end.point) return fail("USAGE", "a point or a vertiport name is required");
  if (!std::isfinite(end.point->lon_deg) || !std::isfinite(end.point->lat_deg)) {
    return fail("PLAN_POINT_INVALID", "longitude and latitude must be finite");
  }
  SKY_TRY(p, frame.to_plane(*end.point));
  return PadPoint{p.x_m, p.y_m, end.alt_amsl_m};
}

Result<std::string> plan_json(const AirspacePlan& plan, const ReportContext& context) {
  const airspace::Airspace& a = *context.airspace;
  json j;
  j["outcome"] = search::outcome_name(plan.outcome);
  j["reason"] =
      plan.reason == NoRouteReason::kNone ? json(nullptr) : json(no_route_reason_name(plan.reason));
  j["reason_text"] = plan.reason_text;
  j["class"] = context.class_name;
  const bool found = plan.outcome == search::Outcome::kFound;
  j["departure_unix_s"] =
      static_cast<double>(context.epoch_unix_s) + (found ? seconds(plan.departure) : 0.0);
  j["takeoff_s"] = found ? seconds(plan.takeoff - plan.departure) : 0.0;
  j["duration_s"] = found ? seconds(plan.arrival - plan.departure) : 0.0;
  j["distance_m"] = round_to(plan.distance_m, 0.001);
  json wps = json::array();
  for (const auto& w : plan.trajectory.points) {
    SKY_TRY(ll, context.frame->to_lonlat({w.x_m, w.y_m}));
    std::int32_t x = 0;
    std::int32_t y = 0;
    const double ground = a.column_at(w.x_m, w.y_m, x, y) ? a.ground_amsl_m(a.column(x, y)) : 0.0;
    wps.push_back({{"lon", round_to(ll.lon_deg, 1e-8)},
                   {"lat", round_to(ll.lat_deg, 1e-8)},
                   {"alt_amsl_m", round_to(w.z_m, 0.001)},
                   {"alt_agl_m", round_to(w.z_m - ground, 0.001)},
                   {"t_s", seconds(w.t - plan.departure)}});
  }
  j["waypoints"] = std::move(wps);
  const PlanStats& s = plan.stats;
  j["stats"] = {{"expansions", s.expansions},
                {"generated", s.generated},
                {"plan_ms", s.plan_ms},
                {"path_cells", s.path_cells},
                {"expansions_per_path_cell",
                 s.path_cells > 0 ? static_cast<double>(s.expansions) / s.path_cells : 0.0},
                {"route_expansions", s.route_expansions},
                {"corridor_columns", s.corridor_columns},
                {"corridor_half_width", s.corridor_half_width},
                {"attempts", s.attempts},
                {"shortcuts", s.shortcuts},
                {"ground_delay", s.ground_delay},
                {"ground_delay_s", static_cast<double>(s.ground_delay_ms) / 1000.0}};
  return j.dump(2);
}

Result<std::string> plan_geojson(const AirspacePlan& plan, const ReportContext& context) {
  json coords = json::array();
  json times = json::array();
  for (const auto& w : plan.trajectory.points) {
    SKY_TRY(ll, context.frame->to_lonlat({w.x_m, w.y_m}));
    coords.push_back(
        {round_to(ll.lon_deg, 1e-8), round_to(ll.lat_deg, 1e-8), round_to(w.z_m, 0.001)});
    times.push_back(seconds(w.t - plan.departure));
  }
  const bool found = plan.outcome == search::Outcome::kFound;
  json f;
  f["type"] = "Feature";
  f["geometry"] =
      coords.size() >= 2 ? json{{"type", "LineString"}, {"coordinates", coords}} : json(nullptr);
  f["properties"] = {
      {"outcome", search::outcome_name(plan.outcome)},
      {"reason", plan.reason == NoRouteReason::kNone ? json(nullptr)
                                                     : json(no_route_reason_name(plan.reason))},
      {"class", context.class_name},
      {"departure_unix_s",
       static_cast<double>(context.epoch_unix_s) + (found ? seconds(plan.departure) : 0.0)},
      {"duration_s", found ? seconds(plan.arrival - plan.departure) : 0.0},
      {"distance_m", round_to(plan.distance_m, 0.001)},
      {"t_s", times}};
  return f.dump(2);
}

Result<std::string> run_plan_query(const airspace::Airspace& airspace, const PlanQuery& query) {
  const std::string path =
      query.catalogue_path.empty() ? vehicle::default_catalogue_path() : query.catalogue_path;
  SKY_TRY(catalogue, vehicle::load_vehicle_catalogue(path));
  const vehicle::VehicleClass* found = catalogue.find(query.class_name);
  if (found == nullptr) {
    std::string names;
    for (const auto& e : catalogue.entries()) names += (names.empty() ? "" : ", ") + e.vehicle.name;
    return fail("VEHICLE_CLASS_NOT_FOUND", "vehicle class '" + query.class_name + "' is not in " +
                                               path + " (classes: " + names + ")");
  }
  const vehicle::VehicleClass& vc = *found;
  SKY_TRY(frame, geo::GeoFrame::create(airspace.info().crs));
  SKY_TRY(from, resolve_end(query.from, airspace, frame));
  SKY_TRY(to, resolve_end(query.to, airspace, frame));
  PlannerOptions options;
  options.epoch_unix_s = query.depart_unix_s;
  SKY_TRY(planner, AirspacePlanner::create(airspace, vc, options));
  PlanRequest request;
  request.from = from;
  request.to = to;
  request.earliest_departure = traj::Millis{0};
  if (query.latest_depart_unix_s) {
    request.latest_departure =
        traj::Millis{(*query.latest_depart_unix_s - query.depart_unix_s) * 1000};
  }
  if (query.arrive_by_unix_s) {
    request.arrival_deadline = traj::Millis{(*query.arrive_by_unix_s - query.depart_unix_s) * 1000};
  }
  if (!(query.goal_dwell_s >= 0.0) || !std::isfinite(query.goal_dwell_s)) {
    return fail("PLAN_WINDOW_INVALID", "goal dwell must be a finite number of seconds >= 0");
  }
  request.goal_dwell =
      traj::Millis{static_cast<std::int64_t>(std::llround(query.goal_dwell_s * 1000))};
  request.trajectory_id = 1;
  const search::ReservationTable table(airspace.nx(), airspace.ny(), airspace.info().nz);
  SKY_TRY(plan, planner.plan(request, table));
  const ReportContext context{&airspace, &frame, vc.name, query.depart_unix_s};
  return query.format == PlanQuery::Format::kGeoJson ? plan_geojson(plan, context)
                                                     : plan_json(plan, context);
}

}  // namespace skylane::plan
