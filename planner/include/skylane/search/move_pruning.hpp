// Successor pruning by strict local dominance for 26-connected voxel searches: a move u→w is
// dropped when the parent p of u reaches w without u, inside u's 3×3×3 neighbourhood, strictly
// more cheaply than p→u→w. Then d(w) < d(u) + c(u, w), so u→w lies on no shortest path, whatever
// parent the search recorded for u; A* with a consistent heuristic stays optimal. (Unlike JPS it
// never prunes on ties, so it needs no canonical parent and no jumping.)
// After D. Harabor and A. Grastien, "Online Graph Pruning for Pathfinding on Grid Maps",
// AAAI 2011 (neighbour pruning rules), restricted to strict dominance.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace skylane::search {

class MovePruning {
 public:
  MovePruning() = default;
  /// Builds the rules for per-move costs `cost[k]` (bit layout of voxel_moves.hpp; any units in
  /// which the search compares costs exactly, e.g. A*'s fixed point). Alternatives considered:
  /// the direct move p→w and every two-move path p→x→w with x in the neighbourhood, x ≠ u; each
  /// rule needs the voxels of both moves' bounding boxes free. O(26² · 27) once.
  explicit MovePruning(const std::array<std::uint64_t, 27>& cost);

  /// Moves out of the centre that are strictly dominated when the centre was entered by move
  /// `parent` (the move from its parent; kCentre for the start: nothing is dominated) and its
  /// neighbourhood's free voxels are `free_mask`. At most 32 mask tests; thread-safe.
  [[nodiscard]] std::uint32_t dominated(int parent, std::uint32_t free_mask) const {
    std::uint32_t out = 0;
    for (std::uint32_t i = begin_[parent]; i < begin_[parent + 1]; ++i) {
      const Rule& r = rules_[i];
      out |= (free_mask & r.required) == r.required ? r.target : 0U;
    }
    return out;
  }

  /// Number of rules for moves entering by `parent` (for tests).
  [[nodiscard]] std::uint32_t rule_count(int parent) const {
    return begin_[parent + 1] - begin_[parent];
  }

 private:
  struct Rule {
    std::uint32_t required;  // free-mask bits the alternative path needs
    std::uint32_t target;    // the dominated move, as a move-set bit
  };
  std::vector<Rule> rules_;
  std::array<std::uint32_t, 28> begin_{};
};

}  // namespace skylane::search
