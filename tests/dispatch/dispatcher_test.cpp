// The dispatch core on the embedded Shenzhen–Boluo map (ctest fixture default_map): submit,
// idempotency, validation, operator isolation, cancel frees exactly its reservations, time
// moves missions on, concurrent submits stay conflict-free by the independent checker, a
// restriction replans what it crosses, recovery from the journal, a failing journal
// acknowledges nothing.
#include "skylane/dispatch/dispatcher.hpp"

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/dispatch/mission_json.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::dispatch {
namespace {

constexpr std::int64_t kNow = 1'790'000'000'000;  // 2026-09-21, a fixed test clock
constexpr std::int64_t kHour = 3'600'000;

const std::string& map_path() {
  static const std::string p = std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya";
  return p;
}

/// Forwards to a MemoryJournal the test keeps, so a second dispatcher can recover from it.
class SharedJournal final : public Journal {
 public:
  explicit SharedJournal(MemoryJournal* inner, bool fail = false) : inner_(inner), fail_(fail) {}
  Result<void> commit(std::span<const Mission> m, std::span<const RestrictionSpec> r,
                      std::span<const std::int64_t> removed) override {
    if (fail_) return fail("JOURNAL_WRITE_FAILED", "test journal: disk full");
    return inner_->commit(m, r, removed);
  }
  Result<JournalState> load() override { return inner_->load(); }

 private:
  MemoryJournal* inner_;
  bool fail_;
};

class DispatcherTest : public ::testing::Test {
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

  std::unique_ptr<Dispatcher> make(MemoryJournal* journal, bool failing = false) {
    DispatcherOptions o;
    o.clock = [this] { return now_.load(); };
    o.vehicle_classes = {"flycart30", "meituan", "longrange"};  // fewer planners: faster set-up
    auto d = Dispatcher::create(*map_, *catalogue_,
                                std::make_unique<SharedJournal>(journal, failing), o);
    EXPECT_TRUE(d.has_value()) << d.error().to_string();
    return d ? std::move(*d) : nullptr;
  }

  static MissionRequest request(const std::string& from, const std::string& to,
                                const std::string& op = "op-a", const std::string& rid = "",
                                const std::string& vehicle = "flycart30", double kg = 5.0) {
    MissionRequest r;
    r.operator_id = op;
    r.request_id = rid;
    r.origin.vertiport = from;
    r.destination.vertiport = to;
    r.payload_kg = kg;
    r.vehicle_class = vehicle;
    r.earliest_departure_unix_ms = kNow + 10 * 60'000;
    return r;
  }

  /// Every live flight pairwise by the independent checker.
  static void expect_conflict_free(const Dispatcher& d) {
    const auto flights = d.flights();
    std::vector<conflict::FlightRef> refs;
    for (const auto& f : flights) {
      refs.push_back({&f.trajectory, d.catalogue().find(f.vehicle_class)->separation});
    }
    auto report = conflict::check_all(refs);
    ASSERT_TRUE(report.has_value()) << report.error().to_string();
    std::size_t conflicts = 0;
    for (const auto& v : report->violations) conflicts += v.id_a != v.id_b;  // same vehicle
    EXPECT_EQ(conflicts, 0U) << "among " << flights.size() << " legs";
  }

  static airspace::Airspace* map_;
  static vehicle::VehicleCatalogue* catalogue_;
  std::atomic<std::int64_t> now_{kNow};
};

airspace::Airspace* DispatcherTest::map_ = nullptr;
vehicle::VehicleCatalogue* DispatcherTest::catalogue_ = nullptr;

TEST_F(DispatcherTest, SubmitPlansGetListAndIsolateOperators) {
  MemoryJournal journal;
  auto d = make(&journal);
  ASSERT_TRUE(d);
  auto m = d->submit(request("Luohu Dongmen dock", "Luohu Sungang dock"));
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  ASSERT_EQ(m->state, MissionState::kPlanned) << m->reason << " " << m->reason_text;
  ASSERT_TRUE(m->plan.has_value());
  EXPECT_EQ(m->plan->vehicle_class, "flycart30");
  ASSERT_EQ(m->plan->legs.size(), 1U);
  EXPECT_GE(m->plan->departure_unix_ms, kNow + 10 * 60'000);
  EXPECT_GT(m->plan->arrival_unix_ms, m->plan->departure_unix_ms);
  EXPECT_GT(m->plan->energy_wh, 0.0);
  EXPECT_EQ(journal.commits(), 1U);

  auto got = d->get(m->id, std::string("op-a"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, m->id);
  auto other = d->get(m->id, std::string("op-b"));
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().reason, "MISSION_NOT_FOUND");
  EXPECT_TRUE(d->list({std::string("op-b"), {}, 0, 100}).missions.empty());
  EXPECT_EQ(d->list({std::string("op-a"), MissionState::kPlanned, 0, 100}).missions.size(), 1U);
  auto cancel_other = d->cancel(m->id, std::string("op-b"));
  ASSERT_FALSE(cancel_other.has_value());
  EXPECT_EQ(cancel_other.error().reason, "MISSION_NOT_FOUND");
}

TEST_F(DispatcherTest, SameRequestIdReturnsTheOriginalMission) {
  MemoryJournal journal;
  auto d = make(&journal);
  ASSERT_TRUE(d);
  auto a = d->submit(request("Luohu Dongmen dock", "Longgang centre dock", "op-a", "r-1", "any"));
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  auto b = d->submit(request("Luohu Dongmen dock", "Buji relay", "op-a", "r-1"));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(a->id, b->id);
  EXPECT_EQ(b->request.destination.vertiport, "Longgang centre dock");
  auto c = d->submit(request("Luohu Dongmen dock", "Buji relay", "op-b", "r-1"));
  ASSERT_TRUE(c.has_value());
  EXPECT_NE(c->id, a->id);
  EXPECT_EQ(journal.commits(), 2U);
}

TEST_F(DispatcherTest, BadRequestsAreErrorsNamingTheField) {
  MemoryJournal journal;
  auto d = make(&journal);
  ASSERT_TRUE(d);
  struct Case {
    const char* name;
    std::function<void(MissionRequest&)> edit;
    const char* reason;
    const char* mentions;
  };
  const std::vector<Case> cases = {
      {"unknown vertiport", [](auto& r) { r.origin.vertiport = "Atlantis"; }, "VERTIPORT_NOT_FOUND",
       "Atlantis"},
      {"outside map",
       [](auto& r) {
         r.origin.vertiport.clear();
         r.origin.lon_deg = 116.4;
         r.origin.lat_deg = 39.9;
       },
       "PLAN_POINT_OUTSIDE_MAP", "outside the map"},
      {"NaN coordinate",
       [](auto& r) {
         r.destination.vertiport.clear();
         r.destination.lon_deg = std::nan("");
         r.destination.lat_deg = 22.6;
       },
       "MISSION_REQUEST_INVALID", "destination"},
      {"negative payload", [](auto& r) { r.payload_kg = -1; }, "MISSION_REQUEST_INVALID",
       "payload_kg"},
      {"huge payload", [](auto& r) { r.payload_kg = 1e9; }, "MISSION_REQUEST_INVALID",
       "payload_kg"},
      {"deadline before departure",
       [](auto& r) { r.deadline_unix_ms = r.earliest_departure_unix_ms - 1000; },
       "MISSION_REQUEST_INVALID", "deadline"},
      {"departure in the past", [](auto& r) { r.earliest_departure_unix_ms = kNow - kHour; },
       "MISSION_REQUEST_INVALID", "past"},
      {"unknown class", [](auto& r) { r.vehicle_class = "zeppelin"; }, "VEHICLE_CLASS_NOT_FOUND",
       "zeppelin"},
      {"no operator", [](auto& r) { r.operator_id.clear(); }, "MISSION_REQUEST_INVALID",
       "operator"},
      {"same endpoints", [](auto& r) { r.destination = r.origin; }, "MISSION_REQUEST_INVALID",
       "same"},
  };
  for (const Case& c : cases) {
    MissionRequest r = request("Luohu Dongmen dock", "Luohu Sungang dock");
    c.edit(r);
    auto m = d->submit(r);
    ASSERT_FALSE(m.has_value()) << c.name;
    EXPECT_EQ(m.error().reason, c.reason) << c.name << ": " << m.error().message;
    EXPECT_NE(m.error().message.find(c.mentions), std::string::npos)
        << c.name << ": " << m.error().message;
  }
  EXPECT_EQ(journal.commits(), 0U);
  EXPECT_EQ(d->stats().reservation_entries, 0U);
}

TEST_F(DispatcherTest, PayloadAboveTheClassIsARejectionWithReason) {
  MemoryJournal journal;
  auto d = make(&journal);
  ASSERT_TRUE(d);
  auto m =
      d->submit(request("Luohu Dongmen dock", "Luohu Sungang dock", "op-a", "", "meituan", 20.0));
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->state, MissionState::kRejected);
  EXPECT_EQ(m->reason, "PAYLOAD_ABOVE_CLASS_LIMIT");
  EXPECT_NE(m->reason_text.find("meituan"), std::string::npos) << m->reason_text;
}

TEST_F(DispatcherTest, CancelFreesExactlyItsReservations) {
  MemoryJournal journal;
  auto d = make(&journal);
  ASSERT_TRUE(d);
  auto a = d->submit(request("Luohu Dongmen dock", "Luohu Sungang dock"));
  ASSERT_TRUE(a && a->state == MissionState::kPlanned);
  const std::size_t after_a = d->stats().reservation_entries;
  auto b = d->submit(request("Longgang centre dock", "Luohu Dongmen dock", "op-a", "", "any"));
  ASSERT_TRUE(b.has_value());
  ASSERT_EQ(b->state, MissionState::kPlanned) << b->reason_text;
  EXPECT_GT(d->stats().reservation_entries, after_a);
  auto c = d->cancel(b->id, std::string("op-a"));
  ASSERT_TRUE(c.has_value()) << c.error().to_string();
  EXPECT_EQ(c->state, MissionState::kCancelled);
  EXPECT_EQ(d->stats().reservation_entries, after_a);
  auto again = d->cancel(b->id, std::string("op-a"));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().reason, "MISSION_FINAL");
  EXPECT_EQ(d->flights().size(), 1U);
}

TEST_F(DispatcherTest, TimeMovesMissionsOnWithEvents) {
  MemoryJournal journal;
  auto d = make(&journal);
  ASSERT_TRUE(d);
  auto m = d->submit(request("Luohu Dongmen dock", "Luohu Sungang dock"));
  ASSERT_TRUE(m && m->state == MissionState::kPlanned);
  const auto& p = *m->plan;
  EXPECT_TRUE(d->advance(p.departure_unix_ms - 1).empty());
  auto started = d->advance(p.departure_unix_ms);
  ASSERT_EQ(started.size(), 1U);
  EXPECT_EQ(started[0].kind, EventKind::kStarted);
  EXPECT_EQ(d->get(m->id, {})->state, MissionState::kActive);
  auto done = d->advance(p.arrival_unix_ms + 3 * kHour);
  ASSERT_EQ(done.size(), 1U);
  EXPECT_EQ(done[0].kind, EventKind::kCompleted);
  EXPECT_EQ(d->get(m->id, {})->state, MissionState::kCompleted);
  EXPECT_EQ(d->stats().reservation_entries, 0U) << "completed flights release their airspace";
  const auto events = d->events_after(0, std::chrono::milliseconds(0));
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].kind, EventKind::kPlanned);
  EXPECT_EQ(events[1].kind, EventKind::kStarted);
  EXPECT_EQ(events[2].kind, EventKind::kCompleted);
  EXPECT_LT(events[0].seq, events[1].seq);
  EXPECT_TRUE(d->events_after(events[2].seq, std::chrono::milliseconds(10)).empty());
}

