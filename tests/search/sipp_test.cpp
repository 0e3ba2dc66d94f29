#include "skylane/search/sipp.hpp"

#include <atomic>
#include <cmath>
#include <map>
#include <queue>
#include <random>
#include <vector>

#include "scenario.hpp"
#include <gtest/gtest.h>

namespace skylane::search {
namespace {

using scenario::AsciiGrid;
using std::chrono::milliseconds;
using traj::SeparationEnvelope;
using traj::Trajectory4D;

// 10 m cells; at 10 m/s an axis move takes 1000 ms, a horizontal diagonal 1415 ms, a vertical
// step 2000 ms at 5 m/s.
constexpr GridGeometry kGeo{0.0, 0.0, 0.0, 10.0, 10.0};
constexpr SeparationEnvelope kEnv{4.0, 4.0, milliseconds{200}};

MotionModel motion(bool hover) {
  MotionModel m;
  m.cruise_speed_mps = 10.0;
  m.climb_rate_mps = 5.0;
  m.descent_rate_mps = 5.0;
  m.can_hover = hover;
  m.ground_wait_step = milliseconds{250};
  return m;
}

SippRequest request(Voxel start, Voxel goal) {
  SippRequest r;
  r.start = start;
  r.goal = goal;
  r.trajectory_id = 1000;
  return r;
}

// Independent oracle: move duration recomputed here, not taken from sipp_detail.
std::int64_t duration_ms(int dx, int dy, int dz, const MotionModel& m) {
  const double h = std::hypot(dx, dy) * kGeo.cell_xy_m;
  const double v = std::abs(dz) * kGeo.cell_z_m;
  const double rate = dz > 0 ? m.climb_rate_mps : m.descent_rate_mps;
  const double s = std::max(h / m.cruise_speed_mps, dz == 0 ? 0.0 : v / rate);
  return static_cast<std::int64_t>(std::llround(std::ceil(s * 1000.0 - 1e-6)));
}

/// Dijkstra over the static grid: shortest flight time, same corner rule.
std::optional<std::int64_t> shortest_time(const AsciiGrid& g, Voxel s, Voxel t,
                                          const MotionModel& m) {
  auto id = [&](Voxel v) { return v.x + g.size_x() * (v.y + g.size_y() * v.z); };
  std::vector<std::int64_t> dist(static_cast<std::size_t>(g.size_x() * g.size_y() * g.size_z()),
                                 -1);
  using Item = std::pair<std::int64_t, int>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> pq;
  std::vector<Voxel> of(dist.size());
  for (int z = 0; z < g.size_z(); ++z)
    for (int y = 0; y < g.size_y(); ++y)
      for (int x = 0; x < g.size_x(); ++x) of[id({x, y, z})] = Voxel{x, y, z};
  pq.push({0, id(s)});
  std::vector<bool> done(dist.size(), false);
  dist[id(s)] = 0;
  while (!pq.empty()) {
    auto [d, u] = pq.top();
    pq.pop();
    if (done[u]) continue;
    done[u] = true;
    const Voxel uv = of[u];
    if (uv == t) return d;
    for (int dz = -1; dz <= 1; ++dz)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          if (!dx && !dy && !dz) continue;
          bool ok = true;
          for (int z = std::min(0, dz); z <= std::max(0, dz); ++z)
            for (int y = std::min(0, dy); y <= std::max(0, dy); ++y)
              for (int x = std::min(0, dx); x <= std::max(0, dx); ++x)
                ok = ok && g.is_free(uv.x + x, uv.y + y, uv.z + z);
          if (!ok) continue;
          const int v = id({uv.x + dx, uv.y + dy, uv.z + dz});
          const std::int64_t nd = d + duration_ms(dx, dy, dz, m);
          if (dist[v] < 0 || nd < dist[v]) {
            dist[v] = nd;
            pq.push({nd, v});
          }
        }
  }
  return std::nullopt;
}

/// Structural checks every plan must pass: adjacency, move durations, no corner cutting, waits
/// only where allowed, and the occupancy rule of sipp.hpp against the table.
void expect_well_formed(const SippPlan& plan, const AsciiGrid& g, const ReservationTable& table,
                        const SippRequest& req, const MotionModel& m) {
  ASSERT_EQ(plan.outcome, Outcome::kFound);
  ASSERT_FALSE(plan.path.empty());
  EXPECT_EQ(plan.path.front().voxel, req.start);
  EXPECT_EQ(plan.path.back().voxel, req.goal);
  EXPECT_GE(plan.path.front().arrival, req.earliest_departure);
  EXPECT_LE(plan.path.front().departure, req.latest_departure);
  EXPECT_EQ(plan.arrival, plan.path.back().arrival);
  EXPECT_EQ(plan.path.back().departure, plan.path.back().arrival + req.goal_dwell);
  if (req.arrival_deadline) {
    EXPECT_LE(plan.arrival, *req.arrival_deadline);
  }
  std::int64_t enter = plan.path.front().arrival.count();
  for (std::size_t k = 0; k < plan.path.size(); ++k) {
    const PathStep& s = plan.path[k];
    EXPECT_TRUE(g.is_free(s.voxel.x, s.voxel.y, s.voxel.z));
    EXPECT_LE(s.arrival, s.departure);
    std::int64_t exit = s.departure.count();
    if (k + 1 < plan.path.size()) {
      const PathStep& n = plan.path[k + 1];
      const int dx = n.voxel.x - s.voxel.x, dy = n.voxel.y - s.voxel.y, dz = n.voxel.z - s.voxel.z;
      ASSERT_TRUE(std::abs(dx) <= 1 && std::abs(dy) <= 1 && std::abs(dz) <= 1 && (dx || dy || dz));
      const std::int64_t d = duration_ms(dx, dy, dz, m);
      EXPECT_EQ((n.arrival - s.departure).count(), d);
      for (int z = std::min(0, dz); z <= std::max(0, dz); ++z)
        for (int y = std::min(0, dy); y <= std::max(0, dy); ++y)
          for (int x = std::min(0, dx); x <= std::max(0, dx); ++x)
            EXPECT_TRUE(g.is_free(s.voxel.x + x, s.voxel.y + y, s.voxel.z + z)) << "corner cut";
      exit = s.departure.count() + (d - d / 2);
      // Without hover the only air waits allowed are in the goal column of a class that
      // hovers to land.
      const bool landing_column = s.voxel.x == req.goal.x && s.voxel.y == req.goal.y;
      if (k > 0 && !m.can_hover && !(m.hovers_to_land && landing_column)) {
        EXPECT_EQ(s.arrival, s.departure) << "air wait without hover";
      }
      EXPECT_TRUE(table.is_free(s.voxel, milliseconds{enter}, milliseconds{exit}))
          << "step " << k << " occupies a reserved voxel";
      enter = s.departure.count() + d / 2;
    } else {
      EXPECT_TRUE(table.is_free(s.voxel, milliseconds{enter}, milliseconds{exit}))
          << "goal step occupies a reserved voxel";
    }
  }
  // Trajectory: through voxel centres, from appearance to the end of the dwell.
  ASSERT_FALSE(plan.trajectory.points.empty());
  EXPECT_EQ(plan.trajectory.id, req.trajectory_id);
  EXPECT_EQ(plan.trajectory.points.front().t, plan.path.front().arrival);
  EXPECT_EQ(plan.trajectory.points.back().t, plan.path.back().departure);
  EXPECT_DOUBLE_EQ(plan.trajectory.points.back().x_m, kGeo.center_x_m(req.goal.x));
}

bool has_air_wait(const SippPlan& p) {
  for (std::size_t k = 1; k + 1 < p.path.size(); ++k)
    if (p.path[k].departure > p.path[k].arrival) return true;
  return false;
}

void expect_separated(const Trajectory4D& a, const Trajectory4D& b) {
  const double buf = static_cast<double>(kEnv.time_buffer.count());
  EXPECT_EQ(scenario::first_conflict(a, b, kEnv.horizontal_m, kEnv.vertical_m, 1.0,
                                     {-buf, -buf / 2, 0.0, buf / 2, buf}),
            "");
}

Result<SippPlan> plan(const AsciiGrid& g, const ReservationTable& t, const SippRequest& r,
                      bool hover = true, const StopCondition& stop = {}) {
  return Sipp<AsciiGrid>(g, t, kGeo, motion(hover)).plan(r, stop);
}

// ---------------------------------------------------------------------------------------------

TEST(Sipp, EmptyTableGivesTheShortestTimePath) {
  const AsciiGrid g({{"S...#....",  //
                      "..#.#.##.", "..#...#..", "..####...", "........."},
                     {"....#....",  //
                      "..#.#..#.", "..#.##...", "...###...", "....#...."},
                     {".........",  //
                      "....#....", "....#G...", "....#....", "........."}});
  const ReservationTable table = ReservationTable::for_grid(g);
  for (const bool hover : {true, false}) {
    const SippRequest r = request(g.at('S'), g.at('G'));
    const auto p = plan(g, table, r, hover);
    ASSERT_TRUE(p) << p.error().to_string();
    expect_well_formed(*p, g, table, r, motion(hover));
    const auto best = shortest_time(g, r.start, r.goal, motion(hover));
    ASSERT_TRUE(best);
    EXPECT_EQ(p->arrival.count(), *best);
    EXPECT_FALSE(has_air_wait(*p));
    EXPECT_EQ(p->path.front().departure, milliseconds{0});
  }
}

TEST(Sipp, EmptyTableMatchesDijkstraOnRandomGrids) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 30; ++trial) {
    AsciiGrid g(9, 8, 3);
    std::bernoulli_distribution wall(0.3);
    for (int z = 0; z < 3; ++z)
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 9; ++x)
          if (wall(rng)) g.set(Voxel{x, y, z}, '#');
    std::uniform_int_distribution<int> ux(0, 8), uy(0, 7), uz(0, 2);
    const Voxel s{ux(rng), uy(rng), uz(rng)};
    const Voxel t{ux(rng), uy(rng), uz(rng)};
    g.set(s, 'S');
    g.set(t, 'G');
    const ReservationTable table = ReservationTable::for_grid(g);
    const auto p = plan(g, table, request(s, t));
    ASSERT_TRUE(p);
    const auto best = shortest_time(g, s, t, motion(true));
    if (!best) {
      EXPECT_EQ(p->outcome, Outcome::kNoRoute);
      EXPECT_EQ(p->reason, NoRouteReason::kGoalUnreachable) << p->reason_text;
      continue;
    }
    expect_well_formed(*p, g, table, request(s, t), motion(true));
    EXPECT_EQ(p->arrival.count(), *best) << "trial " << trial;
  }
}

