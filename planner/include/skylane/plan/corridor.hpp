// A corridor: the set of map columns within a Chebyshev distance of one or more 2D routes,
// stored as sorted x-spans per row with a dense index 0..size()-1, so per-query arrays (bands,
// distances) cover the corridor only, never the whole map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace skylane::plan {

/// A map column (x east, y north), as in search::Voxel without z.
struct ColumnXY {
  std::int32_t x = 0;
  std::int32_t y = 0;
  friend bool operator==(const ColumnXY&, const ColumnXY&) = default;
};

class Corridor {
 public:
  Corridor() = default;

  /// Columns within Chebyshev distance `half_width` (cells, >= 0) of any column of any route,
  /// clipped to [0, nx) x [0, ny). O(R * (2W+1) log) for R route columns.
  [[nodiscard]] static Corridor around(std::span<const std::vector<ColumnXY>> routes,
                                       std::int32_t half_width, std::int32_t nx, std::int32_t ny);

  /// Dense index of column (x, y), or -1 outside the corridor. O(spans in the row), usually 1.
  [[nodiscard]] std::int32_t index(std::int32_t x, std::int32_t y) const {
    const std::int32_t r = y - y0_;
    if (r < 0 || r >= static_cast<std::int32_t>(row_first_.size()) - 1) return -1;
    for (std::uint32_t s = row_first_[r]; s < row_first_[r + 1]; ++s) {
      const Span& sp = spans_[s];
      if (x < sp.x0) return -1;
      if (x < sp.x1) return sp.base + (x - sp.x0);
    }
    return -1;
  }
  [[nodiscard]] bool contains(std::int32_t x, std::int32_t y) const { return index(x, y) >= 0; }

  /// Number of columns.
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }

  /// Calls f(x, y, index) for every column, in index order (rows south to north, x ascending).
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t r = 0; r + 1 < row_first_.size(); ++r) {
      for (std::uint32_t s = row_first_[r]; s < row_first_[r + 1]; ++s) {
        const Span& sp = spans_[s];
        for (std::int32_t x = sp.x0; x < sp.x1; ++x) {
          f(x, static_cast<std::int32_t>(r) + y0_, sp.base + (x - sp.x0));
        }
      }
    }
  }

  /// Heap bytes held.
  [[nodiscard]] std::size_t memory_bytes() const {
    return spans_.capacity() * sizeof(Span) + row_first_.capacity() * sizeof(std::uint32_t);
  }

 private:
  struct Span {
    std::int32_t x0;
    std::int32_t x1;  ///< exclusive
    std::int32_t base;
  };
  std::int32_t y0_ = 0;
  std::vector<std::uint32_t>
      row_first_;  ///< rows + 1 entries: spans of row r are [first[r], first[r+1])
  std::vector<Span> spans_;
  std::size_t size_ = 0;
};

}  // namespace skylane::plan
