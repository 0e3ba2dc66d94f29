// Unit tests of skylaned's building blocks: the SQLite journal, the config layering and the
// bearer-token table.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "skylane/dispatch/mission_json.hpp"
#include "skylane/service/auth.hpp"
#include "skylane/service/service_config.hpp"
#include "skylane/service/sqlite_journal.hpp"

namespace skylane::service {
namespace {

std::string temp_dir() {
  char tmpl[] = "/tmp/skylane-service-unit-XXXXXX";
  return ::mkdtemp(tmpl);
}

dispatch::Mission mission(std::int64_t id, const std::string& op, const std::string& rid) {
  dispatch::Mission m;
  m.id = id;
  m.request.operator_id = op;
  m.request.request_id = rid;
  m.request.origin.vertiport = "Buji relay";
  m.request.destination.lon_deg = 114.1;
  m.request.destination.lat_deg = 22.6;
  m.request.payload_kg = 2.5;
  m.state = dispatch::MissionState::kPlanned;
  m.version = 1;
  dispatch::MissionPlan plan;
  plan.vehicle_class = "flycart30";
  dispatch::PlannedLeg leg;
  leg.from = "Buji relay";
  leg.to = "114.1,22.6";
  leg.trajectory.id = id;
  leg.trajectory.points = {{1.0, 2.0, 100.0, traj::Millis(0)},
                           {3.0, 4.0, 120.0, traj::Millis(5000)}};
  leg.trajectory_epoch_unix_ms = 1'700'000'000'000;
  plan.legs.push_back(leg);
  m.plan = plan;
  return m;
}

TEST(SqliteJournal, CommitLoadRoundTripAndReopen) {
  const std::string path = temp_dir() + "/j.db";
  {
    auto j = SqliteJournal::open(path);
    ASSERT_TRUE(j) << j.error().to_string();
    auto empty = (*j)->load();
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->missions.empty());
    EXPECT_EQ(empty->next_mission_id, 1);
    std::vector<dispatch::Mission> ms = {mission(1, "alpha", "r1"), mission(2, "beta", "r1")};
    dispatch::RestrictionSpec r;
    r.id = 1;
    r.name = "fire";
    r.ring_lonlat = {{114.0, 22.5}, {114.1, 22.5}, {114.1, 22.6}};
    ASSERT_TRUE((*j)->commit(ms, std::span(&r, 1), {}));
    // An update of mission 1 replaces the row.
    auto m1 = mission(1, "alpha", "r1");
    m1.state = dispatch::MissionState::kCancelled;
    m1.version = 2;
    ASSERT_TRUE((*j)->commit(std::span(&m1, 1), {}, {}));
  }
  auto j = SqliteJournal::open(path);
  ASSERT_TRUE(j) << j.error().to_string();
  auto s = (*j)->load();
  ASSERT_TRUE(s) << s.error().to_string();
  ASSERT_EQ(s->missions.size(), 2u);
  EXPECT_EQ(s->missions[0].state, dispatch::MissionState::kCancelled);
  EXPECT_EQ(s->missions[0].version, 2);
  EXPECT_EQ(dispatch::mission_to_json(s->missions[1]),
            dispatch::mission_to_json(mission(2, "beta", "r1")));
  ASSERT_EQ(s->restrictions.size(), 1u);
  EXPECT_EQ(s->restrictions[0].name, "fire");
  EXPECT_EQ(s->next_mission_id, 3);
  EXPECT_EQ(s->next_restriction_id, 2);
  // Removing the restriction keeps its id used.
  const std::int64_t removed = 1;
  ASSERT_TRUE((*j)->commit({}, {}, std::span(&removed, 1)));
  s = (*j)->load();
  EXPECT_TRUE(s->restrictions.empty());
  EXPECT_EQ(s->next_restriction_id, 2);
}

TEST(SqliteJournal, RequestIdIsUniquePerOperatorAndAFailedCommitStoresNothing) {
  const std::string path = temp_dir() + "/j.db";
  auto j = SqliteJournal::open(path);
  ASSERT_TRUE(j);
  auto a = mission(1, "alpha", "same");
  ASSERT_TRUE((*j)->commit(std::span(&a, 1), {}, {}));
  // Empty request ids never collide.
  std::vector<dispatch::Mission> no_key = {mission(2, "alpha", ""), mission(3, "alpha", "")};
  ASSERT_TRUE((*j)->commit(no_key, {}, {}));
  // Mission 4 is fine, mission 5 duplicates (alpha, same): the whole change is refused.
  std::vector<dispatch::Mission> bad = {mission(4, "beta", "same"), mission(5, "alpha", "same")};
  auto r = (*j)->commit(bad, {}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "JOURNAL_WRITE_FAILED");
  EXPECT_NE(r.error().message.find("same"), std::string::npos);
  auto s = (*j)->load();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->missions.size(), 3u);
  EXPECT_EQ(s->next_mission_id, 4);
}

TEST(SqliteJournal, WalModeSecondWriterRefusedCorruptRowNamed) {
  const std::string path = temp_dir() + "/j.db";
  {
    auto j = SqliteJournal::open(path);
    ASSERT_TRUE(j);
    auto second = SqliteJournal::open(path);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().reason, "JOURNAL_READ_FAILED");
    auto a = mission(7, "alpha", "x");
    ASSERT_TRUE((*j)->commit(std::span(&a, 1), {}, {}));
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE missions SET json='{\"id\": 7}' WHERE id=7", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto j = SqliteJournal::open(path);
  ASSERT_TRUE(j);
  auto s = (*j)->load();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().reason, "JOURNAL_CORRUPT");
  EXPECT_NE(s.error().message.find("row id 7"), std::string::npos) << s.error().message;
}