// A reserved flight crosses a 1-wide corridor at column 6 exactly when the free-space plan
// would pass. North of the corridor a 3x2 room (x = 2..4) allows circling.
std::vector<std::vector<std::string>> crossing_map() {
  return {{"##...####",  //
           "##...####",  //
           "S.......G",  //
           "#########"}};
}

Trajectory4D crossing_traffic() {
  // Southbound along x = 65 m, from y = 35 m at 4000 ms to y = -5 m at 8000 ms (10 m/s).
  return Trajectory4D{1, {{65, 35, 5, milliseconds{4000}}, {65, -5, 5, milliseconds{8000}}}};
}

TEST(Sipp, CrossingTrafficMakesAHoveringVehicleWait) {
  const AsciiGrid g(crossing_map());
  ReservationTable table = ReservationTable::for_grid(g);
  ASSERT_TRUE(table.reserve(crossing_traffic(), kEnv, kEnv, kGeo));
  SippRequest r = request(g.at('S'), g.at('G'));
  r.latest_departure = milliseconds{0};
  const auto p = plan(g, table, r, /*hover=*/true);
  ASSERT_TRUE(p);
  expect_well_formed(*p, g, table, r, motion(true));
  // Column 6 is busy over [4899, 7101) ms (traffic within 4 m of the box, ±200 ms buffer, ±1 ms);
  // the vehicle enters box (6, 1) at 7101 (half-way through the move), reaches its centre at
  // 7601 and G at 9601.
  EXPECT_EQ(p->arrival, milliseconds{9601});
  EXPECT_TRUE(has_air_wait(*p));
  for (const PathStep& s : p->path) EXPECT_EQ(s.voxel.y, 1) << "a waiting vehicle need not detour";
  expect_separated(p->trajectory, crossing_traffic());
}

