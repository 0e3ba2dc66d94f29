// Safe Interval Path Planning over a static voxel grid plus the dynamic ReservationTable.
// M. Phillips and M. Likhachev, "SIPP: Safe Interval Path Planning for Dynamic Environments",
// IEEE ICRA 2011, pp. 5628-5635. States are (voxel, safe interval) with the earliest arrival.
//
// SEPARATION BY CONSTRUCTION. A move u -> v departing at t with duration d follows the straight
// segment between the voxel centres. Cells are equal boxes, so the segment lies in the closed
// box(u) for [t, t + d/2] and in the closed box(v) for [t + d/2, t + d] (a diagonal crosses only
// the shared face, edge or corner, at its midpoint). With integer ms the planner requires
//   box(u) free over [arrival_u, t + ceil(d/2)]  and  box(v) free over [t + floor(d/2), ...],
// i.e. each path step k occupies its voxel over the closed range
//   [enter_k, exit_k] = [t_{k-1} + floor(d_{k-1}/2), departure_k + ceil(d_k/2)]
// (enter = appearance time at the start, exit = arrival + goal_dwell at the goal), and that range
// must lie inside ONE safe interval of the voxel (SafeInterval's closed occupancy rule).
// ReservationTable::reserve marks a voxel busy at every instant at which ANY point of its closed
// box is within H horizontally and V vertically of a reserved trajectory (H, V = the larger of
// the two classes), widened by the time buffer and 1 ms. So whenever this vehicle is at a point
// q of box(w_k), w_k is unreserved, hence every reserved aircraft is >= H horizontally or >= V
// vertically from q at that instant (and at every instant within the time buffer of it): the
// plan is separated from every reservation, with no check of its own.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/search/grid_geometry.hpp"
#include "skylane/search/reservation_table.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/traj/trajectory.hpp"

