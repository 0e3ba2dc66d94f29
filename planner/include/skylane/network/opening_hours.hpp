// Opening hours of a vertiport, as written in the vertiports layer ("07:00-22:00"), and the
// earliest time at or after a given one at which a ground operation of a given length fits
// inside them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "skylane/core/error.hpp"

namespace skylane::network {

class OpeningHours {
 public:
  /// Always open.
  OpeningHours() = default;

  /// Parses "HH:MM-HH:MM[,HH:MM-HH:MM...]" in local time ("00:00-24:00" = always; an end before
  /// its start runs past midnight, "22:00-06:00"), or "closed". Errors: OPENING_HOURS_INVALID
  /// naming the text.
  static Result<OpeningHours> parse(std::string_view text);

  [[nodiscard]] bool always_open() const { return always_; }
  [[nodiscard]] bool never_open() const { return !always_ && windows_.empty(); }

  /// The earliest local-time instant s >= t (seconds since an arbitrary local midnight, so
  /// t % 86400 is the time of day) such that [s, s + duration_s] lies inside one opening
  /// window, or -1 if there is none (closed, or duration longer than every window). Windows on
  /// consecutive days that touch (e.g. "00:00-24:00") merge. O(windows). Thread-safe.
  [[nodiscard]] std::int64_t earliest_open_s(std::int64_t t_local_s, std::int64_t duration_s) const;

  /// The text it was parsed from.
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  struct Window {
    std::int32_t begin_s;  ///< seconds after local midnight, [0, 86400)
    std::int32_t end_s;    ///< (begin_s, begin_s + 86400]
  };
  bool always_ = true;
  std::vector<Window> windows_;  ///< sorted, merged
  std::string text_ = "00:00-24:00";
};

}  // namespace skylane::network
