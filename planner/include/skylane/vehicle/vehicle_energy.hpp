// Energy and time of a flight for a vehicle class: the power model of EnergyModel evaluated
// over a simple profile (vertical climb, level cruise, vertical descent, hover), the range the
// catalogue is calibrated on, and the regulatory category implied by a class's masses.
#pragma once

#include "skylane/vehicle/vehicle_class.hpp"

namespace skylane::vehicle {

inline constexpr double kGravityMps2 = 9.80665;

/// The reference flight a cited range is read as (vehicle_catalogue.toml, calibration): take-off,
/// vertical climb of 100 m, level cruise, vertical descent of 100 m, 20 s of hover in all, on
/// the whole usable battery (no reserve). An assumption: published ranges do not say how they
/// were flown; reading them as whole flights rather than pure cruise keeps the climb and
/// descent energy inside the cited figure.
inline constexpr double kReferenceClimbM = 100.0;
inline constexpr double kReferenceDescentM = 100.0;
inline constexpr double kReferenceHoverS = 20.0;

/// A flight profile flown in this order: vertical climb, level cruise, vertical descent, plus
/// hover (take-off, landing, waits). All in metres / seconds, all >= 0.
struct FlightProfile {
  double horizontal_m = 0.0;
  double climb_m = 0.0;
  double descent_m = 0.0;
  double hover_s = 0.0;
};

/// Empty mass plus payload, kg.
[[nodiscard]] double total_mass_kg(const VehicleClass& vehicle, double payload_kg);
/// Electric power in W at total mass m kg: hover (also used for vertical descent: no
/// regeneration, the rotors still carry the weight; conservative), level cruise at the class
/// cruise speed, vertical climb at the class climb rate (hover + m g rate / climb_efficiency).
[[nodiscard]] double hover_power_w(const VehicleClass& vehicle, double total_mass_kg);
[[nodiscard]] double cruise_power_w(const VehicleClass& vehicle, double total_mass_kg);
[[nodiscard]] double climb_power_w(const VehicleClass& vehicle, double total_mass_kg);

/// Energy in Wh to fly the profile with payload_kg aboard:
///   P_climb * climb / climb_rate + P_cruise * horizontal / cruise_speed
///   + P_hover * (descent / descent_rate + hover_s).
/// Inputs must be finite and >= 0 (classes are validated by the catalogue loader; callers
/// validate payloads). O(1), thread-safe.
[[nodiscard]] double energy_wh(const VehicleClass& vehicle, double payload_kg, double horizontal_m,
                               double climb_m, double descent_m, double hover_s);
[[nodiscard]] double energy_wh(const VehicleClass& vehicle, double payload_kg,
                               const FlightProfile& profile);

/// Time in s to fly the profile: climb / climb_rate + horizontal / cruise_speed
/// + descent / descent_rate + hover_s (phases in sequence; conservative next to SIPP moves,
/// which climb and cruise at once).
[[nodiscard]] double flight_time_s(const VehicleClass& vehicle, const FlightProfile& profile);

/// Energy the class may use between two battery resets, Wh: battery_wh * (1 - reserve).
[[nodiscard]] double usable_energy_wh(const VehicleClass& vehicle);

/// Cruise distance in m of the reference flight (kReference*) on a full battery with payload_kg
/// aboard, no reserve: the figure the catalogue calibrates against a cited range. Falls as the
/// payload grows; 0 if the climb, descent and hover alone exhaust the battery.
[[nodiscard]] double range_m(const VehicleClass& vehicle, double payload_kg);

/// Category by weight under the 2024 Interim Regulations on the Flight Management of Unmanned
/// Aircraft (definitions, Art. 62): micro empty < 0.25 kg; light empty <= 4 kg and MTOM <= 7 kg;
/// small empty <= 15 kg and MTOM <= 25 kg; medium MTOM <= 150 kg; large MTOM > 150 kg. (The
/// regulations add speed and height conditions for micro and light, not modelled here.)
[[nodiscard]] Category category_for_masses(double empty_mass_kg, double max_takeoff_mass_kg);

/// "micro", "light", "small", "medium", "large".
[[nodiscard]] const char* category_name(Category category);

/// Highest ceiling above ground the category may be given, m: 50 (micro), 120 (light, small:
/// Art. 19 suitable airspace), 300 (medium, large cargo on approved routes; DESIGN.md).
[[nodiscard]] double max_ceiling_agl_m(Category category);

}  // namespace skylane::vehicle
