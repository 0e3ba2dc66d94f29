// A vehicle class: what the planner needs (altitude rules, motion limits, separation) and what
// the network router needs (masses, energy model, reserve, ground times). Loaded from the TOML
// catalogue (vehicle_catalogue.hpp); every value there cites a fact or is marked an assumption.
#pragma once

#include <string>

#include "skylane/airspace/vehicle_view.hpp"
#include "skylane/search/sipp.hpp"
#include "skylane/traj/trajectory.hpp"

namespace skylane::vehicle {

/// 2024 national interim regulations on unmanned aircraft, categories by weight.
enum class Category { kMicro, kLight, kSmall, kMedium, kLarge };

/// Electric power drawn, as simple functions of total mass m (kg): hover P = hover_w_per_kg15 *
/// m^1.5 (momentum theory: induced power grows with m^1.5), cruise P = cruise_w_base +
/// cruise_w_per_kg * m, climb adds m * g * climb_rate / climb_efficiency.
struct EnergyModel {
  double battery_wh = 0.0;  ///< usable energy of a full battery
  double hover_w_per_kg15 = 0.0;
  double cruise_w_base = 0.0;
  double cruise_w_per_kg = 0.0;
  double climb_efficiency = 0.6;
  double reserve_fraction = 0.2;  ///< land with at least this share of battery_wh
};

struct VehicleClass {
  std::string name;  ///< catalogue key, e.g. "flycart30"
  Category category = Category::kSmall;
  double empty_mass_kg = 0.0;
  double max_takeoff_mass_kg = 0.0;
  double max_payload_kg = 0.0;
  airspace::VehicleLimits limits;  ///< clearances, ceiling, zone kinds it may not enter
  search::MotionModel motion;      ///< cruise speed, climb/descent rates, hover
  traj::SeparationEnvelope separation;
  EnergyModel energy;
  double swap_time_s = 0.0;    ///< battery swap at a swap station
  double charge_time_s = 0.0;  ///< full charge at a dock
};

}  // namespace skylane::vehicle
