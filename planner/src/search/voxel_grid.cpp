#include "skylane/search/voxel_grid.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace skylane::search {

Result<VoxelGrid> VoxelGrid::create(std::int32_t size_x, std::int32_t size_y, std::int32_t size_z,
                                    bool all_free) {
  const std::string dims =
      std::to_string(size_x) + " x " + std::to_string(size_y) + " x " + std::to_string(size_z);
  if (size_x <= 0 || size_y <= 0 || size_z <= 0) {
    return fail("INVALID_ARGUMENT", "voxel grid size " + dims + " must be positive on every axis");
  }
  const PaddedLayout layout{size_x, size_y, size_z};
  if (!layout.valid()) {
    return fail("SEARCH_GRID_TOO_LARGE",
                "voxel grid " + dims + " has " + std::to_string(layout.cell_count()) +
                    " padded cells, more than " + std::to_string(PaddedLayout::kMaxCells));
  }
  ZeroedPages pages(layout.cell_count() + kSlackBytes);
  if (pages.data() == nullptr) {
    return fail("SEARCH_GRID_TOO_LARGE", "cannot allocate " + std::to_string(layout.cell_count()) +
                                             " bytes for the voxel grid " + dims);
  }
  return VoxelGrid(layout, std::move(pages), all_free);
}

VoxelGrid::VoxelGrid(PaddedLayout layout, ZeroedPages pages, bool all_free)
    : layout_(layout), pages_(std::move(pages)) {
  if (!all_free) return;
  // Only the interior is free; the one-voxel frame of padding stays blocked.
  for (std::int32_t z = 0; z < layout_.size_z; ++z) {
    for (std::int32_t y = 0; y < layout_.size_y; ++y) {
      const std::uint32_t row = layout_.index(0, y, z);
      std::fill_n(cells() + row, layout_.size_x, std::uint8_t{1});
    }
  }
}

VoxelGrid::VoxelGrid(const VoxelGrid& other) : layout_(other.layout_), pages_(other.pages_.size()) {
  // A failed allocation leaves an empty grid rather than throwing; is_free() would then crash,
  // so treat it as the out-of-memory condition it is.
  if (pages_.data() == nullptr && other.pages_.size() != 0) std::abort();
  if (other.pages_.size() != 0) std::memcpy(pages_.data(), other.pages_.data(), pages_.size());
}

VoxelGrid& VoxelGrid::operator=(const VoxelGrid& other) {
  if (this != &other) *this = VoxelGrid(other);
  return *this;
}

bool VoxelGrid::set_free(std::int32_t x, std::int32_t y, std::int32_t z, bool free) {
  if (!layout_.contains(x, y, z)) return false;
  cells()[layout_.index(x, y, z)] = free ? 1 : 0;
  return true;
}

std::uint64_t VoxelGrid::blocked_count() const {
  std::uint64_t blocked = 0;
  for (std::int32_t z = 0; z < layout_.size_z; ++z) {
    for (std::int32_t y = 0; y < layout_.size_y; ++y) {
      const std::uint8_t* row = cells() + layout_.index(0, y, z);
      for (std::int32_t x = 0; x < layout_.size_x; ++x) blocked += row[x] == 0 ? 1 : 0;
    }
  }
  return blocked;
}

}  // namespace skylane::search
