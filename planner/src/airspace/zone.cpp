#include "skylane/airspace/zone.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace skylane::airspace {
namespace {

constexpr std::array<std::string_view, kZoneKindCount> kKindNames = {
    "prohibited", "restricted", "airport_protection", "border_band", "temporary"};
constexpr std::array<std::string_view, 7> kDayNames = {"Mon", "Tue", "Wed", "Thu",
                                                       "Fri", "Sat", "Sun"};
constexpr std::int64_t kDay = 86400;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_int(std::string_view s, int& out) {
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end;
}

// "HH:MM" -> seconds after midnight; "24:00" allowed as an end.
bool parse_clock(std::string_view s, std::int32_t& seconds) {
  if (s.size() != 5 || s[2] != ':') return false;
  int h = 0;
  int m = 0;
  if (!parse_int(s.substr(0, 2), h) || !parse_int(s.substr(3, 2), m)) return false;
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return false;
  seconds = h * 3600 + m * 60;
  return true;
}

// "YYYY-MM-DDTHH:MM" local -> Unix seconds.
bool parse_local_datetime(std::string_view s, std::int32_t utc_offset_s, UnixSeconds& out) {
  if (s.size() != 16 || s[4] != '-' || s[7] != '-' || s[10] != 'T') return false;
  int y = 0;
  int mo = 0;
  int d = 0;
  std::int32_t clock = 0;
  if (!parse_int(s.substr(0, 4), y) || !parse_int(s.substr(5, 2), mo) ||
      !parse_int(s.substr(8, 2), d) || !parse_clock(s.substr(11, 5), clock)) {
    return false;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                        std::chrono::day{unsigned(d)}};
  if (!ymd.ok()) return false;
  const auto days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  out = static_cast<UnixSeconds>(days) * kDay + clock - utc_offset_s;
  return true;
}

bool parse_range(std::string_view s, std::int32_t& start, std::int32_t& end) {
  const auto dash = s.find('-');
  if (dash == std::string_view::npos) return false;
  if (!parse_clock(trim(s.substr(0, dash)), start) || !parse_clock(trim(s.substr(dash + 1)), end)) {
    return false;
  }
  if (end <= start) end += kDay;  // runs past midnight
  return end > start;
}

std::string clock_text(std::int32_t s) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (s / 3600) % 100, (s / 60) % 60);
  return buf;
}

std::string datetime_text(UnixSeconds t, std::int32_t utc_offset_s) {
  const UnixSeconds local = t + utc_offset_s;
  const auto days = static_cast<int>((local >= 0 ? local : local - kDay + 1) / kDay);
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  const auto sod = static_cast<std::int32_t>(local - static_cast<UnixSeconds>(days) * kDay);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%s", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), clock_text(sod).c_str());
  return buf;
}

}  // namespace

std::string_view zone_kind_name(ZoneKind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}

Result<ZoneKind> parse_zone_kind(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<ZoneKind>(i);
  }
  return fail("MANIFEST_INVALID_VALUE",
              "zone kind '" + std::string(name) +
                  "' is not one of prohibited, restricted, airport_protection, border_band, "
                  "temporary");
}

std::vector<TimeInterval> Zone::active_intervals(UnixSeconds from, UnixSeconds to,
                                                 std::int32_t utc_offset_s) const {
  std::vector<TimeInterval> out;
  if (to <= from) return out;
  if (windows.empty()) {
    out.push_back({from, to});
    return out;
  }
  for (const ActivityWindow& w : windows) {
    if (w.kind == ActivityWindow::Kind::kOnce) {
      const UnixSeconds b = std::max(from, w.begin_utc_s);
      const UnixSeconds e = std::min(to, w.end_utc_s);
      if (b < e) out.push_back({b, e});
      continue;
    }
    // Local day numbers covering [from, to), one extra day back for windows past midnight.
    auto local_day = [&](UnixSeconds t) {
      const UnixSeconds l = t + utc_offset_s;
      return (l >= 0 ? l : l - kDay + 1) / kDay;
    };
    for (UnixSeconds day = local_day(from) - 1; day <= local_day(to); ++day) {
      if (w.kind == ActivityWindow::Kind::kWeekly) {
        const std::chrono::weekday wd{std::chrono::sys_days{std::chrono::days{day}}};
        const unsigned iso = wd.iso_encoding();  // Monday = 1 ... Sunday = 7
        if (!(w.weekday_mask & (1u << (iso - 1)))) continue;
      }
      const UnixSeconds b = std::max(from, day * kDay + w.start_s - utc_offset_s);
      const UnixSeconds e = std::min(to, day * kDay + w.end_s - utc_offset_s);
      if (b < e) out.push_back({b, e});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const TimeInterval& a, const TimeInterval& b) { return a.begin < b.begin; });
  std::vector<TimeInterval> merged;
  for (const TimeInterval& iv : out) {
    if (!merged.empty() && iv.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, iv.end);
    } else {
      merged.push_back(iv);
    }
  }
  return merged;
}

