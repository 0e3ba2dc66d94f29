// The fleet and vertiport model on a synthetic three-vertiport map with the straight-line
// stand-in (no map file, no planner): missions complete, pads and chargers queue, policies
// apply, the same inputs give the same outputs.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "skylane/sim/mission_log.hpp"
#include "skylane/sim/mission_port.hpp"
#include "skylane/sim/scenario.hpp"
#include "skylane/sim/sim_report.hpp"
#include "skylane/sim/simulator.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::sim {
namespace {

airspace::Airspace synthetic_map() {
  airspace::AirspaceInfo info;
  info.name = "synthetic";
  info.crs = "EPSG:32650";
  info.nx = info.ny = 64;
  info.nz = 8;
  info.origin_x_m = 800000;
  info.origin_y_m = 2490000;
  airspace::Airspace a(info);
  auto add = [&](const std::string& name, double x, double y, int pads, int chargers, bool swap) {
    airspace::Vertiport v;
    v.name = name;
    v.x_m = 800000 + x;
    v.y_m = 2490000 + y;
    v.pads = pads;
    v.chargers = chargers;
    v.battery_swap = swap;
    v.battery_stock = swap ? 4 : 0;
    a.mutable_vertiports().push_back(v);
  };
  add("A", 0, 0, 2, 2, true);
  add("B", 5000, 0, 1, 1, false);
  add("C", 0, 6000, 1, 1, false);
  return a;
}

std::string scenario_text(const std::string& extra = "") {
  return R"(
[scenario]
map = "unused.skya"
planner = "straight_line"
start = "2025-07-01T08:00:00"
duration_h = 4
seed = 11

[fleet.ark40]
count = 3
home = "A"

[policy]
loading_s = 60
unloading_s = 60
max_wait_s = 1800

[demand.flow.out]
origin = "A"
destinations = { B = 1, C = 1 }
missions_per_day = 240
payload = { distribution = "uniform", min = 1, max = 8 }
deadline_min = 45

[demand.flow.back]
origins = { B = 1, C = 1 }
destination = "A"
missions_per_day = 120
payload = { distribution = "lognormal", median = 2, sigma = 0.5, min = 0.5, max = 10 }
)" + extra;
}

struct SimRun {
  SimResult result;
  nlohmann::json summary;
};

SimRun run(const std::vector<std::string>& overrides = {}) {
  static const auto map = synthetic_map();
  static const auto catalogue = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
  EXPECT_TRUE(catalogue);
  auto s = parse_scenario(scenario_text(), "synthetic.toml", overrides);
  EXPECT_TRUE(s) << s.error().to_string();
  const auto missions = generate_missions(*s, s->seed);
  PortOptions po;
  po.epoch_unix_ms = s->start_unix_ms;
  auto port = make_straight_line_port(map, *catalogue, po);
  auto r = simulate(*s, map, *catalogue, missions, *port);
  EXPECT_TRUE(r) << r.error().to_string();
  SimRun out{*r, {}};
  out.summary = make_summary(*s, *r, audit_flights(*r, *catalogue));
  return out;
}

