#include "skylane/search/astar.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "scene.hpp"
#include <gtest/gtest.h>

#include "skylane/search/movingai.hpp"
#include "skylane/search/voxel_moves.hpp"

namespace skylane::search {
namespace {

using testing::checked_path_cost;
using testing::make_scene;

std::filesystem::path data_dir() {
  return std::filesystem::path(SKYLANE_SOURCE_DIR) / "tests/data/movingai-3d";
}
constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kSqrt3 = 1.7320508075688772;

AStarResult solve(const VoxelGrid& grid, Voxel start, Voxel goal, AStarOptions options = {},
                  const StopCondition& stop = {}) {
  AStar<VoxelGrid> astar(grid, options);
  auto r = astar.find_path(start, goal, stop);
  EXPECT_TRUE(r.has_value()) << r.error().to_string();
  return r.has_value() ? *r : AStarResult{};
}

// --- Move set -----------------------------------------------------------------------------

TEST(VoxelMoves, BoundingBoxesHaveOneThreeOrSevenVoxels) {
  for (int k = 0; k < 27; ++k) {
    if (k == moves::kCentre) continue;
    const int bits = __builtin_popcount(moves::kRequired[k]);
    const int axes = moves::axes_changed(k);
    EXPECT_EQ(bits, axes == 1 ? 1 : axes == 2 ? 3 : 7) << "move " << k;
    EXPECT_NE(moves::kRequired[k] & (1U << k), 0U) << "target voxel must be free";
    EXPECT_EQ(moves::reverse(moves::reverse(k)), k);
    EXPECT_EQ(moves::dx(moves::reverse(k)), -moves::dx(k));
  }
  EXPECT_EQ(moves::legal_moves(moves::kAllMoves | (1U << moves::kCentre)), moves::kAllMoves);
  EXPECT_EQ(moves::legal_moves(1U << moves::kCentre), 0U);
}

TEST(VoxelMoves, OctileDistanceMatchesFreeSpaceCost) {
  EXPECT_DOUBLE_EQ(moves::octile_distance({0, 0, 0}, {3, 0, 0}), 3.0);
  EXPECT_NEAR(moves::octile_distance({0, 0, 0}, {2, 2, 0}), 2 * kSqrt2, 1e-12);
  EXPECT_NEAR(moves::octile_distance({0, 0, 0}, {2, 2, 2}), 2 * kSqrt3, 1e-12);
  EXPECT_NEAR(moves::octile_distance({5, 1, 0}, {0, 3, 1}), kSqrt3 + kSqrt2 + 3.0, 1e-12);
}

// --- Hand-made scenes -------------------------------------------------------------------------

TEST(AStar, StraightAndDiagonalFreeSpace) {
  auto s = make_scene({{"S...G"}});
  auto r = solve(s.grid, s.start, s.goal);
  ASSERT_EQ(r.outcome, Outcome::kFound);
  EXPECT_DOUBLE_EQ(r.cost, 4.0);
  EXPECT_EQ(r.path.size(), 5u);
  EXPECT_TRUE(r.reason.empty());

  auto cube = VoxelGrid::create(3, 3, 3);
  ASSERT_TRUE(cube.has_value());
  r = solve(*cube, {0, 0, 0}, {2, 2, 2});
  ASSERT_EQ(r.outcome, Outcome::kFound);
  EXPECT_NEAR(r.cost, 2 * kSqrt3, 1e-12);
  EXPECT_EQ(r.path.size(), 3u);
}

TEST(AStar, StartEqualsGoal) {
  auto s = make_scene({{"S.."}});
  const auto r = solve(s.grid, s.start, s.start);
  ASSERT_EQ(r.outcome, Outcome::kFound);
  EXPECT_EQ(r.cost, 0.0);
  ASSERT_EQ(r.path.size(), 1u);
  EXPECT_EQ(r.path[0], s.start);
}

TEST(AStar, FaceDiagonalMayNotCutACorner) {
  // The diagonal S→G would pass the blocked voxel's corner: strict rule forces two face moves.
  auto s = make_scene({{"S#",  //
                        ".G"}});
  const auto r = solve(s.grid, s.start, s.goal);
  ASSERT_EQ(r.outcome, Outcome::kFound);
  EXPECT_DOUBLE_EQ(r.cost, 2.0);
  EXPECT_DOUBLE_EQ(checked_path_cost(s.grid, r.path, s.start, s.goal), 2.0);
}

TEST(AStar, BodyDiagonalNeedsTheWholeCubeFree) {
  // 2×2×2 cube with one edge voxel (1, 1, 0) blocked: the √3 move is illegal; best is √2 + 1.
  auto s = make_scene({{"S.",  //
                        ".#"},
                       {"..",  //
                        ".G"}});
  const auto r = solve(s.grid, s.start, s.goal);
  ASSERT_EQ(r.outcome, Outcome::kFound);
  EXPECT_NEAR(r.cost, 1.0 + kSqrt2, 1e-12);
  EXPECT_NEAR(checked_path_cost(s.grid, r.path, s.start, s.goal), 1.0 + kSqrt2, 1e-12);
}

TEST(AStar, WallWithoutGapIsNoRoute) {
  auto s = make_scene({{"S.#..",  //
                        "..#.G", "..#.."}});
  const auto r = solve(s.grid, s.start, s.goal);
  EXPECT_EQ(r.outcome, Outcome::kNoRoute);
  EXPECT_TRUE(r.path.empty());
  EXPECT_FALSE(r.reason.empty());
  EXPECT_EQ(r.stats.expansions, 6u);  // the six voxels left of the wall
}

TEST(AStar, DiagonalGapThatOnlyCornerCuttingCouldUseIsNoRoute) {
  // The two free voxels touch only at an edge; without corner cutting they are not connected.
  auto s = make_scene({{"S#",  //
                        "#G"}});
  EXPECT_EQ(solve(s.grid, s.start, s.goal).outcome, Outcome::kNoRoute);
}

TEST(AStar, ExpansionCapGivesBudgetExhausted) {
  auto s = make_scene({{"S.........G"}});
  StopCondition stop;
  stop.max_expansions = 3;
  const auto r = solve(s.grid, s.start, s.goal, {}, stop);
  EXPECT_EQ(r.outcome, Outcome::kBudgetExhausted);
  EXPECT_EQ(r.stats.expansions, 3u);
  EXPECT_TRUE(r.path.empty());
  EXPECT_NE(r.reason.find("expansion"), std::string::npos);
}

TEST(AStar, PassedDeadlineGivesBudgetExhausted) {
  auto s = make_scene({{"S.........G"}});
  StopCondition stop;
  stop.deadline = Clock::now() - std::chrono::seconds(1);
  const auto r = solve(s.grid, s.start, s.goal, {}, stop);
  EXPECT_EQ(r.outcome, Outcome::kBudgetExhausted);
  EXPECT_NE(r.reason.find("deadline"), std::string::npos);
  // A generous budget does not get in the way.
  EXPECT_EQ(
      solve(s.grid, s.start, s.goal, {}, StopCondition::within(std::chrono::minutes(1))).outcome,
      Outcome::kFound);
}

TEST(AStar, RaisedCancelFlagGivesCancelled) {
  auto s = make_scene({{"S.........G"}});
  std::atomic<bool> cancelled{true};
  StopCondition stop;
  stop.cancelled = &cancelled;
  const auto r = solve(s.grid, s.start, s.goal, {}, stop);
  EXPECT_EQ(r.outcome, Outcome::kCancelled);
  EXPECT_TRUE(r.path.empty());
  cancelled = false;
  EXPECT_EQ(solve(s.grid, s.start, s.goal, {}, stop).outcome, Outcome::kFound);
}

TEST(AStar, VerticalMultiplierScalesClimbs) {
  auto s = make_scene({{"S"}, {"."}, {"G"}});
  AStarOptions options;
  options.vertical_cost_multiplier = 3.0;
  const auto r = solve(s.grid, s.start, s.goal, options);
  ASSERT_EQ(r.outcome, Outcome::kFound);
  EXPECT_DOUBLE_EQ(r.cost, 6.0);
}

TEST(AStar, VerticalMultiplierTurnsAClimbIntoADetour) {
  // Layer 0 has a wall with a gap far away; layer 1 is open. Plain costs go over the wall;
  // expensive climbs go round through the gap, on layer 0 only.
  const std::vector<std::string> ground = {"S.#.G",  //
                                           "..#..", "..#..", "..#..", "....."};
  auto s = make_scene({ground, {".....", ".....", ".....", ".....", "....."}});
  const auto flat = make_scene({ground});

  const auto over = solve(s.grid, s.start, s.goal);
  ASSERT_EQ(over.outcome, Outcome::kFound);
  EXPECT_NEAR(over.cost, 2 * kSqrt2 + 2.0, 1e-12);

  AStarOptions options;
  options.vertical_cost_multiplier = 10.0;
  const auto round = solve(s.grid, s.start, s.goal, options);
  ASSERT_EQ(round.outcome, Outcome::kFound);
  for (const Voxel& v : round.path) EXPECT_EQ(v.z, 0);
  const auto flat_r = solve(flat.grid, flat.start, flat.goal);
  ASSERT_EQ(flat_r.outcome, Outcome::kFound);
  EXPECT_NEAR(round.cost, flat_r.cost, 1e-9);
  EXPECT_GT(round.cost, over.cost);
  EXPECT_NEAR(checked_path_cost(s.grid, round.path, s.start, s.goal, 10.0), round.cost, 1e-9);
}

TEST(AStar, BadRequestsAreErrorsNotCrashes) {
  auto s = make_scene({{"S#G"}});
  AStar<VoxelGrid> astar(s.grid);
  auto r = astar.find_path({-1, 0, 0}, s.goal);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "SEARCH_START_OUTSIDE_GRID");
  r = astar.find_path(s.start, {0, 0, 1});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "SEARCH_GOAL_OUTSIDE_GRID");
  r = astar.find_path({1, 0, 0}, s.goal);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "SEARCH_START_BLOCKED");
  r = astar.find_path(s.start, {1, 0, 0});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, "SEARCH_GOAL_BLOCKED");
  EXPECT_NE(r.error().message.find("(1, 0, 0)"), std::string::npos);

  for (double m : {0.5, 0.0, -1.0, std::numeric_limits<double>::quiet_NaN(), 1e9}) {
    AStarOptions options;
    options.vertical_cost_multiplier = m;
    AStar<VoxelGrid> bad(s.grid, options);
    const auto e = bad.find_path(s.start, s.start);
    ASSERT_FALSE(e.has_value()) << m;
    EXPECT_EQ(e.error().reason, "SEARCH_OPTIONS_INVALID");
  }
}

