// TEMPORARY SHIM (not committed): the assumed API of plan/restriction.hpp.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>
#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"
#include "skylane/traj/trajectory.hpp"
#include "skylane/search/search_types.hpp"
namespace skylane::plan {
struct Restriction {
  std::int64_t id = 0; std::string name; std::string kind;
  std::vector<std::array<double, 2>> ring_lonlat;
  double floor_m = 0, ceiling_m = 0; bool floor_agl = true, ceiling_agl = true;
  traj::Millis active_from{0}; traj::Millis active_to{0};
};
struct RasterisedRestriction {};
class RestrictionSet {
 public:
  Result<void> add(const airspace::Airspace&, Restriction);
  bool remove(std::int64_t id);
  Result<std::shared_ptr<const RasterisedRestriction>> rasterised(const airspace::Airspace&, const Restriction&) const;
};
Result<bool> restriction_affects(const RasterisedRestriction&, const traj::Trajectory4D&, const airspace::Airspace&);
}
