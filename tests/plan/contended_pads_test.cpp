// Contended vertiport pads on the default map (ctest fixture default_map): K short city missions
// between six vertiports, all with the same earliest departure, planned one after another and
// reserved, as the dispatch core does. Later plans must simply take off later (or land later)
// at about the cost of an uncontended plan, and stay conflict-free.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "map_check.hpp"
#include <gtest/gtest.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/plan/airspace_planner.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::plan {
namespace {

using search::Outcome;
using std::chrono::milliseconds;

constexpr std::int64_t kEpoch = 1'789'948'800;  // 2026-09-21T00:00:00Z

const std::string& map_path() {
  static const std::string p = std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya";
  return p;
}

class ContendedPads : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto a = airspace::read_airspace(map_path());
    ASSERT_TRUE(a.has_value()) << a.error().to_string();
    map_ = new airspace::Airspace(std::move(*a));
    auto c = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    catalogue_ = new vehicle::VehicleCatalogue(std::move(*c));
  }
  static void TearDownTestSuite() {
    delete map_;
    delete catalogue_;
  }
  static airspace::Airspace* map_;
  static vehicle::VehicleCatalogue* catalogue_;
};
airspace::Airspace* ContendedPads::map_ = nullptr;
vehicle::VehicleCatalogue* ContendedPads::catalogue_ = nullptr;

TEST_F(ContendedPads, SameDepartureFromAndToSixVertiportsCostsAboutAnUncontendedPlan) {
  const std::vector<std::string> names{"Luohu Dongmen dock",   "Luohu Sungang dock",
                                       "Longgang centre dock", "Buji relay",
                                       "Longhua dock",         "Pinghu relay"};
  std::vector<const airspace::Vertiport*> ports;
  for (const auto& n : names) {
    const auto it = std::find_if(map_->vertiports().begin(), map_->vertiports().end(),
                                 [&](const airspace::Vertiport& v) { return v.name == n; });
    ASSERT_NE(it, map_->vertiports().end()) << n;
    ports.push_back(&*it);
  }
  // longrange cannot hover: without the loiter charge it looped near busy goal pads (1e5-1e6
  // expansions instead of ~500).
  const std::vector<std::string> class_names{"longrange", "flycart30"};
  traj::SeparationEnvelope max_env{0.0, 0.0, milliseconds{0}};
  for (const auto& e : catalogue_->entries()) {
    max_env.horizontal_m = std::max(max_env.horizontal_m, e.vehicle.separation.horizontal_m);
    max_env.vertical_m = std::max(max_env.vertical_m, e.vehicle.separation.vertical_m);
    max_env.time_buffer = std::max(max_env.time_buffer, e.vehicle.separation.time_buffer);
  }
  PlannerOptions options;
  options.epoch_unix_s = kEpoch;
  std::vector<AirspacePlanner> planners;
  for (const auto& n : class_names) {
    const vehicle::VehicleClass* vc = catalogue_->find(n);
    ASSERT_NE(vc, nullptr) << n;
    auto p = AirspacePlanner::create(*map_, *vc, options);
    ASSERT_TRUE(p.has_value()) << p.error().to_string();
    planners.push_back(std::move(*p));
  }

  const search::ReservationTable empty(map_->nx(), map_->ny(), map_->info().nz);
  search::ReservationTable table(map_->nx(), map_->ny(), map_->info().nz);
  const milliseconds earliest{51'800'000};  // 14:23:20Z, 22:23 local
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < 6; ++i) {
    for (std::size_t t = 0; t < 4; ++t) {
      const std::size_t a = (t + i) % ports.size();
      const std::size_t b = (t + 2 * i + 1) % ports.size();
      if (a != b) pairs.emplace_back(a, b);
    }
  }
  std::vector<traj::Trajectory4D> accepted;
  std::vector<traj::SeparationEnvelope> envelopes;
  for (std::size_t m = 0; m < pairs.size(); ++m) {
    const std::size_t i = pairs[m].first;
    const std::size_t j = pairs[m].second;
    const AirspacePlanner& planner = planners[m % planners.size()];
    PlanRequest r;
    r.from = {ports[i]->x_m, ports[i]->y_m, std::nullopt};
    r.to = {ports[j]->x_m, ports[j]->y_m, std::nullopt};
    r.earliest_departure = earliest;
    r.latest_departure = earliest + milliseconds{2 * 3'600'000};
    r.goal_dwell = milliseconds{60'000};
    r.trajectory_id = static_cast<std::int64_t>(m) + 1;
    search::StopCondition stop = search::StopCondition::within(milliseconds{30'000});
    auto base = planner.plan(r, empty, stop);
    ASSERT_TRUE(base.has_value()) << base.error().to_string();
    stop = search::StopCondition::within(milliseconds{30'000});
    auto p = planner.plan(r, table, stop);
    ASSERT_TRUE(p.has_value()) << p.error().to_string();
    std::printf(
        "%2zu %-22s -> %-22s %-10s %-10s exp %8llu (free %7llu) att %d w %3d ms %8.1f "
        "(free %6.1f) takeoff +%6.1f s arrival +%6.1f s (free +%6.1f s)\n",
        m, ports[i]->name.c_str(), ports[j]->name.c_str(), planner.vehicle_class().name.c_str(),
        search::outcome_name(p->outcome), static_cast<unsigned long long>(p->stats.expansions),
        static_cast<unsigned long long>(base->stats.expansions), p->stats.attempts,
        p->stats.corridor_half_width, p->stats.plan_ms, base->stats.plan_ms,
        static_cast<double>((p->takeoff - earliest).count()) / 1000.0,
        static_cast<double>((p->arrival - earliest).count()) / 1000.0,
        static_cast<double>((base->arrival - earliest).count()) / 1000.0);
    std::fflush(stdout);
    // Expansions, not time: a contended plan costs about what the uncontended one costs.
    EXPECT_LE(p->stats.expansions, 4 * base->stats.expansions + 2000) << "mission " << m;
    if (p->outcome != Outcome::kFound) {
      ADD_FAILURE() << "mission " << m << ": " << search::outcome_name(p->outcome) << " "
                    << no_route_reason_name(p->reason) << " " << p->reason_text;
      continue;
    }
    ASSERT_TRUE(table
                    .reserve(p->trajectory, planner.vehicle_class().separation, max_env,
                             map_->info().geometry())
                    .has_value());
    accepted.push_back(std::move(p->trajectory));
    envelopes.push_back(planner.vehicle_class().separation);
  }
  std::vector<conflict::FlightRef> refs;
  for (std::size_t i = 0; i < accepted.size(); ++i) refs.push_back({&accepted[i], envelopes[i]});
  const auto report = conflict::check_all(refs);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_TRUE(report->conflict_free()) << report->violations.size() << " conflicts";
}

}  // namespace
}  // namespace skylane::plan
