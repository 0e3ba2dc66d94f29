// Integration tests of skylaned (issue 5 §5-§7): the real binary on a loopback port with a
// temporary config (two operators, one airspace authority) and database, driven by C++ gRPC
// stubs and by examples/operator_console.py. Needs the default map (ctest fixture default_map).
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "service_harness.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/geo/geo_frame.hpp"

namespace skylane::testing {
namespace {

using namespace std::chrono_literals;

const char* kHub = "Huaqiangbei hub (SEG Plaza)";
const std::vector<std::pair<std::string, std::string>> kPairs = {
    {"Huaqiangbei hub (SEG Plaza)", "Buji relay"},
    {"Buji relay", "Pinghu relay"},
    {"Pinghu relay", "Huaqiangbei hub (SEG Plaza)"},
    {"Buji relay", "Huaqiangbei hub (SEG Plaza)"},
    {"Pinghu relay", "Buji relay"},
    {"Huaqiangbei hub (SEG Plaza)", "Pinghu relay"},
};

// One server for the suite (starting one loads the map: ~15 s in a dev build).
class ServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess("[limits]\nmax_message_bytes = 262144\n");
    const std::string err = server_->start();
    if (!err.empty()) {
      start_error_ = new std::string(err);
      return;
    }
    channel_ = new std::shared_ptr<grpc::Channel>(server_->channel());
  }
  static void TearDownTestSuite() {
    if (server_) {
      // Graceful stop: SIGTERM must end the process cleanly.
      const int status = server_->kill(SIGTERM);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << server_->log_tail();
    }
    delete channel_;
    delete server_;
    delete start_error_;
  }
  void SetUp() override {
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
    missions_ = pb::MissionService::NewStub(*channel_);
    airspace_ = pb::AirspaceService::NewStub(*channel_);
    reference_ = pb::ReferenceService::NewStub(*channel_);
  }
  const TestTokens& tok() const { return server_->tokens(); }

  grpc::Status submit(const std::string& token, const pb::SubmitMissionRequest& r, pb::Mission& out,
                      std::string* reason = nullptr) {
    auto ctx = context_with(&token, 60s);
    const auto st = missions_->SubmitMission(ctx.get(), r, &out);
    if (reason) *reason = reason_of(*ctx);
    return st;
  }

  static ServerProcess* server_;
  static std::shared_ptr<grpc::Channel>* channel_;
  static std::string* start_error_;
  std::unique_ptr<pb::MissionService::Stub> missions_;
  std::unique_ptr<pb::AirspaceService::Stub> airspace_;
  std::unique_ptr<pb::ReferenceService::Stub> reference_;
};
ServerProcess* ServiceTest::server_ = nullptr;
std::shared_ptr<grpc::Channel>* ServiceTest::channel_ = nullptr;
std::string* ServiceTest::start_error_ = nullptr;