TEST(Sipp, CrossingTrafficMakesANonHoveringVehicleDetour) {
  const AsciiGrid g(crossing_map());
  ReservationTable table = ReservationTable::for_grid(g);
  ASSERT_TRUE(table.reserve(crossing_traffic(), kEnv, kEnv, kGeo));
  SippRequest r = request(g.at('S'), g.at('G'));
  r.latest_departure = milliseconds{0};  // no waiting on the pad either
  const auto p = plan(g, table, r, /*hover=*/false);
  ASSERT_TRUE(p);
  expect_well_formed(*p, g, table, r, motion(false));
  EXPECT_FALSE(has_air_wait(*p));
  EXPECT_GT(p->path.size(), 9u) << "expected a detour longer than the 9-voxel corridor";
  EXPECT_GE(p->arrival, milliseconds{9601});  // never better than the hovering optimum
  expect_separated(p->trajectory, crossing_traffic());

  // With a pad wait allowed, the non-hovering vehicle simply takes off later instead.
  r.latest_departure = kTimeInf;
  const auto q = plan(g, table, r, /*hover=*/false);
  ASSERT_TRUE(q);
  expect_well_formed(*q, g, table, r, motion(false));
  EXPECT_GT(q->path.front().departure, milliseconds{0});
  expect_separated(q->trajectory, crossing_traffic());
}

TEST(Sipp, HeadOnTrafficInATunnelUsesThePassingPlace) {
  const AsciiGrid g({{"#####P#####",  //
                      "S.........G", "###########"}});
  ReservationTable table = ReservationTable::for_grid(g);
  // Westbound through the whole tunnel, G (105 m) at 3000 ms to S (5 m) at 13000 ms.
  const Trajectory4D oncoming{1,
                              {{105, 15, 5, milliseconds{3000}}, {5, 15, 5, milliseconds{13000}}}};
  ASSERT_TRUE(table.reserve(oncoming, kEnv, kEnv, kGeo));
  SippRequest r = request(g.at('S'), g.at('G'));
  const auto p = plan(g, table, r);
  ASSERT_TRUE(p);
  expect_well_formed(*p, g, table, r, motion(true));
  EXPECT_TRUE(std::any_of(p->path.begin(), p->path.end(),
                          [&](const PathStep& s) { return s.voxel == g.at('P'); }));
  expect_separated(p->trajectory, oncoming);
  // Without the passing place the only way is to appear on the pad after the oncoming flight
  // has landed there (13 s): a departure window closing at 5 s is too tight.
  AsciiGrid closed = g;
  closed.set(g.at('P'), '#');
  r.latest_departure = milliseconds{5000};
  const auto q = plan(closed, table, r);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->outcome, Outcome::kNoRoute);
  EXPECT_EQ(q->reason, NoRouteReason::kDepartureWindowTooTight) << q->reason_text;
  r.latest_departure = kTimeInf;
  const auto late = plan(closed, table, r);
  ASSERT_TRUE(late);
  expect_well_formed(*late, closed, table, r, motion(true));
  EXPECT_GT(late->path.front().arrival, milliseconds{13000});
  expect_separated(late->trajectory, oncoming);
}

std::vector<std::vector<std::string>> corridor_map() {
  return {{"#######",  //
           "S.....G",  //
           "#######"}};
}