namespace skylane::search {

/// Kinematics of a vehicle class. Every move flies the straight segment between voxel centres at
/// constant velocity; duration = max(horizontal m / cruise, vertical m / climb-or-descent rate),
/// rounded up to whole ms.
struct MotionModel {
  double cruise_speed_mps = 15.0;  ///< horizontal speed, m/s
  double climb_rate_mps = 5.0;     ///< vertical speed going up, m/s
  double descent_rate_mps = 3.0;   ///< vertical speed going down, m/s
  bool can_hover = true;           ///< may wait in the air; ground waits at the start always may
  /// Without hover only: may still hover in the goal's column, i.e. while landing (a VTOL that
  /// is wing-borne en route hovers on its lift rotors to land, so it can wait there for the pad).
  bool hovers_to_land = true;
  /// Without hover only: spacing of the candidate take-off times explored on the start pad (with
  /// hover, waits are continuous and exact), and the time resolution of airborne states: of
  /// the arrivals at a voxel within one step of each other only the earliest is kept (without
  /// it, traffic near a busy pad makes millions of states that differ by a few ms).
  Millis ground_wait_step{1000};
};

/// Which constraint made a request infeasible (Outcome::kNoRoute).
enum class NoRouteReason {
  kNone,
  kStartBlocked,             ///< start voxel is an obstacle or reserved throughout the window
  kGoalBlocked,              ///< goal voxel is an obstacle or never free for the dwell
  kGoalUnreachable,          ///< no path of free (voxel, time) pairs, whatever the timing
  kDepartureWindowTooTight,  ///< a route exists if take-off could be later than latest_departure
  kDeadlineTooTight,         ///< a route exists, but not arriving by arrival_deadline
};

/// Stable UPPER_SNAKE name ("DEPARTURE_WINDOW_TOO_TIGHT"), for logs and gRPC details.
[[nodiscard]] const char* no_route_reason_name(NoRouteReason reason);

struct SippRequest {
  Voxel start;  ///< take-off pad voxel; the vehicle waits here on the ground before take-off
  Voxel goal;   ///< landing voxel
  /// Departure window: the vehicle appears on the start voxel at earliest_departure (or as soon
  /// as the voxel is free after it) and must leave it no later than latest_departure.
  Millis earliest_departure{0};
  Millis latest_departure{kTimeInf};
  std::optional<Millis> arrival_deadline;  ///< latest arrival at the goal voxel, if any
  /// The goal voxel must stay free for [arrival, arrival + goal_dwell] (e.g. landing on the pad);
  /// the goal state is the first safe interval of the goal reached early enough for that.
  Millis goal_dwell{0};
  std::int64_t trajectory_id = 0;  ///< copied into the output trajectory (reservation owner)
};

/// One voxel of the plan: the vehicle is at its centre from arrival to departure (a wait when
/// they differ) and flies straight to the next step's centre afterwards.
struct PathStep {
  Voxel voxel;
  Millis arrival{0};
  Millis departure{0};
  friend bool operator==(const PathStep&, const PathStep&) = default;
};

struct SippPlan {
  Outcome outcome = Outcome::kNoRoute;
  NoRouteReason reason = NoRouteReason::kNone;
  std::string reason_text;  ///< human text naming the blocking constraint (kNoRoute only)
  /// Start to goal. The first step's arrival is the appearance time on the pad, its departure
  /// the take-off time; the last step's departure is arrival + goal_dwell.
  std::vector<PathStep> path;
  /// Waypoints at voxel centres at every arrival and (if later) departure, so waits are repeated
  /// positions; runs from appearance to the end of the goal dwell. Ready for reserve().
  traj::Trajectory4D trajectory;
  Millis arrival{0};  ///< cost: arrival time at the goal voxel
  SearchStats stats;
};

/// Where SIPP reads the safe intervals of a voxel from: the ReservationTable itself, or a view
/// that adds more blocked time (e.g. airspace zones active only part of the day). The intervals
/// must follow SafeInterval's rules (sorted, disjoint, the closed occupancy rule), and after
/// latest_end() nothing may change any more (no-hover planning relies on it).
/// safe_intervals(v, from, horizon, out) lists every interval that ends after `from` and begins
/// before `horizon`, in order, with its true end; one that begins before `from` may be listed
/// with any begin from its own to `from`, and intervals that end by `from` may be listed too (so
/// the whole list always qualifies). SIPP tells intervals apart by their ends.
template <class T>
concept SafeIntervalSource = requires(const T& t, Voxel v, Millis from, Millis horizon,
                                      std::vector<SafeInterval>& out) {
  { t.size_x() } -> std::convertible_to<std::int32_t>;
  { t.size_y() } -> std::convertible_to<std::int32_t>;
  { t.size_z() } -> std::convertible_to<std::int32_t>;
  t.safe_intervals(v, from, horizon, out);
  { t.latest_end() } -> std::convertible_to<Millis>;
};

/// Returned by a SippHeuristic for a voxel from which the goal cannot be reached at all: SIPP
/// never generates such a voxel.
inline constexpr std::int64_t kSippDeadEnd = -1;

/// A plug-in lower bound on the remaining flight time (ms) from a voxel to the request's goal.
/// It must be admissible (never above the true remaining time, whatever the reservations) and
/// consistent (h(u) <= duration(u -> v) + h(v) for every legal move), otherwise the plan loses
/// optimality and deadline pruning may report DEADLINE_TOO_TIGHT wrongly. kSippDeadEnd (< 0)
/// marks voxels from which the goal is unreachable.
template <class H>
concept SippHeuristic = requires(const H& h, Voxel v) {
  { h(v) } -> std::convertible_to<std::int64_t>;
};

/// Both numbers a guided heuristic gives for a voxel: `lower`, the admissible bound h(v) used to
/// prune against the arrival deadline, and `guide`, any estimate of the remaining time used to
/// order the open list instead of h (e.g. one that knows the climbs ahead). Guides need not be
/// admissible; see SippOptions::reopen.
struct SippEstimate {
  std::int64_t lower = 0;
  std::int64_t guide = 0;
};

/// A SippHeuristic that also offers estimate(v); kSippDeadEnd in `lower` prunes the voxel.
template <class H>
concept SippGuidedHeuristic = SippHeuristic<H> && requires(const H& h, Voxel v) {
  { h.estimate(v) } -> std::same_as<SippEstimate>;
};

/// Search options of Sipp::plan.
struct SippOptions {
  /// Open-list order f = g + weight * h (weighted A*: I. Pohl, "Heuristic search viewed as path
  /// finding in a graph", Artificial Intelligence 1(3), 1970), h being the guide when the
  /// heuristic has one. 1 keeps SIPP's optimality (with an admissible, consistent h); > 1
  /// expands far fewer states on long routes, at the price of optimality (the classic "at most
  /// weight times optimal" bound is not guaranteed for SIPP without duplicate states: Narayanan,
  /// Phillips & Likhachev, "Anytime Safe Interval Path Planning for Dynamic Environments", IROS
  /// 2012). Pruning against the arrival deadline always uses the unweighted lower bound. Must be
  /// in [1, 100].
  double heuristic_weight = 1.0;
  /// Reopen a closed state when a cheaper arrival reaches it. Needed for completeness (hence
  /// for sound no-route reasons under a deadline or window) whenever the open-list order is not
  /// consistent: weight > 1 or a guided heuristic. Applies to classes that can hover only (a
  /// no-hover class keys its states by exact time, where nothing is ever improved but the pad
  /// wait and the static tail).
  bool reopen = false;
  /// Expected number of states, to size the node storage once (0: grow from a small start).
  std::size_t expected_states = 0;
  /// Order the open list by the estimated ARRIVAL given the goal's own schedule: E = the
  /// earliest instant >= g + guide at which the goal voxel is free for the whole dwell, and
  /// key = E + (weight - 1) * guide. When the goal is busy (a pad in use) the plan must wait
  /// somewhere; without this every state that could reach the goal before it frees ties with or
  /// beats the waiting one and is expanded. Meant for weight > 1 (with weight 1 all states
  /// arriving before the goal frees tie). Deadline pruning also uses the goal's schedule.
  bool goal_schedule = false;
  /// WITHOUT hover only: charges airborne waiting in the open-list key of an airborne state, by
  /// loiter_weight times
  ///  - its airborne delay so far, max(0, g - takeoff - (guide(start) - guide(v))): the time
  ///    lost to detours and loops since take-off, as far as the guide knows the static flight
  ///    time (with a guide that knows the climbs, the free-air path has no delay), and
  ///  - with goal_schedule, E - g - guide: the extra loops (or, for a class that hovers to
  ///    land, the hover in the goal column) it would fly because the goal is still busy when it
  ///    could arrive (E as above); a later take-off costs nothing in the air.
  /// States in the goal column of a class that hovers to land are not charged for delay.
  /// A vehicle that cannot hover cannot wait in the air, and its states are keyed by exact
  /// times, so every loop or detour of a few ms more is a new state: uncharged, when traffic
  /// blocks the way (a busy start or goal pad, a crossing), the search expands millions of them
  /// before it tries the cheap answer, a later take-off (ground waits are not charged). 0 turns
  /// it off; must be in [0, 1000]. Changes the order only, never which plans are legal.
  double loiter_weight = 0.0;
  /// When the search ends without a plan and the deadline or the window pruned states, re-plan
  /// with them relaxed to name the constraint (NoRouteReason). false: skip that (the caller
  /// only wants to know whether a plan exists within the limits, e.g. one that beats a plan it
  /// already holds) and report kDeadlineTooTight / kDepartureWindowTooTight from what pruned.
  bool diagnose = true;
  /// WITHOUT hover only: airborne states before the world turns static are keyed by arrival
  /// time in buckets of this width (per voxel and safe interval), the earliest arrival standing
  /// for the bucket. 0: the class's ground_wait_step. Wider buckets merge the near-equal
  /// arrivals that different parents give a voxel (an axis and a diagonal step differ by a
  /// fraction of a second), at the price of the later arrivals a crossing might have needed.
  /// Must be in [0, 1 h].
  Millis air_time_bucket{0};
};

/// A SafeIntervalSource with nothing reserved: every voxel is free for all time. SIPP over it
/// plans the static (free-air) flight, e.g. for Sipp::delayed.
class EmptySchedule {
 public:
  EmptySchedule(std::int32_t size_x, std::int32_t size_y, std::int32_t size_z)
      : size_x_(size_x), size_y_(size_y), size_z_(size_z) {}
  [[nodiscard]] std::int32_t size_x() const { return size_x_; }
  [[nodiscard]] std::int32_t size_y() const { return size_y_; }
  [[nodiscard]] std::int32_t size_z() const { return size_z_; }
  void safe_intervals(Voxel, Millis, Millis, std::vector<SafeInterval>& out) const {
    out.assign(1, SafeInterval{});
  }
  [[nodiscard]] Millis latest_end() const { return kTimeNegInf; }