TEST(AStar, RepeatedQueriesOnOneSearcherAreIdentical) {
  auto grid = read_movingai_map(data_dir() / "Complex.3dmap");
  ASSERT_TRUE(grid.has_value()) << grid.error().to_string();
  AStar<VoxelGrid> astar(*grid);
  const Voxel a{94, 89, 126}, b{160, 59, 94};
  const auto first = astar.find_path(a, b);
  ASSERT_TRUE(first.has_value());
  for (int i = 0; i < 3; ++i) {
    const auto again = astar.find_path(a, b);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->path, first->path);
    EXPECT_EQ(again->stats.expansions, first->stats.expansions);
  }
  EXPECT_NEAR(first->cost, 94.58554144, 1e-6);
}

// --- Other grid types through the concept -------------------------------------------------------

/// Only the Grid concept: is_free and sizes, as a column-based airspace view would offer.
struct PlainGrid {
  const VoxelGrid* inner;
  std::int32_t size_x() const { return inner->size_x(); }
  std::int32_t size_y() const { return inner->size_y(); }
  std::int32_t size_z() const { return inner->size_z(); }
  bool is_free(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return inner->is_free(x, y, z);
  }
};

/// Grid concept plus its own neighbourhood mask.
struct MaskGrid : PlainGrid {
  std::uint32_t free_mask(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return moves::free_mask(*inner, x, y, z);
  }
};

