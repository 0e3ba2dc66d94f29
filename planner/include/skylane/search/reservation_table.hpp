// Sparse per-voxel time reservations held by accepted 4D trajectories and vertiport pad slots,
// and their complement, the safe intervals SIPP searches over (Phillips & Likhachev 2011, §III).
// Half-open [begin, end) intervals in milliseconds, each tagged with its owner's id; stored
// compactly per grid column (16 bytes per entry) so that 10,000 long flights fit in a few GB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
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

/// Per-voxel reservations of a grid with fixed dimensions, stored compactly per grid COLUMN:
/// a column holds one array of 16-byte entries {begin, end as 32-bit ms offsets from the
/// table's time origin; owner slot; inclusive layer run z0..z1}, sorted by begin. One entry
/// covers every layer of a column that the same reservation call makes busy over the very same
/// interval (level flight reserves a whole vertical band at once). Columns are found through a
/// two-level directory (32 x 32-column tiles allocated on first use, 8 bytes per column); the
/// arrays live in a pooled arena of power-of-two blocks. Per owner, the columns it touched are
/// kept so that release() costs O(entries in those columns), not O(table).
///
/// Limits (errors, never silent): all reservations of a table lie within a span of 2^32 ms
/// (49.7 days) that starts 2^30 ms (12.4 days) before the earliest instant reserved into the
/// empty table; prune_before() moves the span forward as time advances
/// (RESERVATION_TIME_OUT_OF_RANGE otherwise). An end from kTimeInf / 2 on means "busy for
/// good" and reads back as kTimeInf - 1, whatever the span. At most 2^27 entries per column
/// (RESERVATION_COLUMN_FULL). Grids beyond 65,535 layers or 2^32 columns are clamped to that.
///
/// Thread-safety: const member functions are safe to call concurrently (no mutable state);
/// reserve / reserve_pad / release / prune_before need external synchronisation (e.g. a
/// std::shared_mutex with planners holding shared locks and the dispatcher an exclusive one).
class ReservationTable {
 public:
  /// Empty table for a grid of size_x × size_y × size_z voxels; voxels outside are never stored.
  /// Allocates nothing until the first reservation.
  ReservationTable(std::int32_t size_x, std::int32_t size_y, std::int32_t size_z);
  ReservationTable(ReservationTable&&) noexcept;
  ReservationTable& operator=(ReservationTable&&) noexcept;
  ReservationTable(const ReservationTable&) = delete;
  ReservationTable& operator=(const ReservationTable&) = delete;
  ~ReservationTable();

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
  /// then rounded outwards by 1 ms; the windows of consecutive pieces that overlap in one voxel
  /// are merged. Pieces are cut into sub-pieces no longer than one cell so the candidate boxes
  /// stay tight. An id may reserve several times; release() frees all of it. All or nothing: on
  /// error the table is unchanged. Returns the number of stored entries added (one per column,
  /// interval and run of layers sharing that interval).
  /// Errors: TRAJECTORY_INVALID (empty, non-finite, decreasing times), SEPARATION_INVALID,
  /// CELL_SIZE_INVALID, RESERVATION_TIME_OUT_OF_RANGE, RESERVATION_COLUMN_FULL.
  /// Complexity: O(L · (2H/cell_xy + 3)² · (2V/cell_z + 3)) for a trajectory L cells long, plus
  /// a sort of the windows and one merge pass over each touched column.
  Result<std::size_t> reserve(const traj::Trajectory4D& trajectory,
                              const traj::SeparationEnvelope& owner,
                              const traj::SeparationEnvelope& max_other,
                              const GridGeometry& geometry);

  /// Reserves one voxel over [begin, end) for `owner`, e.g. a vertiport pad slot (call once per
  /// voxel of a pad column). Errors: SIPP_VOXEL_OUTSIDE_GRID, RESERVATION_INTERVAL_INVALID,
  /// RESERVATION_TIME_OUT_OF_RANGE, RESERVATION_COLUMN_FULL.
  Result<void> reserve_pad(Voxel pad, Millis begin, Millis end, std::int64_t owner);

  /// Removes exactly the entries held by `owner` (those not pruned yet); returns how many.
  /// O(entries in the columns the owner touched).
  std::size_t release(std::int64_t owner);

