// A coarse graph over the map's columns, built once per vehicle class: the columns of each
// 8 x 8 block split into connected components (column_route.hpp step rules, steps inside the
// block), one node per component, and an edge wherever a legal column step joins two components
// of neighbouring blocks. Components are connected inside, so the abstraction is exact: a node
// route exists iff a column route exists, and every node route is realised by a column route
// inside the blocks within one block of it (a diagonal step needs its side columns) (after HPA*'s
// abstraction: A. Botea, M. Müller, J. Schaeffer, "Near Optimal Hierarchical Path-Finding", J. Game
// Development 1, 2004; here without entrances, one node per component). Search: weighted A* (Hart,
// Nilsson & Raphael 1968; Pohl 1970).
#pragma once

#include <cstdint>
#include <vector>

#include "skylane/airspace/vehicle_view.hpp"
#include "skylane/plan/corridor.hpp"
#include "skylane/search/search_types.hpp"

namespace skylane::plan {

class BlockGraph {
 public:
  /// Columns per block side.
  static constexpr std::int32_t kBlock = 8;

  BlockGraph() = default;

  /// O(columns): a flood fill inside every block and three step tests per border column.
  /// Memory: ~10 bytes per block plus 4 bytes per edge end, plus 64 bytes per block that holds
  /// more than one component.
  [[nodiscard]] static BlockGraph build(const airspace::VehicleView& view);

  /// Blocks along x and y.
  [[nodiscard]] std::int32_t size_x() const { return nbx_; }
  [[nodiscard]] std::int32_t size_y() const { return nby_; }
  [[nodiscard]] std::size_t node_count() const { return node_block_.size(); }

  /// Node of the component holding column (x, y), or -1 if its band is empty / outside the map.
  [[nodiscard]] std::int32_t node_of(std::int32_t x, std::int32_t y) const;
  /// Block (bx, by) of a node.
  [[nodiscard]] ColumnXY block_of_node(std::int32_t node) const;

  struct Route {
    search::Outcome outcome = search::Outcome::kNoRoute;
    std::vector<ColumnXY> blocks;  ///< blocks of the node route, first source to a target
    search::SearchStats stats;
  };
  /// Weighted A* (octile heuristic over block coordinates, weight >= 1) from any of `sources` to
  /// any of `targets` (node ids). kNoRoute proves that no column route joins them;
  /// kBudgetExhausted / kCancelled come from `stop`.
  [[nodiscard]] Route find_route(const std::vector<std::int32_t>& sources,
                                 const std::vector<std::int32_t>& targets, double weight,
                                 const search::StopCondition& stop) const;

  [[nodiscard]] std::size_t memory_bytes() const;

 private:
  std::int32_t nbx_ = 0;
  std::int32_t nby_ = 0;
  const airspace::VehicleView* view_ = nullptr;
  std::vector<std::uint32_t> first_node_;  ///< per block (+1 sentinel): its nodes are a range
  std::vector<std::int32_t> labels_at_;    ///< per block: offset into labels_, -1 if <= 1 node
  std::vector<std::uint8_t> labels_;       ///< 64 per split block: component (1-based) per column
  std::vector<std::uint32_t> node_block_;  ///< node -> block index
  std::vector<std::uint32_t> edge_first_;  ///< node -> [first, next first) into edges_ (CSR)
  std::vector<std::uint32_t> edges_;
};

}  // namespace skylane::plan
