// Non-template parts of the SIPP planner (Phillips & Likhachev, ICRA 2011): move table,
// request validation helpers, reason names and trajectory output.
#include "skylane/search/sipp.hpp"

#include <cmath>

namespace skylane::search {

const char* no_route_reason_name(NoRouteReason reason) {
  switch (reason) {
    case NoRouteReason::kNone:
      return "NONE";
    case NoRouteReason::kStartBlocked:
      return "START_BLOCKED";
    case NoRouteReason::kGoalBlocked:
      return "GOAL_BLOCKED";
    case NoRouteReason::kGoalUnreachable:
      return "GOAL_UNREACHABLE";
    case NoRouteReason::kDepartureWindowTooTight:
      return "DEPARTURE_WINDOW_TOO_TIGHT";
    case NoRouteReason::kDeadlineTooTight:
      return "DEADLINE_TOO_TIGHT";
  }
  return "UNKNOWN";
}

namespace sipp_detail {

int move_index(std::int32_t dx, std::int32_t dy, std::int32_t dz) {
  const int i = (dz + 1) * 9 + (dy + 1) * 3 + (dx + 1);  // 0..26, 13 is (0, 0, 0)
  return i < 13 ? i : i - 1;
}

MoveTable make_moves(const GridGeometry& geometry, const MotionModel& motion) {
  MoveTable moves{};
  for (std::int32_t dz = -1; dz <= 1; ++dz) {
    for (std::int32_t dy = -1; dy <= 1; ++dy) {
      for (std::int32_t dx = -1; dx <= 1; ++dx) {
        if (dx == 0 && dy == 0 && dz == 0) continue;
        const double horizontal_m = std::hypot(dx, dy) * geometry.cell_xy_m;
        const double vertical_m = std::abs(dz) * geometry.cell_z_m;
        const double rate = dz > 0 ? motion.climb_rate_mps : motion.descent_rate_mps;
        const double seconds =
            std::max(horizontal_m / motion.cruise_speed_mps, dz == 0 ? 0.0 : vertical_m / rate);
        // Round up to whole ms; the 1e-6 keeps exact values (10 m at 10 m/s) at 1000, not 1001.
        // Invalid models (rejected by validate_model before any search) must not reach the
        // float-to-int conversion, which is undefined for NaN.
        const auto ms = std::isfinite(seconds) && seconds < 1e9
                            ? static_cast<std::int64_t>(std::ceil(seconds * 1000.0 - 1e-6))
                            : std::int64_t{1};
        std::uint32_t bbox = 0;
        for (std::int32_t z = std::min(0, dz); z <= std::max(0, dz); ++z) {
          for (std::int32_t y = std::min(0, dy); y <= std::max(0, dy); ++y) {
            for (std::int32_t x = std::min(0, dx); x <= std::max(0, dx); ++x) {
              bbox |= 1u << ((z + 1) * 9 + (y + 1) * 3 + (x + 1));
            }
          }
        }
        moves[static_cast<std::size_t>(move_index(dx, dy, dz))] =
            Move{dx, dy, dz, std::max<std::int64_t>(1, ms), bbox};
      }
    }
  }
  return moves;
}

Result<void> validate_model(const GridGeometry& geometry, const MotionModel& motion) {
  auto positive = [](double v) { return std::isfinite(v) && v > 0.0; };
  if (!positive(geometry.cell_xy_m) || !positive(geometry.cell_z_m) ||
      !std::isfinite(geometry.origin_x_m) || !std::isfinite(geometry.origin_y_m) ||
      !std::isfinite(geometry.origin_z_m)) {
    return fail("CELL_SIZE_INVALID", "grid geometry has a non-positive or non-finite field");
  }
  if (!positive(motion.cruise_speed_mps) || !positive(motion.climb_rate_mps) ||
      !positive(motion.descent_rate_mps)) {
    return fail("SIPP_MOTION_MODEL_INVALID",
                "cruise_speed_mps=" + std::to_string(motion.cruise_speed_mps) +
                    ", climb_rate_mps=" + std::to_string(motion.climb_rate_mps) +
                    ", descent_rate_mps=" + std::to_string(motion.descent_rate_mps) +
                    ": each must be finite and > 0");
  }
  if (!motion.can_hover && motion.ground_wait_step.count() <= 0) {
    return fail("SIPP_MOTION_MODEL_INVALID",
                "ground_wait_step must be > 0 ms for a class that cannot hover");
  }
  // One move must not exceed a day (a cell of 1 km at 1 cm/s is a mistake, not a plan).
  const double slowest =
      std::min({motion.cruise_speed_mps, motion.climb_rate_mps, motion.descent_rate_mps});
  if (std::max(geometry.cell_xy_m * std::sqrt(2.0), geometry.cell_z_m) / slowest > 86'400.0) {
    return fail("SIPP_MOTION_MODEL_INVALID", "a single move would take more than a day");
  }
  return {};
}

traj::Trajectory4D to_trajectory(const std::vector<PathStep>& path, const GridGeometry& geometry,
                                 std::int64_t id) {
  traj::Trajectory4D out;
  out.id = id;
  out.points.reserve(path.size() * 2);
  for (const PathStep& s : path) {
    const traj::Waypoint4D w{geometry.center_x_m(s.voxel.x), geometry.center_y_m(s.voxel.y),
                             geometry.center_z_m(s.voxel.z), s.arrival};
    out.points.push_back(w);
    if (s.departure > s.arrival) {
      out.points.push_back(w);
      out.points.back().t = s.departure;
    }
  }
  return out;
}

std::string voxel_text(Voxel v) {
  return "(" + std::to_string(v.x) + ", " + std::to_string(v.y) + ", " + std::to_string(v.z) + ")";
}

}  // namespace sipp_detail
}  // namespace skylane::search
