#include "skylane/vehicle/vehicle_energy.hpp"

#include <algorithm>
#include <cmath>

namespace skylane::vehicle {

double total_mass_kg(const VehicleClass& vehicle, double payload_kg) {
  return vehicle.empty_mass_kg + payload_kg;
}

double hover_power_w(const VehicleClass& vehicle, double total_mass_kg) {
  // Momentum theory: induced power at hover grows with thrust^1.5 = (m g)^1.5.
  return vehicle.energy.hover_w_per_kg15 * std::pow(total_mass_kg, 1.5);
}

double cruise_power_w(const VehicleClass& vehicle, double total_mass_kg) {
  return vehicle.energy.cruise_w_base + vehicle.energy.cruise_w_per_kg * total_mass_kg;
}

double climb_power_w(const VehicleClass& vehicle, double total_mass_kg) {
  return hover_power_w(vehicle, total_mass_kg) + total_mass_kg * kGravityMps2 *
                                                     vehicle.motion.climb_rate_mps /
                                                     vehicle.energy.climb_efficiency;
}

double energy_wh(const VehicleClass& vehicle, double payload_kg, double horizontal_m,
                 double climb_m, double descent_m, double hover_s) {
  const double m = total_mass_kg(vehicle, payload_kg);
  const double p_hover = hover_power_w(vehicle, m);
  const double joules =
      climb_power_w(vehicle, m) * climb_m / vehicle.motion.climb_rate_mps +
      cruise_power_w(vehicle, m) * horizontal_m / vehicle.motion.cruise_speed_mps +
      p_hover * (descent_m / vehicle.motion.descent_rate_mps + hover_s);
  return joules / 3600.0;
}

double energy_wh(const VehicleClass& vehicle, double payload_kg, const FlightProfile& profile) {
  return energy_wh(vehicle, payload_kg, profile.horizontal_m, profile.climb_m, profile.descent_m,
                   profile.hover_s);
}

double flight_time_s(const VehicleClass& vehicle, const FlightProfile& profile) {
  return profile.climb_m / vehicle.motion.climb_rate_mps +
         profile.horizontal_m / vehicle.motion.cruise_speed_mps +
         profile.descent_m / vehicle.motion.descent_rate_mps + profile.hover_s;
}

double usable_energy_wh(const VehicleClass& vehicle) {
  return vehicle.energy.battery_wh * (1.0 - vehicle.energy.reserve_fraction);
}

double range_m(const VehicleClass& vehicle, double payload_kg) {
  const double overhead_wh =
      energy_wh(vehicle, payload_kg, 0.0, kReferenceClimbM, kReferenceDescentM, kReferenceHoverS);
  const double per_m_wh = cruise_power_w(vehicle, total_mass_kg(vehicle, payload_kg)) /
                          vehicle.motion.cruise_speed_mps / 3600.0;
  return std::max(0.0, (vehicle.energy.battery_wh - overhead_wh) / per_m_wh);
}

Category category_for_masses(double empty_mass_kg, double max_takeoff_mass_kg) {
  if (empty_mass_kg < 0.25) return Category::kMicro;
  if (empty_mass_kg <= 4.0 && max_takeoff_mass_kg <= 7.0) return Category::kLight;
  if (empty_mass_kg <= 15.0 && max_takeoff_mass_kg <= 25.0) return Category::kSmall;
  if (max_takeoff_mass_kg <= 150.0) return Category::kMedium;
  return Category::kLarge;
}

const char* category_name(Category category) {
  switch (category) {
    case Category::kMicro:
      return "micro";
    case Category::kLight:
      return "light";
    case Category::kSmall:
      return "small";
    case Category::kMedium:
      return "medium";
    case Category::kLarge:
      return "large";
  }
  return "unknown";
}

double max_ceiling_agl_m(Category category) {
  switch (category) {
    case Category::kMicro:
      return 50.0;
    case Category::kLight:
    case Category::kSmall:
      return 120.0;
    case Category::kMedium:
    case Category::kLarge:
      return 300.0;
  }
  return 0.0;
}

}  // namespace skylane::vehicle
