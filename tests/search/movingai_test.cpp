#include "skylane/search/movingai.hpp"

#include <filesystem>
#include <set>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

namespace skylane::search {
namespace {

std::filesystem::path data_dir() {
  return std::filesystem::path(SKYLANE_SOURCE_DIR) / "tests/data/movingai-3d";
}

/// Asserts that a result failed with `reason` and that the message names `where` ("src:line:").
template <class T>
void expect_error(const Result<T>& r, const std::string& reason, const std::string& where) {
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().reason, reason) << r.error().to_string();
  EXPECT_NE(r.error().message.find(where), std::string::npos) << r.error().to_string();
}

TEST(MovingAiMap, ListedVoxelsAreBlockedAndOthersFree) {
  const auto grid = parse_movingai_map("voxel 3 4 5\n0 0 0\n2 3 4\n", "t.3dmap");
  ASSERT_TRUE(grid.has_value()) << grid.error().to_string();
  EXPECT_EQ(grid->size_x(), 3);
  EXPECT_EQ(grid->size_y(), 4);
  EXPECT_EQ(grid->size_z(), 5);
  EXPECT_FALSE(grid->is_free(0, 0, 0));
  EXPECT_FALSE(grid->is_free(2, 3, 4));
  EXPECT_TRUE(grid->is_free(1, 0, 0));
  EXPECT_TRUE(grid->is_free(2, 3, 3));
  EXPECT_FALSE(grid->is_free(3, 0, 0)) << "outside the grid counts as blocked";
  EXPECT_FALSE(grid->is_free(-1, 0, 0));
  EXPECT_EQ(grid->blocked_count(), 2u);
}

TEST(MovingAiMap, RevVoxelListsFreeVoxels) {
  const auto grid = parse_movingai_map("rev_voxel 2 2 2\n1 1 1\n", "t.3dmap");
  ASSERT_TRUE(grid.has_value()) << grid.error().to_string();
  EXPECT_TRUE(grid->is_free(1, 1, 1));
  EXPECT_FALSE(grid->is_free(0, 0, 0));
  EXPECT_EQ(grid->blocked_count(), 7u);
}

TEST(MovingAiMap, ToleratesCrLfBlankLinesTabsAndDuplicates) {
  const auto grid = parse_movingai_map("voxel 2 2 2\r\n1\t1 1\r\n\r\n1 1 1\n\n", "t.3dmap");
  ASSERT_TRUE(grid.has_value()) << grid.error().to_string();
  EXPECT_FALSE(grid->is_free(1, 1, 1));
  EXPECT_EQ(grid->blocked_count(), 1u);
}

TEST(MovingAiMap, MalformedFilesNameFileAndLine) {
  expect_error(parse_movingai_map("", "m.3dmap"), "MOVINGAI_PARSE_ERROR", "m.3dmap:1:");
  expect_error(parse_movingai_map("voxels 2 2 2\n", "m.3dmap"), "MOVINGAI_PARSE_ERROR",
               "m.3dmap:1:");
  expect_error(parse_movingai_map("type octile\n", "m.3dmap"), "MOVINGAI_PARSE_ERROR",
               "m.3dmap:1:");
  expect_error(parse_movingai_map("voxel 2 2\n", "m.3dmap"), "MOVINGAI_PARSE_ERROR", "m.3dmap:1:");
  expect_error(parse_movingai_map("voxel 2 2 2 2\n", "m.3dmap"), "MOVINGAI_PARSE_ERROR",
               "m.3dmap:1:");
  expect_error(parse_movingai_map("voxel 2 two 2\n", "m.3dmap"), "MOVINGAI_PARSE_ERROR",
               "m.3dmap:1:");
  expect_error(parse_movingai_map("voxel 2 0 2\n", "m.3dmap"), "MOVINGAI_OUT_OF_RANGE",
               "m.3dmap:1:");
  expect_error(parse_movingai_map("voxel 2 2 2\n0 0 0\n0 a 1\n", "m.3dmap"), "MOVINGAI_PARSE_ERROR",
               "m.3dmap:3:");
  expect_error(parse_movingai_map("voxel 2 2 2\n0 0 0\n1 1.5 1\n", "m.3dmap"),
               "MOVINGAI_PARSE_ERROR", "m.3dmap:3:");
  expect_error(parse_movingai_map("voxel 2 2 2\n0 0 0\n0 1\n", "m.3dmap"), "MOVINGAI_PARSE_ERROR",
               "m.3dmap:3:");
  expect_error(parse_movingai_map("voxel 2 2 2\n0 0 0 0\n", "m.3dmap"), "MOVINGAI_PARSE_ERROR",
               "m.3dmap:2:");
  expect_error(parse_movingai_map("voxel 2 2 2\n0 0 2\n", "m.3dmap"), "MOVINGAI_OUT_OF_RANGE",
               "m.3dmap:2:");
  expect_error(parse_movingai_map("voxel 2 2 2\n\n0 -1 0\n", "m.3dmap"), "MOVINGAI_OUT_OF_RANGE",
               "m.3dmap:3:");
  expect_error(parse_movingai_map("voxel 2 2 2\n99999999999 0 0\n", "m.3dmap"),
               "MOVINGAI_PARSE_ERROR", "m.3dmap:2:");
}

TEST(MovingAiMap, HugeHeaderIsRefusedBeforeAllocating) {
  expect_error(parse_movingai_map("voxel 100000 100000 100000\n", "m.3dmap"),
               "MOVINGAI_OUT_OF_RANGE", "m.3dmap:1:");
}

TEST(MovingAiMap, MissingFileAndDirectoryAreDistinctErrors) {
  const auto missing = read_movingai_map(data_dir() / "no-such.3dmap");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().reason, "FILE_NOT_FOUND");
  EXPECT_EQ(missing.error().exit_code(), 66);
  const auto dir = read_movingai_map(data_dir());
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().reason, "FILE_UNREADABLE");
}