  /// Removes every entry that ends at or before `t` (completed flights, past pad slots): for all
  /// instants >= t the table answers as before (is_free over [from, to] with from >= t is
  /// unchanged, and so is every safe interval that ends after t, except that the one containing
  /// t may now begin earlier). Owners left with nothing are forgotten. Also moves the table's
  /// time span forward when t has passed its middle. Returns the number of entries removed.
  /// O(entries in the columns of owners that began before t), plus O(table) when the span moves
  /// (at most once per 2^31 ms of t).
  std::size_t prune_before(Millis t);

  /// Safe intervals of `voxel` (sorted, disjoint, maximal) that begin before `horizon`; the last
  /// one keeps its true end. A voxel outside the grid yields an empty list. O(k) for k entries
  /// of the voxel's column; the second form reuses `out` (cleared first).
  [[nodiscard]] std::vector<SafeInterval> safe_intervals(Voxel voxel,
                                                         Millis horizon = kTimeInf) const;
  void safe_intervals(Voxel voxel, Millis horizon, std::vector<SafeInterval>& out) const;
  /// The same list from `from` on: the intervals that end after `from` and begin before
  /// `horizon`, one that began earlier clipped to begin at `from`. O(log k) plus the entries
  /// that begin from the column's longest finite entry before `from` on (the whole column
  /// once it has held an entry busy for good), so a search at time t does not scan the day's
  /// earlier flights.
  void safe_intervals(Voxel voxel, Millis from, Millis horizon,
                      std::vector<SafeInterval>& out) const;

  /// True iff the closed time range [from, to] lies inside one safe interval of `voxel`.
  /// O(log k) plus the entries that begin between the column's longest finite entry before
  /// `from` and `to`.
  [[nodiscard]] bool is_free(Voxel voxel, Millis from, Millis to) const;

  /// Raw entries of a voxel, sorted by begin (may overlap across owners). Empty if none. The
  /// second form appends to `out`.
  [[nodiscard]] std::vector<Reservation> reservations(Voxel voxel) const;
  void reservations(Voxel voxel, std::vector<Reservation>& out) const;

  [[nodiscard]] std::int32_t size_x() const { return size_x_; }
  [[nodiscard]] std::int32_t size_y() const { return size_y_; }
  [[nodiscard]] std::int32_t size_z() const { return size_z_; }
  [[nodiscard]] bool contains(Voxel v) const {
    return v.x >= 0 && v.y >= 0 && v.z >= 0 && v.x < size_x_ && v.y < size_y_ && v.z < size_z_;
  }

  /// No reservation ends after this instant (monotone: not lowered by release() or pruning).
  [[nodiscard]] Millis latest_end() const { return latest_end_; }
  /// Stored entries (a run of layers counts once).
  [[nodiscard]] std::size_t entry_count() const { return entry_count_; }
  /// Voxels with at least one entry. O(table): for statistics and tests.
  [[nodiscard]] std::size_t voxel_count() const;
  [[nodiscard]] std::size_t owner_count() const;
  /// Heap bytes held (directory, arena chunks including free blocks, owner lists), estimated
  /// from sizes and capacities. O(owners).
  [[nodiscard]] std::size_t approx_memory_bytes() const;

 private:
  struct Entry;
  struct Slot;
  struct Tile;
  struct Owner;
  struct Pending;
  struct Store;

  [[nodiscard]] const Slot* find_slot(std::int32_t x, std::int32_t y) const;
  [[nodiscard]] const Entry* block(const Slot& s) const;
  /// Index of the first entry of the column that may end after t (ms): every one before it
  /// ends by then. O(log entries).
  [[nodiscard]] std::uint32_t first_ending_after(const Slot& s, std::int64_t t) const;
  Result<std::size_t> commit(std::int64_t owner, std::vector<Pending>& runs);
  /// Removes the entries of column `col` for which drop(entry) holds; returns how many.
  template <class Drop>
  std::size_t compact(std::uint32_t col, Drop&& drop);
  void drop_owner(std::uint32_t slot);
  void rebase(std::int64_t t);

  std::int32_t size_x_;
  std::int32_t size_y_;
  std::int32_t size_z_;
  std::int64_t origin_ms_ = 0;  ///< entry offsets count from here; set by the first entry
  std::unique_ptr<Store> store_;
  std::size_t entry_count_ = 0;
  Millis latest_end_{kTimeNegInf};
};

}  // namespace skylane::search
