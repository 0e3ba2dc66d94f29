// The airspace planner on the embedded Shenzhen–Boluo map (ctest fixture default_map):
// Huaqiangbei -> Boluo, 50 missions between random vertiports planned one after another and
// reserved (pairwise conflict-free by the independent checker), real zones at vertiports, the
// JSON / GeoJSON output and the `skylane plan` binary.
#include <algorithm>
#include <cstdio>
#include <random>

#include "map_check.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/plan/airspace_planner.hpp"
#include "skylane/plan/plan_report.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::plan {
namespace {

using search::Outcome;
using std::chrono::milliseconds;

constexpr std::int64_t kEpoch = 1'767'225'600;  // 2026-01-01T00:00:00Z

const std::string& map_path() {
  static const std::string p = std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya";
  return p;
}

class DefaultMapPlan : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto a = airspace::read_airspace(map_path());
    ASSERT_TRUE(a.has_value()) << a.error().to_string();
    map_ = new airspace::Airspace(std::move(*a));
  }
  static void TearDownTestSuite() { delete map_; }

  static const airspace::Vertiport& vertiport(const std::string& prefix) {
    for (const auto& v : map_->vertiports()) {
      if (v.name.rfind(prefix, 0) == 0) return v;
    }
    throw std::runtime_error("no vertiport " + prefix);
  }
  static PadPoint pad(const airspace::Vertiport& v) { return {v.x_m, v.y_m, std::nullopt}; }

  /// Independent map and kinematics check of a found plan.
  static void expect_valid(const AirspacePlan& p, const vehicle::VehicleClass& vc) {
    ASSERT_EQ(p.outcome, Outcome::kFound) << p.reason_text;
    const testing::PadColumns pads{p.start_pad.x, p.start_pad.y, p.goal_pad.x, p.goal_pad.y};
    for (const auto& why : testing::check_against_map(*map_, vc, p.trajectory, pads, kEpoch)) {
      ADD_FAILURE() << vc.name << ": " << why;
    }
    for (const auto& why : testing::check_kinematics(vc, p.trajectory)) {
      ADD_FAILURE() << vc.name << ": " << why;
    }
  }

  static airspace::Airspace* map_;
};
airspace::Airspace* DefaultMapPlan::map_ = nullptr;

/// The shipped catalogue (planner/data/vehicle_catalogue.toml).
const vehicle::VehicleCatalogue& catalogue() {
  static const vehicle::VehicleCatalogue cat = [] {
    auto c = vehicle::load_vehicle_catalogue(vehicle::default_catalogue_path());
    EXPECT_TRUE(c) << c.error().to_string();
    return c ? std::move(*c) : vehicle::VehicleCatalogue();
  }();
  return cat;
}

PlannerOptions options() {
  PlannerOptions o;
  o.epoch_unix_s = kEpoch;
  return o;
}