Result<ActivityWindow> parse_activity_window(std::string_view text, std::int32_t utc_offset_s) {
  const std::string_view t = trim(text);
  const auto bad = [&](const std::string& why) {
    return fail("MANIFEST_INVALID_VALUE",
                "activity window '" + std::string(text) + "': " + why +
                    " (expected 'daily HH:MM-HH:MM', 'weekly Mon,Sat HH:MM-HH:MM' or "
                    "'once YYYY-MM-DDTHH:MM/YYYY-MM-DDTHH:MM')");
  };
  const auto space = t.find(' ');
  if (space == std::string_view::npos) return bad("no rule word");
  const std::string_view word = t.substr(0, space);
  std::string_view rest = trim(t.substr(space + 1));
  ActivityWindow w;
  if (word == "daily") {
    w.kind = ActivityWindow::Kind::kDaily;
    if (!parse_range(rest, w.start_s, w.end_s)) return bad("bad time range");
    return w;
  }
  if (word == "weekly") {
    w.kind = ActivityWindow::Kind::kWeekly;
    const auto sp = rest.find(' ');
    if (sp == std::string_view::npos) return bad("no days");
    std::string_view days = rest.substr(0, sp);
    w.weekday_mask = 0;
    while (!days.empty()) {
      const auto comma = days.find(',');
      const std::string_view d = days.substr(0, comma);
      const auto it = std::find(kDayNames.begin(), kDayNames.end(), d);
      if (it == kDayNames.end()) return bad("unknown day '" + std::string(d) + "'");
      w.weekday_mask |= static_cast<std::uint8_t>(1u << (it - kDayNames.begin()));
      days = comma == std::string_view::npos ? std::string_view{} : days.substr(comma + 1);
    }
    if (!parse_range(trim(rest.substr(sp + 1)), w.start_s, w.end_s)) return bad("bad time range");
    return w;
  }
  if (word == "once") {
    w.kind = ActivityWindow::Kind::kOnce;
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return bad("no '/' between begin and end");
    if (!parse_local_datetime(trim(rest.substr(0, slash)), utc_offset_s, w.begin_utc_s) ||
        !parse_local_datetime(trim(rest.substr(slash + 1)), utc_offset_s, w.end_utc_s)) {
      return bad("bad date-time");
    }
    if (w.end_utc_s <= w.begin_utc_s) return bad("end is not after begin");
    return w;
  }
  return bad("unknown rule '" + std::string(word) + "'");
}

std::string format_activity_window(const ActivityWindow& w, std::int32_t utc_offset_s) {
  switch (w.kind) {
    case ActivityWindow::Kind::kOnce:
      return "once " + datetime_text(w.begin_utc_s, utc_offset_s) + "/" +
             datetime_text(w.end_utc_s, utc_offset_s);
    case ActivityWindow::Kind::kDaily:
      return "daily " + clock_text(w.start_s) + "-" + clock_text(w.end_s % kDay);
    case ActivityWindow::Kind::kWeekly: {
      std::string days;
      for (int i = 0; i < 7; ++i) {
        if (w.weekday_mask & (1u << i)) {
          if (!days.empty()) days += ',';
          days += kDayNames[i];
        }
      }
      return "weekly " + days + " " + clock_text(w.start_s) + "-" + clock_text(w.end_s % kDay);
    }
  }
  return "";
}

}  // namespace skylane::airspace
