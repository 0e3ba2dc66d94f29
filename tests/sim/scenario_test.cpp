// Scenario TOML: the default file parses; overrides; each kind of bad input is named.
#include "skylane/sim/scenario.hpp"

#include <string>

#include <gtest/gtest.h>

namespace skylane::sim {
namespace {

const std::string kDefault = std::string(SKYLANE_SOURCE_DIR) + "/sim/scenarios/shenzhen-boluo.toml";

const char* kMinimal = R"(
[scenario]
map = "x.skya"
start = "2025-07-01T07:00:00"
duration_h = 2
seed = 5

[fleet.ark40]
count = 3
home = "A"

[demand.flow.f]
origin = "A"
destination = "B"
missions_per_day = 100
payload = { distribution = "fixed", value = 2 }
)";

TEST(Scenario, DefaultFileParses) {
  auto s = load_scenario(kDefault);
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_GT(s->fleet_size(), 0);
  EXPECT_EQ(s->demand.flows.size(), 4u);
  EXPECT_EQ(s->demand.profile.size(), 24u);
  EXPECT_EQ(s->restrictions.size(), 1u);
  EXPECT_GT(s->duration_ms, 0);
}

TEST(Scenario, MinimalParsesWithDefaults) {
  auto s = parse_scenario(kMinimal, "mem.toml");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->seed, 5u);
  EXPECT_EQ(s->fleet[0].vehicle_class, "ark40");
  EXPECT_EQ(s->policy.assign, "nearest_idle");
  EXPECT_EQ(s->duration_ms, 2 * 3'600'000);
  // 2025-07-01T07:00 at UTC+8 = 2025-06-30T23:00Z = 1751324400 s.
  EXPECT_EQ(s->start_unix_ms, 1751324400000LL);
}

TEST(Scenario, OverridesReplaceAndAdd) {
  auto s =
      parse_scenario(kMinimal, "mem.toml",
                     {"fleet.ark40.count=40", "demand.volume=2.5", "policy.after_delivery=stay",
                      "vertiports.\"Dock (east)\".pads=3", "scenario.start=2025-07-02T08:00"});
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->fleet[0].count, 40);
  EXPECT_DOUBLE_EQ(s->demand.volume, 2.5);
  EXPECT_EQ(s->policy.after_delivery, "stay");
  ASSERT_EQ(s->vertiports.size(), 1u);
  EXPECT_EQ(s->vertiports[0].name, "Dock (east)");
  EXPECT_EQ(*s->vertiports[0].pads, 3);
  EXPECT_EQ(s->start_unix_ms, 1751324400000LL + 25 * 3'600'000LL);
}

void expect_error(const Result<Scenario>& s, const std::string& reason, const std::string& needle) {
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().reason, reason) << s.error().to_string();
  EXPECT_NE(s.error().message.find(needle), std::string::npos) << s.error().to_string();
}

TEST(Scenario, UnknownKeysAreErrorsWithTheirPath) {
  std::string t = kMinimal;
  t += "\n[policy]\nassing = \"x\"\n";
  expect_error(parse_scenario(t, "mem.toml"), "SCENARIO_UNKNOWN_KEY", "policy.assing");
  expect_error(parse_scenario(kMinimal, "mem.toml", {"fleet.ark40.cuont=4"}),
               "SCENARIO_UNKNOWN_KEY", "command line");
  expect_error(parse_scenario(kMinimal, "mem.toml", {"nosuch=1"}), "SCENARIO_UNKNOWN_KEY",
               "nosuch");
  expect_error(parse_scenario(kMinimal, "mem.toml", {"fleet.ark40.count"}), "USAGE",
               "key.path=value");
}

TEST(Scenario, BadValuesAreNamed) {
  expect_error(parse_scenario(kMinimal, "mem.toml", {"fleet.ark40.count=0"}),
               "SCENARIO_INVALID_VALUE", "fleet of zero");
  expect_error(parse_scenario(kMinimal, "mem.toml", {"fleet.ark40.count=-2"}),
               "SCENARIO_INVALID_VALUE", "fleet.ark40.count");
  expect_error(parse_scenario(kMinimal, "mem.toml", {"fleet.ark40.count=lots"}),
               "SCENARIO_INVALID_VALUE", "expected an integer");
  expect_error(parse_scenario(kMinimal, "mem.toml", {"scenario.start=yesterday"}),
               "SCENARIO_INVALID_VALUE", "scenario.start");
  expect_error(parse_scenario(kMinimal, "mem.toml", {"policy.assign=random"}),
               "SCENARIO_INVALID_VALUE", "policy.assign");
  expect_error(parse_scenario(kMinimal, "mem.toml", {"demand.flow.f.payload.distribution=weird"}),
               "SCENARIO_INVALID_VALUE", "distribution");
  expect_error(parse_scenario(kMinimal, "mem.toml", {"scenario.duration_h=0"}),
               "SCENARIO_INVALID_VALUE", "duration_h");
  expect_error(parse_scenario("[scenario\nmap=1", "mem.toml"), "SCENARIO_PARSE_ERROR", "mem.toml");
  expect_error(load_scenario("/nonexistent/scenario.toml"), "FILE_NOT_FOUND", "/nonexistent");
  std::string no_fleet = kMinimal;
  no_fleet.replace(no_fleet.find("[fleet.ark40]"), 13, "[other]");
  expect_error(parse_scenario(no_fleet, "mem.toml"), "SCENARIO_UNKNOWN_KEY", "other");
}

TEST(Scenario, OverrideParsing) {
  auto o = parse_override("vertiports.\"Boluo county hub (Luoyang)\".pads=8");
  ASSERT_TRUE(o);
  ASSERT_EQ(o->path.size(), 3u);
  EXPECT_EQ(o->path[1], "Boluo county hub (Luoyang)");
  EXPECT_EQ(o->value_text, "8");
  EXPECT_FALSE(parse_override("=3"));
  EXPECT_FALSE(parse_override("a..b=3"));
}

}  // namespace
}  // namespace skylane::sim