 private:
  std::int32_t size_x_;
  std::int32_t size_y_;
  std::int32_t size_z_;
};

namespace sipp_detail {

struct Move {
  std::int32_t dx = 0;
  std::int32_t dy = 0;
  std::int32_t dz = 0;
  std::int64_t duration_ms = 0;
  /// Bits (dz+1)*9 + (dy+1)*3 + (dx+1) of every voxel in the move's bounding box (incl. both
  /// ends): the move is allowed iff all of them are free (strict no corner cutting).
  std::uint32_t bbox_mask = 0;
};
using MoveTable = std::array<Move, 26>;

/// The 26 moves with durations from the motion model (valid inputs assumed).
[[nodiscard]] MoveTable make_moves(const GridGeometry& geometry, const MotionModel& motion);
/// Index of (dx, dy, dz) in the MoveTable, each in {-1, 0, 1}, not all zero.
[[nodiscard]] int move_index(std::int32_t dx, std::int32_t dy, std::int32_t dz);
/// Errors: SIPP_MOTION_MODEL_INVALID, CELL_SIZE_INVALID.
[[nodiscard]] Result<void> validate_model(const GridGeometry& geometry, const MotionModel& motion);
[[nodiscard]] traj::Trajectory4D to_trajectory(const std::vector<PathStep>& path,
                                               const GridGeometry& geometry, std::int64_t id);
[[nodiscard]] std::string voxel_text(Voxel v);

/// Open-addressing index from a state's 32-bit hash (plus the caller's key comparison) to its
/// node id: linear probing, load factor <= 1/2, 8-byte slots, grows by doubling, no erase (a
/// search only adds states). Several times faster than std::unordered_map on large searches.
class NodeIndex {
 public:
  NodeIndex() : slots_(kInitialSlots) {}
  /// Sized for `expected` ids without growing.
  explicit NodeIndex(std::size_t expected)
      : slots_(std::bit_ceil(std::max(kInitialSlots, 2 * expected + 2))) {}
  /// The id stored for the key, or `new_id` freshly inserted (second = true).
  template <class SameKey>
  std::pair<std::uint32_t, bool> find_or_insert(std::uint32_t hash, std::uint32_t new_id,
                                                SameKey&& same_key) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id == kEmpty) {
        slot = Slot{new_id, hash};
        ++size_;
        return {new_id, true};
      }
      if (slot.hash == hash && same_key(slot.id)) return {slot.id, false};
    }
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr std::size_t kInitialSlots = 1024;
  struct Slot {
    std::uint32_t id = kEmpty;
    std::uint32_t hash = 0;
  };
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace sipp_detail

/// SIPP planner for one vehicle class over grid `G` (static obstacles) and a SafeIntervalSource
/// `T`, by default the ReservationTable (dynamic obstacles). Moves: 26-neighbour, strict no
/// corner cutting (every voxel of the move's bounding box free, the A* rule). Default heuristic:
/// max(octile-2D time at cruise, vertical time at the climb/descent rate), built from the integer
/// move durations, hence admissible and consistent; a caller may plug in a better one
/// (SippHeuristic). With hover and weight 1 the plan minimises arrival time (Phillips &
/// Likhachev's optimality), without hover it is optimal over take-off times on the
/// ground_wait_step lattice. A grid that offers `free_mask(x, y, z)` (the NeighbourhoodGrid bit
/// layout of voxel_moves.hpp) is asked once per expansion instead of 26 is_free calls.
///
/// Thread-safety: plan() is const and reads the grid and the table only; several plans may run
/// concurrently as long as nobody mutates the table meanwhile. Grid and table must outlive this.
template <Grid G, SafeIntervalSource T = ReservationTable>
class Sipp {
 public:
  Sipp(const G& grid, const T& table, const GridGeometry& geometry, const MotionModel& motion)
      : grid_(grid),
        table_(table),
        geometry_(geometry),
        motion_(motion),
        moves_(sipp_detail::make_moves(geometry, motion)) {}

  /// Plans one flight. Bad requests are errors: SIPP_VOXEL_OUTSIDE_GRID,
  /// SIPP_DEPARTURE_WINDOW_INVALID, SIPP_TIME_INVALID, SIPP_MOTION_MODEL_INVALID,
  /// CELL_SIZE_INVALID, SIPP_TABLE_MISMATCH. Infeasibility and stopping are outcomes. When the
  /// open list empties, the reason is found by re-planning with the deadline and/or the window
  /// relaxed (only if one of them actually pruned a state), sharing the same StopCondition.
  /// Complexity: O(N log N) for N generated (voxel, interval) states, N <= 26 × expansions.
  [[nodiscard]] Result<SippPlan> plan(const SippRequest& request,
                                      const StopCondition& stop = {}) const {
    const Voxel goal = request.goal;
    return plan(
        request, [this, goal](Voxel v) { return heuristic(v, goal); }, SippOptions{}, stop);
  }

  /// As above with a caller's heuristic (see SippHeuristic) and options. Extra error:
  /// SIPP_OPTIONS_INVALID for a weight outside [1, 100] or NaN.
  template <SippHeuristic H>
  [[nodiscard]] Result<SippPlan> plan(const SippRequest& request, const H& heuristic,
                                      const SippOptions& options,
                                      const StopCondition& stop = {}) const;

