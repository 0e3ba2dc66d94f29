// Shared by the network tests: an energy formula written out from the catalogue's comments
// (independent of vehicle_energy.cpp), the shipped catalogue, and a small synthetic network.
#pragma once

#include <cmath>

#include <gtest/gtest.h>

#include "skylane/airspace/airspace.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::network::testing {

/// Energy (Wh) of climb, cruise, descent and hover, from planner/data/vehicle_catalogue.toml's
/// header: P_c = base + k m; P_h = h m^1.5 (also in descent); P_climb = P_h + m g rate / eta.
inline double reference_energy_wh(const vehicle::VehicleClass& v, double payload_kg,
                                  double horizontal_m, double climb_m, double descent_m,
                                  double hover_s) {
  const double m = v.empty_mass_kg + payload_kg;
  const double p_cruise = v.energy.cruise_w_base + v.energy.cruise_w_per_kg * m;
  const double p_hover = v.energy.hover_w_per_kg15 * m * std::sqrt(m);
  const double p_climb =
      p_hover + m * 9.80665 * v.motion.climb_rate_mps / v.energy.climb_efficiency;
  const double t_climb = climb_m / v.motion.climb_rate_mps;
  const double t_cruise = horizontal_m / v.motion.cruise_speed_mps;
  const double t_descent = descent_m / v.motion.descent_rate_mps;
  return (p_climb * t_climb + p_cruise * t_cruise + p_hover * (t_descent + hover_s)) / 3600.0;
}

/// Reference flight of the catalogue's calibration: 100 m up, cruise, 100 m down, 20 s hover,
/// whole battery. Solved for the cruise distance.
inline double reference_range_m(const vehicle::VehicleClass& v, double payload_kg) {
  const double overhead = reference_energy_wh(v, payload_kg, 0.0, 100.0, 100.0, 20.0);
  const double per_m = reference_energy_wh(v, payload_kg, 1.0, 0.0, 0.0, 0.0);
  return (v.energy.battery_wh - overhead) / per_m;
}

inline const vehicle::VehicleCatalogue& shipped_catalogue() {
  static const vehicle::VehicleCatalogue* cat = [] {
    auto c = vehicle::load_vehicle_catalogue(std::string(SKYLANE_SOURCE_DIR) +
                                             "/planner/data/vehicle_catalogue.toml");
    if (!c) {
      ADD_FAILURE() << c.error().to_string();
      return new vehicle::VehicleCatalogue();
    }
    return new vehicle::VehicleCatalogue(std::move(*c));
  }();
  return *cat;
}

// A -- R1 -- R2 -- B northwards, 10 km apart; R1b 2 km east of R1 (an alternative relay), D a
// dock with chargers but no swap 5 km north-east of A. FlyCart-30-class legs reach ~12 km.
inline airspace::Airspace synthetic_airspace() {
  airspace::Airspace a;
  auto frame = geo::GeoFrame::create("EPSG:32650");
  EXPECT_TRUE(frame);
  auto add = [&](const char* name, const char* kind, double lon, double lat, int pads, bool swap,
                 int chargers) {
    airspace::Vertiport v;
    v.name = name;
    v.kind = kind;
    v.lon_deg = lon;
    v.lat_deg = lat;
    auto p = frame->to_plane({lon, lat});
    v.x_m = p->x_m;
    v.y_m = p->y_m;
    v.pads = pads;
    v.battery_swap = swap;
    v.battery_stock = swap ? 8 : 0;
    v.chargers = chargers;
    a.mutable_vertiports().push_back(v);
  };
  add("A hub", "hub", 114.0, 22.50, 4, true, 4);
  add("R1 relay", "relay", 114.0, 22.59, 1, true, 1);
  add("R1b relay", "relay", 114.0195, 22.59, 1, true, 1);
  add("R2 relay", "relay", 114.0, 22.68, 2, true, 2);
  add("B hub", "hub", 114.0, 22.77, 4, true, 4);
  add("D dock", "dock", 114.03, 22.54, 2, false, 2);
  return a;
}

}  // namespace skylane::network::testing
