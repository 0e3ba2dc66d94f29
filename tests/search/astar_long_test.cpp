// Long test (ctest label "long"): every 10th scenario of the four Moving AI maps in the shared
// folder must come out at the listed optimal cost. Skipped when the shared folder is absent.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "skylane/search/voxel_bench.hpp"

namespace skylane::search {
namespace {

class MovingAiLong : public ::testing::TestWithParam<std::string> {};

TEST_P(MovingAiLong, EveryTenthScenarioIsOptimal) {
  const std::filesystem::path dir =
      std::filesystem::path(SKYLANE_SHARED_DIR) / "data" / "movingai-3d";
  const std::string map = GetParam();
  if (!std::filesystem::exists(dir / (map + ".3dmap"))) {
    GTEST_SKIP() << "shared Moving AI data not found in " << dir;
  }
  VoxelBenchConfig config;
  config.map_file = dir / (map + ".3dmap");
  config.scenario_file = dir / (map + ".3dmap.3dscen");
  config.every = 10;
  const auto report = run_voxel_bench(config);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_EQ(report->scenarios, 1000u);
  EXPECT_EQ(report->unsolved, 0u);
  EXPECT_EQ(report->optimal, report->scenarios)
      << "worst relative error " << report->worst_rel_error;
  for (const VoxelBenchRow& row : report->rows) {
    EXPECT_LE(row.rel_error, 1e-4) << map << " line " << row.line << ": found " << row.found_cost
                                   << ", listed " << row.optimal_cost;
  }
}

INSTANTIATE_TEST_SUITE_P(SharedMaps, MovingAiLong,
                         ::testing::Values("Simple", "Complex", "DA1", "BC1"));

}  // namespace
}  // namespace skylane::search
