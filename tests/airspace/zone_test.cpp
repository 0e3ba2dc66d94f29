#include "skylane/airspace/zone.hpp"

#include <gtest/gtest.h>

namespace skylane::airspace {
namespace {

constexpr std::int32_t kCst = 8 * 3600;
// 2026-11-23 00:00 China Standard Time (a Monday) = 2026-11-22 16:00 UTC.
constexpr UnixSeconds kMondayLocalMidnight = 1795363200;

TEST(ActivityWindow, ParsesTheThreeForms) {
  auto d = parse_activity_window("daily 08:00-20:00", kCst);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->kind, ActivityWindow::Kind::kDaily);
  EXPECT_EQ(d->start_s, 8 * 3600);
  EXPECT_EQ(d->end_s, 20 * 3600);
  auto w = parse_activity_window("weekly Sat,Sun 09:00-18:00", kCst);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->weekday_mask, 0x60);
  auto o = parse_activity_window("once 2026-11-23T08:00/2026-11-23T18:00", kCst);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->begin_utc_s, kMondayLocalMidnight + 8 * 3600);
  EXPECT_EQ(o->end_utc_s, kMondayLocalMidnight + 18 * 3600);
  EXPECT_EQ(format_activity_window(*o, kCst), "once 2026-11-23T08:00/2026-11-23T18:00");
  EXPECT_EQ(format_activity_window(*w, kCst), "weekly Sat,Sun 09:00-18:00");
}

TEST(ActivityWindow, RejectsNonsense) {
  for (const char* bad : {"", "daily", "daily 25:00-26:00", "daily 8-20", "weekly Fun 09:00-10:00",
                          "once 2026-11-23T08:00", "once 2026-11-23T18:00/2026-11-23T08:00",
                          "once 2026-02-30T08:00/2026-03-01T08:00", "hourly 08:00-09:00"}) {
    auto r = parse_activity_window(bad, kCst);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error().reason, "MANIFEST_INVALID_VALUE");
    }
  }
}

TEST(Zone, AlwaysActiveCoversTheWholeQuery) {
  Zone z;
  auto iv = z.active_intervals(100, 200, kCst);
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_EQ(iv[0], (TimeInterval{100, 200}));
  EXPECT_TRUE(z.active_intervals(200, 100, kCst).empty());
}

TEST(Zone, DailyWindowsAreLocalTime) {
  Zone z;
  z.windows.push_back(*parse_activity_window("daily 08:00-20:00", kCst));
  const UnixSeconds day = 86400;
  auto iv = z.active_intervals(kMondayLocalMidnight, kMondayLocalMidnight + 2 * day, kCst);
  ASSERT_EQ(iv.size(), 2u);
  EXPECT_EQ(iv[0].begin, kMondayLocalMidnight + 8 * 3600);
  EXPECT_EQ(iv[0].end, kMondayLocalMidnight + 20 * 3600);
  EXPECT_EQ(iv[1].begin, kMondayLocalMidnight + day + 8 * 3600);
  // Clipped at the query bounds.
  auto clipped =
      z.active_intervals(kMondayLocalMidnight + 10 * 3600, kMondayLocalMidnight + 11 * 3600, kCst);
  ASSERT_EQ(clipped.size(), 1u);
  EXPECT_EQ(clipped[0].end - clipped[0].begin, 3600);
}

TEST(Zone, OvernightAndWeeklyAndMerged) {
  Zone z;
  z.windows.push_back(*parse_activity_window("daily 22:00-06:00", kCst));
  auto iv = z.active_intervals(kMondayLocalMidnight, kMondayLocalMidnight + 86400, kCst);
  ASSERT_EQ(iv.size(), 2u);  // Monday 00:00-06:00 (from Sunday night) and 22:00-24:00
  EXPECT_EQ(iv[0], (TimeInterval{kMondayLocalMidnight, kMondayLocalMidnight + 6 * 3600}));
  EXPECT_EQ(iv[1].begin, kMondayLocalMidnight + 22 * 3600);

  Zone weekend;
  weekend.windows.push_back(*parse_activity_window("weekly Sat,Sun 09:00-18:00", kCst));
  auto w = weekend.active_intervals(kMondayLocalMidnight, kMondayLocalMidnight + 7 * 86400, kCst);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].begin, kMondayLocalMidnight + 5 * 86400 + 9 * 3600);  // Saturday

  Zone overlapping;
  overlapping.windows.push_back(*parse_activity_window("daily 08:00-12:00", kCst));
  overlapping.windows.push_back(*parse_activity_window("daily 11:00-14:00", kCst));
  auto m = overlapping.active_intervals(kMondayLocalMidnight, kMondayLocalMidnight + 86400, kCst);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].end - m[0].begin, 6 * 3600);
}

}  // namespace
}  // namespace skylane::airspace
