// The vertiport network of the default Shenzhen-Boluo map (ctest fixture default_map): graph
// sizes per class, the Huaqiangbei -> Boluo missions of the issue, and the blocking reasons.
// Times are never asserted; energies are re-derived from the catalogue formulas.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "network_fixtures.hpp"
#include <gtest/gtest.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/network/mission_router.hpp"
#include "skylane/network/straight_line_leg_planner.hpp"

namespace skylane::network {
namespace {

using testing::reference_energy_wh;
using testing::shipped_catalogue;

constexpr airspace::UnixSeconds kEpoch = 1780243200;  // 2026-06-01 00:00 +08:00
constexpr Millis kNineAm{9 * 3600 * 1000};

class DefaultNetwork : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto a = airspace::read_airspace(std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya");
    ASSERT_TRUE(a) << a.error().to_string();
    map_ = std::make_unique<airspace::Airspace>(std::move(*a));
  }
  static void TearDownTestSuite() { map_.reset(); }

  static const vehicle::VehicleClass& cls(const char* name) {
    return *shipped_catalogue().find(name);
  }
  static VertiportNetwork network(const char* name, double payload) {
    auto net = VertiportNetwork::build(*map_, cls(name), payload);
    EXPECT_TRUE(net) << net.error().to_string();
    return std::move(*net);
  }
  static MissionRequest hqb_to_boluo(double payload) {
    MissionRequest r;
    r.origin = "Huaqiangbei hub";
    r.destination = "Boluo county hub";
    r.payload_kg = payload;
    r.earliest_departure = kNineAm;
    r.epoch_unix_s = kEpoch;
    return r;
  }
  static Result<MissionPlan> plan(const VertiportNetwork& net, const MissionRequest& r) {
    return plan_mission(net, r, make_straight_line_leg_planner_for_tests(), always_free_pads());
  }

  // Changes one vertiport of the shared map for the scope of a test.
  class VertiportEdit {
   public:
    VertiportEdit() : saved_(map_->vertiports()) {}
    ~VertiportEdit() { map_->mutable_vertiports() = saved_; }
    std::vector<airspace::Vertiport>& vertiports() { return map_->mutable_vertiports(); }

   private:
    std::vector<airspace::Vertiport> saved_;
  };

  static std::unique_ptr<airspace::Airspace> map_;
};
std::unique_ptr<airspace::Airspace> DefaultNetwork::map_;

// Each leg within the battery less reserve, recomputed from the catalogue formulas.
void expect_legs_within_energy(const MissionPlan& p, const vehicle::VehicleClass& v) {
  ASSERT_EQ(p.outcome, search::Outcome::kFound) << p.reason;
  const double usable = (1.0 - v.energy.reserve_fraction) * v.energy.battery_wh;
  double since = 0.0;
  double total = 0.0;
  for (std::size_t i = 0; i < p.legs.size(); ++i) {
    const auto& f = p.legs[i].plan.flown;
    const double e =
        reference_energy_wh(v, p.payload_kg, f.horizontal_m, f.climb_m, f.descent_m, f.hover_s);
    EXPECT_NEAR(p.legs[i].energy_wh, e, 1e-6 * e);
    since += e;
    total += e;
    EXPECT_LE(since, usable + 1e-6) << p.legs[i].from_name << " -> " << p.legs[i].to_name;
    EXPECT_NEAR(p.legs[i].energy_since_reset_wh, since, 1e-6 * since);
    if (i < p.stops.size() && p.stops[i].service != StopService::kNone) since = 0.0;
  }
  EXPECT_NEAR(p.energy_wh, total, 1e-6 * total);
}

TEST_F(DefaultNetwork, GraphSizePerClass) {
  for (const auto& e : shipped_catalogue().entries()) {
    const auto net = network(e.vehicle.name.c_str(), e.vehicle.max_payload_kg);
    EXPECT_EQ(net.vertex_count(), map_->vertiports().size());
    EXPECT_GT(net.edge_count(), 0u) << e.vehicle.name;
    std::printf(
        "[ network  ] %-17s payload %5.1f kg: %zu vertices (%zu usable), %zu edges, "
        "built in %.1f ms (view %.1f ms)\n",
        e.vehicle.name.c_str(), e.vehicle.max_payload_kg, net.stats().vertices,
        net.stats().usable_vertices, net.stats().edges, net.stats().build_ms, net.stats().view_ms);
  }
}

TEST_F(DefaultNetwork, NanshanDocksAreUnusableInsideTheAirportZone) {
  // maps/shenzhen-boluo/README.md: the Nanshan docks lie inside an airport protection zone;
  // no shipped class is approved for it.
  const auto net = network("flycart30", 30.0);
  for (const char* name : {"Nanshan Science Park dock", "Nanshan Houhai dock"}) {
    auto v = net.find(name);
    ASSERT_TRUE(v);
    EXPECT_FALSE(net.node(*v).usable) << name;
    EXPECT_NE(net.node(*v).unusable_why.find("airport_protection"), std::string::npos);
  }
  MissionRequest r = hqb_to_boluo(30.0);
  r.origin = "Nanshan Houhai dock";
  auto p = plan(net, r);
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->failure, RouteFailure::kVertiportUnusable);
  EXPECT_NE(p->reason.find("Nanshan Houhai dock"), std::string::npos) << p->reason;
}

