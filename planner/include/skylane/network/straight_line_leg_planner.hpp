// A stand-in LegPlanner FOR TESTS AND BENCHMARKS ONLY: it flies a straight line at cruise
// speed, ignoring terrain, obstacles, zones and other traffic. It lets the multi-leg router be
// exercised end to end before the 4D AirspacePlanner is wired in; never use it to fly.
#pragma once

#include "skylane/network/leg_planner.hpp"

namespace skylane::network {

/// Take-off at the earliest departure, hover hover_s / 2, climb vertically to the higher pad's
/// ground + max(terrain, obstacle clearance) of the class, cruise the straight working-frame
/// segment, descend vertically, hover hover_s / 2, land. Phase times are rounded up to whole ms.
/// Always kFound. Errors: INVALID_ARGUMENT if the request lacks a vertiport or class.
[[nodiscard]] LegPlanner make_straight_line_leg_planner_for_tests(
    double hover_s = vehicle::kReferenceHoverS);

}  // namespace skylane::network
