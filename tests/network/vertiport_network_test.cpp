// The vertiport network's parts: opening hours, pad bookings, and the graph of legs a class can
// fly, on the small synthetic network of network_fixtures.hpp (no terrain).
#include "skylane/network/vertiport_network.hpp"

#include "network_fixtures.hpp"
#include <gtest/gtest.h>

#include "skylane/network/opening_hours.hpp"
#include "skylane/network/pad_availability.hpp"

namespace skylane::network {
namespace {

using testing::reference_energy_wh;
using testing::shipped_catalogue;

const vehicle::VehicleClass& flycart() { return *shipped_catalogue().find("flycart30"); }

TEST(OpeningHours, ParsesWindowsAndFindsTheEarliestFit) {
  auto h = OpeningHours::parse("07:00-22:00");
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->always_open());
  EXPECT_EQ(h->earliest_open_s(8 * 3600, 600), 8 * 3600);
  EXPECT_EQ(h->earliest_open_s(3 * 3600, 600), 7 * 3600);
  EXPECT_EQ(h->earliest_open_s(22 * 3600 - 300, 600), 86400 + 7 * 3600);  // does not fit today
  auto night = OpeningHours::parse("22:00-06:00");
  ASSERT_TRUE(night);
  EXPECT_EQ(night->earliest_open_s(86400 + 3600, 60), 86400 + 3600);
  EXPECT_EQ(night->earliest_open_s(12 * 3600, 60), 22 * 3600);
  auto two = OpeningHours::parse("06:00-10:00, 16:00-20:00");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->earliest_open_s(11 * 3600, 60), 16 * 3600);
  EXPECT_TRUE(OpeningHours::parse("00:00-24:00")->always_open());
  EXPECT_TRUE(OpeningHours::parse(" 00:00-12:00,12:00-24:00 ")->always_open());
  auto closed = OpeningHours::parse("closed");
  ASSERT_TRUE(closed);
  EXPECT_TRUE(closed->never_open());
  EXPECT_EQ(closed->earliest_open_s(0, 0), -1);
  for (const char* bad :
       {"", "7-22", "07:00", "07:00-07:00", "25:00-26:00", "07:60-08:00", "open"}) {
    auto r = OpeningHours::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().reason, "OPENING_HOURS_INVALID");
  }
}

TEST(PadBookings, EarliestFreeSlotRespectsPadCount) {
  PadBookings pads({1, 2});
  pads.book(0, Millis(1000), Millis(2000));
  EXPECT_EQ(pads.earliest_free(0, Millis(0), Millis(500)), Millis(0));
  EXPECT_EQ(pads.earliest_free(0, Millis(0), Millis(1500)), Millis(2000));
  EXPECT_EQ(pads.earliest_free(0, Millis(1500), Millis(10)), Millis(2000));
  pads.book(1, Millis(0), Millis(5000));
  EXPECT_EQ(pads.earliest_free(1, Millis(100), Millis(100)), Millis(100));  // second pad free
  pads.book(1, Millis(3000), Millis(4000));
  EXPECT_EQ(pads.earliest_free(1, Millis(2500), Millis(1000)), Millis(4000));
  EXPECT_EQ(always_free_pads()(7, Millis(42), Millis(1)), Millis(42));
}

TEST(VertiportNetworkSynthetic, EdgesAreLegsTheClassCanFlyWithReserve) {
  const auto a = testing::synthetic_airspace();
  auto built = VertiportNetwork::build(a, flycart(), 30.0);
  ASSERT_TRUE(built) << built.error().to_string();
  const VertiportNetwork& net = *built;
  EXPECT_EQ(net.vertex_count(), 6u);
  EXPECT_GT(net.edge_count(), 0u);
  const double usable = vehicle::usable_energy_wh(flycart());
  for (std::size_t u = 0; u < net.vertex_count(); ++u) {
    for (std::size_t v = 0; v < net.vertex_count(); ++v) {
      if (u == v) continue;
      const auto est = net.estimate(u, v);
      ASSERT_TRUE(est);
      // Horizontal = great circle x the documented detour (no terrain here).
      EXPECT_NEAR(est->profile.horizontal_m, est->great_circle_m * 1.15, 1e-6);
      const double e =
          reference_energy_wh(flycart(), 30.0, est->profile.horizontal_m, est->profile.climb_m,
                              est->profile.descent_m, est->profile.hover_s);
      EXPECT_NEAR(est->energy_wh, e, 1e-6 * e);
      EXPECT_EQ(net.leg(u, v) != nullptr, e <= usable) << u << " -> " << v;
    }
  }
  // 20 km is beyond a 30 kg FlyCart-30-class leg; 10 km is within.
  EXPECT_EQ(net.leg(0, 3), nullptr);
  EXPECT_NE(net.leg(0, 1), nullptr);
  EXPECT_EQ(net.stats().vertices, 6u);
  EXPECT_EQ(net.stats().edges, net.edge_count());
}

}  // namespace
}  // namespace skylane::network
