// Mission log: generation is seeded and deterministic, the CSV round-trips exactly, and each
// malformed row or unknown name is an error naming its line.
#include "skylane/sim/mission_log.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "skylane/sim/scenario.hpp"
#include "skylane/sim/sim_time.hpp"

namespace skylane::sim {
namespace {

constexpr std::int32_t kUtc8 = 8 * 3600;

Scenario scenario() {
  auto s = load_scenario(std::string(SKYLANE_SOURCE_DIR) + "/sim/scenarios/shenzhen-boluo.toml");
  EXPECT_TRUE(s) << s.error().to_string();
  return *s;
}

TEST(SimTime, RoundTripsLocalTimes) {
  auto t = parse_local_time("2025-07-01T07:30:15", kUtc8);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, (1751324400LL + 1815) * 1000);
  EXPECT_EQ(format_local_time(*t, kUtc8), "2025-07-01T07:30:15");
  EXPECT_EQ(format_local_time(*parse_local_time("2024-02-29T23:59:59", 0), 0),
            "2024-02-29T23:59:59");
  EXPECT_FALSE(parse_local_time("2025-13-01T00:00", kUtc8));
  EXPECT_FALSE(parse_local_time("07:00", kUtc8));
}

TEST(MissionLog, GenerationIsSeededAndFollowsTheModel) {
  const Scenario s = scenario();
  const auto a = generate_missions(s, 7);
  const auto b = generate_missions(s, 7);
  const auto c = generate_missions(s, 8);
  ASSERT_FALSE(a.empty());
  std::ostringstream sa, sb, sc;
  write_mission_log(sa, a, kUtc8);
  write_mission_log(sb, b, kUtc8);
  write_mission_log(sc, c, kUtc8);
  EXPECT_EQ(sa.str(), sb.str());
  EXPECT_NE(sa.str(), sc.str());
  double expected = 0;
  for (const auto& f : s.demand.flows) expected += f.missions_per_day * s.demand.volume;
  // Poisson total: within 5 sigma of the expected count (profiles put all of it in the window).
  EXPECT_NEAR(static_cast<double>(a.size()), expected, 5 * std::sqrt(expected));
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_NE(a[i].origin, a[i].destination);
    EXPECT_GE(a[i].release_unix_ms, s.start_unix_ms);
    EXPECT_LT(a[i].release_unix_ms, s.end_unix_ms());
    EXPECT_GT(a[i].payload_kg, 0.0);
    if (i > 0) {
      EXPECT_LE(a[i - 1].release_unix_ms, a[i].release_unix_ms);
    }
  }
  // Doubling the volume roughly doubles the count.
  Scenario twice = s;
  twice.demand.volume = 2.0;
  EXPECT_NEAR(static_cast<double>(generate_missions(twice, 7).size()), 2 * expected,
              5 * std::sqrt(2 * expected));
}

TEST(MissionLog, RoundTripsExactly) {
  const Scenario s = scenario();
  auto missions = generate_missions(s, 3);
  ASSERT_FALSE(missions.empty());
  missions[0].origin = "Dock, with a comma \"quoted\"";
  std::ostringstream out;
  write_mission_log(out, missions, kUtc8);
  auto back = parse_mission_log(out.str(), "mem.csv", kUtc8);
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->size(), missions.size());
  for (std::size_t i = 0; i < missions.size(); ++i) {
    EXPECT_EQ((*back)[i].id, missions[i].id);
    EXPECT_EQ((*back)[i].release_unix_ms, missions[i].release_unix_ms);
    EXPECT_EQ((*back)[i].origin, missions[i].origin);
    EXPECT_EQ((*back)[i].destination, missions[i].destination);
    EXPECT_DOUBLE_EQ((*back)[i].payload_kg, missions[i].payload_kg);
    EXPECT_EQ((*back)[i].deadline_unix_ms, missions[i].deadline_unix_ms);
    EXPECT_EQ((*back)[i].priority, missions[i].priority);
    EXPECT_EQ((*back)[i].vehicle_class, missions[i].vehicle_class);
  }
  std::ostringstream again;
  write_mission_log(again, *back, kUtc8);
  EXPECT_EQ(again.str(), out.str());
}