TEST(Sipp, DepartureWindowTooTightIsNoRouteWithReason) {
  const AsciiGrid g(corridor_map());
  ReservationTable table = ReservationTable::for_grid(g);
  // The only exit from the pad is held until 20 s.
  ASSERT_TRUE(table.reserve_pad(Voxel{1, 1, 0}, milliseconds{0}, milliseconds{20000}, 5));
  SippRequest r = request(g.at('S'), g.at('G'));
  r.latest_departure = milliseconds{5000};
  for (const bool hover : {true, false}) {
    const auto p = plan(g, table, r, hover);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->outcome, Outcome::kNoRoute);
    EXPECT_EQ(p->reason, NoRouteReason::kDepartureWindowTooTight) << p->reason_text;
    EXPECT_STREQ(no_route_reason_name(p->reason), "DEPARTURE_WINDOW_TOO_TIGHT");
    EXPECT_FALSE(p->reason_text.empty());
  }
  r.latest_departure = milliseconds{30000};
  const auto p = plan(g, table, r);
  ASSERT_TRUE(p);
  expect_well_formed(*p, g, table, r, motion(true));
  EXPECT_EQ(p->path.front().departure, milliseconds{19500});  // enters (1, 1) at 20000
  EXPECT_EQ(p->arrival, milliseconds{25500});
}

TEST(Sipp, ArrivalDeadlineTooTightIsNoRouteWithReason) {
  const AsciiGrid g(corridor_map());
  const ReservationTable table = ReservationTable::for_grid(g);
  SippRequest r = request(g.at('S'), g.at('G'));
  r.earliest_departure = milliseconds{1000};
  r.arrival_deadline = milliseconds{6999};  // needs 6000 ms of flight
  auto p = plan(g, table, r);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->outcome, Outcome::kNoRoute);
  EXPECT_EQ(p->reason, NoRouteReason::kDeadlineTooTight) << p->reason_text;
  r.arrival_deadline = milliseconds{7000};
  p = plan(g, table, r);
  ASSERT_TRUE(p);
  expect_well_formed(*p, g, table, r, motion(true));
  EXPECT_EQ(p->arrival, milliseconds{7000});
}

TEST(Sipp, GoalIntervalMustHoldTheDwell) {
  const AsciiGrid g(corridor_map());
  ReservationTable table = ReservationTable::for_grid(g);
  ASSERT_TRUE(table.reserve_pad(g.at('G'), milliseconds{7000}, milliseconds{8000}, 9));
  SippRequest r = request(g.at('S'), g.at('G'));
  r.goal_dwell = milliseconds{2000};
  const auto p = plan(g, table, r);
  ASSERT_TRUE(p);
  expect_well_formed(*p, g, table, r, motion(true));
  // Arriving at 6000 would overlap the slot at 7000; the vehicle may enter the box at 8000 and
  // reaches the centre half a move later.
  EXPECT_EQ(p->arrival, milliseconds{8500});
  r.goal_dwell = milliseconds{1000};
  const auto q = plan(g, table, r);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->arrival, milliseconds{6000});
}

TEST(Sipp, PadOccupancyBlocksTakeOffUntilThePadFrees) {
  const AsciiGrid g(corridor_map());
  ReservationTable table = ReservationTable::for_grid(g);
  ASSERT_TRUE(table.reserve_pad(g.at('S'), milliseconds{0}, milliseconds{10000}, 99));
  SippRequest r = request(g.at('S'), g.at('G'));
  for (const bool hover : {true, false}) {
    const auto p = plan(g, table, r, hover);
    ASSERT_TRUE(p);
    expect_well_formed(*p, g, table, r, motion(hover));
    EXPECT_EQ(p->path.front().arrival, milliseconds{10000});
    EXPECT_EQ(p->path.front().departure, milliseconds{10000});
    EXPECT_EQ(p->arrival, milliseconds{16000});
  }
  r.latest_departure = milliseconds{9000};
  const auto q = plan(g, table, r);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->outcome, Outcome::kNoRoute);
  EXPECT_EQ(q->reason, NoRouteReason::kStartBlocked) << q->reason_text;
}

TEST(Sipp, BlockedEndpointsAreNoRouteWithReason) {
  const AsciiGrid g(std::vector<std::vector<std::string>>{{"S.#..", "..#.G"}});
  const ReservationTable table = ReservationTable::for_grid(g);
  auto p = plan(g, table, request(g.at('S'), g.at('G')));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->reason, NoRouteReason::kGoalUnreachable);
  p = plan(g, table, request(Voxel{2, 0, 0}, g.at('G')));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->reason, NoRouteReason::kStartBlocked);
  p = plan(g, table, request(g.at('S'), Voxel{2, 1, 0}));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->reason, NoRouteReason::kGoalBlocked);
}

TEST(Sipp, StopConditionsAreOutcomes) {
  const AsciiGrid g(20, 20, 3);
  const ReservationTable table = ReservationTable::for_grid(g);
  const SippRequest r = request(Voxel{0, 0, 0}, Voxel{19, 19, 2});
  StopCondition capped;
  capped.max_expansions = 3;
  auto p = plan(g, table, r, true, capped);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->outcome, Outcome::kBudgetExhausted);
  EXPECT_EQ(p->stats.expansions, 3u);

  std::atomic<bool> cancelled{true};
  StopCondition cancel;
  cancel.cancelled = &cancelled;
  p = plan(g, table, r, true, cancel);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->outcome, Outcome::kCancelled);

  StopCondition past;
  past.deadline = Clock::now() - std::chrono::seconds(1);
  p = plan(g, table, r, true, past);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->outcome, Outcome::kBudgetExhausted);
}

