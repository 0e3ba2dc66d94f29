#include "skylane/plan/planner_pool.hpp"

#include <mutex>

namespace skylane::plan {

PlannerPool::PlannerPool(const airspace::Airspace& airspace, vehicle::VehicleCatalogue catalogue,
                         PlannerOptions options)
    : airspace_(&airspace), catalogue_(std::move(catalogue)), options_(options) {}

Result<void> PlannerPool::build(std::span<const std::string> class_names) {
  if (class_names.empty()) {
    for (const auto& e : catalogue_.entries()) {
      auto p = get(e.vehicle.name);
      if (!p) return tl::unexpected(p.error());
    }
    return {};
  }
  for (const auto& name : class_names) {
    auto p = get(name);
    if (!p) return tl::unexpected(p.error());
  }
  return {};
}

Result<const AirspacePlanner*> PlannerPool::get(std::string_view class_name) const {
  if (const AirspacePlanner* p = find(class_name)) return p;
  const vehicle::VehicleClass* vc = catalogue_.find(class_name);
  if (vc == nullptr) {
    std::string names;
    for (const auto& e : catalogue_.entries())
      names += (names.empty() ? "" : ", ") + e.vehicle.name;
    return fail("VEHICLE_CLASS_NOT_FOUND", "vehicle class '" + std::string(class_name) +
                                               "' is not in " + catalogue_.source() +
                                               " (classes: " + names + ")");
  }
  const std::unique_lock lock(mutex_);
  // Another caller may have built it while this one waited for the lock.
  if (auto it = planners_.find(class_name); it != planners_.end()) return &it->second;
  auto planner = AirspacePlanner::create(*airspace_, *vc, options_);
  if (!planner) return tl::unexpected(planner.error());
  // std::map nodes never move: the pointer stays valid as other planners are added.
  auto [it, inserted] = planners_.emplace(std::string(class_name), std::move(*planner));
  return &it->second;
}

const AirspacePlanner* PlannerPool::find(std::string_view class_name) const {
  const std::shared_lock lock(mutex_);
  const auto it = planners_.find(class_name);
  return it == planners_.end() ? nullptr : &it->second;
}

std::size_t PlannerPool::built() const {
  const std::shared_lock lock(mutex_);
  return planners_.size();
}

}  // namespace skylane::plan
