// Independent check of a planned trajectory against the map: recomputed here from the Airspace's
// ground, obstacle and zone data and the vehicle class's numbers only (no VehicleView, no
// planner code). Every waypoint and points every 2 m along every segment must be inside the
// map, under the class ceiling above ground, above ground + terrain clearance and obstacle top +
// obstacle clearance (except in the take-off and landing columns, where the vehicle climbs and
// descends vertically from the pad and must only stay above the ground), and outside every zone
// of a kind the class may not enter that is active at that instant.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "skylane/airspace/airspace.hpp"
#include "skylane/traj/trajectory.hpp"
#include "skylane/vehicle/vehicle_class.hpp"

namespace skylane::plan::testing {

struct PadColumns {
  std::int32_t start_x, start_y, goal_x, goal_y;
};

/// Empty when the trajectory is fine; otherwise one line per violation (at most `limit`).
inline std::vector<std::string> check_against_map(const airspace::Airspace& a,
                                                  const vehicle::VehicleClass& vc,
                                                  const traj::Trajectory4D& t, PadColumns pads,
                                                  std::int64_t epoch_unix_s,
                                                  std::size_t limit = 10) {
  constexpr double kEps = 1e-6;
  std::vector<std::string> bad;
  const auto& info = a.info();
  auto check_point = [&](double x_m, double y_m, double z_m, double t_ms, const char* what) {
    if (bad.size() >= limit) return;
    const auto cx = static_cast<std::int32_t>(std::floor((x_m - info.origin_x_m) / info.cell_xy_m));
    const auto cy = static_cast<std::int32_t>(std::floor((y_m - info.origin_y_m) / info.cell_xy_m));
    auto fail = [&](const std::string& why) {
      bad.push_back(std::string(what) + " (" + std::to_string(x_m) + ", " + std::to_string(y_m) +
                    ", " + std::to_string(z_m) + ") at " + std::to_string(t_ms) + " ms, column (" +
                    std::to_string(cx) + ", " + std::to_string(cy) + "): " + why);
    };
    if (cx < 0 || cy < 0 || cx >= info.nx || cy >= info.ny) return fail("outside the map");
    const std::size_t col = static_cast<std::size_t>(cy) * info.nx + static_cast<std::size_t>(cx);
    const double ground = a.ground_amsl_m(col);
    const double obstacle = a.obstacle_top_amsl_m(col);
    const bool pad =
        (cx == pads.start_x && cy == pads.start_y) || (cx == pads.goal_x && cy == pads.goal_y);
    if (z_m > ground + vc.limits.ceiling_agl_m + kEps) return fail("above the class ceiling");
    if (z_m > vc.limits.max_amsl_m + kEps) return fail("above the class's maximum altitude");
    if (pad) {
      if (z_m < ground - kEps) return fail("below the ground in a pad column");
    } else {
      if (z_m < ground + vc.limits.terrain_clearance_m - kEps) return fail("terrain clearance");
      if (z_m < obstacle + vc.limits.obstacle_clearance_m - kEps) return fail("obstacle clearance");
    }
    const double t_s = static_cast<double>(epoch_unix_s) + t_ms / 1000.0;
    for (const std::uint16_t id : a.zone_set_members(a.zone_set(col))) {
      const airspace::Zone& z = a.zone(id);
      if (((vc.limits.blocked_zone_kinds >> static_cast<int>(z.kind)) & 1u) == 0) continue;
      const double floor_m = z.floor.amsl_m(ground);
      const double ceiling_m = z.ceiling.amsl_m(ground);
      if (!(z_m > floor_m + kEps && z_m < ceiling_m - kEps)) continue;
      bool active = z.always_active();
      if (!active) {
        const auto whole = static_cast<airspace::UnixSeconds>(std::floor(t_s));
        for (const auto& iv : z.active_intervals(whole - 1, whole + 2, info.utc_offset_s)) {
          active =
              active || (static_cast<double>(iv.begin) <= t_s && t_s < static_cast<double>(iv.end));
        }
      }
      if (active) return fail("inside active zone '" + z.name + "'");
    }
  };
  const auto& p = t.points;
  for (std::size_t i = 0; i < p.size(); ++i) {
    check_point(p[i].x_m, p[i].y_m, p[i].z_m, static_cast<double>(p[i].t.count()), "waypoint");
    if (i + 1 == p.size()) break;
    const auto& b = p[i + 1];
    const double len = std::hypot(b.x_m - p[i].x_m, b.y_m - p[i].y_m, b.z_m - p[i].z_m);
    const int n = std::max(1, static_cast<int>(std::ceil(len / 2.0)));
    for (int k = 1; k < n; ++k) {
      const double s = static_cast<double>(k) / n;
      check_point(
          p[i].x_m + s * (b.x_m - p[i].x_m), p[i].y_m + s * (b.y_m - p[i].y_m),
          p[i].z_m + s * (b.z_m - p[i].z_m),
          static_cast<double>(p[i].t.count()) + s * static_cast<double>((b.t - p[i].t).count()),
          "segment point");
    }
  }
  return bad;
}

/// Kinematic check: times non-decreasing, horizontal speed <= cruise, climb and descent rates
/// within the class's (1 mm/s of slack for ms rounding).
inline std::vector<std::string> check_kinematics(const vehicle::VehicleClass& vc,
                                                 const traj::Trajectory4D& t) {
  std::vector<std::string> bad;
  const auto& p = t.points;
  for (std::size_t i = 1; i < p.size(); ++i) {
    const double dt = static_cast<double>((p[i].t - p[i - 1].t).count()) / 1000.0;
    const double h = std::hypot(p[i].x_m - p[i - 1].x_m, p[i].y_m - p[i - 1].y_m);
    const double dz = p[i].z_m - p[i - 1].z_m;
    if (dt < 0) {
      bad.push_back("time decreases at waypoint " + std::to_string(i));
    } else if (dt == 0) {
      if (h > 0 || dz != 0) bad.push_back("jump at waypoint " + std::to_string(i));
    } else {
      if (h / dt > vc.motion.cruise_speed_mps + 1e-3) {
        bad.push_back("too fast before waypoint " + std::to_string(i));
      }
      if (dz / dt > vc.motion.climb_rate_mps + 1e-3)
        bad.push_back("climbs too fast at " + std::to_string(i));
      if (-dz / dt > vc.motion.descent_rate_mps + 1e-3) {
        bad.push_back("descends too fast at " + std::to_string(i));
      }
    }
  }
  return bad;
}

}  // namespace skylane::plan::testing
