#include "skylane/dispatch/mission_json.hpp"

#include <nlohmann/json.hpp>

#include "skylane/core/try.hpp"

namespace skylane::dispatch {

namespace {

using nlohmann::json;

json endpoint_json(const Endpoint& e) {
  json j = json::object();
  if (!e.vertiport.empty()) j["vertiport"] = e.vertiport;
  if (e.lon_deg) j["lon_deg"] = *e.lon_deg;
  if (e.lat_deg) j["lat_deg"] = *e.lat_deg;
  return j;
}

json trajectory_json(const traj::Trajectory4D& t) {
  // Flat [x, y, z, t, x, y, z, t, ...]: compact, and doubles round-trip exactly in nlohmann.
  json pts = json::array();
  for (const auto& w : t.points) {
    pts.push_back(w.x_m);
    pts.push_back(w.y_m);
    pts.push_back(w.z_m);
    pts.push_back(w.t.count());
  }
  return json{{"id", t.id}, {"xyzt", std::move(pts)}};
}

json plan_json(const MissionPlan& p) {
  json legs = json::array();
  for (const PlannedLeg& l : p.legs) {
    legs.push_back({{"from", l.from},
                    {"to", l.to},
                    {"trajectory", trajectory_json(l.trajectory)},
                    {"trajectory_epoch_unix_ms", l.trajectory_epoch_unix_ms},
                    {"departure_unix_ms", l.departure_unix_ms},
                    {"arrival_unix_ms", l.arrival_unix_ms},
                    {"distance_m", l.distance_m},
                    {"energy_wh", l.energy_wh},
                    {"battery_fraction_at_landing", l.battery_fraction_at_landing}});
  }
  json stops = json::array();
  for (const PlannedStop& s : p.stops) {
    stops.push_back({{"vertiport", s.vertiport},
                     {"service", s.service},
                     {"arrival_unix_ms", s.arrival_unix_ms},
                     {"departure_unix_ms", s.departure_unix_ms}});
  }
  return {{"vehicle_class", p.vehicle_class},
          {"legs", std::move(legs)},
          {"stops", std::move(stops)},
          {"departure_unix_ms", p.departure_unix_ms},
          {"arrival_unix_ms", p.arrival_unix_ms},
          {"energy_wh", p.energy_wh},
          {"distance_m", p.distance_m},
          {"plan_ms", p.plan_ms}};
}

/// Typed field access that names the field on failure.
class Reader {
 public:
  explicit Reader(std::string what) : what_(std::move(what)) {}

  template <class T>
  Result<T> get(const json& j, const char* key) const {
    const auto it = j.find(key);
    if (it == j.end()) return fail(std::string("missing field '") + key + "'");
    try {
      return it->template get<T>();
    } catch (const json::exception&) {
      return fail(std::string("field '") + key + "' has the wrong type");
    }
  }
  template <class T>
  Result<std::optional<T>> opt(const json& j, const char* key) const {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::optional<T>{};
    SKY_TRY(v, get<T>(j, key));
    return std::optional<T>(std::move(v));
  }
  Result<const json*> sub(const json& j, const char* key, bool array) const {
    const auto it = j.find(key);
    if (it == j.end() || (array ? !it->is_array() : !it->is_object())) {
      return fail(std::string("field '") + key + "' missing or not an " +
                  (array ? "array" : "object"));
    }
    return &*it;
  }
  [[nodiscard]] tl::unexpected<Error> fail(const std::string& m) const {
    return skylane::fail("JOURNAL_CORRUPT", what_ + ": " + m);
  }