TEST(SimModel, CompletesMissionsWithSaneMetrics) {
  const SimRun r = run();
  const auto& s = r.summary;
  EXPECT_GT(s["missions_released"].get<int>(), 20);
  EXPECT_GT(s["missions_completed"].get<int>(), 0);
  EXPECT_EQ(s["missions_completed"].get<int>() + s["missions_rejected"].get<int>() +
                s["missions_unfinished"].get<int>(),
            s["missions_released"].get<int>());
  EXPECT_GT(s["throughput_per_hour"].get<double>(), 0.0);
  EXPECT_GE(s["on_time_rate"].get<double>(), 0.0);
  EXPECT_LE(s["on_time_rate"].get<double>(), 1.0);
  EXPECT_GT(s["energy_kwh"].get<double>(), 0.0);
  double share = 0;
  for (const auto& [k, v] : s["fleet_state_share"].items()) share += v.get<double>();
  EXPECT_NEAR(share, 1.0, 0.01);
  for (std::size_t i = 0; i < r.result.deliveries; ++i) {
    const auto& j = r.result.jobs[i];
    if (j.state != "COMPLETED") continue;
    // Causality: release <= assignment <= take-off < landing < unloaded.
    EXPECT_LE(j.record.release_unix_ms, j.assigned_unix_ms);
    EXPECT_LE(j.assigned_unix_ms, j.departure_unix_ms);
    EXPECT_LT(j.departure_unix_ms, j.arrival_unix_ms);
    EXPECT_EQ(j.completed_unix_ms, j.arrival_unix_ms + 60'000);
  }
}

TEST(SimModel, SinglePadDocksQueueAndChargersAreUsed) {
  const SimRun r = run({"fleet.ark40.count=6"});
  int pad_waits = 0, charges = 0;
  for (const auto& v : r.result.vertiports) {
    for (auto w : v.pad_waits_ms) pad_waits += w > 0;
    charges += static_cast<int>(v.charger_waits_ms.size());
  }
  EXPECT_GT(charges, 0);
  EXPECT_GT(r.summary["charger_utilisation"].get<double>(), 0.0);
  EXPECT_GE(pad_waits, 0);
}

TEST(SimModel, MoreDronesNeverCompleteFewerHereAndOneDroneRejectsByTimeout) {
  const SimRun one = run({"fleet.ark40.count=1"});
  const SimRun many = run({"fleet.ark40.count=8"});
  EXPECT_GE(many.summary["missions_completed"].get<int>(),
            one.summary["missions_completed"].get<int>());
  EXPECT_TRUE(one.summary["rejections"].contains("NO_DRONE_AVAILABLE"));
}

TEST(SimModel, PoliciesChangeBehaviour) {
  // Light demand, so drones fall idle away from home.
  const SimRun stay = run({"policy.after_delivery=stay", "demand.volume=0.2"});
  const SimRun home = run({"policy.after_delivery=return_home", "demand.volume=0.2"});
  EXPECT_LT(stay.summary["ferries"].get<int>(), home.summary["ferries"].get<int>());
  // Returned home: every drone ends at A.
  for (const auto& d : home.result.drones) EXPECT_EQ(d.final_vertiport, "A");
  const SimRun at_origin = run({"policy.assign=at_origin", "policy.after_delivery=stay"});
  for (std::size_t i = 0; i < at_origin.result.jobs.size(); ++i) {
    EXPECT_FALSE(at_origin.result.jobs[i].ferry);  // never repositions
  }
}

TEST(SimModel, SameInputsSameOutputs) {
  const SimRun a = run();
  const SimRun b = run();
  EXPECT_EQ(a.summary.dump(), b.summary.dump());
  const SimRun c = run({"scenario.seed=12"});
  EXPECT_NE(a.summary.dump(), c.summary.dump());
}

TEST(SimModel, UnknownFleetHomeIsAnError) {
  static const auto map = synthetic_map();
  auto catalogue = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
  auto s = parse_scenario(scenario_text(), "synthetic.toml", {"fleet.ark40.home=Nowhere"});
  ASSERT_TRUE(s);
  PortOptions po;
  auto port = make_straight_line_port(map, *catalogue, po);
  auto r = simulate(*s, map, *catalogue, {}, *port);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "VERTIPORT_UNKNOWN");
}

}  // namespace
}  // namespace skylane::sim