TEST(Sipp, BadRequestsAreErrorsWithReasons) {
  const AsciiGrid g(corridor_map());
  const ReservationTable table = ReservationTable::for_grid(g);
  auto reason = [](const Result<SippPlan>& r) { return r ? std::string("ok") : r.error().reason; };
  SippRequest r = request(g.at('S'), Voxel{7, 1, 0});
  EXPECT_EQ(reason(plan(g, table, r)), "SIPP_VOXEL_OUTSIDE_GRID");
  r = request(Voxel{-1, 0, 0}, g.at('G'));
  EXPECT_EQ(reason(plan(g, table, r)), "SIPP_VOXEL_OUTSIDE_GRID");
  r = request(g.at('S'), g.at('G'));
  r.earliest_departure = milliseconds{5000};
  r.latest_departure = milliseconds{4000};
  EXPECT_EQ(reason(plan(g, table, r)), "SIPP_DEPARTURE_WINDOW_INVALID");
  r = request(g.at('S'), g.at('G'));
  r.arrival_deadline = milliseconds{-1};
  EXPECT_EQ(reason(plan(g, table, r)), "SIPP_TIME_INVALID");
  r = request(g.at('S'), g.at('G'));
  r.goal_dwell = milliseconds{-1};
  EXPECT_EQ(reason(plan(g, table, r)), "SIPP_TIME_INVALID");
  MotionModel nan = motion(true);
  nan.cruise_speed_mps = NAN;
  r = request(g.at('S'), g.at('G'));
  EXPECT_EQ(reason(Sipp<AsciiGrid>(g, table, kGeo, nan).plan(r)), "SIPP_MOTION_MODEL_INVALID");
  const ReservationTable other(3, 3, 3);
  EXPECT_EQ(reason(plan(g, other, r)), "SIPP_TABLE_MISMATCH");
  EXPECT_EQ(make_error("SIPP_TIME_INVALID", "").code, Code::kInvalidArgument);
}

TEST(Sipp, ReleasingAFlightRestoresTheFreePlan) {
  const AsciiGrid g(corridor_map());
  ReservationTable table = ReservationTable::for_grid(g);
  const SippRequest first = request(g.at('S'), g.at('G'));
  const auto free_plan = plan(g, table, first);
  ASSERT_TRUE(free_plan);
  // Reverse flight G -> S starting now is reserved; a new S -> G flight must now wait.
  auto back = plan(g, table, request(g.at('G'), g.at('S')));
  ASSERT_TRUE(back);
  back->trajectory.id = 77;
  ASSERT_TRUE(table.reserve(back->trajectory, kEnv, kEnv, kGeo));
  const auto blocked = plan(g, table, first);
  ASSERT_TRUE(blocked);
  expect_well_formed(*blocked, g, table, first, motion(true));
  EXPECT_GT(blocked->arrival, free_plan->arrival);
  table.release(77);
  const auto again = plan(g, table, first);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->path, free_plan->path);
}

// Many agents planned one after another in a small 3D grid, each reserved after planning; the
// brute-force sampler checks every pair (including time shifts within the buffer).
/// A 12 x 12 x `layers` grid whose layers above the ground are walled at random.
AsciiGrid random_walled_grid(std::mt19937& rng, int layers, double wall_share) {
  AsciiGrid g(12, 12, layers);
  std::bernoulli_distribution wall(wall_share);
  for (int z = 1; z < layers; ++z)
    for (int y = 0; y < 12; ++y)
      for (int x = 0; x < 12; ++x)
        if (wall(rng)) g.set(Voxel{x, y, z}, '#');
  return g;
}

/// A random pad-to-pad request on the ground layer of such a grid, departing in
/// [0, max_departure_ms], with a 1 s dwell.
SippRequest random_request(std::mt19937& rng, int agent, int max_departure_ms) {
  std::uniform_int_distribution<int> coord(0, 11);
  std::uniform_int_distribution<int> dep(0, max_departure_ms);
  SippRequest r;
  r.start = Voxel{coord(rng), coord(rng), 0};
  do {
    r.goal = Voxel{coord(rng), coord(rng), 0};
  } while (r.goal == r.start);
  r.earliest_departure = milliseconds{dep(rng)};
  r.goal_dwell = milliseconds{1000};
  r.trajectory_id = agent;
  return r;
}

/// The test's own continuous-time check (scenario::first_conflict) over every pair.
void expect_pairwise_separated(const std::vector<Trajectory4D>& accepted,
                               const SeparationEnvelope& env) {
  const double buf = static_cast<double>(env.time_buffer.count());
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    for (std::size_t j = i + 1; j < accepted.size(); ++j) {
      EXPECT_EQ(scenario::first_conflict(accepted[j], accepted[i], env.horizontal_m, env.vertical_m,
                                         2.0, {-buf, 0.0, buf}),
                "")
          << "flights " << accepted[i].id << " and " << accepted[j].id;
    }
  }
}

