// The 26-connected voxel move set with strict no corner cutting (every voxel in the
// axis-aligned bounding box of a move must be free), its exact costs 1, √2, √3 and the
// octile-3D distance; the model of the Moving AI 3D benchmarks (Brewer & Sturtevant, SoCS 2018).
// Searches (A*, SIPP) share these tables so they agree on which moves exist.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "skylane/search/search_types.hpp"

namespace skylane::search::moves {

/// Neighbourhood bit k in [0, 27) is the voxel at offset (dx, dy, dz) = (k % 3 - 1,
/// k / 3 % 3 - 1, k / 9 - 1) from the centre; bit kCentre (13) is the centre itself. A "free
/// mask" has bit k set when that voxel is free; a "move set" has bit k set when the move to
/// that neighbour is legal.
inline constexpr int kCentre = 13;
inline constexpr std::uint32_t kAllMoves = ((1U << 27) - 1) & ~(1U << kCentre);

[[nodiscard]] constexpr int dx(int k) { return k % 3 - 1; }
[[nodiscard]] constexpr int dy(int k) { return k / 3 % 3 - 1; }
[[nodiscard]] constexpr int dz(int k) { return k / 9 - 1; }
[[nodiscard]] constexpr int bit_of(int x, int y, int z) {
  return (x + 1) + 3 * (y + 1) + 9 * (z + 1);
}
/// The move that undoes move k.
[[nodiscard]] constexpr int reverse(int k) { return 26 - k; }
/// Number of coordinates move k changes: 1 (face), 2 (edge) or 3 (corner).
[[nodiscard]] constexpr int axes_changed(int k) {
  return (dx(k) != 0 ? 1 : 0) + (dy(k) != 0 ? 1 : 0) + (dz(k) != 0 ? 1 : 0);
}

/// Euclidean length of move k in voxel units: 1, √2 or √3 (0 for the centre).
[[nodiscard]] inline double length(int k) {
  static constexpr std::array<double, 4> kLength = {0.0, 1.0, 1.4142135623730951,
                                                    1.7320508075688772};
  return kLength[axes_changed(k)];
}

namespace detail {
constexpr std::array<std::uint32_t, 27> required_masks() {
  std::array<std::uint32_t, 27> req{};
  for (int k = 0; k < 27; ++k) {
    if (k == kCentre) continue;
    // Every voxel c whose offset lies between 0 and the move on each axis (the bounding box).
    for (int c = 0; c < 27; ++c) {
      const bool in_box = (dx(c) == 0 || dx(c) == dx(k)) && (dy(c) == 0 || dy(c) == dy(k)) &&
                          (dz(c) == 0 || dz(c) == dz(k));
      if (in_box && c != kCentre) req[k] |= 1U << c;
    }
  }
  return req;
}
}  // namespace detail

/// Voxels (as a free-mask pattern) that must be free for move k: 1, 3 or 7 bits.
inline constexpr std::array<std::uint32_t, 27> kRequired = detail::required_masks();

/// Legal moves for a neighbourhood whose free voxels are `free_mask`. O(26) bit operations.
[[nodiscard]] constexpr std::uint32_t legal_moves(std::uint32_t free_mask) {
  std::uint32_t legal = 0;
  for (int k = 0; k < 27; ++k) {
    legal |= static_cast<std::uint32_t>((free_mask & kRequired[k]) == kRequired[k]) << k;
  }
  return legal & kAllMoves;
}

/// Free mask of the neighbourhood of (x, y, z) through Grid::is_free (26 calls). The centre bit
/// is set whatever the centre holds.
template <Grid G>
[[nodiscard]] std::uint32_t free_mask(const G& grid, std::int32_t x, std::int32_t y,
                                      std::int32_t z) {
  std::uint32_t mask = 1U << kCentre;
  for (int k = 0; k < 27; ++k) {
    if (k != kCentre && grid.is_free(x + dx(k), y + dy(k), z + dz(k))) mask |= 1U << k;
  }
  return mask;
}

/// Octile-3D distance (√3−√2)·d_min + (√2−1)·d_mid + d_max over the sorted |dx|, |dy|, |dz|:
/// the exact obstacle-free 26-connected cost, so an admissible and consistent A* heuristic.
[[nodiscard]] inline double octile_distance(Voxel a, Voxel b) {
  auto diff = [](std::int32_t p, std::int32_t q) {
    return std::fabs(static_cast<double>(p) - static_cast<double>(q));
  };
  std::array<double, 3> d = {diff(a.x, b.x), diff(a.y, b.y), diff(a.z, b.z)};
  std::sort(d.begin(), d.end());
  return (length(bit_of(1, 1, 1)) - length(bit_of(1, 1, 0))) * d[0] +
         (length(bit_of(1, 1, 0)) - 1.0) * d[1] + d[2];
}

}  // namespace skylane::search::moves
