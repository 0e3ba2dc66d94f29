// Strict-dominance successor pruning (after Harabor & Grastien, AAAI 2011); see
// move_pruning.hpp for the optimality argument.
#include "skylane/search/move_pruning.hpp"

#include <algorithm>
#include <cstdlib>

#include "skylane/search/voxel_moves.hpp"

namespace skylane::search {
namespace {

struct Offset {
  int x, y, z;
};

Offset offset_of(int k) { return {moves::dx(k), moves::dy(k), moves::dz(k)}; }

bool in_cube(Offset a) { return std::abs(a.x) <= 1 && std::abs(a.y) <= 1 && std::abs(a.z) <= 1; }

/// The move from a to b, or -1 when they are equal or not 26-neighbours.
int move_between(Offset a, Offset b) {
  const Offset d{b.x - a.x, b.y - a.y, b.z - a.z};
  if (!in_cube(d) || (d.x == 0 && d.y == 0 && d.z == 0)) return -1;
  return moves::bit_of(d.x, d.y, d.z);
}

/// Free-mask bits of the bounding box of a and b (both inside the neighbourhood).
std::uint32_t box(Offset a, Offset b) {
  std::uint32_t mask = 0;
  for (int x = std::min(a.x, b.x); x <= std::max(a.x, b.x); ++x) {
    for (int y = std::min(a.y, b.y); y <= std::max(a.y, b.y); ++y) {
      for (int z = std::min(a.z, b.z); z <= std::max(a.z, b.z); ++z) {
        mask |= 1U << moves::bit_of(x, y, z);
      }
    }
  }
  return mask;
}

}  // namespace

MovePruning::MovePruning(const std::array<std::uint64_t, 27>& cost) {
  for (int p = 0; p < 27; ++p) {
    begin_[p] = static_cast<std::uint32_t>(rules_.size());
    if (p == moves::kCentre) continue;
    const Offset parent{-moves::dx(p), -moves::dy(p), -moves::dz(p)};
    for (int w = 0; w < 27; ++w) {
      if (w == moves::kCentre || w == moves::reverse(p)) continue;
      const Offset target = offset_of(w);
      const std::uint64_t through = cost[p] + cost[w];
      std::vector<std::uint32_t> certificates;
      if (const int direct = move_between(parent, target); direct >= 0 && cost[direct] < through) {
        certificates.push_back(box(parent, target));
      }
      for (int c = 0; c < 27; ++c) {
        const Offset x = offset_of(c);
        if (c == moves::kCentre || c == moves::bit_of(parent.x, parent.y, parent.z) || c == w) {
          continue;
        }
        const int first = move_between(parent, x);
        const int second = move_between(x, target);
        if (first < 0 || second < 0 || cost[first] + cost[second] >= through) continue;
        certificates.push_back(box(parent, x) | box(x, target));
      }
      // Keep only minimal certificates: one whose voxels include another's is never needed.
      std::sort(certificates.begin(), certificates.end(), [](std::uint32_t a, std::uint32_t b) {
        return __builtin_popcount(a) < __builtin_popcount(b) ||
               (__builtin_popcount(a) == __builtin_popcount(b) && a < b);
      });
      std::vector<std::uint32_t> minimal;
      for (std::uint32_t c : certificates) {
        const bool covered = std::any_of(minimal.begin(), minimal.end(),
                                         [c](std::uint32_t m) { return (m & c) == m; });
        if (!covered) minimal.push_back(c);
      }
      for (std::uint32_t c : minimal) rules_.push_back(Rule{c, 1U << w});
    }
  }
  begin_[27] = static_cast<std::uint32_t>(rules_.size());
}

}  // namespace skylane::search
