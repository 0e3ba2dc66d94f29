// The embedded Shenzhen–Boluo map, built by the ctest fixture `default_map_build`, checked
// against facts from outside this project (DESIGN.md, the shared geo README, the source files).
#include <filesystem>
#include <fstream>

#include <gdal.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <ogr_srs_api.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/maps/map_export.hpp"
#include "skylane/maps/map_info.hpp"

namespace skylane::maps {
namespace {

namespace cf = airspace::column_flag;

class DefaultMap : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto a = airspace::read_airspace(std::string(SKYLANE_BINARY_DIR) + "/shenzhen-boluo.skya");
    ASSERT_TRUE(a.has_value()) << a.error().to_string();
    map_ = new airspace::Airspace(std::move(*a));
    frame_ = new geo::GeoFrame(std::move(*geo::GeoFrame::create("EPSG:32650")));
  }
  static void TearDownTestSuite() {
    delete map_;
    delete frame_;
  }
  static std::size_t col(double lon, double lat) {
    auto p = frame_->to_plane({lon, lat});
    std::int32_t x = 0;
    std::int32_t y = 0;
    EXPECT_TRUE(map_->column_at(p->x_m, p->y_m, x, y)) << lon << ", " << lat;
    return map_->column(x, y);
  }
  static unsigned kinds_at(double lon, double lat) {
    unsigned k = 0;
    for (auto id : map_->zone_set_members(map_->zone_set(col(lon, lat)))) {
      k |= 1u << static_cast<int>(map_->zone(id).kind);
    }
    return k;
  }
  static unsigned bit(airspace::ZoneKind k) { return 1u << static_cast<int>(k); }
  static const airspace::Vertiport* vertiport(const std::string& prefix) {
    for (const auto& v : map_->vertiports()) {
      if (v.name.rfind(prefix, 0) == 0) return &v;
    }
    return nullptr;
  }
  static airspace::Airspace* map_;
  static geo::GeoFrame* frame_;
};
airspace::Airspace* DefaultMap::map_ = nullptr;
geo::GeoFrame* DefaultMap::frame_ = nullptr;

TEST_F(DefaultMap, CoversHuaqiangbeiToBoluo) {
  auto s = summarize(*map_);
  ASSERT_TRUE(s.has_value());
  EXPECT_LE(s->extent_wgs84[0], 113.85);
  EXPECT_LE(s->extent_wgs84[1], 22.45);
  EXPECT_GE(s->extent_wgs84[2], 114.50);
  EXPECT_GE(s->extent_wgs84[3], 23.30);
  const auto* hqb = vertiport("Huaqiangbei");
  const auto* boluo = vertiport("Boluo county hub");
  ASSERT_NE(hqb, nullptr);
  ASSERT_NE(boluo, nullptr);
  EXPECT_NEAR(geo::great_circle_m({hqb->lon_deg, hqb->lat_deg}, {boluo->lon_deg, boluo->lat_deg}),
              72600.0, 300.0);
}

TEST_F(DefaultMap, RelayChainFitsAMultirotorLeg) {
  // The relays are placed so that a FlyCart-30-class multirotor (16 km with 30 kg, 20 % reserve:
  // 12.8 km) can hop from Huaqiangbei to Boluo; the nearest next hop is never farther.
  std::vector<const airspace::Vertiport*> chain = {vertiport("Huaqiangbei")};
  for (const auto& v : map_->vertiports()) {
    if (v.kind == "relay") chain.push_back(&v);
  }
  chain.push_back(vertiport("Boluo county hub"));
  ASSERT_GE(chain.size(), 7u);
  for (std::size_t i = 1; i < chain.size(); ++i) {
    const double d = geo::great_circle_m({chain[i - 1]->lon_deg, chain[i - 1]->lat_deg},
                                         {chain[i]->lon_deg, chain[i]->lat_deg});
    EXPECT_LT(d, 12800.0) << chain[i - 1]->name << " -> " << chain[i]->name;
  }
}

