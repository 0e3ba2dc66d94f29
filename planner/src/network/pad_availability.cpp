#include "skylane/network/pad_availability.hpp"

#include <algorithm>

namespace skylane::network {

PadOracle always_free_pads() {
  return [](std::size_t, Millis t, Millis) -> std::optional<Millis> { return t; };
}

PadBookings::PadBookings(std::vector<int> pads_per_vertiport)
    : pads_(std::move(pads_per_vertiport)), bookings_(pads_.size()) {
  for (int& p : pads_) p = std::max(p, 1);
}

void PadBookings::book(std::size_t vertiport, Millis begin, Millis end) {
  if (vertiport >= bookings_.size() || !(begin < end)) return;
  bookings_[vertiport].push_back({begin, end});
}

std::optional<Millis> PadBookings::earliest_free(std::size_t vertiport, Millis t,
                                                 Millis duration) const {
  if (vertiport >= bookings_.size()) return t;
  const auto& list = bookings_[vertiport];
  const int pads = pads_[vertiport];
  // The peak overlap over [s, s + d) changes only where a booking starts or ends, and the least
  // feasible start is t or the end of some booking: try those candidates in increasing order.
  std::vector<Millis> candidates{t};
  for (const Booking& b : list) {
    if (b.end > t) candidates.push_back(b.end);
  }
  std::sort(candidates.begin(), candidates.end());
  for (Millis s : candidates) {
    const Millis e = s + duration;
    // Peak number of bookings overlapping [s, e): evaluate at s and at every booking start
    // inside (s, e).
    int peak = 0;
    auto count_at = [&](Millis x) {
      int n = 0;
      for (const Booking& b : list) n += (b.begin <= x && x < b.end) ? 1 : 0;
      return n;
    };
    peak = count_at(s);
    for (const Booking& b : list) {
      if (b.begin > s && b.begin < e) peak = std::max(peak, count_at(b.begin));
    }
    if (peak < pads) return s;
  }
  return std::nullopt;  // unreachable: after the last booking ends every pad is free
}

PadOracle PadBookings::oracle() const {
  return [this](std::size_t v, Millis t, Millis d) { return earliest_free(v, t, d); };
}

}  // namespace skylane::network