namespace skylane::sim {
namespace {

// A port that, on a restriction, replans the first still-PLANNED mission 10 minutes later and
// rejects the second, as the dispatch core would report it.
class RestrictingPort final : public MissionPort {
 public:
  explicit RestrictingPort(std::unique_ptr<MissionPort> inner) : inner_(std::move(inner)) {}
  Result<dispatch::Mission> submit(const dispatch::MissionRequest& r) override {
    auto m = inner_->submit(r);
    if (m && m->state == dispatch::MissionState::kPlanned) planned_.push_back(*m);
    return m;
  }
  Result<dispatch::RestrictionChange> add_restriction(dispatch::RestrictionSpec spec) override {
    dispatch::RestrictionChange c;
    c.restriction = spec;
    for (auto& m : planned_) {
      if (m.plan->departure_unix_ms <= now_ || c.affected.size() == 2) continue;
      if (c.affected.empty()) {
        for (auto& leg : m.plan->legs) {
          leg.departure_unix_ms += 600'000;
          leg.arrival_unix_ms += 600'000;
          for (auto& p : leg.trajectory.points) p.t += traj::Millis{600'000};
        }
        m.plan->departure_unix_ms += 600'000;
        m.plan->arrival_unix_ms += 600'000;
        ++m.replans;
        replanned_id = m.id;
      } else {
        m.state = dispatch::MissionState::kRejected;
        m.reason = "RESTRICTION_CONFLICT";
        m.plan.reset();
        rejected_id = m.id;
      }
      c.affected.push_back(m);
    }
    return c;
  }
  std::vector<dispatch::MissionEvent> advance(std::int64_t t) override {
    now_ = t;
    return {};
  }
  Result<dispatch::Mission> get(std::int64_t id) const override {
    for (const auto& m : planned_) {
      if (m.id == id) return m;
    }
    return inner_->get(id);
  }
  [[nodiscard]] std::int64_t epoch_unix_ms() const override { return inner_->epoch_unix_ms(); }
  [[nodiscard]] const char* kind() const override { return "test"; }
  std::int64_t replanned_id = 0;
  std::int64_t rejected_id = 0;

 private:
  std::unique_ptr<MissionPort> inner_;
  std::vector<dispatch::Mission> planned_;
  std::int64_t now_ = 0;
};

TEST(SimModel, RestrictionReplansAndRejectionsAreApplied) {
  const auto map = synthetic_map();
  auto catalogue = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
  ASSERT_TRUE(catalogue);
  const std::string extra = R"(
[[restriction]]
name = "test"
polygon = [[114, 22.5], [114.1, 22.5], [114.1, 22.6]]
announce = "2025-07-01T09:00:00"
from = "2025-07-01T09:30:00"
)";
  auto s = parse_scenario(scenario_text(extra), "synthetic.toml",
                          {"policy.loading_s=1800", "fleet.ark40.count=6"});
  ASSERT_TRUE(s) << s.error().to_string();
  PortOptions po;
  po.epoch_unix_ms = s->start_unix_ms;
  RestrictingPort port(make_straight_line_port(map, *catalogue, po));
  auto r = simulate(*s, map, *catalogue, generate_missions(*s, s->seed), port);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->restrictions.size(), 1u);
  EXPECT_EQ(r->restrictions[0].affected, 2);
  EXPECT_EQ(r->restrictions[0].replanned, 1);
  EXPECT_EQ(r->restrictions[0].rejected, 1);
  bool saw_replanned = false, saw_rejected = false;
  for (const auto& j : r->jobs) {
    if (j.dispatch_id == port.replanned_id) {
      saw_replanned = true;
      EXPECT_EQ(j.replans, 1);
      EXPECT_NE(j.state, "REJECTED");
      if (j.state == "COMPLETED") {
        EXPECT_GE(j.departure_unix_ms, j.assigned_unix_ms + 600'000);
      }
    }
    if (j.dispatch_id == port.rejected_id) {
      saw_rejected = true;
      EXPECT_EQ(j.state, "REJECTED");
      EXPECT_EQ(j.reason, "RESTRICTION_CONFLICT");
    }
  }
  EXPECT_TRUE(saw_replanned);
  EXPECT_TRUE(saw_rejected);
}

}  // namespace
}  // namespace skylane::sim
