// Airspace zones: a polygon (rasterised onto the map's columns), a kind, a vertical extent
// and the times it is active. Zones active only part of the time become blocked time
// intervals for the planner.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skylane/core/error.hpp"

namespace skylane::airspace {

enum class ZoneKind : std::uint8_t {
  kProhibited = 0,
  kRestricted = 1,
  kAirportProtection = 2,
  kBorderBand = 3,
  kTemporary = 4,
};
inline constexpr int kZoneKindCount = 5;

[[nodiscard]] std::string_view zone_kind_name(ZoneKind kind);  ///< "airport_protection"
[[nodiscard]] Result<ZoneKind> parse_zone_kind(std::string_view name);

enum class AltitudeRef : std::uint8_t { kAgl = 0, kAmsl = 1 };

/// A floor or ceiling. An unlimited ceiling is +infinity.
struct AltitudeLimit {
  double value_m = 0.0;
  AltitudeRef ref = AltitudeRef::kAgl;

  /// Metres AMSL over a column whose ground is at ground_amsl_m.
  [[nodiscard]] double amsl_m(double ground_amsl_m) const {
    return ref == AltitudeRef::kAgl ? ground_amsl_m + value_m : value_m;
  }
  [[nodiscard]] static AltitudeLimit unlimited() {
    return {std::numeric_limits<double>::infinity(), AltitudeRef::kAmsl};
  }
};

/// Seconds since the Unix epoch (UTC); the wire and file representation of absolute time.
using UnixSeconds = std::int64_t;

/// One activity rule. kOnce: [begin_utc_s, end_utc_s). kDaily: every day, local time
/// [start_s, end_s) seconds after local midnight (end may exceed 86400 to run past midnight).
/// kWeekly: like daily, on the days of weekday_mask (bit 0 = Monday ... bit 6 = Sunday).
struct ActivityWindow {
  enum class Kind : std::uint8_t { kOnce, kDaily, kWeekly };
  Kind kind = Kind::kOnce;
  UnixSeconds begin_utc_s = 0;
  UnixSeconds end_utc_s = 0;
  std::int32_t start_s = 0;
  std::int32_t end_s = 0;
  std::uint8_t weekday_mask = 0x7f;
};

/// Half-open interval of absolute time, Unix seconds.
struct TimeInterval {
  UnixSeconds begin = 0;
  UnixSeconds end = 0;
  friend bool operator==(const TimeInterval&, const TimeInterval&) = default;
};

struct Zone {
  std::uint16_t id = 0;  ///< 1-based index into the airspace's zone table (0 = none)
  std::string name;
  ZoneKind kind = ZoneKind::kProhibited;
  AltitudeLimit floor;                                 ///< default: the ground
  AltitudeLimit ceiling = AltitudeLimit::unlimited();  ///< default: no upper limit
  std::vector<ActivityWindow> windows;                 ///< empty: always active
  std::string source;                                  ///< layer it came from (manifest name)
  std::string geometry_wkt;  ///< polygon in the working CRS, for export and render

  [[nodiscard]] bool always_active() const { return windows.empty(); }

  /// The intervals within [from, to) during which the zone is active, sorted and merged.
  /// utc_offset_s is the map's local time offset (Shenzhen: +8 h, no daylight saving).
  [[nodiscard]] std::vector<TimeInterval> active_intervals(UnixSeconds from, UnixSeconds to,
                                                           std::int32_t utc_offset_s) const;
};

/// Parses the manifest / API forms of an activity window:
///   "daily 08:00-20:00", "weekly Sat,Sun 09:00-18:00",
///   "once 2026-12-01T08:00/2026-12-01T18:00" (local time of the map).
[[nodiscard]] Result<ActivityWindow> parse_activity_window(std::string_view text,
                                                           std::int32_t utc_offset_s);
[[nodiscard]] std::string format_activity_window(const ActivityWindow& w,
                                                 std::int32_t utc_offset_s);

}  // namespace skylane::airspace
