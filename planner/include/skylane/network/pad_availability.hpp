// Pad-slot availability at vertiports, as the multi-leg router sees it: a pluggable oracle
// answering "the earliest time at or after t at which a pad of vertiport v is free for
// [start, start + duration)". The dispatch core backs it with the reservation table's pad slots;
// PadBookings is a small in-memory implementation for tests, benchmarks and the simulator.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "skylane/traj/trajectory.hpp"

namespace skylane::network {

using traj::Millis;

/// (vertiport index into Airspace::vertiports(), earliest start, occupancy duration) -> the
/// earliest start >= the given one at which some pad is free for the whole duration, or nullopt
/// if none is known (e.g. beyond the oracle's horizon). Contract: the answer is the least
/// start >= t with a free pad, so that it is monotone in t (the router's correctness relies on
/// it). Must be thread-safe if the router is called from several threads.
using PadOracle =
    std::function<std::optional<Millis>(std::size_t vertiport, Millis earliest, Millis duration)>;

/// An oracle under which every pad is always free.
[[nodiscard]] PadOracle always_free_pads();

/// Pad bookings per vertiport: `pads` pads each, holding half-open intervals [begin, end).
/// A request fits at s when fewer than `pads` bookings overlap [s, s + duration) at every
/// instant. Not thread-safe for writes; oracle() reads only.
class PadBookings {
 public:
  /// pads_per_vertiport[i]: pad count of vertiport i (values < 1 are treated as 1).
  explicit PadBookings(std::vector<int> pads_per_vertiport);

  /// Books one pad of vertiport v over [begin, end). No check that one is free.
  void book(std::size_t vertiport, Millis begin, Millis end);

  /// Earliest s >= t with a pad free over [s, s + duration). O(b^2) in the bookings b at v.
  [[nodiscard]] std::optional<Millis> earliest_free(std::size_t vertiport, Millis t,
                                                    Millis duration) const;

  /// An oracle reading this object (which must outlive it).
  [[nodiscard]] PadOracle oracle() const;

 private:
  struct Booking {
    Millis begin;
    Millis end;
  };
  std::vector<int> pads_;
  std::vector<std::vector<Booking>> bookings_;
};

}  // namespace skylane::network
