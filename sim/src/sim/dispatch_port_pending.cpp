// Temporary: built instead of dispatch_port.cpp until the dispatch core's implementation is
// merged into this branch (CMake picks the file).
#include "skylane/sim/mission_port.hpp"

namespace skylane::sim {

Result<std::unique_ptr<MissionPort>> make_dispatch_port(const airspace::Airspace&,
                                                        const vehicle::VehicleCatalogue&,
                                                        const PortOptions&) {
  return fail("INTERNAL", "this build has no dispatch core yet: use scenario.planner=straight_line");
}

}  // namespace skylane::sim
