// Dense 3D occupancy grid, one byte per voxel, stored in the padded layout searches read
// directly (see padded_layout.hpp). Satisfies the Grid concept; the Moving AI reader builds it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "skylane/core/error.hpp"
#include "skylane/search/padded_layout.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/search/zeroed_pages.hpp"

namespace skylane::search {

class VoxelGrid {
 public:
  /// A size_x × size_y × size_z grid, every voxel free (or every voxel blocked).
  /// Errors: INVALID_ARGUMENT for a non-positive size, SEARCH_GRID_TOO_LARGE when the padded
  /// grid exceeds PaddedLayout::kMaxCells, or the memory cannot be had. Memory: (X+2)(Y+2)(Z+2)
  /// bytes, on transparent huge pages where the kernel allows (fewer TLB misses in searches).
  [[nodiscard]] static Result<VoxelGrid> create(std::int32_t size_x, std::int32_t size_y,
                                                std::int32_t size_z, bool all_free = true);

  [[nodiscard]] std::int32_t size_x() const { return layout_.size_x; }
  [[nodiscard]] std::int32_t size_y() const { return layout_.size_y; }
  [[nodiscard]] std::int32_t size_z() const { return layout_.size_z; }

  /// False outside the grid. O(1); concurrent calls are safe.
  [[nodiscard]] bool is_free(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return layout_.contains(x, y, z) && cells()[layout_.index(x, y, z)] != 0;
  }
  [[nodiscard]] bool is_free(Voxel v) const { return is_free(v.x, v.y, v.z); }

  /// Marks one in-grid voxel free or blocked; returns false (and changes nothing) outside.
  bool set_free(std::int32_t x, std::int32_t y, std::int32_t z, bool free);

  /// Number of blocked voxels inside the grid. O(voxels).
  [[nodiscard]] std::uint64_t blocked_count() const;

  /// Fast path for searches: 1 = free, 0 = blocked, indexed by layout(); padding is 0, and
  /// kSlackBytes zero bytes follow the last cell so word-sized reads never run off the end.
  [[nodiscard]] const std::uint8_t* padded_cells() const { return cells(); }
  [[nodiscard]] const PaddedLayout& layout() const { return layout_; }

  static constexpr std::size_t kSlackBytes = 8;

  VoxelGrid(const VoxelGrid& other);
  VoxelGrid& operator=(const VoxelGrid& other);
  VoxelGrid(VoxelGrid&&) noexcept = default;
  VoxelGrid& operator=(VoxelGrid&&) noexcept = default;
  ~VoxelGrid() = default;

 private:
  VoxelGrid(PaddedLayout layout, ZeroedPages pages, bool all_free);
  [[nodiscard]] std::uint8_t* cells() const { return static_cast<std::uint8_t*>(pages_.data()); }

  PaddedLayout layout_;
  ZeroedPages pages_;  // cell_count() + kSlackBytes bytes
};

static_assert(Grid<VoxelGrid>);

}  // namespace skylane::search
