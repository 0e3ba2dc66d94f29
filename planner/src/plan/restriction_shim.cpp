// TEMPORARY SHIM (not committed)
#include "skylane/plan/restriction.hpp"
namespace skylane::plan {
Result<void> RestrictionSet::add(const airspace::Airspace&, Restriction) { return {}; }
bool RestrictionSet::remove(std::int64_t) { return true; }
Result<std::shared_ptr<const RasterisedRestriction>> RestrictionSet::rasterised(const airspace::Airspace&, const Restriction&) const { return std::make_shared<const RasterisedRestriction>(); }
Result<bool> restriction_affects(const RasterisedRestriction&, const traj::Trajectory4D&, const airspace::Airspace&) { return false; }
}
