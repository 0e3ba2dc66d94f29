#include <cmath>
#include <unordered_map>

#include "skylane/sim/mission_port.hpp"
#include "skylane/vehicle/vehicle_energy.hpp"

namespace skylane::sim {
namespace {

class StraightLinePort final : public MissionPort {
 public:
  StraightLinePort(const airspace::Airspace& airspace, const vehicle::VehicleCatalogue& catalogue,
                   PortOptions options)
      : airspace_(airspace), catalogue_(catalogue), options_(std::move(options)) {
    for (std::size_t i = 0; i < airspace.vertiports().size(); ++i) {
      index_[airspace.vertiports()[i].name] = i;
    }
  }

  Result<dispatch::Mission> submit(const dispatch::MissionRequest& r) override {
    auto o = index_.find(r.origin.vertiport);
    auto d = index_.find(r.destination.vertiport);
    if (o == index_.end() || d == index_.end()) {
      return fail("VERTIPORT_UNKNOWN",
                  "unknown vertiport '" +
                      (o == index_.end() ? r.origin.vertiport : r.destination.vertiport) + "'");
    }
    const vehicle::VehicleClass* vc = catalogue_.find(r.vehicle_class);
    if (!vc) return fail("VEHICLE_CLASS_UNKNOWN", "unknown class '" + r.vehicle_class + "'");
    if (!(r.payload_kg > 0)) return fail("MISSION_REQUEST_INVALID", "payload must be > 0");
    dispatch::Mission m;
    m.id = static_cast<std::int64_t>(missions_.size()) + 1;
    m.request = r;
    m.created_unix_ms = m.updated_unix_ms = options_.clock ? options_.clock() : 0;
    const auto& a = airspace_.vertiports()[o->second];
    const auto& b = airspace_.vertiports()[d->second];
    const double dist = std::hypot(b.x_m - a.x_m, b.y_m - a.y_m);
    const double cruise_z = 100.0;
    const double e = vehicle::energy_wh(*vc, r.payload_kg, dist, cruise_z, cruise_z, 20.0);
    const double frac = 1.0 - e / vc->energy.battery_wh;
    if (r.payload_kg > vc->max_payload_kg || frac < vc->energy.reserve_fraction) {
      m.state = dispatch::MissionState::kRejected;
      m.reason = r.payload_kg > vc->max_payload_kg ? "PAYLOAD_TOO_HEAVY" : "NO_ROUTE_RANGE";
      m.reason_text = "straight-line stand-in";
      missions_.push_back(m);
      return m;
    }
    const double climb_s = cruise_z / vc->motion.climb_rate_mps;
    const double cruise_s = dist / vc->motion.cruise_speed_mps;
    const double descent_s = cruise_z / vc->motion.descent_rate_mps;
    const std::int64_t dep = r.earliest_departure_unix_ms;
    const std::int64_t t0 = dep - options_.epoch_unix_ms;
    auto ms = [](double s) { return static_cast<std::int64_t>(std::llround(s * 1000.0)); };
    dispatch::PlannedLeg leg;
    leg.from = a.name;
    leg.to = b.name;
    leg.trajectory.id = m.id;
    const double za = a.ground_amsl_m, zb = b.ground_amsl_m;
    const double zc = std::max(za, zb) + cruise_z;
    leg.trajectory.points = {
        {a.x_m, a.y_m, za, traj::Millis{t0}},
        {a.x_m, a.y_m, zc, traj::Millis{t0 + ms(climb_s)}},
        {b.x_m, b.y_m, zc, traj::Millis{t0 + ms(climb_s + cruise_s)}},
        {b.x_m, b.y_m, zb, traj::Millis{t0 + ms(climb_s + cruise_s + descent_s)}}};
    leg.departure_unix_ms = dep;
    leg.arrival_unix_ms = dep + ms(climb_s + cruise_s + descent_s);
    leg.distance_m = dist;
    leg.energy_wh = e;
    leg.battery_fraction_at_landing = frac;
    dispatch::MissionPlan plan;
    plan.vehicle_class = vc->name;
    plan.legs = {leg};
    plan.departure_unix_ms = leg.departure_unix_ms;
    plan.arrival_unix_ms = leg.arrival_unix_ms;
    plan.energy_wh = e;
    plan.distance_m = dist;
    m.plan = plan;
    m.state = dispatch::MissionState::kPlanned;
    missions_.push_back(m);
    return m;
  }

  Result<dispatch::RestrictionChange> add_restriction(dispatch::RestrictionSpec spec) override {
    dispatch::RestrictionChange c;
    spec.id = ++restrictions_;
    c.restriction = spec;
    return c;  // the stand-in knows no airspace: nothing is affected
  }

  std::vector<dispatch::MissionEvent> advance(std::int64_t) override { return {}; }

  Result<dispatch::Mission> get(std::int64_t id) const override {
    if (id < 1 || id > static_cast<std::int64_t>(missions_.size())) {
      return fail("INVALID_ARGUMENT", "no mission " + std::to_string(id));
    }
    return missions_[static_cast<std::size_t>(id - 1)];
  }
  [[nodiscard]] std::int64_t epoch_unix_ms() const override { return options_.epoch_unix_ms; }
  [[nodiscard]] const char* kind() const override { return "straight_line"; }

 private:
  const airspace::Airspace& airspace_;
  const vehicle::VehicleCatalogue& catalogue_;
  PortOptions options_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<dispatch::Mission> missions_;
  std::int64_t restrictions_ = 0;
};

}  // namespace

std::unique_ptr<MissionPort> make_straight_line_port(const airspace::Airspace& airspace,
                                                     const vehicle::VehicleCatalogue& catalogue,
                                                     const PortOptions& options) {
  return std::make_unique<StraightLinePort>(airspace, catalogue, options);
}

}  // namespace skylane::sim
