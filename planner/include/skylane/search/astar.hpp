// A* over any 26-connected voxel Grid: exact octile-3D costs (1, √2, √3 per step) and heuristic,
// strict no corner cutting, an optional cost multiplier for moves that change altitude, and a
// StopCondition (deadline, cancellation, expansion cap).
// Paper: P. E. Hart, N. J. Nilsson, B. Raphael, "A Formal Basis for the Heuristic Determination
// of Minimum Cost Paths", IEEE Trans. Systems Science and Cybernetics 4(2), 1968. Move model and
// test data: D. Brewer, N. R. Sturtevant, "Benchmarks for Pathfinding in 3D Voxel Space", SoCS
// 2018.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/search/move_pruning.hpp"
#include "skylane/search/padded_layout.hpp"
#include "skylane/search/radix_heap.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/search/voxel_grid.hpp"
#include "skylane/search/voxel_moves.hpp"
#include "skylane/search/zeroed_pages.hpp"

namespace skylane::search {

struct AStarOptions {
  /// Multiplies the cost of every move that changes z (climb or descent energy). 1 gives the
  /// plain octile metric of the Moving AI benchmarks. Must lie in [1, kMaxVerticalMultiplier]:
  /// values below 1 would make the octile heuristic inadmissible.
  double vertical_cost_multiplier = 1.0;

  static constexpr double kMaxVerticalMultiplier = 1000.0;
};

struct AStarResult {
  Outcome outcome = Outcome::kNoRoute;
  std::vector<Voxel> path;  ///< start to goal inclusive when kFound, else empty
  double cost = 0.0;        ///< sum of move costs along path, voxel units (double), when kFound
  SearchStats stats;
  std::string reason;  ///< why there is no path (empty when kFound)
};

/// Grids that expose a byte array in PaddedLayout (1 = free), like VoxelGrid; A* then reads a
/// neighbourhood with 9 loads. layout() must equal PaddedLayout{size_x(), size_y(), size_z()},
/// and at least 8 bytes past cell_count() must be readable.
template <class G>
concept PaddedByteGrid = Grid<G> && requires(const G& g) {
  { g.padded_cells() } -> std::convertible_to<const std::uint8_t*>;
  { g.layout() } -> std::convertible_to<PaddedLayout>;
};

/// Grids that compute a 27-bit neighbourhood free mask themselves (bit layout in
/// voxel_moves.hpp), e.g. an airspace column view reading 3×3 columns once.
template <class G>
concept NeighbourhoodGrid = Grid<G> && requires(const G& g, std::int32_t c) {
  { g.free_mask(c, c, c) } -> std::convertible_to<std::uint32_t>;
};

/// Reusable A* searcher bound to one grid. Per-voxel state is one 8-byte word per padded voxel
/// (fixed-point g, query stamp, closed flag, parent move), taken from the kernel on the first
/// query and touched on demand, and tagged with a query stamp so nothing is cleared between
/// queries. Not thread-safe: use one AStar per thread; the grid may be shared (const). The
/// grid must outlive the searcher and must not change size.
template <Grid G>
class AStar {
 public:
  explicit AStar(const G& grid, AStarOptions options = {}) : grid_(&grid), options_(options) {}
  /// The searcher keeps a pointer to the grid, so a temporary grid is refused.
  AStar(const G&& grid, AStarOptions options = {}) = delete;

  /// Cheapest path from start to goal, optimal to within 2.4e-7 relative (fixed-point costs,
  /// below). Per expanded voxel: one 27-voxel neighbourhood read, at most 26 successor checks
  /// (9, 5 or 7 in free space after MovePruning) and O(1) amortised radix-heap work. Memory: 8
  /// bytes per padded voxel, touched on demand, plus 16 bytes per generated voxel. Outcomes:
  /// kFound (path, cost); kNoRoute (open list exhausted); kBudgetExhausted (deadline, checked
  /// every 1024 expansions; max_expansions; or a path cost beyond 2^22 voxel units);
  /// kCancelled (flag, checked every 1024 expansions). Errors: SEARCH_OPTIONS_INVALID,
  /// SEARCH_GRID_TOO_LARGE, SEARCH_{START,GOAL}_OUTSIDE_GRID, SEARCH_{START,GOAL}_BLOCKED.
  /// Equal-f ties go to the most recently generated voxel (deeper first); results are
  /// deterministic.
  [[nodiscard]] Result<AStarResult> find_path(Voxel start, Voxel goal,
                                              const StopCondition& stop = {});