TEST(Sipp, RandomAgentsPlannedInSequenceAreAllPairwiseSeparated) {
  std::mt19937 rng(20240611);
  const AsciiGrid g = random_walled_grid(rng, 4, 0.08);
  ReservationTable table = ReservationTable::for_grid(g);
  const SeparationEnvelope env{12.0, 6.0, milliseconds{300}};  // 3x3 cells, adjacent layers
  std::vector<Trajectory4D> accepted;
  int found = 0, no_route = 0;
  for (int agent = 0; agent < 50; ++agent) {
    SippRequest r = random_request(rng, agent, 40000);
    r.latest_departure = r.earliest_departure + milliseconds{30000};
    const bool hover = agent % 3 != 0;
    MotionModel m = motion(hover);
    m.hovers_to_land = agent % 6 == 0;  // half the no-hover agents may not even land-hover
    StopCondition stop;
    stop.max_expansions = 200000;
    const auto p = Sipp<AsciiGrid>(g, table, kGeo, m).plan(r, stop);
    ASSERT_TRUE(p) << p.error().to_string();
    if (p->outcome != Outcome::kFound) {
      ++no_route;
      continue;
    }
    ++found;
    expect_well_formed(*p, g, table, r, m);
    ASSERT_TRUE(table.reserve(p->trajectory, env, env, kGeo));
    accepted.push_back(p->trajectory);
  }
  EXPECT_GE(found, 40) << no_route << " agents found no route";
  expect_pairwise_separated(accepted, env);
}

// ---- Ground delay (Sipp::delayed) ----------------------------------------------------------

/// Independent oracle: `path` taken off `shift` ms later satisfies the occupancy rule of
/// sipp.hpp against the table (durations from the path itself; the start step from take-off).
bool shifted_path_free(const std::vector<PathStep>& path, std::int64_t shift,
                       const ReservationTable& table, milliseconds dwell) {
  const milliseconds s{shift};
  for (std::size_t k = 0; k < path.size(); ++k) {
    const auto enter = k == 0
                           ? path[0].departure
                           : path[k - 1].departure + (path[k].arrival - path[k - 1].departure) / 2;
    const auto d_next = k + 1 < path.size() ? path[k + 1].arrival - path[k].departure : dwell;
    const auto exit =
        k + 1 < path.size() ? path[k].departure + (d_next - d_next / 2) : path[k].arrival + dwell;
    if (!table.is_free(path[k].voxel, enter + s, exit + s)) return false;
  }
  return true;
}

SippPlan as_plan(const std::vector<PathStep>& path, const SippRequest& r) {
  SippPlan p;
  p.outcome = Outcome::kFound;
  p.path = path;
  p.arrival = path.back().arrival;
  p.trajectory = sipp_detail::to_trajectory(path, kGeo, r.trajectory_id);
  return p;
}

TEST(Sipp, DelayedTakesTheFreeFlightOffJustLateEnoughToPassTheTraffic) {
  const AsciiGrid g(crossing_map());
  const ReservationTable empty = ReservationTable::for_grid(g);
  ReservationTable table = ReservationTable::for_grid(g);
  ASSERT_TRUE(table.reserve(crossing_traffic(), kEnv, kEnv, kGeo));
  for (const bool hover : {true, false}) {
    SCOPED_TRACE(hover ? "hover" : "no hover");
    SippRequest r = request(g.at('S'), g.at('G'));
    r.goal_dwell = milliseconds{500};
    const auto free = plan(g, empty, r, hover);
    ASSERT_TRUE(free);
    ASSERT_EQ(free->outcome, Outcome::kFound);
    ASSERT_FALSE(shifted_path_free(free->path, 0, table, r.goal_dwell)) << "traffic must cross it";
    const Sipp<AsciiGrid> sipp(g, table, kGeo, motion(hover));
    const auto d = sipp.delayed(free->path, r);
    ASSERT_TRUE(d);
    expect_well_formed(as_plan(*d, r), g, table, r, motion(hover));
    expect_separated(as_plan(*d, r).trajectory, crossing_traffic());
    // The same flight, only later: every step moves by the same shift, spent on the pad.
    const auto shift = d->front().departure - free->path.front().departure;
    ASSERT_EQ(d->size(), free->path.size());
    for (std::size_t k = 1; k < d->size(); ++k) {
      EXPECT_EQ((*d)[k].voxel, free->path[k].voxel);
      EXPECT_EQ((*d)[k].arrival - free->path[k].arrival, shift);
      EXPECT_EQ((*d)[k].departure - free->path[k].departure, shift);
    }
    EXPECT_EQ(d->front().arrival, r.earliest_departure) << "the pad is free: ready at once";
    // The smallest such shift: every earlier take-off, ms by ms, meets the traffic.
    ASSERT_GT(shift.count(), 0);
    for (std::int64_t s = 0; s < shift.count(); ++s) {
      ASSERT_FALSE(shifted_path_free(free->path, s, table, r.goal_dwell)) << "shift " << s;
    }
    // The window and the deadline bound the shift.
    r.latest_departure = d->front().departure - milliseconds{1};
    EXPECT_FALSE(sipp.delayed(free->path, r));
    r.latest_departure = kTimeInf;
    r.arrival_deadline = d->back().arrival - milliseconds{1};
    EXPECT_FALSE(sipp.delayed(free->path, r));
    r.arrival_deadline = d->back().arrival;
    EXPECT_TRUE(sipp.delayed(free->path, r));
    // A path that does not join the request's pads is refused.
    SippRequest other = r;
    other.goal = Voxel{r.goal.x - 1, r.goal.y, r.goal.z};
    EXPECT_FALSE(sipp.delayed(free->path, other));
  }
}