TEST_F(DispatcherTest, ConcurrentSubmitsAreConflictFree) {
  MemoryJournal journal;
  auto d = make(&journal);
  ASSERT_TRUE(d);
  const std::vector<std::string> docks = {"Luohu Dongmen dock",   "Luohu Sungang dock",
                                          "Longgang centre dock", "Buji relay",
                                          "Longhua dock",         "Pinghu relay"};
  std::atomic<int> planned{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 6; ++i) {
        const auto& a = docks[(t + i) % docks.size()];
        const auto& b = docks[(t + 2 * i + 1) % docks.size()];
        if (a == b) continue;
        MissionRequest r = request(a, b, "op-" + std::to_string(t), "", "any", 2.0);
        // The same minute for everyone: maximal contention for the same airspace and pads.
        auto m = d->submit(r);
        if (std::getenv("SKYLANE_TEST_VERBOSE") && m) {
          std::fprintf(stderr, "%s -> %s: %s %s %.1f ms\n", a.c_str(), b.c_str(),
                       mission_state_name(m->state), (m->reason + " " + m->reason_text).c_str(),
                       m->plan ? m->plan->plan_ms : -1.0);
        }
        if (!m) {
          ++errors;
        } else if (m->state == MissionState::kPlanned) {
          ++planned;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(planned.load(), 10);
  expect_conflict_free(*d);
}

TEST_F(DispatcherTest, RecoversEveryAcknowledgedMissionFromTheJournal) {
  MemoryJournal journal;
  std::vector<Mission> acknowledged;
  std::size_t entries = 0;
  {
    auto d = make(&journal);
    ASSERT_TRUE(d);
    for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
             {"Luohu Dongmen dock", "Luohu Sungang dock"},
             {"Buji relay", "Pinghu relay"},
             {"Longhua dock", "Longgang centre dock"}}) {
      auto m = d->submit(request(a, b, "op-a", "rid-" + a, "any"));
      ASSERT_TRUE(m.has_value());
      acknowledged.push_back(*m);
    }
    ASSERT_TRUE(d->cancel(acknowledged[1].id, std::string("op-a")).has_value());
    acknowledged[1] = *d->get(acknowledged[1].id, {});
    entries = d->stats().reservation_entries;
  }
  auto d = make(&journal);
  ASSERT_TRUE(d);
  for (const Mission& m : acknowledged) {
    auto got = d->get(m.id, {});
    ASSERT_TRUE(got.has_value()) << m.id;
    EXPECT_EQ(mission_to_json(*got), mission_to_json(m));
  }
  EXPECT_EQ(d->stats().reservation_entries, entries);
  EXPECT_EQ(d->list({}).missions.size(), acknowledged.size());
  auto again = d->submit(
      request("Luohu Dongmen dock", "Luohu Sungang dock", "op-a", "rid-Luohu Dongmen dock", "any"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id, acknowledged[0].id);
  auto fresh = d->submit(request("Luohu Dongmen dock", "Buji relay", "op-a", "new", "any"));
  ASSERT_TRUE(fresh.has_value());
  EXPECT_GT(fresh->id, acknowledged.back().id) << "ids are never reused";
  expect_conflict_free(*d);
}

TEST_F(DispatcherTest, AFailingJournalAcknowledgesNothing) {
  MemoryJournal journal;
  auto d = make(&journal, /*failing=*/true);
  ASSERT_TRUE(d);
  auto m = d->submit(request("Luohu Dongmen dock", "Luohu Sungang dock"));
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().reason, "JOURNAL_WRITE_FAILED");
  EXPECT_EQ(d->stats().reservation_entries, 0U);
  EXPECT_TRUE(d->list({}).missions.empty());
  EXPECT_TRUE(d->flights().empty());
}

