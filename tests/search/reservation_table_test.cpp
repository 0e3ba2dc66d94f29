#include "skylane/search/reservation_table.hpp"

#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include "scenario.hpp"
#include <gtest/gtest.h>

namespace skylane::search {
namespace {

using std::chrono::milliseconds;
using traj::SeparationEnvelope;
using traj::Trajectory4D;
using traj::Waypoint4D;

constexpr GridGeometry kGeo{0.0, 0.0, 0.0, 10.0, 5.0};

Trajectory4D line(std::int64_t id, Waypoint4D a, Waypoint4D b) { return Trajectory4D{id, {a, b}}; }

using Snapshot = std::map<std::tuple<int, int, int>, std::vector<SafeInterval>>;

Snapshot snapshot(const ReservationTable& table) {
  Snapshot s;
  for (std::int32_t z = 0; z < table.size_z(); ++z)
    for (std::int32_t y = 0; y < table.size_y(); ++y)
      for (std::int32_t x = 0; x < table.size_x(); ++x)
        s[{x, y, z}] = table.safe_intervals(Voxel{x, y, z});
  return s;
}

TEST(ReservationTable, EmptyVoxelIsAlwaysSafe) {
  ReservationTable table(4, 4, 2);
  EXPECT_EQ(table.safe_intervals(Voxel{1, 2, 1}),
            (std::vector<SafeInterval>{{kTimeNegInf, kTimeInf}}));
  EXPECT_TRUE(table.is_free(Voxel{1, 2, 1}, milliseconds{0}, milliseconds{1'000'000}));
  EXPECT_TRUE(table.safe_intervals(Voxel{4, 0, 0}).empty());  // outside
  EXPECT_EQ(table.voxel_count(), 0u);
}

TEST(ReservationTable, PadSlotsFromTwoOwnersMergeIntoOneBusySpan) {
  ReservationTable table(3, 3, 1);
  const Voxel pad{1, 1, 0};
  ASSERT_TRUE(table.reserve_pad(pad, milliseconds{1000}, milliseconds{2000}, 1));
  ASSERT_TRUE(table.reserve_pad(pad, milliseconds{1500}, milliseconds{3000}, 2));
  ASSERT_TRUE(table.reserve_pad(pad, milliseconds{5000}, milliseconds{6000}, 2));
  EXPECT_EQ(table.safe_intervals(pad),
            (std::vector<SafeInterval>{{kTimeNegInf, milliseconds{1000}},
                                       {milliseconds{3000}, milliseconds{5000}},
                                       {milliseconds{6000}, kTimeInf}}));
  // Horizon drops intervals that begin at or after it.
  EXPECT_EQ(table.safe_intervals(pad, milliseconds{4000}).size(), 2u);
  EXPECT_EQ(table.safe_intervals(pad, milliseconds{3000}).size(), 1u);
  // Closed occupancy may touch a safe interval's ends, not cross them.
  EXPECT_TRUE(table.is_free(pad, milliseconds{0}, milliseconds{1000}));
  EXPECT_FALSE(table.is_free(pad, milliseconds{0}, milliseconds{1001}));
  EXPECT_TRUE(table.is_free(pad, milliseconds{3000}, milliseconds{5000}));
  EXPECT_FALSE(table.is_free(pad, milliseconds{2999}, milliseconds{3000}));
  EXPECT_EQ(table.release(2), 2u);
  EXPECT_EQ(table.safe_intervals(pad), (std::vector<SafeInterval>{{kTimeNegInf, milliseconds{1000}},
                                                                  {milliseconds{2000}, kTimeInf}}));
}

TEST(ReservationTable, ReleaseRestoresExactlyThePreviousSafeIntervals) {
  ReservationTable table(12, 12, 4);
  const SeparationEnvelope env{12.0, 4.0, milliseconds{500}};
  ASSERT_TRUE(table.reserve(
      line(1, {5, 5, 2.5, milliseconds{0}}, {115, 95, 17.5, milliseconds{14000}}), env, env, kGeo));
  const Snapshot before = snapshot(table);
  const std::size_t entries_before = table.entry_count();
  const std::size_t voxels_before = table.voxel_count();

  // A second flight crossing the first one, plus a pad slot held by the same id.
  Trajectory4D second{2,
                      {{115, 5, 7.5, milliseconds{2000}},
                       {60, 60, 7.5, milliseconds{8000}},
                       {60, 60, 7.5, milliseconds{11000}},  // hover
                       {5, 115, 2.5, milliseconds{17000}}}};
  ASSERT_TRUE(table.reserve(second, env, env, kGeo));
  ASSERT_TRUE(table.reserve_pad(Voxel{0, 11, 0}, milliseconds{17000}, milliseconds{60000}, 2));
  EXPECT_NE(snapshot(table), before);

  EXPECT_GT(table.release(2), 0u);
  EXPECT_EQ(snapshot(table), before);
  EXPECT_EQ(table.entry_count(), entries_before);
  EXPECT_EQ(table.voxel_count(), voxels_before);
  EXPECT_EQ(table.release(2), 0u);  // nothing left to free

  EXPECT_GT(table.release(1), 0u);
  EXPECT_EQ(table.voxel_count(), 0u);
  EXPECT_EQ(table.entry_count(), 0u);
  EXPECT_EQ(table.owner_count(), 0u);
}

// Brute force: distance from the trajectory position to the closed voxel box, sampled densely.
struct Box {
  double x0, x1, y0, y1, z0, z1;
};
Box box_of(Voxel v) {
  return Box{v.x * kGeo.cell_xy_m,       (v.x + 1) * kGeo.cell_xy_m, v.y * kGeo.cell_xy_m,
             (v.y + 1) * kGeo.cell_xy_m, v.z * kGeo.cell_z_m,        (v.z + 1) * kGeo.cell_z_m};
}
bool within(const scenario::Position& p, const Box& b, double h, double v) {
  const double dx = std::max({b.x0 - p.x, 0.0, p.x - b.x1});
  const double dy = std::max({b.y0 - p.y, 0.0, p.y - b.y1});
  const double dz = std::max({b.z0 - p.z, 0.0, p.z - b.z1});
  return std::hypot(dx, dy) < h && dz < v;
}

TEST(ReservationTable, SweepIsSoundAndTightAgainstBruteForce) {
  ReservationTable table(10, 10, 4);
  const SeparationEnvelope owner{9.0, 3.0, milliseconds{300}};
  const SeparationEnvelope other{12.0, 2.0, milliseconds{100}};  // larger H, smaller V, buffer
  const double h = 12.0, v = 3.0;
  const std::int64_t buf = 300;
  // Diagonal climb, a hover, and a fast straight leg crossing many cells in one piece.
  const Trajectory4D tr{7,
                        {{12, 17, 3, milliseconds{1000}},
                         {47, 41, 12, milliseconds{6000}},
                         {47, 41, 12, milliseconds{7500}},
                         {93, 88, 6, milliseconds{9000}}}};
  ASSERT_TRUE(table.reserve(tr, owner, other, kGeo));
  for (std::int32_t z = 0; z < 4; ++z) {
    for (std::int32_t y = 0; y < 10; ++y) {
      for (std::int32_t x = 0; x < 10; ++x) {
        const Voxel vx{x, y, z};
        const Box b = box_of(vx);
        std::vector<std::int64_t> near;   // sampled instants within separation
        std::vector<std::int64_t> loose;  // within a slightly larger envelope (tightness check)
        for (std::int64_t t = 1000; t <= 9000; ++t) {
          const auto p = scenario::position_at(tr, static_cast<double>(t));
          if (within(*p, b, h, v)) near.push_back(t);
          if (within(*p, b, h + 0.05, v + 0.05)) loose.push_back(t);
        }
        // Sound: busy over [t - buffer, t + buffer] for every instant within separation.
        for (const std::int64_t t : near) {
          for (const std::int64_t s : {t - buf, t, t + buf}) {
            ASSERT_FALSE(table.is_free(vx, milliseconds{s}, milliseconds{s}))
                << "voxel (" << x << "," << y << "," << z << ") free at " << s;
          }
        }
        // Tight: every reserved instant is within buffer + 2 ms of a (loosely) near instant.
        for (const Reservation& r : table.reservations(vx)) {
          for (std::int64_t s = r.begin.count(); s < r.end.count(); s += 7) {
            const bool justified = std::any_of(loose.begin(), loose.end(), [&](std::int64_t t) {
              return std::abs(t - s) <= buf + 3;
            });
            ASSERT_TRUE(justified)
                << "voxel (" << x << "," << y << "," << z << ") needlessly busy at " << s;
          }
        }
      }
    }
  }
}

TEST(ReservationTable, SinglePointTrajectoryReservesItsNeighbourhood) {
  ReservationTable table(5, 5, 3);
  const SeparationEnvelope env{4.0, 2.0, milliseconds{100}};
  ASSERT_TRUE(table.reserve(Trajectory4D{3, {{25, 25, 7.5, milliseconds{1000}}}}, env, env, kGeo));
  EXPECT_FALSE(table.is_free(Voxel{2, 2, 1}, milliseconds{900}, milliseconds{900}));
  EXPECT_TRUE(table.is_free(Voxel{2, 2, 1}, milliseconds{1102}, milliseconds{5000}));
  EXPECT_TRUE(table.is_free(Voxel{1, 2, 1}, milliseconds{0}, milliseconds{5000}));  // 5 m away
  EXPECT_EQ(table.voxel_count(), 1u);
}

TEST(ReservationTable, BadInputsAreErrorsWithReasons) {
  ReservationTable table(4, 4, 2);
  const SeparationEnvelope env;
  auto reason = [](const auto& r) { return r ? std::string("ok") : r.error().reason; };
  EXPECT_EQ(reason(table.reserve(Trajectory4D{1, {}}, env, env, kGeo)), "TRAJECTORY_INVALID");
  EXPECT_EQ(
      reason(table.reserve(line(1, {0, 0, 0, milliseconds{10}}, {NAN, 0, 0, milliseconds{20}}), env,
                           env, kGeo)),
      "TRAJECTORY_INVALID");
  EXPECT_EQ(reason(table.reserve(line(1, {0, 0, 0, milliseconds{10}}, {1, 0, 0, milliseconds{5}}),
                                 env, env, kGeo)),
            "TRAJECTORY_INVALID");
  SeparationEnvelope negative = env;
  negative.horizontal_m = -1.0;
  EXPECT_EQ(reason(table.reserve(line(1, {0, 0, 0, milliseconds{0}}, {1, 0, 0, milliseconds{5}}),
                                 negative, env, kGeo)),
            "SEPARATION_INVALID");
  GridGeometry flat = kGeo;
  flat.cell_z_m = 0.0;
  EXPECT_EQ(reason(table.reserve(line(1, {0, 0, 0, milliseconds{0}}, {1, 0, 0, milliseconds{5}}),
                                 env, env, flat)),
            "CELL_SIZE_INVALID");
  EXPECT_EQ(reason(table.reserve_pad(Voxel{4, 0, 0}, milliseconds{0}, milliseconds{5}, 1)),
            "SIPP_VOXEL_OUTSIDE_GRID");
  EXPECT_EQ(reason(table.reserve_pad(Voxel{0, 0, 0}, milliseconds{5}, milliseconds{5}, 1)),
            "RESERVATION_INTERVAL_INVALID");
  EXPECT_EQ(table.entry_count(), 0u);
  EXPECT_EQ(table.owner_count(), 0u);
}

}  // namespace
}  // namespace skylane::search