  /// Ground delay: `path` (a plan of this class for `request`'s start and goal, typically
  /// found over an EmptySchedule) taken off D ms later, for the smallest D >= 0 at which every
  /// step is legal against this planner's table by the same rule as plan()'s (each step's
  /// closed occupancy range, shifted by D, inside one safe interval of its voxel; the goal
  /// dwell included), take-off is by latest_departure and arrival by the deadline. The vehicle
  /// appears on the pad at max(earliest_departure, the start of the pad's safe interval it takes
  /// off in). The flight itself is unchanged: no detour, no air wait, so the delay is all spent
  /// on the ground. nullopt if no such D exists or none was found within
  /// max_passes * path.size() step checks. Each check reads one voxel's safe intervals.
  [[nodiscard]] std::optional<std::vector<PathStep>> delayed(const std::vector<PathStep>& path,
                                                             const SippRequest& request,
                                                             std::size_t max_passes = 16) const;

 private:
  // A state is (voxel, kind, tag, end of its safe interval). With hover: kGround / kAir, tag 0
  // (classic SIPP: earliest arrival per interval dominates). Without hover earlier is not
  // better (no waiting), so until the table's last reservation ends states are exact arrival
  // times: kGround with tag = time, kAirAtTime with tag = time / air_time_bucket; afterwards
  // the world is static and one kAirStatic state per voxel (tag 0) keeps the search finite.
  enum class Kind : std::uint8_t { kGround, kAir, kAirAtTime, kAirStatic };
  enum class RunStatus { kFound, kExhausted, kBudget, kCancelled };

  struct Limits {
    std::int64_t latest;
    std::int64_t deadline;
  };
  struct Run {
    RunStatus status = RunStatus::kExhausted;
    bool window_cut = false;
    bool deadline_cut = false;
    std::vector<PathStep> path;
  };
  [[nodiscard]] static std::uint32_t state_hash(std::uint64_t voxel, std::int64_t tag, Kind kind,
                                                std::int64_t safe_end) {
    std::uint64_t h = voxel * 0x9E3779B97F4A7C15ULL;
    h ^= static_cast<std::uint64_t>(tag) * 0xC2B2AE3D27D4EB4FULL + static_cast<std::uint64_t>(kind);
    h ^= static_cast<std::uint64_t>(safe_end) * 0x94D049BB133111EBULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return static_cast<std::uint32_t>(h ^ (h >> 32));
  }
  struct Node {
    Voxel voxel;
    Kind kind;
    bool closed = false;
    std::uint32_t parent;
    std::int64_t tag;  ///< with voxel and kind, the state's key (see run())
    std::int64_t g;    ///< arrival (ms); for ground nodes the appearance / wait time
    /// The voxel's safe interval this state lives in (the state's key holds its end; an
    /// airborne state's begin may be clipped to when the search first read it, which is all
    /// the moves out of it need).
    std::int64_t safe_begin;
    std::int64_t safe_end;
    std::int64_t takeoff;  ///< airborne: when the path left the start pad (loiter charge)
  };
  struct Entry {
    std::int64_t f;
    std::int64_t g;
    std::uint32_t id;
  };
  struct EntryOrder {  // min f, then max g (deeper first on ties)
    bool operator()(const Entry& a, const Entry& b) const {
      return a.f != b.f ? a.f > b.f : a.g < b.g;
    }
  };
  static constexpr std::uint32_t kNoParent = 0xFFFFFFFFu;

  [[nodiscard]] bool inside(Voxel v) const {
    return v.x >= 0 && v.y >= 0 && v.z >= 0 && v.x < static_cast<std::int32_t>(grid_.size_x()) &&
           v.y < static_cast<std::int32_t>(grid_.size_y()) &&
           v.z < static_cast<std::int32_t>(grid_.size_z());
  }
  [[nodiscard]] std::uint64_t linear(Voxel v) const {
    return static_cast<std::uint64_t>(v.x) +
           static_cast<std::uint64_t>(grid_.size_x()) *
               (static_cast<std::uint64_t>(v.y) +
                static_cast<std::uint64_t>(grid_.size_y()) * static_cast<std::uint64_t>(v.z));
  }
  /// Free voxels of the 3x3x3 block around u, as bits (dz+1)*9 + (dy+1)*3 + (dx+1); 27
  /// is_free calls per expansion instead of one per voxel of each move's bounding box.
  [[nodiscard]] std::uint32_t free_mask(Voxel u) const {
    if constexpr (requires { grid_.free_mask(u.x, u.y, u.z); }) {
      return static_cast<std::uint32_t>(grid_.free_mask(u.x, u.y, u.z));
    }
    std::uint32_t mask = 0;
    std::uint32_t bit = 1;
    for (std::int32_t dz = -1; dz <= 1; ++dz) {
      for (std::int32_t dy = -1; dy <= 1; ++dy) {
        for (std::int32_t dx = -1; dx <= 1; ++dx, bit <<= 1) {
          if (grid_.is_free(u.x + dx, u.y + dy, u.z + dz)) mask |= bit;
        }
      }
    }
    return mask;
  }
  [[nodiscard]] std::int64_t heuristic(Voxel v, Voxel goal) const {
    const std::int64_t ax = std::abs(goal.x - v.x);
    const std::int64_t ay = std::abs(goal.y - v.y);
    const std::int64_t dz = goal.z - v.z;
    const std::int64_t lo = std::min(ax, ay);
    const std::int64_t hi = std::max(ax, ay);
    const std::int64_t horizontal = (hi - lo) * d_axis_ + lo * d_diag_;
    const std::int64_t vertical = dz > 0 ? dz * d_up_ : -dz * d_down_;
    return std::max(horizontal, vertical);
  }

  template <class H>
  Run run(const SippRequest& request, const H& heuristic, const SippOptions& options, Limits limits,
          const StopCondition& stop, SearchStats& stats) const;