/// Point in polygon (even-odd), lon/lat, written here so the check does not share code with the
/// restriction rasteriser.
bool inside(const std::vector<std::array<double, 2>>& ring, double lon, double lat) {
  bool in = false;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const auto& a = ring[i];
    const auto& b = ring[j];
    if ((a[1] > lat) != (b[1] > lat) && lon < (b[0] - a[0]) * (lat - a[1]) / (b[1] - a[1]) + a[0]) {
      in = !in;
    }
  }
  return in;
}

TEST_F(DispatcherTest, ARestrictionReplansTheMissionsItCrosses) {
  MemoryJournal journal;
  auto d = make(&journal);
  ASSERT_TRUE(d);
  auto m = d->submit(request("Buji relay", "Pinghu relay", "op-a", "", "flycart30"));
  ASSERT_TRUE(m && m->state == MissionState::kPlanned) << (m ? m->reason_text : "");
  auto far =
      d->submit(request("Nanshan Science Park dock", "Nanshan Houhai dock", "op-b", "", "any"));
  ASSERT_TRUE(far.has_value());
  // A box across the middle of the Buji -> Pinghu leg (114.117,22.63 -> 114.139,22.725), from
  // the ground up, for the whole day.
  RestrictionSpec spec;
  spec.name = "test closure";
  spec.ring_lonlat = {{114.11, 22.67}, {114.15, 22.67}, {114.15, 22.69}, {114.11, 22.69}};
  spec.floor_m = 0;
  spec.ceiling_m = 5000;
  spec.active_from_unix_ms = kNow;
  spec.active_to_unix_ms = kNow + 24 * kHour;
  spec.created_by = "authority";
  auto change = d->add_restriction(spec);
  ASSERT_TRUE(change.has_value()) << change.error().to_string();
  EXPECT_GT(change->restriction.id, 0);
  ASSERT_EQ(change->affected.size(), 1U);
  const Mission& n = change->affected[0];
  EXPECT_EQ(n.id, m->id);
  auto frame = geo::GeoFrame::create(map_->info().crs);
  ASSERT_TRUE(frame.has_value());
  // The box is 4 km wide; going round it costs a few km, well within a FlyCart-30's range.
  ASSERT_EQ(n.state, MissionState::kPlanned) << n.reason << ": " << n.reason_text;
  {
    EXPECT_EQ(n.replans, 1);
    for (const auto& leg : n.plan->legs) {
      for (std::size_t i = 1; i < leg.trajectory.points.size(); ++i) {
        const auto& a = leg.trajectory.points[i - 1];
        const auto& b = leg.trajectory.points[i];
        for (int k = 0; k <= 20; ++k) {
          auto ll = frame->to_lonlat(
              {a.x_m + (b.x_m - a.x_m) * k / 20.0, a.y_m + (b.y_m - a.y_m) * k / 20.0});
          ASSERT_TRUE(ll.has_value());
          EXPECT_FALSE(inside(spec.ring_lonlat, ll->lon_deg, ll->lat_deg))
              << "replanned leg enters the restriction at " << ll->lon_deg << "," << ll->lat_deg;
        }
      }
    }
  }
  const auto events = d->events_after(0, std::chrono::milliseconds(0));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().mission_id, m->id);
  EXPECT_EQ(events.back().kind, EventKind::kReplanned);
  EXPECT_EQ(d->get(far->id, {})->version, far->version) << "a far mission is untouched";
  EXPECT_EQ(d->restrictions().size(), 1U);
  // New submits avoid it too.
  auto later = d->submit(request("Buji relay", "Pinghu relay", "op-a", "", "flycart30"));
  ASSERT_TRUE(later.has_value());
  expect_conflict_free(*d);
  // Lifted: the list is empty again, and a recovered dispatcher agrees.
  ASSERT_TRUE(d->remove_restriction(change->restriction.id).has_value());
  EXPECT_TRUE(d->restrictions().empty());
  auto missing = d->remove_restriction(change->restriction.id);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().reason, "RESTRICTION_NOT_FOUND");
}

