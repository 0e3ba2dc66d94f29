#include "skylane/search/voxel_bench.hpp"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace skylane::search {
namespace {

std::filesystem::path data_dir() {
  return std::filesystem::path(SKYLANE_SOURCE_DIR) / "tests/data/movingai-3d";
}

TEST(VoxelBench, SampledSimpleRunIsAllOptimal) {
  VoxelBenchConfig config;
  config.map_file = data_dir() / "Simple.3dmap";
  config.scenario_file = data_dir() / "Simple.3dmap.3dscen";
  config.every = 100;
  const auto report = run_voxel_bench(config);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_EQ(report->map_name, "Simple.3dmap");
  EXPECT_EQ(report->scenarios, 100u);
  EXPECT_EQ(report->optimal, 100u);
  EXPECT_EQ(report->unsolved, 0u);
  EXPECT_LT(report->worst_rel_error, 1e-4);
  ASSERT_EQ(report->rows.size(), 100u);
  EXPECT_EQ(report->rows[1].line, 103u);  // rows 0, 100, ... start on line 3
  EXPECT_LE(report->p50_ms, report->p95_ms);
  EXPECT_LE(report->p95_ms, report->max_ms);
  EXPECT_GT(report->expansions, 0u);
}

TEST(VoxelBench, MaxScenariosStopsEarly) {
  VoxelBenchConfig config;
  config.map_file = data_dir() / "Simple.3dmap";
  config.scenario_file = data_dir() / "Simple.3dmap.3dscen";
  config.max_scenarios = 7;
  const auto report = run_voxel_bench(config);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_EQ(report->scenarios, 7u);
}

TEST(VoxelBench, BadInputsAreErrorsWithExitCodes) {
  VoxelBenchConfig config;
  config.map_file = data_dir() / "missing.3dmap";
  config.scenario_file = data_dir() / "Simple.3dmap.3dscen";
  auto report = run_voxel_bench(config);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().exit_code(), 66);

  config.map_file = data_dir() / "Simple.3dmap";
  config.every = 0;
  report = run_voxel_bench(config);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().reason, "INVALID_ARGUMENT");

  // A scenario whose start lies outside the map is bad data, named by file and line.
  auto grid = VoxelGrid::create(4, 4, 4);
  ASSERT_TRUE(grid.has_value());
  const auto set = parse_movingai_scenarios(
      "version 1\nm.3dmap\n0 0 0 1 1 1 1.7320508 1\n"
      "9 0 0 1 1 1 8.0 1\n",
      "m.3dscen");
  ASSERT_TRUE(set.has_value());
  report = run_voxel_bench(*grid, *set, "m.3dscen", VoxelBenchConfig{});
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().reason, "SEARCH_START_OUTSIDE_GRID");
  EXPECT_EQ(report.error().exit_code(), 65);
  EXPECT_NE(report.error().message.find("m.3dscen:4:"), std::string::npos);
}

}  // namespace
}  // namespace skylane::search