  const G& grid_;
  const T& table_;
  GridGeometry geometry_;
  MotionModel motion_;
  sipp_detail::MoveTable moves_;
  std::int64_t d_axis_ = moves_[sipp_detail::move_index(1, 0, 0)].duration_ms;
  std::int64_t d_diag_ = moves_[sipp_detail::move_index(1, 1, 0)].duration_ms;
  std::int64_t d_up_ = moves_[sipp_detail::move_index(0, 0, 1)].duration_ms;
  std::int64_t d_down_ = moves_[sipp_detail::move_index(0, 0, -1)].duration_ms;
};

template <Grid G, SafeIntervalSource T>
template <class H>
typename Sipp<G, T>::Run Sipp<G, T>::run(const SippRequest& request, const H& heuristic,
                                         const SippOptions& options, Limits limits,
                                         const StopCondition& stop, SearchStats& stats) const {
  Run out;
  const Voxel goal = request.goal;
  // Open-list key from the guide; the deadline tests below use the admissible lower bound.
  const double weight = options.heuristic_weight;
  const bool weighted = weight != 1.0;
  const bool reopen = options.reopen && motion_.can_hover;
  const std::int64_t dwell_ms = request.goal_dwell.count();
  std::vector<SafeInterval> goal_ivs;
  if (options.goal_schedule) table_.safe_intervals(goal, kTimeNegInf, kTimeInf, goal_ivs);
  // Earliest t' >= t at which the goal voxel stays free over [t', t' + dwell]; kTimeInf if never.
  auto goal_free_from = [&](std::int64_t t) {
    auto it = std::lower_bound(goal_ivs.begin(), goal_ivs.end(), t,
                               [dwell_ms](const SafeInterval& iv, std::int64_t x) {
                                 return iv.end.count() - dwell_ms < x;
                               });
    for (; it != goal_ivs.end(); ++it) {
      const std::int64_t from = std::max(t, it->begin.count());
      if (from + dwell_ms <= it->end.count()) return from;
    }
    return kTimeInf.count();
  };
  const bool charge_loiter = !motion_.can_hover && options.loiter_weight > 0.0;
  // `delay`: the airborne delay of the state (0 on the ground), see SippOptions::loiter_weight.
  auto key = [&, weighted, weight](std::int64_t g, std::int64_t h, bool airborne,
                                   std::int64_t delay) {
    std::int64_t k = 0;
    if (options.goal_schedule) {
      const std::int64_t e = goal_free_from(g + h);
      k = std::min(e, kTimeInf.count()) +
          static_cast<std::int64_t>((weight - 1.0) * static_cast<double>(h));
      if (charge_loiter && airborne && e < kTimeInf.count() && e > g + h) {
        k += static_cast<std::int64_t>(options.loiter_weight * static_cast<double>(e - g - h));
      }
    } else {
      k = weighted ? g + static_cast<std::int64_t>(weight * static_cast<double>(h)) : g + h;
    }
    if (charge_loiter && airborne && delay > 0) {
      k += static_cast<std::int64_t>(options.loiter_weight * static_cast<double>(delay));
    }
    return k;
  };
  auto estimate = [&heuristic](Voxel v) -> SippEstimate {
    if constexpr (SippGuidedHeuristic<H>) {
      return heuristic.estimate(v);
    } else {
      const std::int64_t h = heuristic(v);
      return SippEstimate{h, h};
    }
  };
  const std::int64_t dwell = request.goal_dwell.count();
  // After the last reservation ends the world is static: there, the earliest arrival per voxel
  // dominates even without hover, which keeps the no-hover state space finite.
  const std::int64_t t_static = table_.latest_end().count();
  const bool hover = motion_.can_hover;
  // Voxels where the vehicle may wait in the air: everywhere with hover, else the goal column
  // when it hovers to land. States there are per safe interval (earliest arrival dominates).
  const bool land_hover = !hover && motion_.hovers_to_land;
  auto hovers_at = [&](Voxel v) { return hover || (land_hover && v.x == goal.x && v.y == goal.y); };
  const std::int64_t step = motion_.ground_wait_step.count();
  const std::int64_t bucket =
      options.air_time_bucket > Millis{0} ? options.air_time_bucket.count() : step;

  std::vector<Node> nodes;
  sipp_detail::NodeIndex index(options.expected_states);
  nodes.reserve(std::max<std::size_t>(1024, options.expected_states));
  std::priority_queue<Entry, std::vector<Entry>, EntryOrder> open;
  std::vector<SafeInterval> ivs;
  ivs.reserve(8);

  std::int64_t guide_start = 0;  // set below, before the first airborne relax
  auto relax = [&](Voxel v, Kind kind, std::int64_t tag, std::int64_t g, std::int64_t h,
                   std::int64_t takeoff, const SafeInterval& iv, std::uint32_t parent) {
    const auto [id, inserted] = index.find_or_insert(
        state_hash(linear(v), tag, kind, iv.end.count()), static_cast<std::uint32_t>(nodes.size()),
        [&](std::uint32_t other) {
          const Node& o = nodes[other];
          return o.voxel == v && o.kind == kind && o.tag == tag && o.safe_end == iv.end.count();
        });
    if (inserted) {
      nodes.push_back(
          Node{v, kind, false, parent, tag, g, iv.begin.count(), iv.end.count(), takeoff});
    } else {
      Node& n = nodes[id];
      if (g >= n.g || (n.closed && !reopen)) return;
      n.closed = false;
      n.g = g;
      n.parent = parent;
      n.takeoff = takeoff;
    }
    ++stats.generated;
    // Only states that cannot wait are charged for delay (a landing hover is not a loop).
    const bool airborne = kind != Kind::kGround;
    const bool loops = kind == Kind::kAirAtTime || kind == Kind::kAirStatic;
    const std::int64_t delay = loops ? g - takeoff - (guide_start - h) : 0;
    open.push(Entry{key(g, h, airborne, delay), g, id});
  };

  // Start states: every safe interval of the start voxel that overlaps the departure window.
  table_.safe_intervals(request.start, kTimeNegInf, kTimeInf, ivs);
  const SippEstimate e_start = estimate(request.start);
  const std::int64_t h_start = e_start.lower;
  guide_start = e_start.guide;
  if (h_start < 0) {
    out.status = RunStatus::kExhausted;
    return out;
  }
  for (std::size_t j = 0; j < ivs.size(); ++j) {
    const std::int64_t appear = std::max(ivs[j].begin.count(), request.earliest_departure.count());
    if (appear >= ivs[j].end.count()) continue;
    if (appear > limits.latest) {
      out.window_cut = true;  // the pad frees only after the window closes
      continue;
    }
    if (appear + h_start > limits.deadline) {
      out.deadline_cut = true;
      continue;
    }
    relax(request.start, Kind::kGround, hover ? 0 : appear, appear, e_start.guide, appear, ivs[j],
          kNoParent);
  }

  std::uint64_t polls = 0;
  std::uint32_t found = kNoParent;
  while (!open.empty()) {
    const Entry e = open.top();
    open.pop();
    if (nodes[e.id].closed || e.g != nodes[e.id].g) continue;  // stale queue entry
    if ((polls++ & 63u) == 0) {
      if (stop.cancelled != nullptr && stop.cancelled->load(std::memory_order_relaxed)) {
        out.status = RunStatus::kCancelled;
        return out;
      }
      if (Clock::now() >= stop.deadline) {
        out.status = RunStatus::kBudget;
        return out;
      }
    }
    if (stats.expansions >= stop.max_expansions) {
      out.status = RunStatus::kBudget;
      return out;
    }
    ++stats.expansions;
    nodes[e.id].closed = true;
    const Node n = nodes[e.id];  // copy: `nodes` may reallocate below

    if (n.voxel == goal && n.g + dwell <= n.safe_end) {
      found = e.id;
      break;
    }

    const bool ground = n.kind == Kind::kGround;
    // Without hover, the pad wait is explored on a lattice of take-off times; waiting beyond
    // t_static is pointless (the world no longer changes).
    if (ground && !hover) {
      const std::int64_t next = n.g + step;
      if (next <= n.safe_end && next <= t_static) {
        if (next > limits.latest) {
          out.window_cut = true;
        } else if (next + h_start > limits.deadline) {
          out.deadline_cut = true;
        } else {
          relax(n.voxel, Kind::kGround, next, next, e_start.guide, next,
                SafeInterval{Millis{n.safe_begin}, Millis{n.safe_end}}, e.id);
        }
      }
    }

    const std::uint32_t free_around = free_mask(n.voxel);
    for (const sipp_detail::Move& m : moves_) {
      if ((free_around & m.bbox_mask) != m.bbox_mask) continue;  // is_free is false outside
      const Voxel v{n.voxel.x + m.dx, n.voxel.y + m.dy, n.voxel.z + m.dz};
      const std::int64_t d = m.duration_ms;
      const std::int64_t half_lo = d / 2;
      const std::int64_t half_hi = d - half_lo;
      const std::int64_t t_min = n.g;
      // Leave box(u) (at t + d/2) before u's safe interval ends.
      const std::int64_t t_max_free = n.safe_end - half_hi;
      std::int64_t t_max = t_max_free;
      if (ground) {
        t_max = std::min(t_max, limits.latest);
      } else if (!hovers_at(n.voxel)) {
        t_max = std::min(t_max, n.g);
      }
      if (t_min > t_max) {
        if (ground && t_min <= t_max_free) out.window_cut = true;
        continue;
      }
      const SippEstimate e_v = estimate(v);
      const std::int64_t h_v = e_v.lower;
      if (h_v < 0) continue;  // kSippDeadEnd
      // Only the intervals that end after the earliest entry into v (at t_min + half_lo) and
      // begin by the latest matter; one that began earlier departs at t_min whatever its begin.
      table_.safe_intervals(v, Millis{t_min + half_lo},
                            Millis{(ground ? t_max_free : t_max) + half_lo + 1}, ivs);
      for (std::size_t j = 0; j < ivs.size(); ++j) {
        const SafeInterval& iv = ivs[j];
        if (iv.end.count() < t_min + d) continue;
        // Enter box(v) (at t + floor(d/2)) no earlier than v's interval begins.
        const std::int64_t t = std::max(t_min, iv.begin.count() - half_lo);
        if (t > t_max) {
          if (ground && t <= t_max_free) out.window_cut = true;
          break;  // later intervals need even later departures
        }
        const std::int64_t a = t + d;
        if (a > iv.end.count()) continue;
        if ((options.goal_schedule ? goal_free_from(a + h_v) : a + h_v) > limits.deadline) {
          out.deadline_cut = true;
          break;
        }
        // A move off the ground takes off at t; an airborne state keeps its take-off time.
        const std::int64_t takeoff = ground ? t : n.takeoff;
        if (hovers_at(v)) {
          relax(v, Kind::kAir, 0, a, e_v.guide, takeoff, iv, e.id);
        } else if (a < t_static) {
          // Exact-time states, bucketed: within one air_time_bucket of arrival times at a
          // voxel (and safe interval) the earliest arrival stands for all.
          relax(v, Kind::kAirAtTime, a / bucket, a, e_v.guide, takeoff, iv, e.id);
        } else {
          relax(v, Kind::kAirStatic, 0, a, e_v.guide, takeoff, iv, e.id);
        }
      }
    }
  }
  if (found == kNoParent) {
    out.status = RunStatus::kExhausted;
    return out;
  }

  // Reconstruct: merge consecutive pad-wait nodes; a departure is the next arrival minus the
  // move's duration.
  std::vector<std::uint32_t> chain;
  for (std::uint32_t id = found; id != kNoParent; id = nodes[id].parent) chain.push_back(id);
  std::reverse(chain.begin(), chain.end());
  for (const std::uint32_t id : chain) {
    const Node& n = nodes[id];
    if (!out.path.empty() && out.path.back().voxel == n.voxel) continue;
    if (!out.path.empty()) {
      PathStep& prev = out.path.back();
      const auto& m = moves_[sipp_detail::move_index(
          n.voxel.x - prev.voxel.x, n.voxel.y - prev.voxel.y, n.voxel.z - prev.voxel.z)];
      prev.departure = Millis{n.g - m.duration_ms};
    }
    out.path.push_back(PathStep{n.voxel, Millis{n.g}, Millis{n.g}});
  }
  out.path.back().departure = out.path.back().arrival + request.goal_dwell;
  out.status = RunStatus::kFound;
  return out;
}

template <Grid G, SafeIntervalSource T>
template <SippHeuristic H>
Result<SippPlan> Sipp<G, T>::plan(const SippRequest& request, const H& heuristic,
                                  const SippOptions& options, const StopCondition& stop) const {
  const auto started = Clock::now();
  if (!(options.heuristic_weight >= 1.0 && options.heuristic_weight <= 100.0)) {
    return fail(
        "SIPP_OPTIONS_INVALID",
        "heuristic_weight " + std::to_string(options.heuristic_weight) + " is outside [1, 100]");
  }
  if (!(options.loiter_weight >= 0.0 && options.loiter_weight <= 1000.0)) {
    return fail("SIPP_OPTIONS_INVALID",
                "loiter_weight " + std::to_string(options.loiter_weight) + " is outside [0, 1000]");
  }
  if (options.air_time_bucket < Millis{0} ||
      options.air_time_bucket > Millis{std::chrono::hours(1)}) {
    return fail("SIPP_OPTIONS_INVALID", "air_time_bucket " +
                                            std::to_string(options.air_time_bucket.count()) +
                                            " ms is outside [0, 1 h]");
  }
  if (table_.size_x() != static_cast<std::int32_t>(grid_.size_x()) ||
      table_.size_y() != static_cast<std::int32_t>(grid_.size_y()) ||
      table_.size_z() != static_cast<std::int32_t>(grid_.size_z())) {
    return fail("SIPP_TABLE_MISMATCH", "reservation table dimensions differ from the grid's");
  }
  if (auto ok = sipp_detail::validate_model(geometry_, motion_); !ok) {
    return tl::unexpected<Error>(ok.error());
  }
  for (const auto& [name, v] :
       {std::pair{"start", request.start}, std::pair{"goal", request.goal}}) {
    if (!inside(v)) {
      return fail(
          "SIPP_VOXEL_OUTSIDE_GRID",
          std::string(name) + " voxel " + sipp_detail::voxel_text(v) + " is outside the grid");
    }
  }
  const Millis earliest = request.earliest_departure;
  const Millis latest = request.latest_departure;
  if (earliest <= kTimeNegInf || earliest >= kTimeInf || latest > kTimeInf || latest < earliest) {
    return fail("SIPP_DEPARTURE_WINDOW_INVALID",
                "departure window [" + std::to_string(earliest.count()) + ", " +
                    std::to_string(latest.count()) + "] ms is inverted or out of range");
  }
  if (request.goal_dwell.count() < 0 || request.goal_dwell >= kTimeInf / 4) {
    return fail("SIPP_TIME_INVALID",
                "goal_dwell " + std::to_string(request.goal_dwell.count()) + " ms is out of range");
  }
  if (request.arrival_deadline &&
      (*request.arrival_deadline < earliest || *request.arrival_deadline >= kTimeInf)) {
    return fail("SIPP_TIME_INVALID", "arrival_deadline " +
                                         std::to_string(request.arrival_deadline->count()) +
                                         " ms is before the departure window or out of range");
  }

  SippPlan plan;
  auto finish = [&](Outcome outcome, NoRouteReason reason, std::string text) {
    plan.outcome = outcome;
    plan.reason = reason;
    plan.reason_text = std::move(text);
    plan.stats.elapsed_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return plan;
  };
  const auto& s = request.start;
  const auto& g = request.goal;
  if (!grid_.is_free(s.x, s.y, s.z)) {
    return finish(Outcome::kNoRoute, NoRouteReason::kStartBlocked,
                  "start voxel " + sipp_detail::voxel_text(s) + " is an obstacle");
  }
  if (!grid_.is_free(g.x, g.y, g.z)) {
    return finish(Outcome::kNoRoute, NoRouteReason::kGoalBlocked,
                  "goal voxel " + sipp_detail::voxel_text(g) + " is an obstacle");
  }
  std::vector<SafeInterval> start_ivs;
  table_.safe_intervals(s, kTimeNegInf, kTimeInf, start_ivs);
  if (std::none_of(start_ivs.begin(), start_ivs.end(), [&](const SafeInterval& iv) {
        return iv.begin <= latest && iv.end > std::max(iv.begin, earliest);
      })) {
    return finish(Outcome::kNoRoute, NoRouteReason::kStartBlocked,
                  "start voxel " + sipp_detail::voxel_text(s) +
                      " is reserved throughout the departure window");
  }
  std::vector<SafeInterval> goal_ivs;
  table_.safe_intervals(g, kTimeNegInf, kTimeInf, goal_ivs);
  auto dwell_fits = [&](const SafeInterval& iv) {
    return iv.end - std::max(iv.begin, earliest) >= request.goal_dwell;
  };
  if (std::none_of(goal_ivs.begin(), goal_ivs.end(), dwell_fits)) {
    return finish(Outcome::kNoRoute, NoRouteReason::kGoalBlocked,
                  "goal voxel " + sipp_detail::voxel_text(g) + " is never free for " +
                      std::to_string(request.goal_dwell.count()) + " ms");
  }

  const Limits limits{latest.count(), request.arrival_deadline ? request.arrival_deadline->count()
                                                               : kTimeInf.count()};
  Run r = run(request, heuristic, options, limits, stop, plan.stats);
  if (r.status == RunStatus::kCancelled)
    return finish(Outcome::kCancelled, NoRouteReason::kNone, {});
  if (r.status == RunStatus::kBudget) {
    return finish(Outcome::kBudgetExhausted, NoRouteReason::kNone, {});
  }
  if (r.status == RunStatus::kFound) {
    plan.path = std::move(r.path);
    plan.arrival = plan.path.back().arrival;
    plan.trajectory = sipp_detail::to_trajectory(plan.path, geometry_, request.trajectory_id);
    return finish(Outcome::kFound, NoRouteReason::kNone, {});
  }

  // Proven infeasible. Name the constraint by re-planning without what actually pruned states.
  if (!options.diagnose && (r.window_cut || r.deadline_cut)) {
    return finish(
        Outcome::kNoRoute,
        r.deadline_cut ? NoRouteReason::kDeadlineTooTight : NoRouteReason::kDepartureWindowTooTight,
        "no route within the departure window and deadline (not diagnosed further)");
  }
  if (!r.window_cut && !r.deadline_cut) {
    return finish(Outcome::kNoRoute, NoRouteReason::kGoalUnreachable,
                  "no sequence of free (voxel, time) pairs joins start " +
                      sipp_detail::voxel_text(s) + " and goal " + sipp_detail::voxel_text(g));
  }
  const std::string deadline_text =
      request.arrival_deadline ? std::to_string(request.arrival_deadline->count()) : "none";
  const std::string latest_text = std::to_string(latest.count());
  bool unsure = false;
  auto feasible_with = [&](Limits relaxed) {
    const Run d = run(request, heuristic, options, relaxed, stop, plan.stats);
    if (d.status == RunStatus::kBudget || d.status == RunStatus::kCancelled) unsure = true;
    return d.status == RunStatus::kFound;
  };
  if (r.deadline_cut && feasible_with(Limits{limits.latest, kTimeInf.count()})) {
    return finish(Outcome::kNoRoute, NoRouteReason::kDeadlineTooTight,
                  "the goal cannot be reached by the arrival deadline " + deadline_text + " ms");
  }
  if (r.window_cut && feasible_with(Limits{kTimeInf.count(), limits.deadline})) {
    return finish(Outcome::kNoRoute, NoRouteReason::kDepartureWindowTooTight,
                  "no take-off by latest_departure " + latest_text + " ms leads to the goal");
  }
  if (r.window_cut && r.deadline_cut && feasible_with(Limits{kTimeInf.count(), kTimeInf.count()})) {
    return finish(Outcome::kNoRoute, NoRouteReason::kDepartureWindowTooTight,
                  "latest_departure " + latest_text + " ms and arrival deadline " + deadline_text +
                      " ms are together too tight");
  }
  if (unsure) {
    return finish(
        Outcome::kNoRoute,
        r.deadline_cut ? NoRouteReason::kDeadlineTooTight : NoRouteReason::kDepartureWindowTooTight,
        "no route within the departure window and deadline (diagnosis stopped early)");
  }
  return finish(Outcome::kNoRoute, NoRouteReason::kGoalUnreachable,
                "no sequence of free (voxel, time) pairs joins start " +
                    sipp_detail::voxel_text(s) + " and goal " + sipp_detail::voxel_text(g) +
                    ", whatever the timing");
}

template <Grid G, SafeIntervalSource T>
std::optional<std::vector<PathStep>> Sipp<G, T>::delayed(const std::vector<PathStep>& path,
                                                         const SippRequest& request,
                                                         std::size_t max_passes) const {
  const std::size_t n = path.size();
  if (n < 2 || path.front().voxel != request.start || path.back().voxel != request.goal) {
    return std::nullopt;
  }
  // Unshifted closed occupancy range of each step (see the header comment): the start step from
  // its take-off (the appearance follows the shift), the goal step to the end of the dwell.
  std::vector<std::int64_t> lo(n);
  std::vector<std::int64_t> hi(n);
  for (std::size_t k = 0; k < n; ++k) {
    if (k == 0) {
      lo[k] = path[0].departure.count();
    } else {
      const std::int64_t d = path[k].arrival.count() - path[k - 1].departure.count();
      if (d <= 0) return std::nullopt;  // not a plan
      lo[k] = path[k - 1].departure.count() + d / 2;
    }
    if (k + 1 == n) {
      hi[k] = path[k].arrival.count() + request.goal_dwell.count();
    } else {
      const std::int64_t d = path[k + 1].arrival.count() - path[k].departure.count();
      hi[k] = path[k].departure.count() + (d - d / 2);
    }
  }
  const std::int64_t takeoff = path[0].departure.count();
  if (takeoff < request.earliest_departure.count()) return std::nullopt;
  // Shifted times stay below kTimeInf / 2 (a pad "free" only from near kTimeInf is never).
  const std::int64_t max_shift = std::min(
      {request.latest_departure.count() - takeoff, kTimeInf.count() / 2 - hi[n - 1],
       request.arrival_deadline ? request.arrival_deadline->count() - path[n - 1].arrival.count()
                                : kTimeInf.count()});
  if (max_shift < 0) return std::nullopt;
  std::vector<SafeInterval> ivs;
  // The smallest shift >= d at which step k's range lies in one safe interval (kTimeInf: none).
  auto next_shift = [&](std::size_t k, std::int64_t d) {
    // An interval that begins by lo[k] + d takes the step at shift d whatever its begin; one
    // that begins after lo[k] + max_shift is out of reach.
    table_.safe_intervals(path[k].voxel, Millis{lo[k] + d}, Millis{lo[k] + max_shift + 1}, ivs);
    for (const SafeInterval& iv : ivs) {
      if (hi[k] + d > iv.end.count()) continue;
      const std::int64_t s = iv.begin <= kTimeNegInf ? d : std::max(d, iv.begin.count() - lo[k]);
      if (hi[k] + s <= iv.end.count()) return s;
    }
    return kTimeInf.count();
  };
  // Round-robin over the steps until n checks in a row leave the shift where it is.
  std::int64_t shift = 0;
  std::size_t settled = 0;
  for (std::size_t checks = 0, k = 0; settled < n; ++checks, k = (k + 1) % n) {
    if (checks >= max_passes * n) return std::nullopt;
    const std::int64_t s = next_shift(k, shift);
    if (s > max_shift) return std::nullopt;
    if (s != shift) {
      shift = s;
      settled = 1;
    } else {
      ++settled;
    }
  }
  std::vector<PathStep> out = path;
  for (PathStep& step : out) {
    step.arrival += Millis{shift};
    step.departure += Millis{shift};
  }
  // Appear on the pad when its safe interval holding the take-off begins (not before the
  // window opens).
  table_.safe_intervals(request.start, kTimeNegInf, kTimeInf, ivs);
  const std::int64_t t = takeoff + shift;
  out[0].arrival = request.earliest_departure;
  for (const SafeInterval& iv : ivs) {
    if (iv.begin.count() <= t && t + (hi[0] - lo[0]) <= iv.end.count()) {
      out[0].arrival = std::max(request.earliest_departure, iv.begin);
      break;
    }
  }
  return out;
}

}  // namespace skylane::search
