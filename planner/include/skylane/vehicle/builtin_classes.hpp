// A few named vehicle classes compiled into skylane, for planning before the TOML vehicle
// catalogue (vehicle_catalogue.hpp) is loaded. Every caller looks classes up through
// find_vehicle_class(), so switching to the catalogue is a change in that one function.
#pragma once

#include <string_view>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/vehicle/vehicle_class.hpp"

namespace skylane::vehicle {

/// The built-in classes, in a fixed order: "flycart30" (FlyCart-30-class multirotor, 20 m/s,
/// 300 m AGL), "ark40" (Ark-40-class, 15 m/s, 120 m AGL), "meituan" (Meituan-class, 23 m/s,
/// 120 m AGL), "longrange" (long-range cargo eVTOL, 60 m/s, 300 m AGL). All: climb 5 m/s, descent
/// 3 m/s, hover, separation 32 m / 7.6 m / 2 s, terrain clearance 50 m, obstacle clearance 20 m,
/// every zone kind a wall (airport protection and the HK border band included). Values cite
/// DESIGN.md's reference facts; masses and energy are order-of-magnitude assumptions.
[[nodiscard]] const std::vector<VehicleClass>& builtin_vehicle_classes();

/// The class named `name`. The single place where the planner, the CLI, tests and benches get a
/// class from: switch it to the TOML catalogue when that lands.
/// Errors: VEHICLE_CLASS_UNKNOWN listing the known names.
[[nodiscard]] Result<VehicleClass> find_vehicle_class(std::string_view name);

/// The largest separation of any known class (reservations are swept with it, so that every
/// class planning against the same table stays separated).
[[nodiscard]] traj::SeparationEnvelope max_separation();

}  // namespace skylane::vehicle