TEST_F(DefaultMap, TerrainMatchesKnownSummitsAndMarksTheNorthUnknown) {
  // Wutong Shan, 943.7 m (geo README); SRTM reads summits low, its best cell is 920 m.
  double best = 0.0;
  for (double dlon = -0.015; dlon <= 0.015; dlon += 0.001) {
    for (double dlat = -0.013; dlat <= 0.013; dlat += 0.001) {
      best = std::max(best, map_->ground_amsl_m(col(114.204 + dlon, 22.582 + dlat)));
    }
  }
  EXPECT_GT(best, 880.0);
  EXPECT_LT(best, 960.0);
  // North of 23.00 N there is no real DEM: Boluo's columns are flagged unknown.
  EXPECT_NE(map_->flags(col(114.279, 23.17)) & cf::kUnknownTerrain, 0);
  EXPECT_NEAR(
      map_->obstacle_top_amsl_m(col(114.279, 23.17)) - map_->ground_amsl_m(col(114.279, 23.17)),
      map_->info().unknown_terrain_margin_m, 0.2);
  EXPECT_EQ(map_->flags(col(114.0811, 22.5436)) & cf::kUnknownTerrain, 0);
  // Mirs Bay (Dapeng Bay) is sea.
  EXPECT_NE(map_->flags(col(114.45, 22.55)) & cf::kWater, 0);
}

TEST_F(DefaultMap, ZonesSitWhereTheRulesPutThem) {
  using airspace::ZoneKind;
  EXPECT_TRUE(kinds_at(113.8033, 22.6395) & bit(ZoneKind::kAirportProtection));  // ZGSZ
  EXPECT_TRUE(kinds_at(114.6000, 23.0500) & bit(ZoneKind::kAirportProtection));  // ZGHZ
  EXPECT_TRUE(kinds_at(114.124, 22.411) & bit(ZoneKind::kProhibited));           // Tai Mo Shan, HK
  EXPECT_EQ(kinds_at(114.0811, 22.5436), 0u);                                    // Huaqiangbei
  // The 500 m band: a vertex from the middle of the boundary file is inside it.
  std::ifstream in(std::string(SKYLANE_SOURCE_DIR) +
                   "/maps/shenzhen-boluo/vector/sz_hk_land_boundary_osm.geojson");
  const auto j = nlohmann::json::parse(in);
  const auto& coords = j["features"][0]["geometry"]["coordinates"];
  const auto& mid = coords[coords.size() / 2];
  EXPECT_TRUE(kinds_at(mid[0].get<double>(), mid[1].get<double>()) & bit(ZoneKind::kBorderBand));
  // 2 km north of that vertex is outside the band.
  EXPECT_FALSE(kinds_at(mid[0].get<double>(), mid[1].get<double>() + 0.018) &
               bit(ZoneKind::kBorderBand));
}

TEST_F(DefaultMap, NanshanTowersAreObstacles) {
  auto s = summarize(*map_);
  ASSERT_TRUE(s.has_value());
  // The source lists buildings of up to 78 floors: 234 m at 3 m a floor.
  EXPECT_NEAR(s->obstacle_max_agl_m, 234.0, 1.0);
  EXPECT_GT(s->structure_columns, 3000u);
}

TEST_F(DefaultMap, ExportedGeoTiffCarriesTheGeoreference) {
  const std::string out = std::string(SKYLANE_BINARY_DIR) + "/default-ground-test.tif";
  ASSERT_TRUE(export_layer(*map_, {ExportLayer::kGround, 0.0, out}).has_value());
  GDALAllRegister();
  GDALDatasetH ds = GDALOpen(out.c_str(), GA_ReadOnly);
  ASSERT_NE(ds, nullptr);
  double gt[6];
  ASSERT_EQ(GDALGetGeoTransform(ds, gt), CE_None);
  const auto expect_gt = map_->info().geotransform();
  for (int i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(gt[i], expect_gt[i]) << i;
  OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
  EXPECT_STREQ(OSRGetAuthorityCode(srs, nullptr), "32650");
  OSRDestroySpatialReference(srs);
  // The pixel under Huaqiangbei holds the map's ground there.
  auto p = frame_->to_plane({114.0811, 22.5436});
  const int px = static_cast<int>((p->x_m - gt[0]) / gt[1]);
  const int py = static_cast<int>((p->y_m - gt[3]) / gt[5]);
  float v = 0;
  ASSERT_EQ(
      GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, px, py, 1, 1, &v, 1, 1, GDT_Float32, 0, 0),
      CE_None);
  EXPECT_NEAR(v, map_->ground_amsl_m(col(114.0811, 22.5436)), 1e-3);
  GDALClose(ds);
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace skylane::maps
