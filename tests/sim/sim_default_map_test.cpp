// The simulator on the default Shenzhen-Boluo map through the real dispatch core (ctest fixture
// default_map): a short day completes missions with zero conflicts by the independent checker,
// and two runs of the same scenario and seed write byte-identical outputs.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "skylane/sim/sim_run.hpp"

namespace skylane::sim {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

SimRunOptions small_day(const std::string& out) {
  SimRunOptions o;
  o.scenario_path = std::string(SKYLANE_SOURCE_DIR) + "/sim/scenarios/shenzhen-boluo.toml";
  o.overrides = {"scenario.map=" + std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya",
                 "scenario.duration_h=2.5", "scenario.plan_budget_ms=0", "demand.volume=0.25",
                 "scenario.start=2025-07-01T11:00:00"};
  o.out_dir = out;
  return o;
}

TEST(SimDefaultMap, ShortDayIsConflictFreeAndReproducible) {
  const fs::path base = fs::path(SKYLANE_BINARY_DIR) / "sim_test_out";
  fs::remove_all(base);
  auto a = run_sim(small_day((base / "a").string()));
  ASSERT_TRUE(a) << a.error().to_string();
  const auto& s = a->summary;
  EXPECT_EQ(s["planner"], "dispatch");
  EXPECT_GT(s["missions_released"].get<int>(), 5);
  EXPECT_GT(s["missions_completed"].get<int>(), 0);
  EXPECT_GT(s["audited_flights"].get<int>(), 0);
  ASSERT_TRUE(s["conflicts"].is_number()) << s["audit_error"];
  EXPECT_EQ(s["conflicts"].get<int>(), 0) << s["conflict_examples"].dump();
  EXPECT_GT(s["throughput_per_hour"].get<double>(), 0.0);
  EXPECT_GE(s["on_time_rate"].get<double>(), 0.0);
  EXPECT_LE(s["on_time_rate"].get<double>(), 1.0);
  if (s["min_separation_m"].is_number()) {
    EXPECT_GT(s["min_separation_m"].get<double>(), 0.0);
  }
  for (const char* f :
       {"summary.json", "missions.csv", "trajectories.geojson", "report.html", "timing.json"}) {
    EXPECT_TRUE(fs::exists(base / "a" / f)) << f;
  }
  const std::string html = slurp(base / "a" / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org"));  // no external resource
  EXPECT_EQ(html.find("<script"), std::string::npos);

  auto b = run_sim(small_day((base / "b").string()));
  ASSERT_TRUE(b) << b.error().to_string();
  for (const char* f : {"summary.json", "missions.csv", "trajectories.geojson", "report.html"}) {
    EXPECT_EQ(slurp(base / "a" / f), slurp(base / "b" / f)) << f << " differs between runs";
  }
}

TEST(SimDefaultMap, ReplaysALogAndRefusesBadOnes) {
  const fs::path dir = fs::path(SKYLANE_BINARY_DIR) / "sim_test_log";
  fs::create_directories(dir);
  {
    std::ofstream log(dir / "bad.csv");
    log << "id,release,origin,destination,payload_kg,deadline,priority,vehicle_class\n"
        << "M1,2025-07-01T11:10:00,Huaqiangbei hub (SEG "
           "Plaza),Atlantis,2,2025-07-01T12:00:00,0,any\n";
  }
  auto o = small_day("");
  o.log_path = (dir / "bad.csv").string();
  auto r = run_sim(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "MISSION_LOG_INVALID");
  EXPECT_NE(r.error().message.find(":2: unknown vertiport 'Atlantis'"), std::string::npos);
  {
    std::ofstream log(dir / "good.csv");
    log << "id,release,origin,destination,payload_kg,deadline,priority,vehicle_class\n"
        << "X1,2025-07-01T11:10:00,Huaqiangbei hub (SEG Plaza),Luohu Sungang dock,2.00,"
           "2025-07-01T12:00:00,0,ark40\n"
        << "X2,2025-07-01T11:20:00,Luohu Dongmen dock,Huaqiangbei hub (SEG Plaza),1.50,"
           "2025-07-01T12:10:00,1,any\n";
  }
  o.log_path = (dir / "good.csv").string();
  auto g = run_sim(o);
  ASSERT_TRUE(g) << g.error().to_string();
  EXPECT_EQ(g->summary["missions_released"].get<int>(), 2);
  EXPECT_EQ(g->summary["conflicts"].get<int>(), 0);
  auto zero = small_day("");
  zero.overrides.push_back("fleet.ark40.count=0");
  zero.overrides.push_back("fleet.flycart30.count=0");
  zero.overrides.push_back("fleet.evtol_hqb.count=0");
  zero.overrides.push_back("fleet.evtol_boluo.count=0");
  auto z = run_sim(zero);
  ASSERT_FALSE(z);
  EXPECT_NE(z.error().message.find("fleet of zero"), std::string::npos);
}

}  // namespace
}  // namespace skylane::sim
