// Index layout shared by dense voxel storage and grid searches: the grid plus one voxel of
// padding on every side, x fastest, then y, then z. Padding lets a search read all 26 neighbours
// of any in-grid voxel at constant offsets, with no bounds checks.
#pragma once

#include <cstdint>

#include "skylane/search/search_types.hpp"

namespace skylane::search {

struct PaddedLayout {
  /// Largest padded cell count a layout may have: indices must fit in 32 bits.
  static constexpr std::uint64_t kMaxCells = 0xFFFF'FFF0ULL;

  std::int32_t size_x = 0;  ///< grid size in voxels, without padding
  std::int32_t size_y = 0;
  std::int32_t size_z = 0;

  /// Index step for +1 in y and in z (x steps by 1).
  [[nodiscard]] constexpr std::int64_t stride_y() const { return std::int64_t{size_x} + 2; }
  [[nodiscard]] constexpr std::int64_t stride_z() const {
    return stride_y() * (std::int64_t{size_y} + 2);
  }
  /// Number of padded cells, (X+2)(Y+2)(Z+2).
  [[nodiscard]] constexpr std::uint64_t cell_count() const {
    return static_cast<std::uint64_t>(stride_z()) * (static_cast<std::uint64_t>(size_z) + 2);
  }
  /// True when sizes are positive and the padded cells fit kMaxCells.
  [[nodiscard]] constexpr bool valid() const {
    return size_x > 0 && size_y > 0 && size_z > 0 && cell_count() <= kMaxCells;
  }
  [[nodiscard]] constexpr bool contains(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return static_cast<std::uint32_t>(x) < static_cast<std::uint32_t>(size_x) &&
           static_cast<std::uint32_t>(y) < static_cast<std::uint32_t>(size_y) &&
           static_cast<std::uint32_t>(z) < static_cast<std::uint32_t>(size_z);
  }
  /// Padded index of an in-grid voxel (or of a padding voxel, for coordinates in [-1, size]).
  [[nodiscard]] constexpr std::uint32_t index(std::int32_t x, std::int32_t y,
                                              std::int32_t z) const {
    return static_cast<std::uint32_t>((std::int64_t{x} + 1) + (std::int64_t{y} + 1) * stride_y() +
                                      (std::int64_t{z} + 1) * stride_z());
  }
  /// Inverse of index(). O(1), two integer divisions.
  [[nodiscard]] constexpr Voxel voxel(std::uint32_t index) const {
    const auto sy = static_cast<std::uint32_t>(stride_y());
    const auto sz = static_cast<std::uint32_t>(stride_z());
    const std::uint32_t z = index / sz;
    const std::uint32_t rest = index - z * sz;
    const std::uint32_t y = rest / sy;
    const std::uint32_t x = rest - y * sy;
    return Voxel{static_cast<std::int32_t>(x) - 1, static_cast<std::int32_t>(y) - 1,
                 static_cast<std::int32_t>(z) - 1};
  }
};

}  // namespace skylane::search
