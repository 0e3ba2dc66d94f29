// The event engine: (time, insertion sequence) order, ties, run_until bounds, no past events.
#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "skylane/sim/event_queue.hpp"
#include "skylane/sim/rng.hpp"

namespace skylane::sim {
namespace {

TEST(EventQueue, OrdersByTimeThenInsertion) {
  EventQueue q;
  q.schedule(50, 1, 0);
  q.schedule(10, 2, 0);
  q.schedule(50, 3, 0);
  q.schedule(10, 4, 0);
  q.schedule(0, 5, 0);
  std::vector<std::uint32_t> kinds;
  while (!q.empty()) kinds.push_back(q.pop().kind);
  EXPECT_EQ(kinds, (std::vector<std::uint32_t>{5, 2, 4, 1, 3}));
}

TEST(EventQueue, MatchesStableSortOnRandomInput) {
  EventQueue q;
  std::mt19937_64 g(7);
  std::vector<std::pair<std::int64_t, std::uint32_t>> ref;
  for (std::uint32_t i = 0; i < 20000; ++i) {
    const auto t = static_cast<std::int64_t>(g() % 500);  // many ties
    q.schedule(t, i, 0);
    ref.emplace_back(t, i);
  }
  std::stable_sort(ref.begin(), ref.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [t, i] : ref) {
    ASSERT_FALSE(q.empty());
    const Event e = q.pop();
    ASSERT_EQ(e.time_ms, t);
    ASSERT_EQ(e.kind, i);
  }
  EXPECT_TRUE(q.empty());
}

TEST(Engine, RunUntilStopsAtTheBoundAndAdvancesTheClock) {
  Engine e;
  e.at(100, 1, 0);
  e.at(200, 2, 0);
  e.at(201, 3, 0);
  std::vector<std::uint32_t> seen;
  EXPECT_EQ(e.run_until(200, [&](const Event& ev) { seen.push_back(ev.kind); }), 2u);
  EXPECT_EQ(seen, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(e.now_ms(), 200);
  EXPECT_EQ(e.queue().size(), 1u);
  e.run_until(1000, [&](const Event& ev) { seen.push_back(ev.kind); });
  EXPECT_EQ(e.now_ms(), 1000);
  EXPECT_EQ(seen.back(), 3u);
}

TEST(Engine, HandlersScheduleFollowUpsAndNeverRunInThePast) {
  Engine e;
  e.at(10, 1, 0);
  std::vector<std::pair<std::int64_t, std::uint32_t>> seen;
  e.run_until(100, [&](const Event& ev) {
    seen.emplace_back(ev.time_ms, ev.kind);
    if (ev.kind == 1) {
      e.at(5, 2, 0);   // in the past: clamped to now (10)
      e.at(10, 3, 0);  // same time: after 2 (insertion order)
    }
  });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1], (std::pair<std::int64_t, std::uint32_t>{10, 2}));
  EXPECT_EQ(seen[2], (std::pair<std::int64_t, std::uint32_t>{10, 3}));
}

TEST(Rng, IsDeterministicAndInRange) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const double x = a.uniform01();
    ASSERT_EQ(x, b.uniform01());
    differs = differs || x != c.uniform01();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
  }
  EXPECT_TRUE(differs);
  // Exponential mean close to 1/rate (10,000 draws: 3 sigma ~ 3 %).
  Rng r(1);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) sum += r.exponential(2.0);
  EXPECT_NEAR(sum / 10000, 0.5, 0.015);
  // Discrete draws follow the weights and never pick a zero weight.
  std::vector<double> w{1, 0, 3};
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 8000; ++i) ++counts[r.discrete(w)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[2] / 8000.0, 0.75, 0.03);
  EXPECT_NE(mix_seed(1, 0), mix_seed(1, 1));
}

}  // namespace
}  // namespace skylane::sim
