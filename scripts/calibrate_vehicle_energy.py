#!/usr/bin/env python3
"""Derives the energy coefficients of planner/data/vehicle_catalogue.toml from each class's
calibration inputs, so that the class flies its cited range at its cited payload.

The model (planner/include/skylane/vehicle/vehicle_energy.hpp), total mass m in kg:
  cruise  P_c(m) = cruise_w_base + cruise_w_per_kg * m
  hover   P_h(m) = hover_w_per_kg15 * m^1.5            (descent is flown at hover power)
  climb   P_h(m) + m * g * climb_rate / climb_efficiency
The reference flight the cited range is read as (vehicle_energy.hpp, kReference*): vertical climb
of 100 m, cruise of `range_m`, vertical descent of 100 m and 20 s of hover, on the whole usable
battery (no reserve). Two shape assumptions per class close the system:
  fixed_share      = cruise_w_base / P_c(m_ref)        (mass-independent share of cruise power)
  hover_to_cruise  = P_h(m_ref) / P_c(m_ref)
Solving the reference flight for P_c(m_ref):
  battery_wh * 3600 = P_c * (hover_to_cruise * T_vert + range_m / v) + m g h / eta
with T_vert = h / climb_rate + h / descent_rate + hover_s.

Usage: scripts/calibrate_vehicle_energy.py [catalogue.toml]  (prints one block per class; with
--check, exits 1 if a coefficient in the file differs from the derived one by more than 0.5 %).
"""
import math
import pathlib
import sys
import tomllib

G = 9.80665
REF_CLIMB_M = 100.0
REF_DESCENT_M = 100.0
REF_HOVER_S = 20.0


def derive(c, defaults):
    e = c["energy"]
    cal = e["calibration"]
    m = c["empty_mass_kg"] + cal["payload_kg"]
    mo = c["motion"]
    eta = e.get("climb_efficiency", defaults.get("energy", {}).get("climb_efficiency", 0.6))
    t_vert = REF_CLIMB_M / mo["climb_rate_mps"] + REF_DESCENT_M / mo["descent_rate_mps"] + REF_HOVER_S
    work_j = m * G * REF_CLIMB_M / eta
    p_c = (e["battery_wh"] * 3600.0 - work_j) / (
        cal["hover_to_cruise"] * t_vert + cal["range_m"] / mo["cruise_speed_mps"])
    base = cal["fixed_share"] * p_c
    per_kg = (p_c - base) / m
    hover15 = cal["hover_to_cruise"] * p_c / m ** 1.5
    return {"cruise_w_base": base, "cruise_w_per_kg": per_kg, "hover_w_per_kg15": hover15,
            "_p_cruise_ref_w": p_c, "_mass_ref_kg": m}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = pathlib.Path(args[0] if args else
                        pathlib.Path(__file__).resolve().parent.parent /
                        "planner/data/vehicle_catalogue.toml")
    doc = tomllib.loads(path.read_text())
    defaults = doc.get("defaults", {})
    bad = 0
    for c in doc["class"]:
        d = derive(c, defaults)
        print(f"[{c['name']}] m_ref = {d['_mass_ref_kg']:.1f} kg, P_cruise(m_ref) = "
              f"{d['_p_cruise_ref_w']:.1f} W")
        for k in ("cruise_w_base", "cruise_w_per_kg", "hover_w_per_kg15"):
            have = c["energy"].get(k)
            flag = ""
            if have is None or abs(have - d[k]) > 0.005 * abs(d[k]):
                flag = "   <-- file has " + str(have)
                bad += 1
            print(f"  {k} = {d[k]:.6g}{flag}")
    if "--check" in sys.argv and bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
