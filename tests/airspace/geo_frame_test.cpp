#include "skylane/geo/geo_frame.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace skylane::geo {
namespace {

TEST(GeoFrame, UtmZone50CentralMeridianAndSymmetry) {
  auto f = GeoFrame::create("EPSG:32650");
  ASSERT_TRUE(f.has_value()) << f.error().to_string();
  auto cm = f->to_plane({117.0, 22.5});  // zone 50's central meridian is 117 E
  ASSERT_TRUE(cm.has_value());
  EXPECT_NEAR(cm->x_m, 500000.0, 1e-6);
  auto w = f->to_plane({116.0, 22.5});
  auto e = f->to_plane({118.0, 22.5});
  EXPECT_NEAR(w->x_m - 500000.0, -(e->x_m - 500000.0), 1e-6);
  EXPECT_NEAR(w->y_m, e->y_m, 1e-6);
  auto back = f->to_lonlat(*f->to_plane({114.0811, 22.5436}));
  EXPECT_NEAR(back->lon_deg, 114.0811, 1e-9);
  EXPECT_NEAR(back->lat_deg, 22.5436, 1e-9);
}

TEST(GeoFrame, RejectsBadCrsAndCoordinates) {
  EXPECT_EQ(GeoFrame::create("EPSG:999999").error().reason, "CRS_INVALID");
  EXPECT_EQ(GeoFrame::create("EPSG:4326").error().reason, "CRS_INVALID");  // not projected
  auto f = GeoFrame::create("EPSG:32650");
  EXPECT_EQ(f->to_plane({std::nan(""), 22.0}).error().reason, "INVALID_ARGUMENT");
  EXPECT_EQ(f->to_plane({114.0, 95.0}).error().reason, "INVALID_ARGUMENT");
}

TEST(GreatCircle, HuaqiangbeiToBoluoIsAbout73Km) {
  // DESIGN.md reference fact: SEG Plaza to Boluo county seat is 72.6 km great circle.
  EXPECT_NEAR(great_circle_m({114.0811, 22.5436}, {114.279, 23.170}) / 1000.0, 72.6, 0.2);
}

TEST(Gcj02, OffsetInShenzhenIsHundredsOfMetres) {
  const LonLat w{114.0811, 22.5436};
  const LonLat g = wgs84_to_gcj02(w);
  const double d = great_circle_m(w, g);
  EXPECT_GT(d, 300.0);
  EXPECT_LT(d, 700.0);  // DESIGN.md: ~300-600 m in Shenzhen; 606 m at SEG Plaza
  const LonLat back = gcj02_to_wgs84(g);
  EXPECT_NEAR(back.lon_deg, w.lon_deg, 1e-9);
  EXPECT_NEAR(back.lat_deg, w.lat_deg, 1e-9);
  EXPECT_DOUBLE_EQ(wgs84_to_gcj02({2.35, 48.85}).lon_deg, 2.35);  // no offset outside China
}

// External check: the shared data's WGS 84 Shenzhen districts were converted from the DataV
// GCJ-02 originals by its provider; our inverse must reproduce their vertices.
TEST(Gcj02, ReproducesTheSharedDataConversion) {
  const std::string dir = std::string(SKYLANE_SHARED_DIR) + "/data/geo/boundaries/";
  if (!std::filesystem::exists(dir + "shenzhen_districts_wgs84.geojson")) {
    GTEST_SKIP() << "shared GIS data not present at " << dir;
  }
  auto load = [](const std::string& p) { return nlohmann::json::parse(std::ifstream(p)); };
  const auto gcj = load(dir + "datav_gcj02_original/shenzhen_districts_gcj02.json");
  const auto wgs = load(dir + "shenzhen_districts_wgs84.geojson");
  ASSERT_EQ(gcj["features"].size(), wgs["features"].size());
  int checked = 0;
  double worst = 0.0;
  for (std::size_t f = 0; f < gcj["features"].size(); ++f) {
    const auto& a = gcj["features"][f]["geometry"]["coordinates"];
    const auto& b = wgs["features"][f]["geometry"]["coordinates"];
    // MultiPolygon: first polygon, outer ring, every 20th vertex.
    const auto& ra = a[0][0];
    const auto& rb = b[0][0];
    ASSERT_EQ(ra.size(), rb.size());
    for (std::size_t i = 0; i < ra.size(); i += 20) {
      const LonLat w = gcj02_to_wgs84({ra[i][0].get<double>(), ra[i][1].get<double>()});
      worst = std::max({worst, std::abs(w.lon_deg - rb[i][0].get<double>()),
                        std::abs(w.lat_deg - rb[i][1].get<double>())});
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  EXPECT_LT(worst, 2e-6);  // ~0.2 m; the shared file is rounded to 6-7 decimals
}

}  // namespace
}  // namespace skylane::geo