TEST(Sipp, DelayedWaitsForABusyGoalPadAndAppearsWhenTheStartPadFrees) {
  const AsciiGrid g(crossing_map());
  const ReservationTable empty = ReservationTable::for_grid(g);
  ReservationTable table = ReservationTable::for_grid(g);
  SippRequest r = request(g.at('S'), g.at('G'));
  r.goal_dwell = milliseconds{1000};
  // Another vehicle sits on the goal pad over [0, 20 s], and one on the start pad until 3 s.
  const double gx = kGeo.center_x_m(r.goal.x), gy = kGeo.center_y_m(r.goal.y);
  const double sx = kGeo.center_x_m(r.start.x), sy = kGeo.center_y_m(r.start.y);
  const double z = kGeo.center_z_m(0);
  ASSERT_TRUE(table.reserve(
      Trajectory4D{7, {{gx, gy, z, milliseconds{0}}, {gx, gy, z, milliseconds{20000}}}}, kEnv, kEnv,
      kGeo));
  ASSERT_TRUE(table.reserve(
      Trajectory4D{8, {{sx, sy, z, milliseconds{-5000}}, {sx, sy, z, milliseconds{3000}}}}, kEnv,
      kEnv, kGeo));
  const auto free = plan(g, empty, r, false);
  ASSERT_TRUE(free);
  const auto d = Sipp<AsciiGrid>(g, table, kGeo, motion(false)).delayed(free->path, r);
  ASSERT_TRUE(d);
  expect_well_formed(as_plan(*d, r), g, table, r, motion(false));
  EXPECT_GT(d->back().arrival, milliseconds{20000}) << "lands after the other vehicle leaves";
  EXPECT_FALSE(shifted_path_free(free->path,
                                 (d->front().departure - free->path.front().departure).count() - 1,
                                 table, r.goal_dwell));
  // It appears on the start pad when that frees (not while the other vehicle is on it).
  EXPECT_GT(d->front().arrival, milliseconds{3000});
  EXPECT_TRUE(table.is_free(r.start, d->front().arrival, d->front().departure));
}

TEST(Sipp, RandomAgentsDelayedOnTheGroundAreMinimalAndPairwiseSeparated) {
  std::mt19937 rng(20261123);
  const AsciiGrid g = random_walled_grid(rng, 4, 0.08);
  const ReservationTable empty = ReservationTable::for_grid(g);
  ReservationTable table = ReservationTable::for_grid(g);
  const SeparationEnvelope env{12.0, 6.0, milliseconds{300}};
  std::vector<Trajectory4D> accepted;
  int delayed = 0;
  for (int agent = 0; agent < 40; ++agent) {
    const SippRequest r = random_request(rng, agent, 20000);
    const MotionModel m = motion(agent % 2 == 0);
    const auto free = Sipp<AsciiGrid>(g, empty, kGeo, m).plan(r);
    ASSERT_TRUE(free);
    if (free->outcome != Outcome::kFound) continue;
    const auto d = Sipp<AsciiGrid>(g, table, kGeo, m).delayed(free->path, r);
    ASSERT_TRUE(d) << "agent " << agent << ": after the last reservation every shift is free";
    expect_well_formed(as_plan(*d, r), g, table, r, m);
    const std::int64_t shift = (d->front().departure - free->path.front().departure).count();
    if (shift > 0) {
      ++delayed;
      EXPECT_FALSE(shifted_path_free(free->path, shift - 1, table, r.goal_dwell));
      for (std::int64_t s = 0; s < shift; s += 37) {
        EXPECT_FALSE(shifted_path_free(free->path, s, table, r.goal_dwell)) << "shift " << s;
      }
    }
    const auto traj = as_plan(*d, r).trajectory;
    ASSERT_TRUE(table.reserve(traj, env, env, kGeo));
    accepted.push_back(traj);
  }
  EXPECT_GE(accepted.size(), 30u);
  EXPECT_GE(delayed, 5) << "the traffic should delay some agents";
  expect_pairwise_separated(accepted, env);
}

// A plugged heuristic: the trivial bound 0 and a guide of 1000 ms per Chebyshev cell.
struct ChebyshevGuide {
  Voxel goal;
  std::int64_t operator()(Voxel) const { return 0; }
  SippEstimate estimate(Voxel v) const {
    const std::int64_t d =
        std::max({std::abs(v.x - goal.x), std::abs(v.y - goal.y), std::abs(v.z - goal.z)});
    return {0, 1000 * d};
  }
};

