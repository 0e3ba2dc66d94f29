// Test helpers for voxel searches: ASCII voxel scenes (after Valhalla's gurka maps) and a path
// checker that enforces the move rules independently of the search under test.
#pragma once

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "skylane/search/search_types.hpp"
#include "skylane/search/voxel_grid.hpp"

namespace skylane::search::testing {

/// A scene: layers[z][y][x], '#' blocked, anything else free; 'S' and 'G' mark start and goal.
struct Scene {
  VoxelGrid grid;
  Voxel start;
  Voxel goal;
};

inline Scene make_scene(const std::vector<std::vector<std::string>>& layers) {
  const auto sz = static_cast<std::int32_t>(layers.size());
  const auto sy = static_cast<std::int32_t>(layers.at(0).size());
  const auto sx = static_cast<std::int32_t>(layers.at(0).at(0).size());
  auto grid = VoxelGrid::create(sx, sy, sz);
  if (!grid) std::abort();
  Scene scene{std::move(*grid), {}, {}};
  for (std::int32_t z = 0; z < sz; ++z) {
    for (std::int32_t y = 0; y < sy; ++y) {
      for (std::int32_t x = 0; x < sx; ++x) {
        const char c = layers[z].at(y).at(x);
        if (c == '#') scene.grid.set_free(x, y, z, false);
        if (c == 'S') scene.start = Voxel{x, y, z};
        if (c == 'G') scene.goal = Voxel{x, y, z};
      }
    }
  }
  return scene;
}

/// Checks, independently of any search, that `path` runs from start to goal in legal moves
/// (26-connected, every voxel of each move's bounding box free) and returns its cost, with
/// moves that change z multiplied by `vertical_multiplier`.
template <class G>
double checked_path_cost(const G& grid, const std::vector<Voxel>& path, Voxel start, Voxel goal,
                         double vertical_multiplier = 1.0) {
  EXPECT_FALSE(path.empty());
  if (path.empty()) return -1.0;
  EXPECT_EQ(path.front(), start);
  EXPECT_EQ(path.back(), goal);
  double cost = 0.0;
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Voxel a = path[i - 1];
    const Voxel b = path[i];
    const int dx = b.x - a.x, dy = b.y - a.y, dz = b.z - a.z;
    EXPECT_TRUE(std::abs(dx) <= 1 && std::abs(dy) <= 1 && std::abs(dz) <= 1 &&
                (dx != 0 || dy != 0 || dz != 0))
        << "step " << i << " is not a 26-neighbour move";
    for (int x = std::min(a.x, b.x); x <= std::max(a.x, b.x); ++x) {
      for (int y = std::min(a.y, b.y); y <= std::max(a.y, b.y); ++y) {
        for (int z = std::min(a.z, b.z); z <= std::max(a.z, b.z); ++z) {
          EXPECT_TRUE(grid.is_free(x, y, z)) << "step " << i << " cuts through blocked voxel (" << x
                                             << ", " << y << ", " << z << ")";
        }
      }
    }
    const double length = std::sqrt(static_cast<double>(dx * dx + dy * dy + dz * dz));
    cost += length * (dz != 0 ? vertical_multiplier : 1.0);
  }
  return cost;
}

}  // namespace skylane::search::testing
