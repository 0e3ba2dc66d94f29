#include "convert.hpp"

#include <algorithm>
#include <cmath>

#include "skylane/vehicle/vehicle_energy.hpp"

namespace skylane::service {
namespace {

constexpr std::size_t kMaxRingPoints = 10'000;
constexpr std::size_t kMaxNameBytes = 256;

void endpoint_to_proto(const dispatch::Endpoint& e, pb::Endpoint& out) {
  if (!e.vertiport.empty()) {
    out.set_vertiport(e.vertiport);
  } else if (e.lon_deg && e.lat_deg) {
    out.mutable_point()->set_lon_deg(*e.lon_deg);
    out.mutable_point()->set_lat_deg(*e.lat_deg);
  }
}

Result<dispatch::Endpoint> endpoint_from_proto(const pb::MissionSpec& spec, bool origin) {
  const char* field = origin ? "mission.origin" : "mission.destination";
  if (origin ? !spec.has_origin() : !spec.has_destination()) {
    return fail("REQUEST_INVALID", std::string(field) + " is missing");
  }
  const pb::Endpoint& e = origin ? spec.origin() : spec.destination();
  dispatch::Endpoint out;
  switch (e.location_case()) {
    case pb::Endpoint::kVertiport:
      if (e.vertiport().empty() || e.vertiport().size() > kMaxNameBytes) {
        return fail("REQUEST_INVALID", std::string(field) + ".vertiport must be 1 .. " +
                                           std::to_string(kMaxNameBytes) + " bytes");
      }
      out.vertiport = e.vertiport();
      break;
    case pb::Endpoint::kPoint:
      out.lon_deg = e.point().lon_deg();
      out.lat_deg = e.point().lat_deg();
      break;
    default:
      return fail("REQUEST_INVALID", std::string(field) + ": set vertiport or point");
  }
  return out;
}

}  // namespace

pb::MissionState to_proto(dispatch::MissionState s) {
  using S = dispatch::MissionState;
  switch (s) {
    case S::kPending:
      return pb::MISSION_STATE_PENDING;
    case S::kPlanned:
      return pb::MISSION_STATE_PLANNED;
    case S::kActive:
      return pb::MISSION_STATE_ACTIVE;
    case S::kCompleted:
      return pb::MISSION_STATE_COMPLETED;
    case S::kRejected:
      return pb::MISSION_STATE_REJECTED;
    case S::kCancelled:
      return pb::MISSION_STATE_CANCELLED;
  }
  return pb::MISSION_STATE_UNSPECIFIED;
}

std::optional<dispatch::MissionState> from_proto(pb::MissionState s) {
  using S = dispatch::MissionState;
  switch (s) {
    case pb::MISSION_STATE_PENDING:
      return S::kPending;
    case pb::MISSION_STATE_PLANNED:
      return S::kPlanned;
    case pb::MISSION_STATE_ACTIVE:
      return S::kActive;
    case pb::MISSION_STATE_COMPLETED:
      return S::kCompleted;
    case pb::MISSION_STATE_REJECTED:
      return S::kRejected;
    case pb::MISSION_STATE_CANCELLED:
      return S::kCancelled;
    default:
      return std::nullopt;
  }
}

pb::MissionEventKind to_proto(dispatch::EventKind k) {
  using K = dispatch::EventKind;
  switch (k) {
    case K::kPlanned:
      return pb::MISSION_EVENT_KIND_PLANNED;
    case K::kReplanned:
      return pb::MISSION_EVENT_KIND_REPLANNED;
    case K::kRejected:
      return pb::MISSION_EVENT_KIND_REJECTED;
    case K::kCancelled:
      return pb::MISSION_EVENT_KIND_CANCELLED;
    case K::kStarted:
      return pb::MISSION_EVENT_KIND_STARTED;
    case K::kCompleted:
      return pb::MISSION_EVENT_KIND_COMPLETED;
  }
  return pb::MISSION_EVENT_KIND_UNSPECIFIED;
}

Result<void> to_proto(const dispatch::Mission& m, const geo::GeoFrame& frame, pb::Mission& out) {
  out.set_id(m.id);
  out.set_operator_id(m.request.operator_id);
  out.set_request_id(m.request.request_id);
  auto* spec = out.mutable_spec();
  endpoint_to_proto(m.request.origin, *spec->mutable_origin());
  endpoint_to_proto(m.request.destination, *spec->mutable_destination());
  spec->set_payload_kg(m.request.payload_kg);
  spec->set_vehicle_class(m.request.vehicle_class);
  spec->set_earliest_departure_unix_ms(m.request.earliest_departure_unix_ms);
  if (m.request.deadline_unix_ms) spec->set_deadline_unix_ms(*m.request.deadline_unix_ms);
  spec->set_priority(m.request.priority);
  out.set_state(to_proto(m.state));
  out.set_reason(m.reason);
  out.set_reason_text(m.reason_text);
  out.set_version(m.version);
  out.set_replans(m.replans);
  out.set_created_unix_ms(m.created_unix_ms);
  out.set_updated_unix_ms(m.updated_unix_ms);
  if (!m.plan) return {};
  const auto& p = *m.plan;
  auto* plan = out.mutable_plan();
  plan->set_vehicle_class(p.vehicle_class);
  plan->set_departure_unix_ms(p.departure_unix_ms);
  plan->set_arrival_unix_ms(p.arrival_unix_ms);
  plan->set_energy_wh(p.energy_wh);
  plan->set_distance_m(p.distance_m);
  plan->set_plan_ms(p.plan_ms);
  for (const auto& leg : p.legs) {
    auto* l = plan->add_legs();
    l->set_from(leg.from);
    l->set_to(leg.to);
    l->set_departure_unix_ms(leg.departure_unix_ms);
    l->set_arrival_unix_ms(leg.arrival_unix_ms);
    l->set_distance_m(leg.distance_m);
    l->set_energy_wh(leg.energy_wh);
    l->set_battery_fraction_at_landing(leg.battery_fraction_at_landing);
    for (const auto& w : leg.trajectory.points) {
      auto ll = frame.to_lonlat({w.x_m, w.y_m});
      if (!ll) return tl::unexpected(ll.error());
      auto* wp = l->add_waypoints();
      wp->set_lon_deg(ll->lon_deg);
      wp->set_lat_deg(ll->lat_deg);
      wp->set_alt_amsl_m(w.z_m);
      wp->set_t_unix_ms(leg.trajectory_epoch_unix_ms + w.t.count());
    }
  }
  for (const auto& s : p.stops) {
    auto* st = plan->add_stops();
    st->set_vertiport(s.vertiport);
    st->set_service(s.service);
    st->set_arrival_unix_ms(s.arrival_unix_ms);
    st->set_departure_unix_ms(s.departure_unix_ms);
  }
  return {};
}

void to_proto(const dispatch::MissionEvent& e, pb::MissionEvent& out) {
  out.set_seq(e.seq);
  out.set_kind(to_proto(e.kind));
  out.set_mission_id(e.mission_id);
  out.set_operator_id(e.operator_id);
  out.set_time_unix_ms(e.time_unix_ms);
  out.set_state(to_proto(e.state));
  out.set_reason(e.reason);
  out.set_mission_version(e.mission_version);
}

void to_proto(const dispatch::RestrictionSpec& r, pb::Restriction& out) {
  out.set_id(r.id);
  out.set_name(r.name);
  out.set_kind(r.kind);
  for (const auto& p : r.ring_lonlat) {
    auto* ll = out.add_ring();
    ll->set_lon_deg(p[0]);
    ll->set_lat_deg(p[1]);
  }
  out.set_floor_m(r.floor_m);
  out.set_ceiling_m(r.ceiling_m);
  out.set_floor_reference(r.floor_agl ? pb::ALTITUDE_REFERENCE_AGL : pb::ALTITUDE_REFERENCE_AMSL);
  out.set_ceiling_reference(r.ceiling_agl ? pb::ALTITUDE_REFERENCE_AGL
                                          : pb::ALTITUDE_REFERENCE_AMSL);
  out.set_active_from_unix_ms(r.active_from_unix_ms);
  if (r.active_to_unix_ms) out.set_active_to_unix_ms(*r.active_to_unix_ms);
  out.set_created_by(r.created_by);
}

void to_proto(const vehicle::CatalogueEntry& e, pb::VehicleClass& out) {
  const auto& v = e.vehicle;
  out.set_name(v.name);
  out.set_description(e.description);
  out.set_category(vehicle::category_name(v.category));
  out.set_empty_mass_kg(v.empty_mass_kg);
  out.set_max_takeoff_mass_kg(v.max_takeoff_mass_kg);
  out.set_max_payload_kg(v.max_payload_kg);
  out.set_cruise_speed_mps(v.motion.cruise_speed_mps);
  out.set_climb_rate_mps(v.motion.climb_rate_mps);
  out.set_descent_rate_mps(v.motion.descent_rate_mps);
  out.set_battery_wh(v.energy.battery_wh);
  out.set_reserve_fraction(v.energy.reserve_fraction);
  out.set_horizontal_separation_m(v.separation.horizontal_m);
  out.set_vertical_separation_m(v.separation.vertical_m);
}

void to_proto(const airspace::Vertiport& v, pb::Vertiport& out) {
  out.set_name(v.name);
  out.set_kind(v.kind);
  out.set_lon_deg(v.lon_deg);
  out.set_lat_deg(v.lat_deg);
  out.set_ground_amsl_m(v.ground_amsl_m);
  out.set_pads(v.pads);
  out.set_chargers(v.chargers);
  out.set_battery_swap(v.battery_swap);
  out.set_battery_stock(v.battery_stock);
  out.set_opening_hours(v.opening_hours);
}

Result<dispatch::MissionRequest> from_proto(const pb::SubmitMissionRequest& request,
                                            const std::string& operator_id) {
  if (!request.has_mission()) return fail("REQUEST_INVALID", "mission is missing");
  const auto& spec = request.mission();
  dispatch::MissionRequest r;
  r.operator_id = operator_id;
  r.request_id = request.request_id();
  auto origin = endpoint_from_proto(spec, true);
  if (!origin) return tl::unexpected(origin.error());
  auto destination = endpoint_from_proto(spec, false);
  if (!destination) return tl::unexpected(destination.error());
  r.origin = std::move(*origin);
  r.destination = std::move(*destination);
  r.payload_kg = spec.payload_kg();
  r.vehicle_class = spec.vehicle_class().empty() ? "any" : spec.vehicle_class();
  if (r.vehicle_class.size() > kMaxNameBytes) {
    return fail("REQUEST_INVALID", "mission.vehicle_class is longer than 256 bytes");
  }
  r.earliest_departure_unix_ms = spec.earliest_departure_unix_ms();
  if (spec.has_deadline_unix_ms()) r.deadline_unix_ms = spec.deadline_unix_ms();
  r.priority = spec.priority();
  return r;
}

Result<dispatch::RestrictionSpec> from_proto(const pb::Restriction& in,
                                             const std::string& created_by) {
  dispatch::RestrictionSpec r;
  if (in.name().size() > kMaxNameBytes || in.kind().size() > kMaxNameBytes) {
    return fail("REQUEST_INVALID", "restriction.name and kind must be at most 256 bytes");
  }
  r.name = in.name();
  if (!in.kind().empty()) r.kind = in.kind();
  if (in.ring_size() == 0) {
    return fail("REQUEST_INVALID", "restriction.ring is empty: give at least 3 distinct points");
  }
  if (static_cast<std::size_t>(in.ring_size()) > kMaxRingPoints) {
    return fail("REQUEST_INVALID", "restriction.ring has " + std::to_string(in.ring_size()) +
                                       " points, more than " + std::to_string(kMaxRingPoints));
  }
  for (const auto& p : in.ring()) r.ring_lonlat.push_back({p.lon_deg(), p.lat_deg()});
  // An explicitly closed ring (last == first) is accepted and stored open.
  if (r.ring_lonlat.size() > 1 && r.ring_lonlat.front() == r.ring_lonlat.back()) {
    r.ring_lonlat.pop_back();
  }
  // Distinct vertices: a "polygon" of fewer than 3 encloses nothing.
  {
    auto pts = r.ring_lonlat;
    std::sort(pts.begin(), pts.end());
    pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
    if (pts.size() < 3) {
      return fail("REQUEST_INVALID", "restriction.ring has " + std::to_string(pts.size()) +
                                         " distinct points; a polygon needs at least 3");
    }
  }
  r.floor_m = in.floor_m();
  r.ceiling_m = in.ceiling_m();
  r.floor_agl = in.floor_reference() != pb::ALTITUDE_REFERENCE_AMSL;
  r.ceiling_agl = in.ceiling_reference() != pb::ALTITUDE_REFERENCE_AMSL;
  r.active_from_unix_ms = in.active_from_unix_ms();
  if (in.has_active_to_unix_ms()) r.active_to_unix_ms = in.active_to_unix_ms();
  r.created_by = created_by;
  return r;
}

}  // namespace skylane::service