TEST_F(DispatcherTest, ARestrictionOverTheDestinationRejectsAndBadOnesAreRefused) {
  MemoryJournal journal;
  auto d = make(&journal);
  ASSERT_TRUE(d);
  auto m =
      d->submit(request("Luohu Dongmen dock", "Luohu Sungang dock", "op-a", "", "meituan", 1.0));
  ASSERT_TRUE(m && m->state == MissionState::kPlanned) << (m ? m->reason_text : "");
  // Luohu Sungang dock is at 114.105 E 22.57 N: close it, ground up, all day.
  RestrictionSpec spec;
  spec.name = "Sungang closure";
  spec.ring_lonlat = {{114.100, 22.565}, {114.110, 22.565}, {114.110, 22.575}, {114.100, 22.575}};
  spec.active_from_unix_ms = kNow;
  spec.active_to_unix_ms = kNow + 24 * kHour;
  auto change = d->add_restriction(spec);
  ASSERT_TRUE(change.has_value()) << change.error().to_string();
  ASSERT_EQ(change->affected.size(), 1U);
  EXPECT_EQ(change->affected[0].state, MissionState::kRejected);
  EXPECT_EQ(change->affected[0].reason, "RESTRICTION_CONFLICT");
  EXPECT_NE(change->affected[0].reason_text.find("Sungang closure"), std::string::npos)
      << change->affected[0].reason_text;
  EXPECT_TRUE(d->flights().empty()) << "a rejected mission holds no airspace";
  EXPECT_EQ(d->stats().reservation_entries, 0U);

  RestrictionSpec bad = spec;
  bad.ring_lonlat = {{114.1, 22.5}, {114.2, 22.6}};
  auto r = d->add_restriction(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "RESTRICTION_INVALID");
  bad = spec;
  bad.kind = "volcano";
  r = d->add_restriction(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "RESTRICTION_INVALID");
  bad = spec;
  bad.ring_lonlat = {{10, 10}, {10.1, 10}, {10.1, 10.1}};
  r = d->add_restriction(bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "RESTRICTION_OUTSIDE_MAP");
  EXPECT_EQ(d->restrictions().size(), 1U);
}