TEST(MovingAiMap, ReadsSimpleWithEveryObstacleLine) {
  const auto grid = read_movingai_map(data_dir() / "Simple.3dmap");
  ASSERT_TRUE(grid.has_value()) << grid.error().to_string();
  EXPECT_EQ(grid->size_x(), 105);
  EXPECT_EQ(grid->size_y(), 132);
  EXPECT_EQ(grid->size_z(), 105);
  EXPECT_EQ(grid->blocked_count(), 512u);  // 512 obstacle lines, no duplicates
}

TEST(MovingAiScenarios, ParsesRowsWithEightOrNineColumns) {
  const auto set = parse_movingai_scenarios(
      "version 1\nSimple.3dmap\n56 76 52 48 85 45 15.31710829 1.054\n"
      "1 2 3 4 5 6 7.5 1.0 extra\n",
      "s.3dscen");
  ASSERT_TRUE(set.has_value()) << set.error().to_string();
  EXPECT_EQ(set->version, 1);
  EXPECT_EQ(set->map_name, "Simple.3dmap");
  ASSERT_EQ(set->scenarios.size(), 2u);
  const MovingAiScenario& s = set->scenarios[0];
  EXPECT_EQ(s.start, (Voxel{56, 76, 52}));
  EXPECT_EQ(s.goal, (Voxel{48, 85, 45}));
  EXPECT_DOUBLE_EQ(s.optimal_cost, 15.31710829);
  EXPECT_DOUBLE_EQ(s.ratio, 1.054);
  EXPECT_EQ(s.line, 3u);
  EXPECT_EQ(set->scenarios[1].line, 4u);
}

TEST(MovingAiScenarios, MalformedFilesNameFileAndLine) {
  const std::string head = "version 1\nX.3dmap\n";
  expect_error(parse_movingai_scenarios("", "s.3dscen"), "MOVINGAI_PARSE_ERROR", "s.3dscen:1:");
  expect_error(parse_movingai_scenarios("version 7\nX.3dmap\n", "s.3dscen"), "MOVINGAI_PARSE_ERROR",
               "s.3dscen:1:");
  expect_error(parse_movingai_scenarios("versio 1\nX.3dmap\n", "s.3dscen"), "MOVINGAI_PARSE_ERROR",
               "s.3dscen:1:");
  expect_error(parse_movingai_scenarios("version 1\n", "s.3dscen"), "MOVINGAI_PARSE_ERROR",
               "s.3dscen:2:");
  expect_error(parse_movingai_scenarios(head + "1 2 3 4 5 6 7.0 1.0\n1 2 3 4 5\n", "s.3dscen"),
               "MOVINGAI_PARSE_ERROR", "s.3dscen:4:");
  expect_error(parse_movingai_scenarios(head + "1 2 3 4 5 6 seven 1.0\n", "s.3dscen"),
               "MOVINGAI_PARSE_ERROR", "s.3dscen:3:");
  expect_error(parse_movingai_scenarios(head + "1 2 x 4 5 6 7.0 1.0\n", "s.3dscen"),
               "MOVINGAI_PARSE_ERROR", "s.3dscen:3:");
  expect_error(parse_movingai_scenarios(head + "1 2 3 4 5 6 7.0 1.0 a b\n", "s.3dscen"),
               "MOVINGAI_PARSE_ERROR", "s.3dscen:3:");
  expect_error(parse_movingai_scenarios(head + "1 2 3 4 -5 6 7.0 1.0\n", "s.3dscen"),
               "MOVINGAI_OUT_OF_RANGE", "s.3dscen:3:");
  expect_error(parse_movingai_scenarios(head + "1 2 3 4 5 6 -7.0 1.0\n", "s.3dscen"),
               "MOVINGAI_PARSE_ERROR", "s.3dscen:3:");
}

TEST(MovingAiScenarios, ReadsSimpleAndComplex) {
  for (const char* name : {"Simple", "Complex"}) {
    const auto set = read_movingai_scenarios(data_dir() / (std::string(name) + ".3dmap.3dscen"));
    ASSERT_TRUE(set.has_value()) << set.error().to_string();
    EXPECT_EQ(set->map_name, std::string(name) + ".3dmap");
    EXPECT_EQ(set->scenarios.size(), 10000u);
  }
}

}  // namespace
}  // namespace skylane::search