 private:
  std::string what_;
};

Result<Endpoint> read_endpoint(const Reader& r, const json& j) {
  Endpoint e;
  SKY_TRY(v, r.opt<std::string>(j, "vertiport"));
  e.vertiport = v.value_or("");
  SKY_ASSIGN(e.lon_deg, r.opt<double>(j, "lon_deg"));
  SKY_ASSIGN(e.lat_deg, r.opt<double>(j, "lat_deg"));
  return e;
}

Result<traj::Trajectory4D> read_trajectory(const Reader& r, const json& j) {
  traj::Trajectory4D t;
  SKY_ASSIGN(t.id, r.get<std::int64_t>(j, "id"));
  SKY_TRY(pts, r.sub(j, "xyzt", true));
  if (pts->size() % 4 != 0) return r.fail("trajectory 'xyzt' length is not a multiple of 4");
  try {
    for (std::size_t i = 0; i < pts->size(); i += 4) {
      t.points.push_back({(*pts)[i].get<double>(), (*pts)[i + 1].get<double>(),
                          (*pts)[i + 2].get<double>(),
                          traj::Millis((*pts)[i + 3].get<std::int64_t>())});
    }
  } catch (const json::exception&) {
    return r.fail("trajectory 'xyzt' holds a non-number");
  }
  return t;
}

Result<MissionPlan> read_plan(const Reader& r, const json& j) {
  MissionPlan p;
  SKY_ASSIGN(p.vehicle_class, r.get<std::string>(j, "vehicle_class"));
  SKY_ASSIGN(p.departure_unix_ms, r.get<std::int64_t>(j, "departure_unix_ms"));
  SKY_ASSIGN(p.arrival_unix_ms, r.get<std::int64_t>(j, "arrival_unix_ms"));
  SKY_ASSIGN(p.energy_wh, r.get<double>(j, "energy_wh"));
  SKY_ASSIGN(p.distance_m, r.get<double>(j, "distance_m"));
  SKY_ASSIGN(p.plan_ms, r.get<double>(j, "plan_ms"));
  SKY_TRY(legs, r.sub(j, "legs", true));
  for (const json& lj : *legs) {
    PlannedLeg l;
    SKY_ASSIGN(l.from, r.get<std::string>(lj, "from"));
    SKY_ASSIGN(l.to, r.get<std::string>(lj, "to"));
    SKY_TRY(tj, r.sub(lj, "trajectory", false));
    SKY_ASSIGN(l.trajectory, read_trajectory(r, *tj));
    SKY_ASSIGN(l.trajectory_epoch_unix_ms, r.get<std::int64_t>(lj, "trajectory_epoch_unix_ms"));
    SKY_ASSIGN(l.departure_unix_ms, r.get<std::int64_t>(lj, "departure_unix_ms"));
    SKY_ASSIGN(l.arrival_unix_ms, r.get<std::int64_t>(lj, "arrival_unix_ms"));
    SKY_ASSIGN(l.distance_m, r.get<double>(lj, "distance_m"));
    SKY_ASSIGN(l.energy_wh, r.get<double>(lj, "energy_wh"));
    SKY_ASSIGN(l.battery_fraction_at_landing, r.get<double>(lj, "battery_fraction_at_landing"));
    p.legs.push_back(std::move(l));
  }
  SKY_TRY(stops, r.sub(j, "stops", true));
  for (const json& sj : *stops) {
    PlannedStop s;
    SKY_ASSIGN(s.vertiport, r.get<std::string>(sj, "vertiport"));
    SKY_ASSIGN(s.service, r.get<std::string>(sj, "service"));
    SKY_ASSIGN(s.arrival_unix_ms, r.get<std::int64_t>(sj, "arrival_unix_ms"));
    SKY_ASSIGN(s.departure_unix_ms, r.get<std::int64_t>(sj, "departure_unix_ms"));
    p.stops.push_back(std::move(s));
  }
  return p;
}

Result<json> parse(std::string_view text, const Reader& r) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return r.fail("not a JSON object");
  return j;
}

}  // namespace

std::string mission_to_json(const Mission& m) {
  const MissionRequest& q = m.request;
  json req = {{"operator_id", q.operator_id},
              {"request_id", q.request_id},
              {"origin", endpoint_json(q.origin)},
              {"destination", endpoint_json(q.destination)},
              {"payload_kg", q.payload_kg},
              {"vehicle_class", q.vehicle_class},
              {"earliest_departure_unix_ms", q.earliest_departure_unix_ms},
              {"priority", q.priority}};
  if (q.deadline_unix_ms) req["deadline_unix_ms"] = *q.deadline_unix_ms;
  json j = {{"id", m.id},
            {"request", std::move(req)},
            {"state", mission_state_name(m.state)},
            {"reason", m.reason},
            {"reason_text", m.reason_text},
            {"version", m.version},
            {"replans", m.replans},
            {"created_unix_ms", m.created_unix_ms},
            {"updated_unix_ms", m.updated_unix_ms}};
  if (m.plan) j["plan"] = plan_json(*m.plan);
  return j.dump();
}