  /// Allocates the per-voxel state now and touches every page, so later queries pay no page
  /// faults (a service calls this at start-up). O(voxels); 8 bytes per padded voxel.
  /// Errors: SEARCH_GRID_TOO_LARGE.
  [[nodiscard]] Result<void> reserve();

  [[nodiscard]] const AStarOptions& options() const { return options_; }

 private:
  // g and f are fixed point with kFracBits fractional bits: sums are exact, so equal-f ties are
  // exact ties (float or double sums of √2 and √3 are not), and rounding moves a step's cost by
  // at most 2^-23 voxel units, so the path found is optimal to within ~2.4e-7 relative. The
  // reported cost is re-summed in double along the path.
  static constexpr int kFracBits = 22;
  static constexpr double kScale = static_cast<double>(1ULL << kFracBits);
  // Node word: g << kGShift | stamp << kStampShift | closed << 5 | parent move (0..26).
  static constexpr std::uint64_t kDirMask = 0x1F;
  static constexpr std::uint64_t kClosedBit = 0x20;
  static constexpr int kStampShift = 6;
  static constexpr int kStampBits = 14;
  static constexpr std::uint64_t kStampMask = (1ULL << kStampBits) - 1;
  static constexpr int kGShift = kStampShift + kStampBits;
  static constexpr std::uint64_t kMaxG = (1ULL << (64 - kGShift)) - 1;  // 2^22 voxel units
  static constexpr std::uint64_t kCheckEvery = 1024;

  struct Entry {
    std::uint64_t f;
    std::uint32_t node;
    std::uint32_t unused;
  };

  std::uint64_t heuristic(std::int32_t x, std::int32_t y, std::int32_t z) const;
  std::uint32_t neighbourhood(std::uint32_t index, Voxel v) const;
  Result<PaddedLayout> check_grid() const;
  Result<void> allocate(const PaddedLayout& layout);
  Result<PaddedLayout> prepare(Voxel start, Voxel goal);