TEST_F(DefaultNetwork, FlyCart30At30KgNeedsTheRelaysAndSwaps) {
  const auto& v = cls("flycart30");
  const auto net = network("flycart30", 30.0);
  const auto hqb = net.find("Huaqiangbei hub");
  const auto boluo = net.find("Boluo county hub");
  ASSERT_TRUE(hqb && boluo);
  // Infeasible direct: not an edge, and the direct estimate needs more than battery less reserve.
  EXPECT_EQ(net.leg(*hqb, *boluo), nullptr);
  const auto direct = net.estimate(*hqb, *boluo);
  ASSERT_TRUE(direct);
  EXPECT_GT(direct->great_circle_m, 72000.0);
  EXPECT_GT(reference_energy_wh(v, 30.0, direct->profile.horizontal_m, direct->profile.climb_m,
                                direct->profile.descent_m, direct->profile.hover_s),
            0.8 * v.energy.battery_wh);

  auto p = plan(net, hqb_to_boluo(30.0));
  ASSERT_TRUE(p) << p.error().to_string();
  expect_legs_within_energy(*p, v);
  ASSERT_GE(p->legs.size(), 2u);
  EXPECT_EQ(p->legs.front().from, *hqb);
  EXPECT_EQ(p->legs.back().to, *boluo);
  std::size_t swaps = 0;
  for (const GroundStop& s : p->stops) {
    swaps += s.service == StopService::kSwap;
    EXPECT_TRUE(net.node(s.vertex).vertiport.battery_swap) << s.name;
  }
  EXPECT_GE(swaps, 1u);
  std::printf("[ mission  ] flycart30 30 kg: %zu legs, %zu swap stops, route %zu of %zu\n",
              p->legs.size(), swaps, p->candidate + 1, p->candidates_found);
}

TEST_F(DefaultNetwork, LongRangeClassFliesItDirect) {
  const auto& v = cls("longrange");
  const auto net = network("longrange", v.max_payload_kg);
  auto p = plan(net, hqb_to_boluo(v.max_payload_kg));
  ASSERT_TRUE(p) << p.error().to_string();
  expect_legs_within_energy(*p, v);
  ASSERT_EQ(p->legs.size(), 1u);
  EXPECT_TRUE(p->stops.empty());
}

TEST_F(DefaultNetwork, PayloadAboveTheClassLimit) {
  const auto net = network("flycart30", 35.0);
  auto p = plan(net, hqb_to_boluo(35.0));
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->outcome, search::Outcome::kNoRoute);
  EXPECT_EQ(p->failure, RouteFailure::kPayloadAboveLimit);
  EXPECT_NE(p->reason.find("35"), std::string::npos) << p->reason;
}

TEST_F(DefaultNetwork, ShortRangeClassCannotReachBoluo) {
  const auto net = network("meituan", 2.5);
  auto p = plan(net, hqb_to_boluo(2.5));
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->failure, RouteFailure::kDestinationUnreachable);
  EXPECT_NE(p->reason.find("meituan"), std::string::npos) << p->reason;
  EXPECT_NE(p->reason.find("Boluo county hub"), std::string::npos) << p->reason;
}

TEST_F(DefaultNetwork, RemovedRelayMakesBoluoUnreachable) {
  VertiportEdit edit;
  auto& vps = edit.vertiports();
  const auto it = std::find_if(vps.begin(), vps.end(),
                               [](const auto& v) { return v.name == "Qingxi north relay"; });
  ASSERT_NE(it, vps.end());
  vps.erase(it);
  const auto net = network("flycart30", 30.0);
  auto p = plan(net, hqb_to_boluo(30.0));
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->failure, RouteFailure::kDestinationUnreachable) << p->reason;
}

TEST_F(DefaultNetwork, ClosedRelayIsNamed) {
  VertiportEdit edit;
  for (auto& v : edit.vertiports()) {
    if (v.name == "Xiegang relay") v.opening_hours = "closed";
  }
  const auto net = network("flycart30", 30.0);
  auto p = plan(net, hqb_to_boluo(30.0));
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(p->failure, RouteFailure::kStopClosed) << p->reason;
  EXPECT_NE(p->reason.find("Xiegang relay"), std::string::npos) << p->reason;
}

TEST_F(DefaultNetwork, AnyClassPicksAFeasibleClass) {
  auto sel =
      plan_mission_with_class(*map_, shipped_catalogue(), "any", hqb_to_boluo(30.0),
                              make_straight_line_leg_planner_for_tests(), always_free_pads());
  ASSERT_TRUE(sel) << sel.error().to_string();
  const vehicle::VehicleClass* chosen = shipped_catalogue().find(sel->plan.vehicle_class);
  ASSERT_NE(chosen, nullptr);
  EXPECT_GE(chosen->max_payload_kg, 30.0);
  expect_legs_within_energy(sel->plan, *chosen);
  std::size_t feasible = 0;
  for (const ClassAttempt& a : sel->attempts) {
    feasible += a.outcome == search::Outcome::kFound;
    if (a.arrival) {
      EXPECT_LE(sel->plan.arrival, *a.arrival) << a.vehicle_class;
    }
  }
  EXPECT_GE(feasible, 2u);  // flycart30 through the relays, and a direct class
  std::printf("[ any      ] 30 kg Huaqiangbei -> Boluo: chose %s\n",
              sel->plan.vehicle_class.c_str());
}

}  // namespace
}  // namespace skylane::network