static_assert(Grid<PlainGrid> && !PaddedByteGrid<PlainGrid> && !NeighbourhoodGrid<PlainGrid>);
static_assert(NeighbourhoodGrid<MaskGrid> && !PaddedByteGrid<MaskGrid>);
static_assert(PaddedByteGrid<VoxelGrid>);

TEST(AStar, GenericGridsGiveTheSameAnswers) {
  auto grid = read_movingai_map(data_dir() / "Complex.3dmap");
  ASSERT_TRUE(grid.has_value()) << grid.error().to_string();
  auto set = read_movingai_scenarios(data_dir() / "Complex.3dmap.3dscen");
  ASSERT_TRUE(set.has_value()) << set.error().to_string();
  AStar<VoxelGrid> dense(*grid);
  const PlainGrid plain_grid{&*grid};
  const MaskGrid mask_grid{{&*grid}};
  AStar<PlainGrid> plain(plain_grid);
  AStar<MaskGrid> masked(mask_grid);
  for (std::size_t i = 0; i < set->scenarios.size(); i += 500) {
    const MovingAiScenario& s = set->scenarios[i];
    const auto a = dense.find_path(s.start, s.goal);
    const auto b = plain.find_path(s.start, s.goal);
    const auto c = masked.find_path(s.start, s.goal);
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(a->path, b->path) << "line " << s.line;
    EXPECT_EQ(a->path, c->path) << "line " << s.line;
    EXPECT_NEAR(b->cost, s.optimal_cost, 1e-4 * s.optimal_cost);
  }
}

// --- Moving AI benchmark optima ----------------------------------------------------------------

void expect_optimal(const std::string& map, std::size_t every) {
  auto grid = read_movingai_map(data_dir() / (map + ".3dmap"));
  ASSERT_TRUE(grid.has_value()) << grid.error().to_string();
  auto set = read_movingai_scenarios(data_dir() / (map + ".3dmap.3dscen"));
  ASSERT_TRUE(set.has_value()) << set.error().to_string();
  AStar<VoxelGrid> astar(*grid);
  std::size_t solved = 0;
  for (std::size_t i = 0; i < set->scenarios.size(); i += every) {
    const MovingAiScenario& s = set->scenarios[i];
    const auto r = astar.find_path(s.start, s.goal);
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    ASSERT_EQ(r->outcome, Outcome::kFound) << map << " line " << s.line;
    EXPECT_NEAR(r->cost, s.optimal_cost, 1e-4 * std::max(1.0, s.optimal_cost))
        << map << " line " << s.line;
    EXPECT_NEAR(checked_path_cost(*grid, r->path, s.start, s.goal), r->cost, 1e-9)
        << map << " line " << s.line;
    ++solved;
  }
  EXPECT_EQ(solved, (set->scenarios.size() + every - 1) / every);
}

TEST(AStarMovingAi, AllOfSimpleIsOptimal) { expect_optimal("Simple", 1); }

TEST(AStarMovingAi, EveryFiftiethOfComplexIsOptimal) { expect_optimal("Complex", 50); }

}  // namespace
}  // namespace skylane::search
