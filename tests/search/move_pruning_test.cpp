#include "skylane/search/move_pruning.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "skylane/search/voxel_moves.hpp"

namespace skylane::search {
namespace {

std::array<std::uint64_t, 27> costs(double vertical_multiplier) {
  std::array<std::uint64_t, 27> c{};
  for (int k = 0; k < 27; ++k) {
    const double factor = moves::dz(k) != 0 ? vertical_multiplier : 1.0;
    c[k] = static_cast<std::uint64_t>(std::llround(moves::length(k) * factor * 4194304.0));
  }
  return c;
}

/// Cheapest path from cell `from` to cell `to` inside the 3×3×3 neighbourhood, never entering
/// the centre, by Bellman-Ford over the legal moves of `free_mask` (independent of the rules).
std::uint64_t local_distance(int from, int to, std::uint32_t free_mask,
                             const std::array<std::uint64_t, 27>& cost) {
  constexpr std::uint64_t kInf = std::numeric_limits<std::uint64_t>::max() / 4;
  std::array<std::uint64_t, 27> d;
  d.fill(kInf);
  d[from] = 0;
  for (int round = 0; round < 27; ++round) {
    for (int a = 0; a < 27; ++a) {
      if (d[a] == kInf || a == moves::kCentre) continue;
      for (int b = 0; b < 27; ++b) {
        if (b == moves::kCentre || b == a) continue;
        const int mx = moves::dx(b) - moves::dx(a), my = moves::dy(b) - moves::dy(a),
                  mz = moves::dz(b) - moves::dz(a);
        if (std::abs(mx) > 1 || std::abs(my) > 1 || std::abs(mz) > 1) continue;
        // Bounding box of a→b must be free.
        bool ok = true;
        for (int x = std::min(moves::dx(a), moves::dx(b));
             x <= std::max(moves::dx(a), moves::dx(b)); ++x)
          for (int y = std::min(moves::dy(a), moves::dy(b));
               y <= std::max(moves::dy(a), moves::dy(b)); ++y)
            for (int z = std::min(moves::dz(a), moves::dz(b));
                 z <= std::max(moves::dz(a), moves::dz(b)); ++z)
              ok = ok && (free_mask >> moves::bit_of(x, y, z) & 1U) != 0;
        if (!ok) continue;
        const int k = moves::bit_of(mx, my, mz);
        if (d[a] + cost[k] < d[b]) d[b] = d[a] + cost[k];
      }
    }
  }
  return d[to];
}

TEST(MovePruning, FreeSpaceKeepsOnlyTheForwardMoves) {
  const MovePruning pruning(costs(1.0));
  const std::uint32_t all_free = (1U << 27) - 1;
  for (int p = 0; p < 27; ++p) {
    if (p == moves::kCentre) {
      EXPECT_EQ(pruning.dominated(p, all_free), 0U);
      continue;
    }
    const std::uint32_t kept =
        moves::kAllMoves & ~(1U << moves::reverse(p)) & ~pruning.dominated(p, all_free);
    const int axes = moves::axes_changed(p);
    // Face: the 9 moves into the next layer; edge: 5; corner: the 7 natural successors.
    EXPECT_EQ(__builtin_popcount(kept), axes == 1 ? 9 : axes == 2 ? 5 : 7) << "parent " << p;
    EXPECT_NE(kept & (1U << p), 0U) << "going straight on is never dominated";
  }
}

TEST(MovePruning, EveryPrunedMoveIsStrictlyDominatedInRandomNeighbourhoods) {
  for (double m : {1.0, 2.5}) {
    const auto cost = costs(m);
    const MovePruning pruning(cost);
    std::mt19937 rng(7);
    for (int trial = 0; trial < 3000; ++trial) {
      int p = static_cast<int>(rng() % 26);
      if (p >= moves::kCentre) ++p;
      const int parent_cell = moves::reverse(p);
      // Half the trials about half blocked, half about a quarter blocked.
      std::uint32_t free_mask = (trial % 2 == 0 ? rng() : rng() | rng()) & ((1U << 27) - 1);
      free_mask |= moves::kRequired[parent_cell] | (1U << moves::kCentre);  // parent→centre legal
      const std::uint32_t legal = moves::legal_moves(free_mask);
      const std::uint32_t pruned = pruning.dominated(p, free_mask) & legal;
      for (int w = 0; w < 27; ++w) {
        if ((pruned >> w & 1U) == 0) continue;
        EXPECT_LT(local_distance(parent_cell, w, free_mask, cost), cost[p] + cost[w])
            << "parent move " << p << ", pruned move " << w << ", mask " << free_mask;
      }
    }
  }
}

}  // namespace
}  // namespace skylane::search
