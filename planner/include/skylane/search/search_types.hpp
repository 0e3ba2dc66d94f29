// Vocabulary shared by every search in skylane (A*, SIPP, network routing): voxel
// coordinates, the grid concept searches run over, stop conditions, outcomes and statistics.
#pragma once

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>

namespace skylane::search {

/// Integer voxel coordinates: x east, y north (or the map's row axis), z up; 0-based.
struct Voxel {
  std::int32_t x = 0;
  std::int32_t y = 0;
  std::int32_t z = 0;
  friend bool operator==(const Voxel&, const Voxel&) = default;
};

/// What a search needs from a 3D grid. `is_free` must return false outside the grid, so a
/// search never has to bounds-check separately. Thread-safety: const calls are concurrent-safe.
template <class G>
concept Grid = requires(const G& g, std::int32_t x, std::int32_t y, std::int32_t z) {
  { g.size_x() } -> std::convertible_to<std::int32_t>;
  { g.size_y() } -> std::convertible_to<std::int32_t>;
  { g.size_z() } -> std::convertible_to<std::int32_t>;
  { g.is_free(x, y, z) } -> std::convertible_to<bool>;
};

using Clock = std::chrono::steady_clock;

/// When a search must stop early. All three conditions combine (the first one hit wins), after
/// OMPL's combinable termination conditions; the deadline maps onto a gRPC deadline.
struct StopCondition {
  Clock::time_point deadline = Clock::time_point::max();
  const std::atomic<bool>* cancelled = nullptr;  ///< optional; polled, never written
  std::uint64_t max_expansions = std::numeric_limits<std::uint64_t>::max();

  static StopCondition within(std::chrono::milliseconds budget) {
    StopCondition s;
    s.deadline = Clock::now() + budget;
    return s;
  }
};

/// Planning outcomes are values, not errors.
enum class Outcome {
  kFound,
  kNoRoute,          ///< proven: no path satisfies the constraints (reason says which)
  kBudgetExhausted,  ///< deadline or expansion cap hit before an answer
  kCancelled,
};

[[nodiscard]] inline const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kFound:
      return "found";
    case Outcome::kNoRoute:
      return "no_route";
    case Outcome::kBudgetExhausted:
      return "budget_exhausted";
    case Outcome::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

struct SearchStats {
  std::uint64_t expansions = 0;
  std::uint64_t generated = 0;
  double elapsed_ms = 0.0;
};

}  // namespace skylane::search