  const G* grid_;
  AStarOptions options_;
  PaddedLayout layout_{};
  ZeroedPages pages_;
  std::uint64_t* nodes_ = nullptr;
  std::uint64_t stamp_ = 0;
  RadixHeap<Entry> heap_;
  // Per-query tables.
  std::array<std::int64_t, 27> offset_{};
  std::array<std::uint64_t, 27> cost_{};
  std::array<std::int64_t, 9> row_offset_{};  // offset of the (dx = -1) voxel of row j = bit 3j
  std::uint64_t h_face_ = 0, h_edge_ = 0, h_corner_ = 0, h_vertical_ = 0;
  Voxel goal_{};
  MovePruning pruning_;  // built on the first query; options_ (hence costs) never change
  bool pruning_ready_ = false;
};

// ---------------------------------------------------------------------------------------------
// Implementation.

template <Grid G>
std::uint64_t AStar<G>::heuristic(std::int32_t x, std::int32_t y, std::int32_t z) const {
  std::uint64_t a = static_cast<std::uint64_t>(std::abs(x - goal_.x));
  std::uint64_t b = static_cast<std::uint64_t>(std::abs(y - goal_.y));
  const std::uint64_t c = static_cast<std::uint64_t>(std::abs(z - goal_.z));
  std::uint64_t lo = std::min(a, b);
  std::uint64_t hi = std::max(a, b);
  const std::uint64_t vertical = h_vertical_ * c;
  // Sort (a, b, c) into lo <= mid <= hi.
  std::uint64_t mid = c;
  if (c < lo) {
    mid = lo;
    lo = c;
  } else if (c > hi) {
    mid = hi;
    hi = c;
  }
  return h_corner_ * lo + h_edge_ * mid + h_face_ * hi + vertical;
}

template <Grid G>
std::uint32_t AStar<G>::neighbourhood(std::uint32_t index, Voxel v) const {
  if constexpr (PaddedByteGrid<G>) {
    // Nine rows of three bytes (0 or 1); gather each row's bytes into 3 bits with one multiply.
    const std::uint8_t* cells = grid_->padded_cells();
    std::uint32_t mask = 0;
    for (int j = 0; j < 9; ++j) {
      std::uint32_t w;
      std::memcpy(&w, cells + (static_cast<std::int64_t>(index) + row_offset_[j]), sizeof w);
      const std::uint64_t bits = static_cast<std::uint64_t>(w & 0x010101U) * 0x10204U;
      mask |= static_cast<std::uint32_t>((bits >> 16) & 7U) << (3 * j);
    }
    return mask;
  } else if constexpr (NeighbourhoodGrid<G>) {
    return static_cast<std::uint32_t>(grid_->free_mask(v.x, v.y, v.z)) | (1U << moves::kCentre);
  } else {
    return moves::free_mask(*grid_, v.x, v.y, v.z);
  }
}

template <Grid G>
Result<PaddedLayout> AStar<G>::check_grid() const {
  const PaddedLayout layout{static_cast<std::int32_t>(grid_->size_x()),
                            static_cast<std::int32_t>(grid_->size_y()),
                            static_cast<std::int32_t>(grid_->size_z())};
  if (!layout.valid()) {
    return fail("SEARCH_GRID_TOO_LARGE", "grid " + std::to_string(layout.size_x) + " x " +
                                             std::to_string(layout.size_y) + " x " +
                                             std::to_string(layout.size_z) +
                                             " is empty or has more padded voxels than " +
                                             std::to_string(PaddedLayout::kMaxCells));
  }
  return layout;
}

template <Grid G>
Result<void> AStar<G>::allocate(const PaddedLayout& layout) {
  if (nodes_ != nullptr && layout.size_x == layout_.size_x && layout.size_y == layout_.size_y &&
      layout.size_z == layout_.size_z) {
    return {};
  }
  // Zero pages appear lazily on first touch, so an untouched voxel costs no memory, and stamp
  // 0 means "never seen".
  pages_ = ZeroedPages();
  nodes_ = nullptr;
  const std::uint64_t bytes = layout.cell_count() * sizeof(std::uint64_t);
  pages_ = ZeroedPages(bytes);
  if (pages_.data() == nullptr) {
    return fail("SEARCH_GRID_TOO_LARGE",
                "cannot allocate " + std::to_string(bytes) + " bytes of search state");
  }
  nodes_ = static_cast<std::uint64_t*>(pages_.data());
  stamp_ = 0;
  layout_ = layout;
  return {};
}

template <Grid G>
Result<void> AStar<G>::reserve() {
  auto layout = check_grid();
  if (!layout) return tl::unexpected(std::move(layout).error());
  auto allocated = allocate(*layout);
  if (!allocated) return allocated;
  // Writing zeros over zeros keeps every stamp valid and faults every page in now.
  std::memset(pages_.data(), 0, pages_.size());
  return {};
}

template <Grid G>
Result<PaddedLayout> AStar<G>::prepare(Voxel start, Voxel goal) {
  const double m = options_.vertical_cost_multiplier;
  if (!(m >= 1.0 && m <= AStarOptions::kMaxVerticalMultiplier)) {
    return fail("SEARCH_OPTIONS_INVALID",
                "vertical_cost_multiplier = " + std::to_string(m) + " is outside [1, " +
                    std::to_string(AStarOptions::kMaxVerticalMultiplier) + "]");
  }
  auto checked = check_grid();
  if (!checked) return checked;
  const PaddedLayout layout = *checked;
  auto name = [](Voxel v) {
    return "(" + std::to_string(v.x) + ", " + std::to_string(v.y) + ", " + std::to_string(v.z) +
           ")";
  };
  const std::string dims = std::to_string(layout.size_x) + " x " + std::to_string(layout.size_y) +
                           " x " + std::to_string(layout.size_z);
  if (!layout.contains(start.x, start.y, start.z)) {
    return fail("SEARCH_START_OUTSIDE_GRID",
                "start " + name(start) + " is outside the " + dims + " grid");
  }
  if (!layout.contains(goal.x, goal.y, goal.z)) {
    return fail("SEARCH_GOAL_OUTSIDE_GRID",
                "goal " + name(goal) + " is outside the " + dims + " grid");
  }
  if (!grid_->is_free(start.x, start.y, start.z)) {
    return fail("SEARCH_START_BLOCKED", "start " + name(start) + " is not a free voxel");
  }
  if (!grid_->is_free(goal.x, goal.y, goal.z)) {
    return fail("SEARCH_GOAL_BLOCKED", "goal " + name(goal) + " is not a free voxel");
  }
  auto allocated = allocate(layout);
  if (!allocated) return tl::unexpected(std::move(allocated).error());
  if (stamp_ == kStampMask) {
    // Once every 16383 queries: every word becomes "never seen" again.
    std::memset(pages_.data(), 0, pages_.size());
    stamp_ = 0;
  }
  ++stamp_;

  const std::int64_t sy = layout.stride_y();
  const std::int64_t sz = layout.stride_z();
  for (int k = 0; k < 27; ++k) {
    offset_[k] = moves::dx(k) + moves::dy(k) * sy + moves::dz(k) * sz;
    const double factor = moves::dz(k) != 0 ? m : 1.0;
    cost_[k] = static_cast<std::uint64_t>(std::llround(moves::length(k) * factor * kScale));
  }
  for (std::size_t j = 0; j < 9; ++j) row_offset_[j] = offset_[3 * j];
  if (!pruning_ready_) {
    pruning_ = MovePruning(cost_);
    pruning_ready_ = true;
  }
  // The heuristic is the octile distance in the unmultiplied integer costs (their obstacle-free
  // distance, hence consistent) plus floor((m - 1) * scale) per layer of |dz|: every move that
  // changes z costs at least that much more than its plain length. It stays consistent in
  // integers because round(s + t) >= round(s) + floor(t) for t >= 0.
  const auto c1 = static_cast<std::uint64_t>(std::llround(kScale));
  const auto c2 =
      static_cast<std::uint64_t>(std::llround(moves::length(moves::bit_of(1, 1, 0)) * kScale));
  const auto c3 =
      static_cast<std::uint64_t>(std::llround(moves::length(moves::bit_of(1, 1, 1)) * kScale));
  h_face_ = c1;
  h_edge_ = c2 - c1;
  h_corner_ = c3 - c2;
  h_vertical_ = static_cast<std::uint64_t>(std::floor((m - 1.0) * kScale));
  goal_ = goal;
  return layout;
}

template <Grid G>
Result<AStarResult> AStar<G>::find_path(Voxel start, Voxel goal, const StopCondition& stop) {
  const Clock::time_point t0 = Clock::now();
  auto prepared = prepare(start, goal);
  if (!prepared) return tl::unexpected(std::move(prepared).error());
  const PaddedLayout layout = *prepared;

  AStarResult result;
  std::uint64_t expansions = 0;
  auto finish = [&](Outcome outcome, std::string reason) {
    result.outcome = outcome;
    result.reason = std::move(reason);
    result.stats.expansions = expansions;
    result.stats.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    heap_.clear();
    return std::move(result);
  };

  const std::uint64_t stamp_bits = stamp_ << kStampShift;
  const std::uint32_t start_index = layout.index(start.x, start.y, start.z);
  const std::uint32_t goal_index = layout.index(goal.x, goal.y, goal.z);
  std::uint64_t* const nodes = nodes_;
  nodes[start_index] = stamp_bits | static_cast<std::uint64_t>(moves::kCentre);
  heap_.clear();
  heap_.push(Entry{heuristic(start.x, start.y, start.z), start_index, 0});
  result.stats.generated = 1;
  bool cost_overflow = false;

  while (!heap_.empty()) {
    const Entry top = heap_.pop();
    std::uint64_t& u = nodes[top.node];
    if ((u & kClosedBit) != 0) continue;  // stale duplicate: a cheaper copy came first
    if (top.node == goal_index) {
      // Walk parents back to the start; the cost is re-summed in double along the path.
      const double m = options_.vertical_cost_multiplier;
      std::uint32_t index = goal_index;
      while (index != start_index) {
        result.path.push_back(layout.voxel(index));
        const int k = static_cast<int>(nodes[index] & kDirMask);
        result.cost += moves::length(k) * (moves::dz(k) != 0 ? m : 1.0);
        index = static_cast<std::uint32_t>(index - offset_[k]);
      }
      result.path.push_back(start);
      std::reverse(result.path.begin(), result.path.end());
      return finish(Outcome::kFound, {});
    }
    if (expansions >= stop.max_expansions) {
      return finish(Outcome::kBudgetExhausted,
                    "expansion cap of " + std::to_string(stop.max_expansions) + " reached");
    }
    if (expansions % kCheckEvery == 0) {
      if (stop.cancelled != nullptr && stop.cancelled->load(std::memory_order_relaxed)) {
        return finish(Outcome::kCancelled,
                      "cancelled after " + std::to_string(expansions) + " expansions");
      }
      if (stop.deadline != Clock::time_point::max() && Clock::now() >= stop.deadline) {
        return finish(Outcome::kBudgetExhausted,
                      "deadline passed after " + std::to_string(expansions) + " expansions");
      }
    }
    ++expansions;
    u |= kClosedBit;
    const std::uint64_t gu = u >> kGShift;
    const Voxel uv = layout.voxel(top.node);
    // Drop, before touching their memory, the move back to the (closed) parent and every move
    // the parent dominates strictly (see move_pruning.hpp).
    const int parent_move = static_cast<int>(u & kDirMask);
    const std::uint32_t free = neighbourhood(top.node, uv);
    std::uint32_t legal = moves::legal_moves(free) & ~(1U << moves::reverse(parent_move)) &
                          ~pruning_.dominated(parent_move, free);
    while (legal != 0) {
      const int k = __builtin_ctz(legal);
      legal &= legal - 1;
      const auto vi = static_cast<std::uint32_t>(top.node + offset_[k]);
      std::uint64_t& v = nodes[vi];
      const std::uint64_t g = gu + cost_[k];
      if (((v >> kStampShift) & kStampMask) == stamp_) {
        if ((v & kClosedBit) != 0 || g >= (v >> kGShift)) continue;
      }
      if (g > kMaxG) {
        cost_overflow = true;
        continue;
      }
      v = (g << kGShift) | stamp_bits | static_cast<std::uint64_t>(k);
      const std::uint64_t h =
          heuristic(uv.x + moves::dx(k), uv.y + moves::dy(k), uv.z + moves::dz(k));
      heap_.push(Entry{g + h, vi, 0});
      ++result.stats.generated;
    }
  }
  if (cost_overflow) {
    return finish(Outcome::kBudgetExhausted,
                  "some paths cost more than " + std::to_string(kMaxG >> kFracBits) +
                      " voxel units, the largest cost the search represents");
  }
  return finish(Outcome::kNoRoute,
                "every voxel reachable from the start was searched; the goal is not among them");
}

extern template class AStar<VoxelGrid>;

}  // namespace skylane::search