TEST(Sipp, GuidedWeightedSearchesStayValidAndReopeningKeepsThemComplete) {
  std::mt19937 rng(99);
  const AsciiGrid g = random_walled_grid(rng, 3, 0.15);
  ReservationTable table = ReservationTable::for_grid(g);
  const SeparationEnvelope env{12.0, 6.0, milliseconds{300}};
  for (int agent = 0; agent < 40; ++agent) {
    const SippRequest r = random_request(rng, agent, 20000);
    const Sipp<AsciiGrid> sipp(g, table, kGeo, motion(true));
    const auto best = sipp.plan(r);
    ASSERT_TRUE(best);
    const ChebyshevGuide guide{r.goal};
    for (const bool goal_schedule : {false, true}) {
      const SippOptions fast{3.0, false, 0, goal_schedule};
      const auto p = sipp.plan(r, guide, fast);
      ASSERT_TRUE(p) << p.error().to_string();
      if (best->outcome != Outcome::kFound) continue;
      if (p->outcome == Outcome::kFound) {
        expect_well_formed(*p, g, table, r, motion(true));
        EXPECT_GE(p->arrival, best->arrival);
      }
      // With reopening the weighted search is complete: it meets the optimal arrival as a
      // deadline.
      SippRequest tight = r;
      tight.arrival_deadline = best->arrival;
      const auto q = sipp.plan(tight, guide, SippOptions{3.0, true, 0, goal_schedule});
      ASSERT_TRUE(q);
      ASSERT_EQ(q->outcome, Outcome::kFound) << "agent " << agent << ": " << q->reason_text;
      expect_well_formed(*q, g, table, tight, motion(true));
      EXPECT_EQ(q->arrival, best->arrival);
    }
    if (best->outcome == Outcome::kFound) {
      ASSERT_TRUE(table.reserve(best->trajectory, env, env, kGeo));
    }
  }
}

TEST(Sipp, NoHoverAgentsWithWideTimeBucketsStayWellFormedAndSeparated) {
  std::mt19937 rng(7702);
  const AsciiGrid g = random_walled_grid(rng, 4, 0.08);
  ReservationTable table = ReservationTable::for_grid(g);
  const SeparationEnvelope env{12.0, 6.0, milliseconds{300}};
  std::vector<Trajectory4D> accepted;
  int found = 0;
  std::uint64_t generated[2] = {0, 0};
  for (int agent = 0; agent < 40; ++agent) {
    SippRequest r = random_request(rng, agent, 30000);
    const MotionModel m = motion(false);
    const Sipp<AsciiGrid> sipp(g, table, kGeo, m);
    const ChebyshevGuide guide{r.goal};
    StopCondition stop;
    stop.max_expansions = 200000;
    SippOptions wide{1.0, false, 0, false, 0.0};
    wide.air_time_bucket = milliseconds{4000};
    const auto fine = sipp.plan(r, guide, SippOptions{}, stop);
    const auto p = sipp.plan(r, guide, wide, stop);
    ASSERT_TRUE(p) << p.error().to_string();
    ASSERT_TRUE(fine) << fine.error().to_string();
    generated[0] += fine->stats.generated;
    generated[1] += p->stats.generated;
    if (p->outcome != Outcome::kFound) continue;
    ++found;
    expect_well_formed(*p, g, table, r, m);
    ASSERT_TRUE(table.reserve(p->trajectory, env, env, kGeo));
    accepted.push_back(p->trajectory);
  }
  EXPECT_GE(found, 30);
  EXPECT_LT(generated[1], generated[0]) << "wider buckets merge states";
  expect_pairwise_separated(accepted, env);
  // Out of range.
  SippOptions bad;
  bad.air_time_bucket = milliseconds{-1};
  const SippRequest r = random_request(rng, 99, 1000);
  const Sipp<AsciiGrid> sipp(g, table, kGeo, motion(false));
  EXPECT_EQ(sipp.plan(r, ChebyshevGuide{r.goal}, bad).error().reason, "SIPP_OPTIONS_INVALID");
  bad.air_time_bucket = std::chrono::hours(2);
  EXPECT_EQ(sipp.plan(r, ChebyshevGuide{r.goal}, bad).error().reason, "SIPP_OPTIONS_INVALID");
}

TEST(Sipp, GoalScheduleOrderingWaitsForTheGoalAndRejectsBadWeights) {
  const AsciiGrid g(corridor_map());
  ReservationTable table = ReservationTable::for_grid(g);
  ASSERT_TRUE(table.reserve_pad(g.at('G'), milliseconds{5000}, milliseconds{20000}, 9));
  SippRequest r = request(g.at('S'), g.at('G'));
  r.goal_dwell = milliseconds{2000};
  const Sipp<AsciiGrid> sipp(g, table, kGeo, motion(true));
  const ChebyshevGuide guide{r.goal};
  const auto p = sipp.plan(r, guide, SippOptions{3.0, false, 0, true});
  ASSERT_TRUE(p);
  ASSERT_EQ(p->outcome, Outcome::kFound);
  expect_well_formed(*p, g, table, r, motion(true));
  EXPECT_EQ(p->arrival, milliseconds{20500});  // enters the goal box when the slot ends
  r.arrival_deadline = milliseconds{15000};
  const auto q = sipp.plan(r, guide, SippOptions{3.0, true, 0, true});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->reason, NoRouteReason::kDeadlineTooTight);
  EXPECT_EQ(sipp.plan(r, guide, SippOptions{0.5}).error().reason, "SIPP_OPTIONS_INVALID");
  EXPECT_EQ(sipp.plan(r, guide, SippOptions{std::nan("")}).error().reason, "SIPP_OPTIONS_INVALID");
}

}  // namespace
}  // namespace skylane::search
