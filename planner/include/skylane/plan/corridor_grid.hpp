// The 3D grid SIPP searches inside a corridor: voxel (x, y, z) is free when column (x, y) is in
// the corridor and z lies in that column's band for this query (the vehicle view's band, or the
// pad band of the take-off and landing columns). Satisfies search::Grid, answers a 3x3x3
// neighbourhood mask with 9 band reads, and is a ColumnBandSource for the 2D searches.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "skylane/plan/column_route.hpp"
#include "skylane/plan/corridor.hpp"

namespace skylane::plan {

class CorridorGrid {
 public:
  /// Neighbour slot d in [0, 8) is the offset (kDx[d], kDy[d]).
  static constexpr std::array<std::int32_t, 8> kDx = {-1, 0, 1, -1, 1, -1, 0, 1};
  static constexpr std::array<std::int32_t, 8> kDy = {-1, -1, -1, 0, 0, 1, 1, 1};
  using Neighbours = std::array<std::int32_t, 8>;

  /// `bands[i]` is the band of corridor column i (Corridor::index); layers must lie in [0, nz).
  /// Builds the table of the 8 neighbours' indices: O(C) index lookups, 32 bytes per column.
  CorridorGrid(const Corridor& corridor, std::vector<LayerBand> bands, std::int32_t nx,
               std::int32_t ny, std::int32_t nz)
      : corridor_(&corridor), bands_(std::move(bands)), nx_(nx), ny_(ny), nz_(nz) {
    neighbours_.resize(bands_.size());
    corridor.for_each([&](std::int32_t x, std::int32_t y, std::int32_t i) {
      Neighbours& n = neighbours_[static_cast<std::size_t>(i)];
      for (std::size_t d = 0; d < 8; ++d) n[d] = corridor.index(x + kDx[d], y + kDy[d]);
    });
  }

  /// Indices of the 8 neighbours of corridor column i (-1 outside the corridor).
  [[nodiscard]] const Neighbours& neighbours(std::int32_t i) const {
    return neighbours_[static_cast<std::size_t>(i)];
  }

  /// True when the step from column i to its neighbour slot d is legal (column_route.hpp rule).
  [[nodiscard]] bool step_ok(std::int32_t i, std::size_t d) const {
    const Neighbours& n = neighbours_[static_cast<std::size_t>(i)];
    if (n[d] < 0) return false;
    const LayerBand a = bands_[static_cast<std::size_t>(i)];
    const LayerBand b = bands_[static_cast<std::size_t>(n[d])];
    std::int32_t lo = std::max(a.lo, b.lo);
    std::int32_t hi = std::min(a.hi, b.hi);
    if (kDx[d] != 0 && kDy[d] != 0 && lo < hi) {
      // The two side columns are the neighbours (dx, 0) and (0, dy).
      const std::int32_t sx = n[kDx[d] < 0 ? 3 : 4];
      const std::int32_t sy = n[kDy[d] < 0 ? 1 : 6];
      if (sx < 0 || sy < 0) return false;
      const LayerBand c = bands_[static_cast<std::size_t>(sx)];
      const LayerBand e = bands_[static_cast<std::size_t>(sy)];
      lo = std::max({lo, c.lo, e.lo});
      hi = std::min({hi, c.hi, e.hi});
    }
    return lo < hi;
  }

  [[nodiscard]] std::int32_t size_x() const { return nx_; }
  [[nodiscard]] std::int32_t size_y() const { return ny_; }
  [[nodiscard]] std::int32_t size_z() const { return nz_; }
  [[nodiscard]] const Corridor& corridor() const { return *corridor_; }

  /// Band of column (x, y); empty outside the corridor. O(spans in the row).
  [[nodiscard]] LayerBand band(std::int32_t x, std::int32_t y) const {
    const std::int32_t i = corridor_->index(x, y);
    return i < 0 ? LayerBand{} : bands_[static_cast<std::size_t>(i)];
  }
  [[nodiscard]] LayerBand band_at(std::int32_t index) const {
    return bands_[static_cast<std::size_t>(index)];
  }
  /// Drops a column from the search (e.g. one the goal cannot be reached from).
  void close_column(std::int32_t index) { bands_[static_cast<std::size_t>(index)] = LayerBand{}; }

  [[nodiscard]] bool is_free(std::int32_t x, std::int32_t y, std::int32_t z) const {
    return band(x, y).contains(z);
  }

  /// Bit (dz+1)*9 + (dy+1)*3 + (dx+1) set when (x+dx, y+dy, z+dz) is free (voxel_moves.hpp).
  [[nodiscard]] std::uint32_t free_mask(std::int32_t x, std::int32_t y, std::int32_t z) const {
    const std::int32_t i = corridor_->index(x, y);
    if (i < 0) return 0;
    std::uint32_t mask = layer_bits(bands_[static_cast<std::size_t>(i)], z) << 4;  // centre
    const Neighbours& n = neighbours_[static_cast<std::size_t>(i)];
    for (std::size_t d = 0; d < 8; ++d) {
      if (n[d] < 0) continue;
      const auto bit = static_cast<std::uint32_t>((kDy[d] + 1) * 3 + (kDx[d] + 1));
      mask |= layer_bits(bands_[static_cast<std::size_t>(n[d])], z) << bit;
    }
    return mask;
  }

  [[nodiscard]] std::size_t memory_bytes() const {
    return bands_.capacity() * sizeof(LayerBand) + neighbours_.capacity() * sizeof(Neighbours);
  }

 private:
  // Bits 0, 9 and 18 for layers z - 1, z, z + 1 of a band (the free-mask pattern of one column).
  [[nodiscard]] static std::uint32_t layer_bits(LayerBand b, std::int32_t z) {
    return (b.contains(z - 1) ? 1u : 0u) | (b.contains(z) ? 1u << 9 : 0u) |
           (b.contains(z + 1) ? 1u << 18 : 0u);
  }

  const Corridor* corridor_;
  std::vector<LayerBand> bands_;
  std::vector<Neighbours> neighbours_;
  std::int32_t nx_;
  std::int32_t ny_;
  std::int32_t nz_;
};

}  // namespace skylane::plan