TEST_F(ServiceTest, SubmitGetListCancelAndIdempotency) {
  pb::Mission m;
  const auto req = submit_request(kHub, "Buji relay", 2.0, now_unix_ms() + 20 * 60'000, "sgc-1");
  ASSERT_TRUE(submit(tok().alpha, req, m).ok());
  ASSERT_EQ(m.state(), pb::MISSION_STATE_PLANNED) << m.reason() << " " << m.reason_text();
  EXPECT_EQ(m.operator_id(), "alpha");
  ASSERT_TRUE(m.has_plan());
  ASSERT_FALSE(m.plan().legs().empty());
  const auto& wps = m.plan().legs(0).waypoints();
  ASSERT_GE(wps.size(), 2);
  // WGS 84 waypoints near the two vertiports, times increasing from the departure.
  EXPECT_NEAR(wps[0].lon_deg(), 114.0811, 0.01);
  EXPECT_NEAR(wps[0].lat_deg(), 22.5436, 0.01);
  for (int i = 1; i < wps.size(); ++i) EXPECT_GE(wps[i].t_unix_ms(), wps[i - 1].t_unix_ms());
  EXPECT_GE(m.plan().arrival_unix_ms(), m.plan().departure_unix_ms());
  EXPECT_GT(m.plan().energy_wh(), 0.0);

  // Same request_id: the original mission, not a new one.
  pb::Mission again;
  ASSERT_TRUE(submit(tok().alpha, req, again).ok());
  EXPECT_EQ(again.id(), m.id());

  pb::Mission got;
  auto ctx = context_with(&tok().alpha);
  pb::GetMissionRequest g;
  g.set_id(m.id());
  ASSERT_TRUE(missions_->GetMission(ctx.get(), g, &got).ok());
  EXPECT_EQ(got.plan().legs(0).waypoints_size(), wps.size());

  pb::ListMissionsResponse list;
  ctx = context_with(&tok().alpha);
  pb::ListMissionsRequest lr;
  lr.set_state(pb::MISSION_STATE_PLANNED);
  ASSERT_TRUE(missions_->ListMissions(ctx.get(), lr, &list).ok());
  bool listed = false;
  for (const auto& x : list.missions()) {
    EXPECT_EQ(x.operator_id(), "alpha");
    listed |= x.id() == m.id();
  }
  EXPECT_TRUE(listed);

  pb::CancelMissionRequest c;
  c.set_id(m.id());
  pb::Mission cancelled;
  ctx = context_with(&tok().alpha);
  ASSERT_TRUE(missions_->CancelMission(ctx.get(), c, &cancelled).ok());
  EXPECT_EQ(cancelled.state(), pb::MISSION_STATE_CANCELLED);
  ctx = context_with(&tok().alpha);
  const auto st = missions_->CancelMission(ctx.get(), c, &cancelled);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(reason_of(*ctx), "MISSION_FINAL");
}

TEST_F(ServiceTest, OperatorsAreIsolated) {
  pb::Mission m;
  ASSERT_TRUE(
      submit(tok().alpha, submit_request(kHub, "Pinghu relay", 1.0, now_unix_ms() + 25 * 60'000), m)
          .ok());
  pb::GetMissionRequest g;
  g.set_id(m.id());
  pb::Mission got;
  auto ctx = context_with(&tok().beta);
  auto st = missions_->GetMission(ctx.get(), g, &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(reason_of(*ctx), "MISSION_NOT_FOUND");
  pb::CancelMissionRequest c;
  c.set_id(m.id());
  ctx = context_with(&tok().beta);
  st = missions_->CancelMission(ctx.get(), c, &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  pb::ListMissionsResponse list;
  ctx = context_with(&tok().beta);
  ASSERT_TRUE(missions_->ListMissions(ctx.get(), {}, &list).ok());
  for (const auto& x : list.missions()) EXPECT_EQ(x.operator_id(), "beta");
  // The authority reads every operator's missions.
  ctx = context_with(&tok().authority);
  EXPECT_TRUE(missions_->GetMission(ctx.get(), g, &got).ok());
  // The owner's mission is still planned.
  ctx = context_with(&tok().alpha);
  ASSERT_TRUE(missions_->GetMission(ctx.get(), g, &got).ok());
  EXPECT_NE(got.state(), pb::MISSION_STATE_CANCELLED);
}

struct BadCase {
  const char* name;
  pb::SubmitMissionRequest request;
  grpc::StatusCode code;
  const char* reason;
};

TEST_F(ServiceTest, BadSubmitInputIsRefusedWithAReason) {
  const auto t = now_unix_ms() + 20 * 60'000;
  std::vector<BadCase> cases;
  cases.push_back({"unknown vertiport", submit_request("Atlantis dock", kHub, 1.0, t),
                   grpc::StatusCode::NOT_FOUND, "VERTIPORT_NOT_FOUND"});
  {
    auto r = submit_request(kHub, kHub, 1.0, t);
    r.mutable_mission()->mutable_destination()->mutable_point()->set_lon_deg(100.0);
    r.mutable_mission()->mutable_destination()->mutable_point()->set_lat_deg(22.5);
    cases.push_back(
        {"outside the map", r, grpc::StatusCode::OUT_OF_RANGE, "PLAN_POINT_OUTSIDE_MAP"});
  }
  {
    auto r = submit_request(kHub, kHub, 1.0, t);
    r.mutable_mission()->mutable_origin()->mutable_point()->set_lon_deg(std::nan(""));
    r.mutable_mission()->mutable_origin()->mutable_point()->set_lat_deg(22.5);
    cases.push_back(
        {"NaN coordinate", r, grpc::StatusCode::INVALID_ARGUMENT, "MISSION_REQUEST_INVALID"});
  }
  cases.push_back({"negative payload", submit_request(kHub, "Buji relay", -1.0, t),
                   grpc::StatusCode::INVALID_ARGUMENT, "MISSION_REQUEST_INVALID"});
  cases.push_back({"huge payload", submit_request(kHub, "Buji relay", 1e12, t),
                   grpc::StatusCode::INVALID_ARGUMENT, "MISSION_REQUEST_INVALID"});
  {
    auto r = submit_request(kHub, "Buji relay", 1.0, t);
    r.mutable_mission()->set_deadline_unix_ms(t - 60'000);
    cases.push_back({"deadline before departure", r, grpc::StatusCode::INVALID_ARGUMENT,
                     "MISSION_REQUEST_INVALID"});
  }
  {
    auto r = submit_request(kHub, "Buji relay", 1.0, t);
    r.mutable_mission()->clear_origin();
    cases.push_back({"missing origin", r, grpc::StatusCode::INVALID_ARGUMENT, "REQUEST_INVALID"});
  }
  {
    auto r = submit_request(kHub, "Buji relay", 1.0, t);
    r.mutable_mission()->set_vehicle_class("zeppelin");
    cases.push_back({"unknown class", r, grpc::StatusCode::NOT_FOUND, "VEHICLE_CLASS_NOT_FOUND"});
  }
  for (const auto& c : cases) {
    pb::Mission m;
    std::string reason;
    const auto st = submit(tok().alpha, c.request, m, &reason);
    EXPECT_EQ(st.error_code(), c.code) << c.name << ": " << st.error_message();
    EXPECT_EQ(reason, c.reason) << c.name << ": " << st.error_message();
    EXPECT_NE(st.error_message().find(c.reason), std::string::npos) << c.name;
  }
}

TEST_F(ServiceTest, BadRestrictionsPagesAndOversizedMessages) {
  auto ctx = context_with(&tok().authority);
  pb::AddRestrictionRequest req;
  req.mutable_restriction()->set_ceiling_m(500);
  pb::AddRestrictionResponse resp;
  auto st = airspace_->AddRestriction(ctx.get(), req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason_of(*ctx), "REQUEST_INVALID");

  // Two points are not a polygon.
  for (int i = 0; i < 2; ++i) {
    auto* p = req.mutable_restriction()->add_ring();
    p->set_lon_deg(114.1 + 0.01 * i);
    p->set_lat_deg(22.6);
  }
  ctx = context_with(&tok().authority);
  st = airspace_->AddRestriction(ctx.get(), req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  EXPECT_FALSE(reason_of(*ctx).empty());

  // Bigger than limits.max_message_bytes (256 KiB): refused by the transport, no crash.
  pb::AddRestrictionRequest huge;
  for (int i = 0; i < 30'000; ++i) {
    auto* p = huge.mutable_restriction()->add_ring();
    p->set_lon_deg(114.1 + 1e-6 * i);
    p->set_lat_deg(22.6 + 1e-6 * (i % 7));
  }
  ASSERT_GT(huge.ByteSizeLong(), 262144u);
  ctx = context_with(&tok().authority);
  st = airspace_->AddRestriction(ctx.get(), huge, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();

  pb::ListMissionsRequest lr;
  lr.set_page_token("not-a-token");
  pb::ListMissionsResponse list;
  ctx = context_with(&tok().alpha);
  st = missions_->ListMissions(ctx.get(), lr, &list);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reason_of(*ctx), "PAGE_TOKEN_INVALID");
  EXPECT_TRUE(server_->serving());
}

TEST_F(ServiceTest, AuthenticationAndRoles) {
  pb::ListMissionsResponse list;
  auto ctx = context_with(nullptr);
  auto st = missions_->ListMissions(ctx.get(), {}, &list);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(reason_of(*ctx), "AUTH_MISSING");

  for (const std::string& bad : {std::string("Basic abc"), std::string("Bearer "),
                                 std::string("Bearer a b"), "Bearer " + std::string(5000, 'x')}) {
    grpc::ClientContext c;
    c.AddMetadata("authorization", bad);
    st = missions_->ListMissions(&c, {}, &list);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << bad.substr(0, 20);
    EXPECT_EQ(reason_of(c), "AUTH_MALFORMED") << bad.substr(0, 20);
  }
  const std::string wrong = "not-a-configured-token";
  ctx = context_with(&wrong);
  st = missions_->ListMissions(ctx.get(), {}, &list);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(reason_of(*ctx), "AUTH_INVALID_TOKEN");

  // Operators may not restrict airspace; the authority does not fly missions.
  pb::AddRestrictionRequest rr;
  pb::AddRestrictionResponse resp;
  ctx = context_with(&tok().alpha);
  st = airspace_->AddRestriction(ctx.get(), rr, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(reason_of(*ctx), "ROLE_REQUIRED");
  pb::Mission m;
  std::string reason;
  st = submit(tok().authority, submit_request(kHub, "Buji relay", 1.0, now_unix_ms()), m, &reason);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(reason, "ROLE_REQUIRED");
  pb::WatchMissionsRequest w;
  w.set_all_operators(true);
  ctx = context_with(&tok().alpha, 5s);
  auto reader = missions_->WatchMissions(ctx.get(), w);
  pb::MissionEvent ev;
  EXPECT_FALSE(reader->Read(&ev));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ServiceTest, RestrictionReplansAffectedMissionsWithEvents) {
  // A mission of beta, and a watch stream of beta's events opened before the restriction.
  pb::Mission m;
  ASSERT_TRUE(
      submit(tok().beta, submit_request(kHub, "Buji relay", 1.0, now_unix_ms() + 30 * 60'000), m)
          .ok());
  ASSERT_EQ(m.state(), pb::MISSION_STATE_PLANNED) << m.reason();
  const auto& wps = m.plan().legs(0).waypoints();
  const auto& mid = wps[wps.size() / 2];

  auto watch_ctx = context_with(&tok().beta, 120s);
  pb::WatchMissionsRequest w;
  auto reader = missions_->WatchMissions(watch_ctx.get(), w);
  std::vector<pb::MissionEvent> events;
  std::mutex mu;
  std::thread watcher([&] {
    pb::MissionEvent ev;
    while (reader->Read(&ev)) {
      std::lock_guard lock(mu);
      events.push_back(ev);
    }
  });
  std::this_thread::sleep_for(500ms);  // the stream is open (headers sent) before the change

  pb::AddRestrictionRequest req;
  auto* r = req.mutable_restriction();
  r->set_name("test fire");
  r->set_kind("prohibited");
  const double d = 0.004;  // ~400 m around the middle of the route
  for (const auto& [dx, dy] :
       std::vector<std::pair<double, double>>{{-d, -d}, {d, -d}, {d, d}, {-d, d}}) {
    auto* p = r->add_ring();
    p->set_lon_deg(mid.lon_deg() + dx);
    p->set_lat_deg(mid.lat_deg() + dy);
  }
  r->set_floor_m(0);
  r->set_ceiling_m(5000);
  r->set_active_from_unix_ms(now_unix_ms());
  pb::AddRestrictionResponse resp;
  auto ctx = context_with(&tok().authority, 120s);
  const auto st = airspace_->AddRestriction(ctx.get(), req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_GT(resp.restriction().id(), 0);
  EXPECT_EQ(resp.restriction().created_by(), "caac");
  std::set<std::int64_t> touched(resp.replanned_mission_ids().begin(),
                                 resp.replanned_mission_ids().end());
  touched.insert(resp.rejected_mission_ids().begin(), resp.rejected_mission_ids().end());
  EXPECT_TRUE(touched.count(m.id())) << "the restriction covers the route's middle waypoint";

  // The event arrives on beta's stream.
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    std::this_thread::sleep_for(100ms);
    std::lock_guard lock(mu);
    for (const auto& e : events) {
      EXPECT_EQ(e.operator_id(), "beta");
      if (e.mission_id() == m.id() && (e.kind() == pb::MISSION_EVENT_KIND_REPLANNED ||
                                       e.kind() == pb::MISSION_EVENT_KIND_REJECTED)) {
        seen = true;
      }
    }
  }
  watch_ctx->TryCancel();
  watcher.join();
  EXPECT_TRUE(seen);

  // The new plan (if any) avoids the box's centre; the restriction is listed, then removed.
  pb::Mission after;
  pb::GetMissionRequest g;
  g.set_id(m.id());
  ctx = context_with(&tok().beta);
  ASSERT_TRUE(missions_->GetMission(ctx.get(), g, &after).ok());
  EXPECT_GT(after.version(), m.version());
  if (after.state() == pb::MISSION_STATE_PLANNED) {
    EXPECT_GE(after.replans(), 1);
  }
  pb::ListRestrictionsResponse rl;
  ctx = context_with(&tok().alpha);
  ASSERT_TRUE(airspace_->ListRestrictions(ctx.get(), {}, &rl).ok());
  ASSERT_GE(rl.restrictions_size(), 1);
  pb::RemoveRestrictionRequest rm;
  rm.set_id(resp.restriction().id());
  pb::Restriction removed;
  ctx = context_with(&tok().authority);
  EXPECT_TRUE(airspace_->RemoveRestriction(ctx.get(), rm, &removed).ok());
  ctx = context_with(&tok().authority);
  const auto again = airspace_->RemoveRestriction(ctx.get(), rm, &removed);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServiceTest, AcceptedPlansArePairwiseConflictFree) {
  // Concurrent submits of both operators on crossing routes, then the independent checker on
  // every accepted plan as the API returns it (WGS 84 converted back to UTM 50N, the map's CRS).
  const auto t0 = now_unix_ms() + 40 * 60'000;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 6; ++i) {
        const auto& pr = kPairs[(k + i) % kPairs.size()];
        pb::Mission m;
        const auto st = submit(k % 2 ? tok().beta : tok().alpha,
                               submit_request(pr.first, pr.second, 1.0, t0 + i * 20'000), m);
        // A plan slot that stays busy past the call's deadline (RESOURCE_EXHAUSTED) is a
        // legitimate answer on a loaded 2-core machine; any other error is not.
        if (!st.ok() && st.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);

  auto frame = geo::GeoFrame::create("EPSG:32650");
  ASSERT_TRUE(frame) << frame.error().to_string();
  std::map<std::string, traj::SeparationEnvelope> envelopes;
  {
    pb::ListVehicleClassesResponse classes;
    auto ctx = context_with(&tok().alpha);
    ASSERT_TRUE(reference_->ListVehicleClasses(ctx.get(), {}, &classes).ok());
    for (const auto& c : classes.vehicle_classes()) {
      traj::SeparationEnvelope e;
      e.horizontal_m = c.horizontal_separation_m();
      e.vertical_m = c.vertical_separation_m();
      envelopes[c.name()] = e;
    }
  }
  std::vector<traj::Trajectory4D> trajectories;
  std::vector<std::string> classes;
  std::string token;
  pb::ListMissionsRequest lr;
  lr.set_page_size(50);
  int planned = 0;
  for (;;) {
    pb::ListMissionsResponse page;
    auto ctx = context_with(&tok().authority);
    ASSERT_TRUE(missions_->ListMissions(ctx.get(), lr, &page).ok());
    for (const auto& m : page.missions()) {
      if (m.state() != pb::MISSION_STATE_PLANNED && m.state() != pb::MISSION_STATE_ACTIVE) {
        continue;
      }
      ++planned;
      for (const auto& leg : m.plan().legs()) {
        traj::Trajectory4D t;
        t.id = m.id();
        for (const auto& w : leg.waypoints()) {
          auto p = frame->to_plane({w.lon_deg(), w.lat_deg()});
          ASSERT_TRUE(p);
          t.points.push_back({p->x_m, p->y_m, w.alt_amsl_m(), traj::Millis(w.t_unix_ms() - t0)});
        }
        trajectories.push_back(std::move(t));
        classes.push_back(m.plan().vehicle_class());
      }
    }
    if (page.next_page_token().empty()) break;
    lr.set_page_token(page.next_page_token());
  }
  EXPECT_GE(planned, 10) << "too few accepted plans for a meaningful check";
  std::vector<conflict::FlightRef> refs;
  for (std::size_t i = 0; i < trajectories.size(); ++i) {
    ASSERT_TRUE(envelopes.count(classes[i]));
    refs.push_back({&trajectories[i], envelopes[classes[i]]});
  }
  auto report = conflict::check_all(refs);
  ASSERT_TRUE(report) << report.error().to_string();
  // Legs of one mission are one vehicle: the next leg may start on the pad at the very instant
  // the previous one's dwell ends (the checker reports that touch as a zero-length violation at
  // 0 m). Anything longer between two legs of one mission would put the vehicle in two places.
  for (const auto& v : report->violations) {
    if (v.id_a == v.id_b) {
      EXPECT_LE((v.end - v.begin).count(), 0.002) << "mission " << v.id_a << " overlaps itself";
      EXPECT_LT(v.min_distance_3d_m, 0.01) << "mission " << v.id_a << " is in two places";
      continue;
    }
    ADD_FAILURE() << "missions " << v.id_a << " and " << v.id_b << " conflict at t+"
                  << v.begin.count() << " s, " << v.min_horizontal_m << " m apart";
  }
}

TEST_F(ServiceTest, MetricsEndpointCountsRpcs) {
  const std::string cmd =
      "/usr/bin/python3 -c \"import urllib.request,sys; "
      "sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:" +
      std::to_string(server_->metrics_port()) + "/metrics').read().decode())\"";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  ::pclose(p);
  EXPECT_NE(text.find("skylane_rpc_total{method=\"SubmitMission\",code=\"OK\"}"), std::string::npos)
      << text.substr(0, 2000);
  EXPECT_NE(text.find("skylane_rpc_duration_seconds_bucket{method=\"SubmitMission\""),
            std::string::npos);
  EXPECT_NE(text.find("skylane_missions{state=\"PLANNED\"}"), std::string::npos);
  EXPECT_NE(text.find("skylane_reservation_entries"), std::string::npos);
  EXPECT_NE(text.find("skylane_plan_duration_seconds_count"), std::string::npos);
}

// --- the Python operator console against the same server -------------------------------------

struct ConsoleRun {
  int rc;
  std::string out;
};
ConsoleRun console(const std::string& target, const std::string& token, const std::string& args) {
  const std::string cmd = "SKYLANE_TOKEN='" + token +
                          "' /usr/bin/python3 " SKYLANE_SOURCE_DIR
                          "/examples/operator_console.py --proto-path " SKYLANE_BINARY_DIR
                          "/python --compact --target " +
                          target + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ConsoleRun r{-1, ""};
  if (!p) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST_F(ServiceTest, OperatorConsoleRoundTrip) {
  const std::string target = server_->target();
  // A watch in the background, counting two events of alpha.
  std::thread watcher;
  ConsoleRun watched;
  watcher =
      std::thread([&] { watched = console(target, tok().alpha, "watch --count 2 --timeout 60"); });
  std::this_thread::sleep_for(1500ms);
  auto r = console(target, tok().alpha,
                   "submit --from 'Huaqiangbei hub (SEG Plaza)' --to 114.12,22.62 "
                   "--payload-kg 1.5 --depart +20m --priority 3 --request-id console-1");
  ASSERT_EQ(r.rc, 0) << r.out;
  const auto m = nlohmann::json::parse(r.out);
  ASSERT_EQ(m["state"], "MISSION_STATE_PLANNED") << r.out;
  const std::string id = m["id"].get<std::string>();
  EXPECT_EQ(m["spec"]["priority"], 3);
  EXPECT_FALSE(m["plan"]["legs"][0]["waypoints"].empty());

  r = console(target, tok().alpha, "get " + id + " --summary");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["state"], "MISSION_STATE_PLANNED");
  r = console(target, tok().alpha, "list --state planned --summary --all");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("\"id\": " + id), std::string::npos) << r.out;
  r = console(target, tok().beta, "get " + id);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("MISSION_NOT_FOUND"), std::string::npos) << r.out;
  r = console(target, tok().alpha, "cancel " + id);
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(nlohmann::json::parse(r.out)["state"], "MISSION_STATE_CANCELLED");
  watcher.join();
  ASSERT_EQ(watched.rc, 0) << watched.out;
  EXPECT_NE(watched.out.find("MISSION_EVENT_KIND_PLANNED"), std::string::npos) << watched.out;
  EXPECT_NE(watched.out.find("MISSION_EVENT_KIND_CANCELLED"), std::string::npos) << watched.out;

  // Bad input and a bad token: code + reason, non-zero exit.
  r = console(target, tok().alpha, "submit --from Nowhere --to 114.12,22.62 --payload-kg 1");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("\"reason\": \"VERTIPORT_NOT_FOUND\""), std::string::npos) << r.out;
  r = console(target, "wrong", "list");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("UNAUTHENTICATED"), std::string::npos) << r.out;

  // Restrictions need the authority.
  r = console(target, tok().alpha, "restrict add --box 114.30,22.70,114.31,22.71");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("ROLE_REQUIRED"), std::string::npos) << r.out;
  r = console(target, tok().authority,
              "restrict add --name console-box --box 114.30,22.70,114.31,22.71 --ceiling-m 300");
  ASSERT_EQ(r.rc, 0) << r.out;
  const std::string rid = nlohmann::json::parse(r.out)["restriction"]["id"].get<std::string>();
  r = console(target, tok().authority, "restrict list");
  EXPECT_NE(r.out.find("console-box"), std::string::npos) << r.out;
  r = console(target, tok().authority, "restrict remove --id " + rid);
  EXPECT_EQ(r.rc, 0) << r.out;
}

// --- durability: kill -9 under load, restart -------------------------------------------------

TEST(ServiceCrash, Kill9UnderLoadLosesNothingAcknowledged) {
  ServerProcess server;
  std::string err = server.start();
  ASSERT_TRUE(err.empty()) << err;
  const TestTokens tok = server.tokens();
  struct Ack {
    std::string token, request_id;
    std::int64_t id;
  };
  std::vector<Ack> acked;
  std::mutex mu;
  std::atomic<bool> stop{false};
  const auto t0 = now_unix_ms() + 60 * 60'000;
  std::vector<std::thread> threads;
  {
    auto channel = server.channel();
    for (int k = 0; k < 4; ++k) {
      threads.emplace_back([&, k, channel] {
        auto stub = pb::MissionService::NewStub(channel);
        const std::string& token = k % 2 ? tok.beta : tok.alpha;
        for (int i = 0; !stop.load(); ++i) {
          const auto& pr = kPairs[(k + i) % kPairs.size()];
          const std::string rid = "crash-" + std::to_string(k) + "-" + std::to_string(i);
          auto ctx = context_with(&token, 20s);
          pb::Mission m;
          if (stub->SubmitMission(
                      ctx.get(), submit_request(pr.first, pr.second, 1.0, t0 + i * 10'000, rid), &m)
                  .ok()) {
            std::lock_guard lock(mu);
            acked.push_back({token, rid, m.id()});
          }
        }
      });
    }
    // Let acknowledgements accumulate, then kill -9 in the middle of the stream.
    for (int i = 0; i < 300; ++i) {
      std::this_thread::sleep_for(100ms);
      std::lock_guard lock(mu);
      if (acked.size() >= 12) break;
    }
    const int status = server.kill(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    stop.store(true);
    for (auto& t : threads) t.join();
  }
  ASSERT_GE(acked.size(), 4u) << server.log_tail();

  err = server.start();
  ASSERT_TRUE(err.empty()) << err;
  auto stub = pb::MissionService::NewStub(server.channel());
  for (const auto& a : acked) {
    pb::GetMissionRequest g;
    g.set_id(a.id);
    pb::Mission m;
    auto ctx = context_with(&a.token);
    ASSERT_TRUE(stub->GetMission(ctx.get(), g, &m).ok()) << "acknowledged mission " << a.id;
    EXPECT_EQ(m.request_id(), a.request_id);
    // Resubmitting returns the original.
    const auto& pr = kPairs[0];
    pb::Mission again;
    ctx = context_with(&a.token, 60s);
    ASSERT_TRUE(stub->SubmitMission(ctx.get(),
                                    submit_request(pr.first, pr.second, 1.0, t0, a.request_id),
                                    &again)
                    .ok());
    EXPECT_EQ(again.id(), a.id) << a.request_id;
  }
  // No duplicates: every (operator, request_id) once.
  std::set<std::pair<std::string, std::string>> seen;
  std::set<std::int64_t> ids;
  pb::ListMissionsRequest lr;
  lr.set_page_size(1000);
  pb::ListMissionsResponse page;
  auto ctx = context_with(&tok.authority);
  ASSERT_TRUE(stub->ListMissions(ctx.get(), lr, &page).ok());
  for (const auto& m : page.missions()) {
    EXPECT_TRUE(ids.insert(m.id()).second);
    if (!m.request_id().empty()) {
      EXPECT_TRUE(seen.insert({m.operator_id(), m.request_id()}).second) << m.request_id();
    }
  }
  EXPECT_GE(ids.size(), acked.size());
}

}  // namespace
}  // namespace skylane::testing
