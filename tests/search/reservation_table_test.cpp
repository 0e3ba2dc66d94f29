#include "skylane/search/reservation_table.hpp"

#include <cmath>
#include <map>
#include <random>
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

// ---- Compact store: runs of layers, exact release and pruning against a rebuilt table.

// Random flights over a grid that spans several 32 x 32 directory tiles: level legs (which
// share one entry per column over a band of layers), climbs, descents and hovers.
constexpr GridGeometry kWide{0.0, 0.0, 0.0, 10.0, 5.0};
constexpr std::int32_t kWx = 70, kWy = 40, kWz = 8;

Trajectory4D random_flight(std::mt19937_64& rng, std::int64_t id) {
  std::uniform_real_distribution<double> px(0.0, kWx * 10.0), py(0.0, kWy * 10.0);
  std::uniform_real_distribution<double> pz(1.0, kWz * 5.0 - 1.0);
  std::uniform_int_distribution<std::int64_t> t0(0, 60'000), leg(2'000, 15'000);
  std::uniform_int_distribution<int> legs(1, 4), kind(0, 3);
  Trajectory4D t{id, {}};
  std::int64_t now = t0(rng);
  t.points.push_back({px(rng), py(rng), pz(rng), milliseconds{now}});
  for (int i = legs(rng); i > 0; --i) {
    const auto& last = t.points.back();
    now += leg(rng);
    switch (kind(rng)) {
      case 0:  // hover
        t.points.push_back({last.x_m, last.y_m, last.z_m, milliseconds{now}});
        break;
      case 1:  // vertical
        t.points.push_back({last.x_m, last.y_m, pz(rng), milliseconds{now}});
        break;
      case 2:  // level
        t.points.push_back({px(rng), py(rng), last.z_m, milliseconds{now}});
        break;
      default:
        t.points.push_back({px(rng), py(rng), pz(rng), milliseconds{now}});
    }
  }
  return t;
}

struct Fleet {
  std::vector<Trajectory4D> flights;
  std::vector<std::tuple<Voxel, std::int64_t, std::int64_t, std::int64_t>> pads;  // v, b, e, id
};

Fleet random_fleet(std::uint64_t seed, int flights) {
  std::mt19937_64 rng(seed);
  Fleet f;
  std::uniform_int_distribution<std::int32_t> x(0, kWx - 1), y(0, kWy - 1), z(0, kWz - 1);
  std::uniform_int_distribution<std::int64_t> t(0, 80'000), d(1, 9'000);
  for (int i = 1; i <= flights; ++i) {
    f.flights.push_back(random_flight(rng, i));
    if (i % 3 == 0) {
      const std::int64_t b = t(rng);
      f.pads.emplace_back(Voxel{x(rng), y(rng), z(rng)}, b, b + d(rng), i);
    }
  }
  return f;
}

const SeparationEnvelope kEnvWide{14.0, 4.0, milliseconds{400}};

void add(ReservationTable& table, const Fleet& f, std::int64_t skip = -1) {
  for (const auto& tr : f.flights) {
    if (tr.id != skip) {
      ASSERT_TRUE(table.reserve(tr, kEnvWide, kEnvWide, kWide));
    }
  }
  for (const auto& [v, b, e, id] : f.pads) {
    if (id != skip) {
      ASSERT_TRUE(table.reserve_pad(v, milliseconds{b}, milliseconds{e}, id));
    }
  }
}

TEST(ReservationTable, LevelFlightSharesOneEntryPerColumnAcrossItsBand) {
  ReservationTable table(kWx, kWy, kWz);
  // Level at z = 17.5 m: the vertical band (+-4 m) touches layers 2..4, all busy over the same
  // instants in each column.
  ASSERT_TRUE(table.reserve(
      line(1, {15, 15, 17.5, milliseconds{0}}, {655, 385, 17.5, milliseconds{60'000}}), kEnvWide,
      kEnvWide, kWide));
  EXPECT_LT(table.entry_count() * 2, table.voxel_count());
  // Every layer of a run reports the same reservation, the layers outside none.
  const Voxel mid{33, 20, 3};
  const auto here = table.reservations(mid);
  ASSERT_EQ(here.size(), 1u);
  EXPECT_EQ(here[0].owner, 1);
  EXPECT_EQ(table.reservations(Voxel{33, 20, 2}), here);
  EXPECT_EQ(table.reservations(Voxel{33, 20, 4}), here);
  EXPECT_TRUE(table.reservations(Voxel{33, 20, 6}).empty());
  EXPECT_TRUE(table.reservations(Voxel{33, 20, 0}).empty());
}

TEST(ReservationTable, ReleaseOfAnyFlightEqualsNeverReservingIt) {
  const Fleet fleet = random_fleet(11, 40);
  ReservationTable all(kWx, kWy, kWz);
  add(all, fleet);
  std::mt19937_64 rng(5);
  std::vector<std::int64_t> ids;
  for (std::int64_t i = 1; i <= 40; ++i) ids.push_back(i);
  std::shuffle(ids.begin(), ids.end(), rng);
  ids.resize(6);
  for (const std::int64_t id : ids) {
    ReservationTable without(kWx, kWy, kWz);
    add(without, fleet, id);
    ReservationTable released(kWx, kWy, kWz);
    add(released, fleet);
    EXPECT_GT(released.release(id), 0u);
    EXPECT_EQ(released.entry_count(), without.entry_count()) << "flight " << id;
    EXPECT_EQ(released.owner_count(), without.owner_count());
    EXPECT_EQ(snapshot(released), snapshot(without)) << "flight " << id;
  }
  // Releasing everything, in random order, empties the table; it can be refilled as before.
  std::vector<std::int64_t> order;
  for (std::int64_t i = 1; i <= 40; ++i) order.push_back(i);
  std::shuffle(order.begin(), order.end(), rng);
  const Snapshot full = snapshot(all);
  for (const std::int64_t id : order) all.release(id);
  EXPECT_EQ(all.entry_count(), 0u);
  EXPECT_EQ(all.owner_count(), 0u);
  EXPECT_EQ(all.voxel_count(), 0u);
  add(all, fleet);
  EXPECT_EQ(snapshot(all), full);
}

TEST(ReservationTable, ReadsFromATimeAgreeWithTheWholeList) {
  const Fleet fleet = random_fleet(41, 60);
  ReservationTable table(kWx, kWy, kWz);
  add(table, fleet);
  std::mt19937_64 rng(8);
  std::uniform_int_distribution<std::int32_t> px(0, kWx - 1), py(0, kWy - 1), pz(0, kWz - 1);
  // Pads: a long stay (a wide span for its column), one busy for good (no skipping there), and
  // a released flight (its entries gone, the column's span kept).
  for (int i = 0; i < 20; ++i) {
    const Voxel v{px(rng), py(rng), pz(rng)};
    ASSERT_TRUE(table.reserve_pad(v, milliseconds{20'000 + 1'000 * i},
                                  i % 5 == 0 ? kTimeInf - milliseconds{1} : milliseconds{45'000},
                                  1'000 + i));
  }
  ASSERT_GT(table.release(fleet.flights[3].id), 0u);
  std::uniform_int_distribution<std::int64_t> t(-5'000, 80'000);
  std::vector<SafeInterval> got;
  // Every voxel read from each end of its intervals (and 1 ms either side) and from random
  // times, against its whole list clipped there; is_free against the whole list.
  auto agree = [&](std::size_t& dropped, std::size_t& clipped) {
    for (std::int32_t z = 0; z < kWz; ++z) {
      for (std::int32_t y = 0; y < kWy; ++y) {
        for (std::int32_t x = 0; x < kWx; ++x) {
          const Voxel v{x, y, z};
          const std::vector<SafeInterval> all = table.safe_intervals(v);
          std::vector<Millis> froms = {kTimeNegInf, Millis{t(rng)}, Millis{t(rng)}};
          for (const SafeInterval& iv : all) {
            for (const Millis m : {iv.begin, iv.end}) {
              if (m == kTimeNegInf || m == kTimeInf) continue;
              for (const std::int64_t d : {-1, 0, 1}) froms.push_back(m + milliseconds{d});
            }
          }
          for (const Millis from : froms) {
            for (const Millis horizon : {kTimeInf, from + milliseconds{t(rng) + 5'000}}) {
              std::vector<SafeInterval> want;
              for (const SafeInterval& iv : all) {
                const Millis begin = std::max(iv.begin, from);
                if (iv.end > from && begin < horizon) want.push_back(SafeInterval{begin, iv.end});
                if (iv.end > from && iv.begin < from && begin < horizon) ++clipped;
              }
              table.safe_intervals(v, from, horizon, got);
              ASSERT_EQ(got, want) << "voxel " << x << "," << y << "," << z << " from "
                                   << from.count() << " horizon " << horizon.count();
              dropped += all.size() - got.size();
            }
            if (from == kTimeNegInf) continue;
            for (const std::int64_t len : {std::int64_t{0}, std::int64_t{700}, t(rng) + 5'000}) {
              const Millis to = from + milliseconds{len};
              if (to >= kTimeInf - milliseconds{1}) continue;  // "for good" reads back as this
              bool inside = false;
              for (const SafeInterval& iv : all) {
                inside = inside || (iv.begin <= from && to <= iv.end);
              }
              ASSERT_EQ(table.is_free(v, from, to), inside)
                  << "voxel " << x << "," << y << "," << z << " [" << from.count() << ", "
                  << to.count() << "]";
            }
          }
        }
      }
    }
  };
  std::size_t dropped = 0;
  std::size_t clipped = 0;
  agree(dropped, clipped);
  EXPECT_GT(dropped, 0u);
  EXPECT_GT(clipped, 0u);
  // After releasing a pad busy for good and pruning (columns shrink, their spans are those of
  // the entries left), and after emptying the table and refilling it without the long pads.
  ASSERT_GT(table.release(1'000), 0u);
  ASSERT_GT(table.prune_before(milliseconds{30'000}), 0u);
  agree(dropped, clipped);
  for (const auto& f : fleet.flights) table.release(f.id);
  for (int i = 0; i < 20; ++i) table.release(1'000 + i);
  ASSERT_EQ(table.entry_count(), 0u);
  add(table, fleet, fleet.flights[7].id);
  agree(dropped, clipped);
  // Outside the grid: nothing.
  table.safe_intervals(Voxel{kWx, 0, 0}, milliseconds{0}, kTimeInf, got);
  EXPECT_TRUE(got.empty());
}

TEST(ReservationTable, SafeIntervalsBeforeReserveComeBackAfterRelease) {
  const Fleet fleet = random_fleet(23, 30);
  ReservationTable table(kWx, kWy, kWz);
  add(table, fleet);
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<std::int32_t> x(0, kWx - 1), y(0, kWy - 1), z(0, kWz - 1);
  std::vector<Voxel> probe;
  for (int i = 0; i < 3000; ++i) probe.push_back(Voxel{x(rng), y(rng), z(rng)});
  auto intervals = [&] {
    std::vector<std::vector<SafeInterval>> out;
    for (const Voxel& v : probe) out.push_back(table.safe_intervals(v));
    return out;
  };
  const auto before = intervals();
  Fleet extra = random_fleet(99, 12);
  for (auto& tr : extra.flights) tr.id += 1000;
  for (auto& pad : extra.pads) std::get<3>(pad) += 1000;
  add(table, extra);
  EXPECT_NE(intervals(), before);
  for (std::int64_t id = 1001; id <= 1012; ++id) table.release(id);
  EXPECT_EQ(intervals(), before);
}

TEST(ReservationTable, PruneBeforeKeepsEveryAnswerFromThenOn) {
  const Fleet fleet = random_fleet(31, 50);
  ReservationTable table(kWx, kWy, kWz);
  add(table, fleet);
  const Snapshot before = snapshot(table);
  const std::size_t entries_before = table.entry_count();
  // Prune 1 ms before some busy span ends, so that an off-by-one in either direction shows.
  const Millis t = [&] {
    for (const auto& [key, ivs] : before) {
      for (const auto& iv : ivs) {
        if (iv.begin > milliseconds{50'000} && iv.begin < milliseconds{60'000}) {
          return iv.begin - milliseconds{1};
        }
      }
    }
    return Millis{55'000};
  }();
  ASSERT_NE(t, Millis{55'000});
  const std::size_t removed = table.prune_before(t);
  EXPECT_GT(removed, 0u);
  EXPECT_EQ(table.entry_count(), entries_before - removed);
  EXPECT_LT(table.owner_count(), 50u);  // flights over by t are forgotten
  const Snapshot after = snapshot(table);
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<std::int64_t> off(0, 60'000), len(0, 5'000);
  for (const auto& [key, old_ivs] : before) {
    const auto& new_ivs = after.at(key);
    // The intervals ending after t are the same, except that the one holding t may begin
    // earlier; nothing ending by t is kept busy.
    std::vector<SafeInterval> a, b;
    for (const auto& iv : old_ivs) {
      if (iv.end > t) a.push_back(SafeInterval{std::max(iv.begin, t), iv.end});
    }
    for (const auto& iv : new_ivs) {
      if (iv.end > t) b.push_back(SafeInterval{std::max(iv.begin, t), iv.end});
    }
    ASSERT_EQ(a, b);
    for (const auto& r :
         table.reservations(Voxel{std::get<0>(key), std::get<1>(key), std::get<2>(key)})) {
      ASSERT_GT(r.end, t);
    }
    const Voxel v{std::get<0>(key), std::get<1>(key), std::get<2>(key)};
    for (int k = 0; k < 3; ++k) {
      const Millis from = k == 0 ? t : t + milliseconds{off(rng)};
      const Millis to = k == 0 ? t : from + milliseconds{len(rng)};
      bool old_free = false;
      for (const auto& iv : old_ivs) old_free = old_free || (iv.begin <= from && to <= iv.end);
      ASSERT_EQ(table.is_free(v, from, to), old_free);
    }
  }
  // Releasing a flight that was partly pruned frees exactly what was left of it: the same as
  // pruning a table that never held it.
  const std::int64_t id = [&] {
    for (const auto& tr : fleet.flights) {
      if (tr.points.front().t < t && tr.points.back().t > t) return tr.id;
    }
    return std::int64_t{-1};
  }();
  ASSERT_GT(id, 0);
  ReservationTable without(kWx, kWy, kWz);
  add(without, fleet, id);
  without.prune_before(t);
  table.release(id);
  EXPECT_EQ(snapshot(table), snapshot(without));
  EXPECT_EQ(table.entry_count(), without.entry_count());
  // Pruning after everything ended empties the table.
  table.prune_before(table.latest_end());
  EXPECT_EQ(table.entry_count(), 0u);
  EXPECT_EQ(table.owner_count(), 0u);
  EXPECT_EQ(table.prune_before(table.latest_end()), 0u);
}

TEST(ReservationTable, TimeSpanIsLimitedAndMovedForwardByPruning) {
  constexpr std::int64_t kDay = 86'400'000;
  ReservationTable table(4, 4, 2);
  const Voxel pad{1, 1, 0};
  ASSERT_TRUE(table.reserve_pad(pad, milliseconds{0}, milliseconds{1000}, 1));
  // A long slot crossing day 30.
  ASSERT_TRUE(table.reserve_pad(pad, milliseconds{29 * kDay}, milliseconds{31 * kDay}, 2));
  auto r = table.reserve_pad(pad, milliseconds{45 * kDay}, milliseconds{45 * kDay + 1}, 3);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "RESERVATION_TIME_OUT_OF_RANGE");
  EXPECT_EQ(table.entry_count(), 2u);  // unchanged
  auto back = table.reserve_pad(pad, milliseconds{-13 * kDay}, milliseconds{-13 * kDay + 1}, 3);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().reason, "RESERVATION_TIME_OUT_OF_RANGE");
  // Also a swept trajectory, all or nothing.
  const SeparationEnvelope env{4.0, 2.0, milliseconds{100}};
  auto swept = table.reserve(
      line(4, {5, 5, 2.5, milliseconds{kDay}}, {35, 35, 2.5, milliseconds{45 * kDay}}), env, env,
      kGeo);
  ASSERT_FALSE(swept);
  EXPECT_EQ(swept.error().reason, "RESERVATION_TIME_OUT_OF_RANGE");
  EXPECT_EQ(table.entry_count(), 2u);
  EXPECT_EQ(table.owner_count(), 2u);

  EXPECT_EQ(table.prune_before(milliseconds{30 * kDay}), 1u);
  ASSERT_TRUE(table.reserve_pad(pad, milliseconds{45 * kDay}, milliseconds{45 * kDay + 1}, 3));
  EXPECT_EQ(table.safe_intervals(pad),
            (std::vector<SafeInterval>{{kTimeNegInf, milliseconds{29 * kDay}},
                                       {milliseconds{31 * kDay}, milliseconds{45 * kDay}},
                                       {milliseconds{45 * kDay + 1}, kTimeInf}}));
  const auto held = table.reservations(pad);
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0], (Reservation{milliseconds{29 * kDay}, milliseconds{31 * kDay}, 2}));
  EXPECT_EQ(table.release(2), 1u);
  EXPECT_TRUE(table.is_free(pad, milliseconds{30 * kDay}, milliseconds{44 * kDay}));
  // A slot closed for good fits whatever the span, survives pruning and is released exactly.
  ASSERT_TRUE(table.reserve_pad(pad, milliseconds{50 * kDay}, kTimeInf - milliseconds{1}, 5));
  EXPECT_EQ(table.safe_intervals(pad).back(), (SafeInterval{kTimeInf - milliseconds{1}, kTimeInf}));
  EXPECT_FALSE(table.is_free(pad, milliseconds{900 * kDay}, milliseconds{900 * kDay}));
  EXPECT_EQ(table.latest_end(), kTimeInf - milliseconds{1});
  EXPECT_EQ(table.prune_before(milliseconds{46 * kDay}), 1u);  // slot 3 only
  EXPECT_EQ(table.reservations(pad),
            (std::vector<Reservation>{{milliseconds{50 * kDay}, kTimeInf - milliseconds{1}, 5}}));
  EXPECT_EQ(table.release(5), 1u);
  // An emptied table takes a fresh span wherever the next reservation lies.
  table.release(3);
  ASSERT_TRUE(table.reserve_pad(pad, milliseconds{400 * kDay}, milliseconds{400 * kDay + 5}, 4));
  EXPECT_FALSE(table.is_free(pad, milliseconds{400 * kDay}, milliseconds{400 * kDay + 1}));
}

TEST(ReservationTable, AColumnMayHoldMoreEntriesThanOnePoolChunk) {
  ReservationTable table(2, 2, 3);
  const Voxel pad{1, 0, 2};
  constexpr std::int64_t kSlots = 70'000;  // > 65,536 entries: a block of its own
  for (std::int64_t i = 0; i < kSlots; ++i) {
    ASSERT_TRUE(table.reserve_pad(pad, milliseconds{10 * i}, milliseconds{10 * i + 5}, 1 + i % 2));
  }
  EXPECT_EQ(table.entry_count(), static_cast<std::size_t>(kSlots));
  const auto ivs = table.safe_intervals(pad);
  ASSERT_EQ(ivs.size(), static_cast<std::size_t>(kSlots) + 1);
  EXPECT_EQ(ivs[1], (SafeInterval{milliseconds{5}, milliseconds{10}}));
  EXPECT_TRUE(table.is_free(Voxel{1, 0, 1}, milliseconds{0}, milliseconds{1'000'000}));
  EXPECT_EQ(table.release(1), static_cast<std::size_t>(kSlots / 2));
  EXPECT_EQ(table.safe_intervals(pad).size(), static_cast<std::size_t>(kSlots / 2) + 1);
  EXPECT_EQ(table.prune_before(milliseconds{10 * kSlots}), static_cast<std::size_t>(kSlots / 2));
  EXPECT_EQ(table.safe_intervals(pad), (std::vector<SafeInterval>{{kTimeNegInf, kTimeInf}}));
}

}  // namespace
}  // namespace skylane::search
