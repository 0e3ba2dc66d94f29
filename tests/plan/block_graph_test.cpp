// BlockGraph is exact: on random maps, a node route exists iff a column route exists, and a
// column route restricted to the blocks within one block of the node route always exists (one:
// a diagonal step across a block corner needs its side columns, which may lie in the blocks
// beside the route).
#include "skylane/plan/block_graph.hpp"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "skylane/plan/column_route.hpp"

namespace skylane::plan {
namespace {

struct ViewBands {
  const airspace::VehicleView* view;
  [[nodiscard]] std::int32_t size_x() const { return view->size_x(); }
  [[nodiscard]] std::int32_t size_y() const { return view->size_y(); }
  [[nodiscard]] LayerBand band(std::int32_t x, std::int32_t y) const {
    if (x < 0 || y < 0 || x >= view->size_x() || y >= view->size_y()) return {};
    const std::size_t c = static_cast<std::size_t>(y) * view->size_x() + x;
    return LayerBand{view->band_lo(c), view->band_hi(c)};
  }
};

struct InBlocks {
  const ViewBands* inner;
  const Corridor* blocks;
  [[nodiscard]] std::int32_t size_x() const { return inner->size_x(); }
  [[nodiscard]] std::int32_t size_y() const { return inner->size_y(); }
  [[nodiscard]] LayerBand band(std::int32_t x, std::int32_t y) const {
    if (x < 0 || y < 0 || !blocks->contains(x / BlockGraph::kBlock, y / BlockGraph::kBlock)) {
      return {};
    }
    return inner->band(x, y);
  }
};

TEST(BlockGraph, NodeRoutesExistExactlyWhenColumnRoutesDo) {
  for (const double density : {0.2, 0.35, 0.45}) {
    airspace::AirspaceInfo info;
    info.nx = 61;  // not a multiple of the block size
    info.ny = 45;
    info.nz = 30;
    info.cell_xy_m = 20.0;
    info.cell_z_m = 10.0;
    info.altitude_min_amsl_m = -50.0;
    airspace::Airspace a(info);
    std::mt19937_64 rng(static_cast<std::uint64_t>(density * 1000));
    std::bernoulli_distribution blocked(density);
    std::uniform_real_distribution<double> ground(0.0, 60.0);  // steps break some links
    for (std::size_t c = 0; c < a.column_count(); ++c) {
      const double g = ground(rng);
      a.set_ground_amsl_m(c, g);
      a.set_obstacle_top_amsl_m(c, blocked(rng) ? g + 200.0 : g);
    }
    airspace::VehicleLimits limits;
    limits.ceiling_agl_m = 120.0;
    const auto view = airspace::VehicleView::create(a, limits);
    ASSERT_TRUE(view.has_value());
    const BlockGraph graph = BlockGraph::build(*view);
    const ViewBands bands{&*view};
    std::uniform_int_distribution<std::int32_t> px(0, info.nx - 1);
    std::uniform_int_distribution<std::int32_t> py(0, info.ny - 1);
    int found = 0;
    for (int i = 0; i < 150; ++i) {
      const ColumnXY s{px(rng), py(rng)};
      const ColumnXY g{px(rng), py(rng)};
      if (bands.band(s.x, s.y).empty() || bands.band(g.x, g.y).empty()) continue;
      const auto column = find_column_route(bands, s, g, {1000, 1414, 1.0});
      const auto node =
          graph.find_route({graph.node_of(s.x, s.y)}, {graph.node_of(g.x, g.y)}, 1.5, {});
      ASSERT_EQ(column.outcome == search::Outcome::kFound, node.outcome == search::Outcome::kFound)
          << "density " << density << " from (" << s.x << ", " << s.y << ") to (" << g.x << ", "
          << g.y << ")";
      if (node.outcome != search::Outcome::kFound) continue;
      ++found;
      const std::vector<std::vector<ColumnXY>> routes{node.blocks};
      const Corridor near = Corridor::around(routes, 1, graph.size_x(), graph.size_y());
      const InBlocks restricted{&bands, &near};
      EXPECT_EQ(find_column_route(restricted, s, g, {1000, 1414, 1.5}).outcome,
                search::Outcome::kFound);
    }
    EXPECT_GT(found, 0) << density;
  }
}

// A ridge across the straight line: columns x in [10, 20) with y < 8 have their floor 20 layers
// up; a valley (y >= 8) stays at layer 0. Timed only by steps, the route goes over the ridge;
// with floor-change costs (ColumnRouteOptions::rise_cost / fall_cost) it goes round it.
struct RidgeBands {
  [[nodiscard]] std::int32_t size_x() const { return 30; }
  [[nodiscard]] std::int32_t size_y() const { return 11; }
  [[nodiscard]] LayerBand band(std::int32_t x, std::int32_t y) const {
    if (x < 0 || y < 0 || x >= 30 || y >= 11) return {};
    const bool ridge = x >= 10 && x < 20 && y < 8;
    return ridge ? LayerBand{20, 30} : LayerBand{0, 30};
  }
};

TEST(ColumnRoute, FloorChangeCostsTakeTheRouteRoundARidge) {
  const RidgeBands bands;
  const ColumnXY s{0, 2};
  const ColumnXY g{29, 2};
  auto crosses_ridge = [&](const ColumnRouteResult& r) {
    return std::any_of(r.route.begin(), r.route.end(),
                       [&](const ColumnXY& c) { return bands.band(c.x, c.y).lo > 0; });
  };
  const auto timed = find_column_route(bands, s, g, {1000, 1414, 1.0});
  ASSERT_EQ(timed.outcome, search::Outcome::kFound);
  EXPECT_TRUE(crosses_ridge(timed));
  EXPECT_EQ(timed.cost, 29 * 1000);

  ColumnRouteOptions energy{1000, 1414, 1.0};
  energy.rise_cost = 1000;  // 20 layers up and down: 40 s, more than the ~12 s detour
  energy.fall_cost = 1000;
  const auto round = find_column_route(bands, s, g, energy);
  ASSERT_EQ(round.outcome, search::Outcome::kFound);
  EXPECT_FALSE(crosses_ridge(round));
  EXPECT_LT(round.cost, 29 * 1000 + 40 * 1000);
  EXPECT_GT(round.cost, 29 * 1000);

  // A cheap climb is still worth the straight line.
  energy.rise_cost = energy.fall_cost = 10;
  const auto over = find_column_route(bands, s, g, energy);
  ASSERT_EQ(over.outcome, search::Outcome::kFound);
  EXPECT_TRUE(crosses_ridge(over));
  EXPECT_EQ(over.cost, 29 * 1000 + 40 * 10);
}

}  // namespace
}  // namespace skylane::plan
