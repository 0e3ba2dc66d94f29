// Built-in vehicle classes. Speeds and payloads: DESIGN.md "Reference facts"; ceilings: 2024
// national interim regulations Art. 19 (120 m true height for micro/light/small), operators'
// 120-300 m for medium/large cargo; separation: Metropolis II (32 m / 7.6 m). Masses and energy
// figures are assumptions of the right order, not datasheet values.
#include "skylane/vehicle/builtin_classes.hpp"

#include <algorithm>
#include <string>

namespace skylane::vehicle {
namespace {

VehicleClass make(std::string name, Category category, double cruise_mps, double ceiling_agl_m,
                  double empty_kg, double mtow_kg, double payload_kg, double battery_wh) {
  VehicleClass c;
  c.name = std::move(name);
  c.category = category;
  c.empty_mass_kg = empty_kg;
  c.max_takeoff_mass_kg = mtow_kg;
  c.max_payload_kg = payload_kg;
  c.limits.terrain_clearance_m = 50.0;
  c.limits.obstacle_clearance_m = 20.0;
  c.limits.ceiling_agl_m = ceiling_agl_m;
  c.limits.blocked_zone_kinds = (1u << airspace::kZoneKindCount) - 1;  // every kind is a wall
  c.motion.cruise_speed_mps = cruise_mps;
  c.motion.climb_rate_mps = 5.0;
  c.motion.descent_rate_mps = 3.0;
  c.motion.can_hover = true;
  c.separation = traj::SeparationEnvelope{32.0, 7.6, traj::Millis{2000}};
  c.energy.battery_wh = battery_wh;
  c.energy.reserve_fraction = 0.2;
  c.swap_time_s = 60.0;
  c.charge_time_s = 3000.0;
  return c;
}

}  // namespace

const std::vector<VehicleClass>& builtin_vehicle_classes() {
  static const std::vector<VehicleClass> classes = {
      // FlyCart 30: 30 kg over 16 km at 20 m/s; MTOW 95 kg (medium category).
      make("flycart30", Category::kMedium, 20.0, 300.0, 42.5, 95.0, 40.0, 3800.0),
      // Ark-40 class: 10-12 kg over 20 km at 15 m/s.
      make("ark40", Category::kSmall, 15.0, 120.0, 12.0, 24.0, 12.0, 1200.0),
      // Meituan class: 2.5 kg over 10 km at 83 km/h.
      make("meituan", Category::kSmall, 23.0, 120.0, 6.5, 9.0, 2.5, 500.0),
      // Long-range cargo eVTOL: 71.7 km in 45 min observed; 60 m/s (216 km/h) flies
      // Huaqiangbei -> Boluo (72.6 km) in about 20 min.
      make("longrange", Category::kLarge, 60.0, 300.0, 300.0, 600.0, 200.0, 60000.0),
  };
  return classes;
}

Result<VehicleClass> find_vehicle_class(std::string_view name) {
  const auto& all = builtin_vehicle_classes();
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const VehicleClass& c) { return c.name == name; });
  if (it != all.end()) return *it;
  std::string known;
  for (const auto& c : all) known += (known.empty() ? "" : ", ") + c.name;
  return fail("VEHICLE_CLASS_UNKNOWN",
              "vehicle class '" + std::string(name) + "' is not known (known: " + known + ")");
}

traj::SeparationEnvelope max_separation() {
  traj::SeparationEnvelope s{0.0, 0.0, traj::Millis{0}};
  for (const auto& c : builtin_vehicle_classes()) {
    s.horizontal_m = std::max(s.horizontal_m, c.separation.horizontal_m);
    s.vertical_m = std::max(s.vertical_m, c.separation.vertical_m);
    s.time_buffer = std::max(s.time_buffer, c.separation.time_buffer);
  }
  return s;
}

}  // namespace skylane::vehicle
