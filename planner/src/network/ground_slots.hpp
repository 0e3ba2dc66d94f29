// Internal: the stop rules of route_search.hpp (pad slots within opening hours, FIFO leg
// timing), shared by the labelling search and the 4D mission phase so both judge alike.
#pragma once

#include <cstdint>
#include <optional>

#include "skylane/network/pad_availability.hpp"
#include "skylane/network/vertiport_network.hpp"

namespace skylane::network::detail {

/// What stopped or moved a slot search.
enum class SlotBlock : std::uint8_t { kNone, kClosed, kPad, kLimit };

struct SlotResult {
  std::optional<Millis> start;
  SlotBlock why = SlotBlock::kNone;    ///< when !start
  SlotBlock moved = SlotBlock::kNone;  ///< last constraint that delayed the start
};

struct LegTiming {
  bool ok = false;
  Millis departure{0};
  Millis arrival{0};
  SlotBlock why = SlotBlock::kNone;  ///< when !ok: the constraint to blame
  std::size_t where = 0;             ///< when !ok: the vertex to blame
};

class GroundSlots {
 public:
  /// local_offset_ms: (epoch_unix_s + utc_offset_s) * 1000, so that mission time t is local
  /// time t + local_offset_ms. limit: no slot may start after it.
  GroundSlots(const VertiportNetwork& net, const PadOracle& pads, std::int64_t local_offset_ms,
              Millis limit)
      : net_(net), pads_(pads), local_offset_ms_(local_offset_ms), limit_(limit) {}

  /// The least s >= t such that [s, s + duration) lies inside v's opening hours and the oracle
  /// has a pad free then, if s <= limit.
  [[nodiscard]] SlotResult earliest(std::size_t v, Millis t, Millis duration) const;

  /// Departure from u at the least d >= ready with take-off slot [d, d + takeoff) at u and landing
  /// slot [d + flight, d + flight + landing) at w, arrival <= limit.
  [[nodiscard]] LegTiming time_leg(std::size_t u, std::size_t w, Millis ready, Millis flight,
                                   Millis takeoff, Millis landing) const;

  [[nodiscard]] Millis limit() const { return limit_; }

 private:
  const VertiportNetwork& net_;
  const PadOracle& pads_;
  std::int64_t local_offset_ms_;
  Millis limit_;
};

}  // namespace skylane::network::detail