void expect_line_error(const std::string& row, const std::string& needle) {
  const std::string text = std::string(kMissionLogHeader) +
                           "\nM1,2025-07-01T08:00:00,A,B,2.50,2025-07-01T09:00:00,0,any\n" + row +
                           "\n";
  auto r = parse_mission_log(text, "log.csv", kUtc8);
  ASSERT_FALSE(r) << row;
  EXPECT_EQ(r.error().reason, "MISSION_LOG_INVALID");
  EXPECT_NE(r.error().message.find("log.csv:3:"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
}

TEST(MissionLog, MalformedRowsNameTheLine) {
  expect_line_error("M2,2025-07-01T08:00:00,A,B,2.5,2025-07-01T09:00:00,0", "expected 8 fields");
  expect_line_error("M2,noon,A,B,2.5,2025-07-01T09:00:00,0,any", "release");
  expect_line_error("M2,2025-07-01T08:00:00,A,B,-1,2025-07-01T09:00:00,0,any", "must be > 0");
  expect_line_error("M2,2025-07-01T08:00:00,A,B,heavy,2025-07-01T09:00:00,0,any", "not a number");
  expect_line_error("M2,2025-07-01T08:00:00,A,B,1,2025-07-01T07:00:00,0,any", "deadline");
  expect_line_error("M2,2025-07-01T08:00:00,A,B,1,2025-07-01T09:00:00,high,any", "priority");
  expect_line_error("M1,2025-07-01T08:00:00,A,B,1,2025-07-01T09:00:00,0,any", "duplicate id");
  expect_line_error("M2,2025-07-01T08:00:00,\"A,B,1,2025-07-01T09:00:00,0,any", "quote");
  expect_line_error("M2,2025-07-01T08:00:00,A,A,1,2025-07-01T09:00:00,0,any", "both");
  auto r = parse_mission_log("id,when\n", "log.csv", kUtc8);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("log.csv:1:"), std::string::npos);
  EXPECT_FALSE(parse_mission_log("", "log.csv", kUtc8));
  EXPECT_EQ(read_mission_log("/nonexistent.csv", kUtc8).error().reason, "FILE_NOT_FOUND");
}

TEST(MissionLog, CheckAgainstTheScenario) {
  const Scenario s = scenario();
  const std::string day = "2025-07-01T";
  auto log = [&](const std::string& row) {
    auto r =
        parse_mission_log(std::string(kMissionLogHeader) + "\n" + row + "\n", "log.csv", kUtc8);
    EXPECT_TRUE(r) << r.error().to_string();
    return check_missions(*r, s, {"A", "B"}, {"ark40"}, "log.csv");
  };
  EXPECT_TRUE(log("M1," + day + "08:00:00,A,B,1," + day + "09:00:00,0,ark40"));
  auto unknown_vp = log("M1," + day + "08:00:00,A,Nowhere,1," + day + "09:00:00,0,any");
  ASSERT_FALSE(unknown_vp);
  EXPECT_NE(unknown_vp.error().message.find("log.csv:2: unknown vertiport 'Nowhere'"),
            std::string::npos);
  auto unknown_class = log("M1," + day + "08:00:00,A,B,1," + day + "09:00:00,0,zeppelin");
  ASSERT_FALSE(unknown_class);
  EXPECT_NE(unknown_class.error().message.find("zeppelin"), std::string::npos);
  auto late = log("M1," + day + "23:30:00,A,B,1,2025-07-02T01:00:00,0,any");
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("after the scenario end"), std::string::npos);
}

}  // namespace
}  // namespace skylane::sim