TEST(MissionJson, RoundTripsAndNamesBrokenFields) {
  Mission m;
  m.id = 7;
  m.request.operator_id = "op";
  m.request.request_id = "r";
  m.request.origin.vertiport = "A";
  m.request.destination.lon_deg = 114.1;
  m.request.destination.lat_deg = 22.6;
  m.request.payload_kg = 2.5;
  m.request.deadline_unix_ms = 123;
  m.state = MissionState::kPlanned;
  MissionPlan p;
  p.vehicle_class = "meituan";
  PlannedLeg leg;
  leg.trajectory.points = {{1.5, 2.25, 3.125, traj::Millis(4)}, {5, 6, 7, traj::Millis(8)}};
  leg.trajectory_epoch_unix_ms = 99;
  p.legs.push_back(leg);
  p.stops.push_back({"B", "swap", 1, 2});
  m.plan = p;
  const std::string j = mission_to_json(m);
  auto back = mission_from_json(j);
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  EXPECT_EQ(mission_to_json(*back), j);
  EXPECT_EQ(back->plan->legs[0].trajectory.points[0].z_m, 3.125);
  auto broken = mission_from_json(R"({"id": 3, "request": {}})");
  ASSERT_FALSE(broken.has_value());
  EXPECT_EQ(broken.error().reason, "JOURNAL_CORRUPT");
  EXPECT_NE(broken.error().message.find("mission 3"), std::string::npos);
  EXPECT_FALSE(mission_from_json("not json").has_value());

  RestrictionSpec r;
  r.id = 2;
  r.ring_lonlat = {{1, 2}, {3, 4}, {5, 6}};
  r.active_to_unix_ms = 10;
  auto rb = restriction_from_json(restriction_to_json(r));
  ASSERT_TRUE(rb.has_value());
  EXPECT_EQ(restriction_to_json(*rb), restriction_to_json(r));
}

}  // namespace
}  // namespace skylane::dispatch
