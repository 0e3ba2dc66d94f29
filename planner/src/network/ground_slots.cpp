#include "ground_slots.hpp"

namespace skylane::network::detail {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Bounds the alternation between constraints; each round moves time forward, and a real
// schedule settles in a handful of rounds.
constexpr int kMaxRounds = 256;

}  // namespace

SlotResult GroundSlots::earliest(std::size_t v, Millis t, Millis duration) const {
  const OpeningHours& hours = net_.node(v).hours;
  const std::size_t index = net_.node(v).index;
  SlotResult r;
  Millis s = t;
  for (int round = 0; round < kMaxRounds; ++round) {
    if (s > limit_) {
      r.why = r.moved == SlotBlock::kNone ? SlotBlock::kLimit : r.moved;
      return r;
    }
    if (!hours.always_open()) {
      // Opening hours have 1 s resolution: ask for whole seconds covering [s, s + duration].
      const std::int64_t local_ms = s.count() + local_offset_ms_;
      const std::int64_t ls = floor_div(local_ms, 1000);
      const bool frac = local_ms != ls * 1000;
      const std::int64_t dur_s = (duration.count() + 999) / 1000 + (frac ? 1 : 0);
      const std::int64_t open = hours.earliest_open_s(ls, dur_s);
      if (open < 0) {
        r.why = SlotBlock::kClosed;
        return r;
      }
      if (open != ls) {
        s = Millis(open * 1000 - local_offset_ms_);
        r.moved = SlotBlock::kClosed;
        if (s > limit_) {
          r.why = SlotBlock::kClosed;
          return r;
        }
      }
    }
    const std::optional<Millis> p = pads_(index, s, duration);
    if (!p) {
      r.why = SlotBlock::kPad;
      return r;
    }
    if (*p <= s) {
      r.start = s;
      return r;
    }
    s = *p;
    r.moved = SlotBlock::kPad;
  }
  r.why = r.moved == SlotBlock::kNone ? SlotBlock::kPad : r.moved;
  return r;
}

LegTiming GroundSlots::time_leg(std::size_t u, std::size_t w, Millis ready, Millis flight,
                                Millis takeoff, Millis landing) const {
  LegTiming out;
  SlotBlock cause = SlotBlock::kNone;
  std::size_t cause_at = u;
  Millis d = ready;
  for (int round = 0; round < kMaxRounds; ++round) {
    const SlotResult up = earliest(u, d, takeoff);
    if (up.moved != SlotBlock::kNone) {
      cause = up.moved;
      cause_at = u;
    }
    if (!up.start) {
      out.why = up.why;
      out.where = u;
      return out;
    }
    d = *up.start;
    const Millis a = d + flight;
    if (a > limit_) {
      out.why = cause == SlotBlock::kNone ? SlotBlock::kLimit : cause;
      out.where = cause == SlotBlock::kNone ? w : cause_at;
      return out;
    }
    const SlotResult down = earliest(w, a, landing);
    if (down.moved != SlotBlock::kNone) {
      cause = down.moved;
      cause_at = w;
    }
    if (!down.start) {
      out.why = down.why;
      out.where = w;
      return out;
    }
    if (*down.start == a) {
      out.ok = true;
      out.departure = d;
      out.arrival = a;
      return out;
    }
    d = *down.start - flight;
  }
  out.why = cause == SlotBlock::kNone ? SlotBlock::kPad : cause;
  out.where = cause_at;
  return out;
}

}  // namespace skylane::network::detail