Result<Mission> mission_from_json(std::string_view text) {
  Reader r("mission row");
  SKY_TRY(j, parse(text, r));
  Mission m;
  SKY_ASSIGN(m.id, r.get<std::int64_t>(j, "id"));
  r = Reader("mission " + std::to_string(m.id));
  SKY_TRY(q, r.sub(j, "request", false));
  SKY_ASSIGN(m.request.operator_id, r.get<std::string>(*q, "operator_id"));
  SKY_ASSIGN(m.request.request_id, r.get<std::string>(*q, "request_id"));
  SKY_TRY(o, r.sub(*q, "origin", false));
  SKY_ASSIGN(m.request.origin, read_endpoint(r, *o));
  SKY_TRY(d, r.sub(*q, "destination", false));
  SKY_ASSIGN(m.request.destination, read_endpoint(r, *d));
  SKY_ASSIGN(m.request.payload_kg, r.get<double>(*q, "payload_kg"));
  SKY_ASSIGN(m.request.vehicle_class, r.get<std::string>(*q, "vehicle_class"));
  SKY_ASSIGN(m.request.earliest_departure_unix_ms,
             r.get<std::int64_t>(*q, "earliest_departure_unix_ms"));
  SKY_ASSIGN(m.request.deadline_unix_ms, r.opt<std::int64_t>(*q, "deadline_unix_ms"));
  SKY_ASSIGN(m.request.priority, r.get<std::int32_t>(*q, "priority"));
  SKY_TRY(state, r.get<std::string>(j, "state"));
  const auto s = parse_mission_state(state);
  if (!s) return r.fail("unknown state '" + state + "'");
  m.state = *s;
  SKY_ASSIGN(m.reason, r.get<std::string>(j, "reason"));
  SKY_ASSIGN(m.reason_text, r.get<std::string>(j, "reason_text"));
  SKY_ASSIGN(m.version, r.get<std::int64_t>(j, "version"));
  SKY_ASSIGN(m.replans, r.get<std::int32_t>(j, "replans"));
  SKY_ASSIGN(m.created_unix_ms, r.get<std::int64_t>(j, "created_unix_ms"));
  SKY_ASSIGN(m.updated_unix_ms, r.get<std::int64_t>(j, "updated_unix_ms"));
  if (const auto it = j.find("plan"); it != j.end() && !it->is_null()) {
    SKY_ASSIGN(m.plan, read_plan(r, *it));
  }
  return m;
}

std::string restriction_to_json(const RestrictionSpec& x) {
  json ring = json::array();
  for (const auto& p : x.ring_lonlat) ring.push_back({p[0], p[1]});
  json j = {{"id", x.id},
            {"name", x.name},
            {"kind", x.kind},
            {"ring_lonlat", std::move(ring)},
            {"floor_m", x.floor_m},
            {"ceiling_m", x.ceiling_m},
            {"floor_agl", x.floor_agl},
            {"ceiling_agl", x.ceiling_agl},
            {"active_from_unix_ms", x.active_from_unix_ms},
            {"created_by", x.created_by}};
  if (x.active_to_unix_ms) j["active_to_unix_ms"] = *x.active_to_unix_ms;
  return j.dump();
}

Result<RestrictionSpec> restriction_from_json(std::string_view text) {
  Reader r("restriction row");
  SKY_TRY(j, parse(text, r));
  RestrictionSpec x;
  SKY_ASSIGN(x.id, r.get<std::int64_t>(j, "id"));
  r = Reader("restriction " + std::to_string(x.id));
  SKY_ASSIGN(x.name, r.get<std::string>(j, "name"));
  SKY_ASSIGN(x.kind, r.get<std::string>(j, "kind"));
  SKY_TRY(ring, r.sub(j, "ring_lonlat", true));
  for (const json& p : *ring) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number()) {
      return r.fail("ring_lonlat holds something other than [lon, lat]");
    }
    x.ring_lonlat.push_back({p[0].get<double>(), p[1].get<double>()});
  }
  SKY_ASSIGN(x.floor_m, r.get<double>(j, "floor_m"));
  SKY_ASSIGN(x.ceiling_m, r.get<double>(j, "ceiling_m"));
  SKY_ASSIGN(x.floor_agl, r.get<bool>(j, "floor_agl"));
  SKY_ASSIGN(x.ceiling_agl, r.get<bool>(j, "ceiling_agl"));
  SKY_ASSIGN(x.active_from_unix_ms, r.get<std::int64_t>(j, "active_from_unix_ms"));
  SKY_ASSIGN(x.active_to_unix_ms, r.opt<std::int64_t>(j, "active_to_unix_ms"));
  SKY_ASSIGN(x.created_by, r.get<std::string>(j, "created_by"));
  return x;
}

}  // namespace skylane::dispatch
