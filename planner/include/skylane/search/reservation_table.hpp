// Sparse per-voxel time reservations held by accepted 4D trajectories and vertiport pad slots,
// and their complement, the safe intervals SIPP searches over (Phillips & Likhachev 2011, §III).
// Half-open [begin, end) intervals in milliseconds, each tagged with its owner's id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <unordered_map>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/search/grid_geometry.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/traj/trajectory.hpp"

namespace skylane::search {

using traj::Millis;

/// Open ends of time. Well inside int64 so that adding durations and buffers never overflows.
inline constexpr Millis kTimeNegInf{std::numeric_limits<std::int64_t>::min() / 4};
inline constexpr Millis kTimeInf{std::numeric_limits<std::int64_t>::max() / 4};

/// Maximal half-open interval [begin, end) during which a voxel is free of every reservation.
/// `begin` is kTimeNegInf for the first interval, `end` is kTimeInf for the last one.
///
/// Occupancy rule used by SIPP: a vehicle may be inside the CLOSED voxel box during the closed
/// time range [a, b] iff begin <= a and b <= end of one safe interval. Touching `end` is sound
/// because every stored reservation strictly contains (by >= 1 ms) the open set of instants at
/// which the voxel is actually within separation of its owner (see ReservationTable::reserve).
struct SafeInterval {
  Millis begin{kTimeNegInf};
  Millis end{kTimeInf};
  friend bool operator==(const SafeInterval&, const SafeInterval&) = default;
};

/// One busy interval of one voxel, held by `owner` (a trajectory / mission id).
struct Reservation {
  Millis begin{0};
  Millis end{0};
  std::int64_t owner = 0;
  friend bool operator==(const Reservation&, const Reservation&) = default;
};

/// Per-voxel reservations of a grid with fixed dimensions, stored sparsely: a hash map from the
/// voxel's linear index to a vector sorted by begin, plus a per-owner index of the voxels it
/// touches so that release() costs O(voxels held by the owner), not O(table).
///
/// Thread-safety: const member functions are safe to call concurrently (no mutable state);
/// reserve / reserve_pad / release need external synchronisation (e.g. a std::shared_mutex with
/// planners holding shared locks and the dispatcher an exclusive one).
class ReservationTable {
 public:
  /// Empty table for a grid of size_x × size_y × size_z voxels; voxels outside are never stored.
  ReservationTable(std::int32_t size_x, std::int32_t size_y, std::int32_t size_z);

  template <Grid G>
  [[nodiscard]] static ReservationTable for_grid(const G& grid) {
    return ReservationTable(static_cast<std::int32_t>(grid.size_x()),
                            static_cast<std::int32_t>(grid.size_y()),
                            static_cast<std::int32_t>(grid.size_z()));
  }

  /// Reserves, for owner `trajectory.id`, every voxel during every instant at which some point of
  /// its closed box is within the horizontal AND the vertical separation of the trajectory's
  /// position, widened by the time buffer on both sides. Separation values are the larger of
  /// `owner`'s and `max_other`'s (the largest class that will ever plan against this table).
  /// The window of each voxel is exact per linear piece (segment vs rounded-rectangle and slab),
  /// then rounded outwards by 1 ms. Pieces are cut into sub-pieces no longer than one cell so the
  /// candidate boxes stay tight. An id may reserve several times; release() frees all of it.
  /// Returns the number of (voxel, interval) entries added.
  /// Errors: TRAJECTORY_INVALID (empty, non-finite, decreasing times), SEPARATION_INVALID,
  /// CELL_SIZE_INVALID. Complexity: O(L · (2H/cell_xy + 3)² · (2V/cell_z + 3)) for a trajectory
  /// L cells long, plus a sort of the windows.
  Result<std::size_t> reserve(const traj::Trajectory4D& trajectory,
                              const traj::SeparationEnvelope& owner,
                              const traj::SeparationEnvelope& max_other,
                              const GridGeometry& geometry);

  /// Reserves one voxel over [begin, end) for `owner`, e.g. a vertiport pad slot (call once per
  /// voxel of a pad column). Errors: SIPP_VOXEL_OUTSIDE_GRID, RESERVATION_INTERVAL_INVALID.
  Result<void> reserve_pad(Voxel pad, Millis begin, Millis end, std::int64_t owner);

  /// Removes exactly the entries held by `owner`; returns how many. O(entries held by owner ·
  /// entries per touched voxel).
  std::size_t release(std::int64_t owner);

  /// Safe intervals of `voxel` (sorted, disjoint, maximal) that begin before `horizon`; the last
  /// one keeps its true end. A voxel outside the grid yields an empty list. O(k log k) for k
  /// reservations of the voxel; the second form reuses `out` (cleared first).
  [[nodiscard]] std::vector<SafeInterval> safe_intervals(Voxel voxel,
                                                         Millis horizon = kTimeInf) const;
  void safe_intervals(Voxel voxel, Millis horizon, std::vector<SafeInterval>& out) const;

  /// True iff the closed time range [from, to] lies inside one safe interval of `voxel`.
  [[nodiscard]] bool is_free(Voxel voxel, Millis from, Millis to) const;

  /// Raw entries of a voxel, sorted by begin (may overlap across owners). Empty if none.
  [[nodiscard]] std::span<const Reservation> reservations(Voxel voxel) const;

  [[nodiscard]] std::int32_t size_x() const { return size_x_; }
  [[nodiscard]] std::int32_t size_y() const { return size_y_; }
  [[nodiscard]] std::int32_t size_z() const { return size_z_; }
  [[nodiscard]] bool contains(Voxel v) const {
    return v.x >= 0 && v.y >= 0 && v.z >= 0 && v.x < size_x_ && v.y < size_y_ && v.z < size_z_;
  }

  /// No reservation ends after this instant (monotone: not lowered by release()).
  [[nodiscard]] Millis latest_end() const { return latest_end_; }
  [[nodiscard]] std::size_t entry_count() const { return entry_count_; }
  [[nodiscard]] std::size_t voxel_count() const { return voxels_.size(); }
  [[nodiscard]] std::size_t owner_count() const { return owners_.size(); }
  /// Heap bytes held, estimated from container sizes and capacities (libstdc++ node layout).
  /// O(voxels + owners).
  [[nodiscard]] std::size_t approx_memory_bytes() const;

 private:
  [[nodiscard]] std::uint64_t key(Voxel v) const {
    return static_cast<std::uint64_t>(v.x) +
           static_cast<std::uint64_t>(size_x_) *
               (static_cast<std::uint64_t>(v.y) +
                static_cast<std::uint64_t>(size_y_) * static_cast<std::uint64_t>(v.z));
  }
  void insert(std::uint64_t voxel_key, Reservation r);

  std::int32_t size_x_;
  std::int32_t size_y_;
  std::int32_t size_z_;
  std::unordered_map<std::uint64_t, std::vector<Reservation>> voxels_;
  std::unordered_map<std::int64_t, std::vector<std::uint64_t>> owners_;
  std::size_t entry_count_ = 0;
  Millis latest_end_{kTimeNegInf};
};

}  // namespace skylane::search
