#include "skylane/network/opening_hours.hpp"

#include <algorithm>
#include <cctype>

namespace skylane::network {
namespace {

constexpr std::int64_t kDayS = 86400;

// "HH:MM" -> seconds after midnight, 0..86400 ("24:00" allowed).
bool parse_clock(std::string_view s, std::int32_t& out) {
  if (s.size() != 5 || s[2] != ':') return false;
  for (int i : {0, 1, 3, 4}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return false;
  out = h * 3600 + m * 60;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

Result<OpeningHours> OpeningHours::parse(std::string_view text) {
  OpeningHours h;
  h.text_ = std::string(text);
  const std::string_view body = trim(text);
  auto bad = [&](const std::string& why) {
    return tl::unexpected(make_error(
        "OPENING_HOURS_INVALID", "opening hours '" + std::string(text) + "': " + why +
                                     " (expected \"HH:MM-HH:MM[,HH:MM-HH:MM]\" or \"closed\")"));
  };
  if (body == "closed") {
    h.always_ = false;
    return h;
  }
  if (body.empty()) return bad("empty");
  std::vector<Window> raw;
  std::string_view rest = body;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const std::size_t dash = part.find('-');
    std::int32_t b = 0;
    std::int32_t e = 0;
    if (dash == std::string_view::npos || !parse_clock(trim(part.substr(0, dash)), b) ||
        !parse_clock(trim(part.substr(dash + 1)), e)) {
      return bad("'" + std::string(part) + "' is not HH:MM-HH:MM");
    }
    if (b == kDayS) return bad("a window cannot start at 24:00");
    if (e == b) return bad("'" + std::string(part) + "' is empty");
    if (e < b) e += kDayS;               // runs past midnight
    if (b == 0 && e == kDayS) return h;  // always open
    raw.push_back({b, e});
  }
  std::sort(raw.begin(), raw.end(),
            [](const Window& x, const Window& y) { return x.begin_s < y.begin_s; });
  for (const Window& w : raw) {
    if (!h.windows_.empty() && w.begin_s <= h.windows_.back().end_s) {
      h.windows_.back().end_s = std::max(h.windows_.back().end_s, w.end_s);
    } else {
      h.windows_.push_back(w);
    }
  }
  // Windows covering a whole day (after merging) mean always open.
  for (const Window& w : h.windows_) {
    if (w.end_s - w.begin_s >= kDayS) return OpeningHours::parse("00:00-24:00");
  }
  // A window that runs past midnight into the next one: the merged day pattern is periodic, so
  // also merge the last window with the first of the following day.
  if (h.windows_.size() > 1 && h.windows_.back().end_s >= h.windows_.front().begin_s + kDayS) {
    h.windows_.front().begin_s = h.windows_.back().begin_s - static_cast<std::int32_t>(kDayS);
    h.windows_.front().end_s =
        std::max<std::int32_t>(h.windows_.front().end_s, h.windows_.back().end_s - kDayS);
    h.windows_.pop_back();
  }
  h.always_ = false;
  return h;
}

std::int64_t OpeningHours::earliest_open_s(std::int64_t t, std::int64_t duration_s) const {
  if (always_) return t;
  const std::int64_t day = floor_div(t, kDayS);
  std::int64_t best = -1;
  // A window of day d spans [d*86400 + begin, d*86400 + end); a window may start the day before
  // (begin < 0 after the wrap merge, or end > 86400), so look at days d-1 .. d+1.
  for (std::int64_t d = day - 1; d <= day + 1; ++d) {
    for (const Window& w : windows_) {
      const std::int64_t b = d * kDayS + w.begin_s;
      const std::int64_t e = d * kDayS + w.end_s;
      const std::int64_t s = std::max(t, b);
      if (s + duration_s <= e && (best < 0 || s < best)) best = s;
    }
  }
  return best;
}

}  // namespace skylane::network