TEST_F(DefaultMapPlan, HuaqiangbeiToBoluoIsFoundForEveryClass) {
  const search::ReservationTable table(map_->nx(), map_->ny(), map_->info().nz);
  for (const auto& entry : catalogue().entries()) {
    const vehicle::VehicleClass& vc = entry.vehicle;
    auto planner = AirspacePlanner::create(*map_, vc, options());
    ASSERT_TRUE(planner.has_value()) << planner.error().to_string();
    PlanRequest r;
    r.from = pad(vertiport("Huaqiangbei hub"));
    r.to = pad(vertiport("Boluo county hub"));
    auto p = planner->plan(r, table);
    ASSERT_TRUE(p.has_value()) << p.error().to_string();
    expect_valid(*p, vc);
    // 72.6 km great circle (~72.7 km in UTM): the path is longer, never much longer.
    EXPECT_GT(p->distance_m, 72'000.0) << vc.name;
    EXPECT_LT(p->distance_m, 95'000.0) << vc.name;
    const double flight_s = static_cast<double>((p->arrival - p->departure).count()) / 1000.0;
    EXPECT_GT(flight_s, 72'000.0 / vc.motion.cruise_speed_mps) << vc.name;
    if (vc.name == "longrange") {
      EXPECT_LT(flight_s, 1.5 * 72'600.0 / vc.motion.cruise_speed_mps);  // ~20 min + climbs
    }
  }
}

TEST_F(DefaultMapPlan, FiftyMissionsBetweenRandomVertiportsAreConflictFree) {
  // Vertiports outside every zone (read from the map's zone sets, not from the planner).
  std::vector<const airspace::Vertiport*> usable;
  for (const auto& v : map_->vertiports()) {
    std::int32_t x = 0;
    std::int32_t y = 0;
    ASSERT_TRUE(map_->column_at(v.x_m, v.y_m, x, y));
    if (map_->zone_set_members(map_->zone_set(map_->column(x, y))).empty()) usable.push_back(&v);
  }
  ASSERT_GE(usable.size(), 10u);
  std::vector<AirspacePlanner> planners;
  // Every class but those with a horizontal envelope above 64 m (evtol218's 150 m would sweep
  // each reservation over ~10x the voxels: gigabytes for this test). The table is swept with
  // the largest envelope of the classes that plan against it.
  traj::SeparationEnvelope max_env{0.0, 0.0, milliseconds{0}};
  for (const auto& entry : catalogue().entries()) {
    const auto& sep = entry.vehicle.separation;
    if (sep.horizontal_m > 64.0) continue;
    planners.push_back(std::move(*AirspacePlanner::create(*map_, entry.vehicle, options())));
    max_env.horizontal_m = std::max(max_env.horizontal_m, sep.horizontal_m);
    max_env.vertical_m = std::max(max_env.vertical_m, sep.vertical_m);
    max_env.time_buffer = std::max(max_env.time_buffer, sep.time_buffer);
  }
  ASSERT_GE(planners.size(), 4u);
  search::ReservationTable table(map_->nx(), map_->ny(), map_->info().nz);
  std::mt19937_64 rng(2026);
  std::uniform_int_distribution<std::size_t> pick(0, usable.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_class(0, planners.size() - 1);
  std::uniform_int_distribution<std::int64_t> depart(0, 20 * 60'000);
  std::vector<traj::Trajectory4D> accepted;
  std::vector<traj::SeparationEnvelope> envelopes;
  for (int m = 0; m < 50; ++m) {
    const auto* a = usable[pick(rng)];
    const auto* b = usable[pick(rng)];
    while (b == a) b = usable[pick(rng)];
    const AirspacePlanner& planner = planners[pick_class(rng)];
    PlanRequest r;
    r.from = pad(*a);
    r.to = pad(*b);
    r.earliest_departure = milliseconds{depart(rng)};
    r.trajectory_id = m + 1;
    auto p = planner.plan(r, table);
    ASSERT_TRUE(p.has_value()) << p.error().to_string();
    ASSERT_EQ(p->outcome, Outcome::kFound)
        << a->name << " -> " << b->name << " (" << planner.vehicle_class().name
        << "): " << no_route_reason_name(p->reason) << " " << p->reason_text;
    expect_valid(*p, planner.vehicle_class());
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
  EXPECT_TRUE(report->conflict_free())
      << report->violations.size() << " conflicts, first between missions "
      << report->violations.front().id_a << " and " << report->violations.front().id_b;
}

TEST_F(DefaultMapPlan, DocksInsideAirportProtectionZonesAreRefused) {
  // Futian CBD dock lies in the Shek Kong (VHSK) protection zone of the map.
  const search::ReservationTable table(map_->nx(), map_->ny(), map_->info().nz);
  auto planner = AirspacePlanner::create(*map_, *catalogue().find("meituan"), options());
  ASSERT_TRUE(planner.has_value());
  PlanRequest r;
  r.from = pad(vertiport("Futian CBD dock"));
  r.to = pad(vertiport("Luohu Dongmen dock"));
  auto p = planner->plan(r, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->outcome, Outcome::kNoRoute);
  EXPECT_EQ(p->reason, NoRouteReason::kStartInZone);
  EXPECT_NE(p->reason_text.find("VHSK"), std::string::npos) << p->reason_text;
  std::swap(r.from, r.to);
  p = planner->plan(r, table);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->reason, NoRouteReason::kGoalInZone);
}

TEST_F(DefaultMapPlan, JsonAndGeoJsonCarryTheDocumentedFields) {
  PlanQuery q;
  q.from.vertiport = "Huaqiangbei hub (SEG Plaza)";
  q.to.vertiport = "Luohu Dongmen dock";
  q.class_name = "meituan";
  q.depart_unix_s = kEpoch;
  auto text = run_plan_query(*map_, q);
  ASSERT_TRUE(text.has_value()) << text.error().to_string();
  const auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["outcome"], "found");
  EXPECT_TRUE(j["reason"].is_null());
  EXPECT_GT(j["distance_m"].get<double>(), 3000.0);
  EXPECT_GT(j["duration_s"].get<double>(), 3000.0 / 23.0);
  ASSERT_GE(j["waypoints"].size(), 4u);
  double last_t = -1.0;
  for (const auto& w : j["waypoints"]) {
    for (const char* k : {"lon", "lat", "alt_amsl_m", "alt_agl_m", "t_s"}) {
      EXPECT_TRUE(w.contains(k) && w[k].is_number()) << k;
    }
    EXPECT_NEAR(w["lon"].get<double>(), 114.1, 0.1);
    EXPECT_NEAR(w["lat"].get<double>(), 22.54, 0.05);
    EXPECT_GE(w["alt_agl_m"].get<double>(), 0.0);
    EXPECT_LE(w["alt_agl_m"].get<double>(), 120.0 + 1e-6);
    EXPECT_GE(w["t_s"].get<double>(), last_t);
    last_t = w["t_s"].get<double>();
  }
  EXPECT_DOUBLE_EQ(j["waypoints"][0]["t_s"].get<double>(), 0.0);
  const auto& s = j["stats"];
  for (const char* k :
       {"expansions", "generated", "plan_ms", "path_cells", "expansions_per_path_cell"}) {
    EXPECT_TRUE(s.contains(k) && s[k].is_number()) << k;
  }
  EXPECT_GT(s["path_cells"].get<double>(), 0.0);

  q.format = PlanQuery::Format::kGeoJson;
  text = run_plan_query(*map_, q);
  ASSERT_TRUE(text.has_value());
  const auto g = nlohmann::json::parse(*text);
  EXPECT_EQ(g["type"], "Feature");
  EXPECT_EQ(g["geometry"]["type"], "LineString");
  const auto& coords = g["geometry"]["coordinates"];
  ASSERT_EQ(coords.size(), j["waypoints"].size());
  ASSERT_EQ(coords[0].size(), 3u);
  EXPECT_EQ(g["properties"]["t_s"].size(), coords.size());

  q.format = PlanQuery::Format::kJson;
  q.to.vertiport = "Nowhere";
  EXPECT_EQ(run_plan_query(*map_, q).error().reason, "VERTIPORT_NOT_FOUND");
  q.to.vertiport = "Luohu Dongmen dock";
  q.class_name = "glider";
  EXPECT_EQ(run_plan_query(*map_, q).error().reason, "VEHICLE_CLASS_NOT_FOUND");
}

/// Runs the `skylane` binary; returns (exit code, stdout).
std::pair<int, std::string> run_cli(const std::string& args) {
  const std::string cmd = std::string(SKYLANE_BINARY_DIR) + "/bin/skylane " + args + " 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (f != nullptr && fgets(buf, sizeof buf, f) != nullptr) out += buf;
  const int status = f != nullptr ? pclose(f) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(DefaultMapPlan, CliPrintsJsonAndUsesTheDocumentedExitCodes) {
  const std::string map = "--map " + map_path();
  auto [rc, out] = run_cli("plan " + map +
                           " --from 114.0811,22.5436 --to-vertiport 'Boluo county hub (Luoyang)'"
                           " --class longrange --depart 2026-01-01T09:00 --json");
  ASSERT_EQ(rc, 0) << out;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["outcome"], "found");
  EXPECT_EQ(j["class"], "longrange");
  EXPECT_DOUBLE_EQ(j["departure_unix_s"].get<double>(), kEpoch + 3600.0);  // 09:00 CST = 01:00Z
  EXPECT_TRUE(j["waypoints"].is_array());
  EXPECT_TRUE(j["stats"]["expansions_per_path_cell"].is_number());

  EXPECT_EQ(run_cli("plan " + map + " --from 114.08 --to 114.2,22.6").first, 64);      // malformed
  EXPECT_EQ(run_cli("plan " + map + " --from 110.0,22.5 --to 114.2,22.6").first, 65);  // outside
  EXPECT_EQ(run_cli("plan --map /nonexistent.skya --from 114.08,22.54 --to 114.2,22.6").first, 66);
  EXPECT_EQ(run_cli("plan " + map + " --from 114.08,22.54 --to 114.2,22.6 --class x").first, 64);
  EXPECT_EQ(run_cli("plan " + map + " --from-vertiport x --to 114.2,22.6").first, 64);
  EXPECT_EQ(run_cli("plan " + map + " --from 114.08,22.54 --to 114.2,22.6 --depart soon").first,
            64);
}

}  // namespace
}  // namespace skylane::plan