TEST(SqliteJournal, UnwritablePathIsAnError) {
  auto j = SqliteJournal::open("/proc/skylane-no/j.db");
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().reason, "JOURNAL_READ_FAILED");
}

std::string write(const std::string& text) {
  const std::string p = temp_dir() + "/c.toml";
  std::ofstream(p) << text;
  return p;
}

TEST(ServiceConfig, LayersFileThenEnvironment) {
  ServiceConfig c = default_config();
  const auto file = write(
      "listen = \"127.0.0.1:6000\"\nmap = \"/m.skya\"\n[limits]\nmax_concurrent_plans = 3\n"
      "[[tokens]]\noperator = \"a\"\nsha256 = \"" +
      sha256_hex("t") + "\"\nroles = [\"operator\"]\n");
  ASSERT_TRUE(apply_config_file(c, file));
  EXPECT_EQ(c.listen, "127.0.0.1:6000");
  EXPECT_EQ(c.limits.max_concurrent_plans, 3);
  ASSERT_EQ(c.tokens.size(), 1u);
  ASSERT_TRUE(apply_environment(c, {{"SKYLANED_LISTEN", "127.0.0.1:7000"},
                                    {"SKYLANED_MAX_CONCURRENT_PLANS", "5"},
                                    {"HOME", "/x"}}));
  EXPECT_EQ(c.listen, "127.0.0.1:7000");
  EXPECT_EQ(c.limits.max_concurrent_plans, 5);
  EXPECT_TRUE(validate_config(c)) << validate_config(c).error().to_string();
  // --print-config output reads back to the same configuration.
  ServiceConfig d;
  ASSERT_TRUE(apply_config_file(d, write(config_to_toml(c))));
  EXPECT_EQ(config_to_toml(d), config_to_toml(c));
}

TEST(ServiceConfig, UnknownKeysAndBadValuesAreErrors) {
  ServiceConfig c = default_config();
  auto r = apply_config_file(c, write("listne = \"x\"\n"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "CONFIG_UNKNOWN_KEY");
  EXPECT_NE(r.error().message.find("listne"), std::string::npos);
  r = apply_config_file(c, write("[limits]\nmax_plans = 2\n"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "CONFIG_UNKNOWN_KEY");
  r = apply_config_file(c, write("listen = 5\n"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "CONFIG_INVALID_VALUE");
  r = apply_config_file(c, write("listen = \n"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "CONFIG_PARSE_ERROR");
  r = apply_environment(c, {{"SKYLANED_LISTN", "x"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "CONFIG_UNKNOWN_KEY");
  r = apply_environment(c, {{"SKYLANED_MAX_MESSAGE_BYTES", "lots"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "CONFIG_INVALID_VALUE");
}

TEST(ServiceConfig, PlaintextOnlyOnLoopbackAndTokensWellFormed) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1:1"));
  EXPECT_TRUE(is_loopback_address("localhost:1"));
  EXPECT_TRUE(is_loopback_address("[::1]:1"));
  EXPECT_FALSE(is_loopback_address("0.0.0.0:1"));
  EXPECT_FALSE(is_loopback_address("127.example.com:1"));
  ServiceConfig c = default_config();
  c.map = "/m.skya";
  c.tokens = {{"a", sha256_hex("t"), {"operator"}}};
  c.listen = "0.0.0.0:50051";
  auto r = validate_config(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("loopback"), std::string::npos);
  c.allow_insecure_remote = true;
  EXPECT_TRUE(validate_config(c));
  c.tokens = {{"a", "ABC", {"operator"}}};
  EXPECT_FALSE(validate_config(c));
  c.tokens = {{"a", sha256_hex("t"), {"pilot"}}};
  EXPECT_FALSE(validate_config(c));
  c.tokens.clear();  // no tokens: only on loopback (a local token is generated)
  EXPECT_FALSE(validate_config(c));
  c.listen = "127.0.0.1:50051";
  EXPECT_TRUE(validate_config(c));
}

TEST(TokenTable, AuthenticatesByHashWithRoles) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  TokenTable t({{"alpha", sha256_hex("secret-a"), {"operator"}},
                {"caac", sha256_hex("secret-c"), {"airspace_authority", "operator"}}});
  auto p = t.authenticate("Bearer secret-a");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->operator_id, "alpha");
  EXPECT_TRUE(p->is_operator);
  EXPECT_FALSE(p->is_authority);
  p = t.authenticate("Bearer secret-c");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->is_authority);
  EXPECT_EQ(t.authenticate(std::nullopt).error().reason, "AUTH_MISSING");
  EXPECT_EQ(t.authenticate("secret-a").error().reason, "AUTH_MALFORMED");
  EXPECT_EQ(t.authenticate("Bearer ").error().reason, "AUTH_MALFORMED");
  EXPECT_EQ(t.authenticate("Bearer a\tb").error().reason, "AUTH_MALFORMED");
  EXPECT_EQ(t.authenticate("Bearer secret-b").error().reason, "AUTH_INVALID_TOKEN");
  EXPECT_EQ(t.authenticate("Bearer secret-b").error().code, Code::kUnauthenticated);
  auto g1 = generate_token();
  auto g2 = generate_token();
  ASSERT_TRUE(g1 && g2);
  EXPECT_EQ(g1->size(), 43u);
  EXPECT_NE(*g1, *g2);
}

}  // namespace
}  // namespace skylane::service
