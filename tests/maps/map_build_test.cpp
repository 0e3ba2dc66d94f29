// Map build on small synthetic GIS fixtures: values land where they should, and every kind of
// bad input is refused with its reason.
#include <cmath>
#include <fstream>

#include "fixtures.hpp"
#include <gtest/gtest.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/airspace/vehicle_view.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/maps/manifest.hpp"
#include "skylane/maps/map_builder.hpp"

namespace skylane::maps {
namespace {

using testing::feature_collection;
using testing::line;
using testing::point;
using testing::square;
using testing::write_text;
namespace cf = airspace::column_flag;

// DEM: 114.00-114.10 E, 22.50-22.60 N at 0.001 deg; height = 100 + 1000 * (lon - 114): a ramp
// from 100 m (west) to 200 m (east) that bilinear resampling reproduces exactly.
double ramp(double lon, double /*lat*/) { return 100.0 + 1000.0 * (lon - 114.0); }

class MapBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_dem(dir_.file("dem.tif"), 114.0, 22.6, 0.001, 100, 100, ramp);
  }

  std::string manifest(const std::string& extra,
                       const std::string& extent = "[114.01, 22.51, 114.09, 22.59]",
                       const std::string& terrain_path = "dem.tif") {
    const std::string path = dir_.file("manifest.toml");
    write_text(path, "[map]\nname = \"test\"\nextent_wgs84 = " + extent +
                         "\ncell_xy_m = 50.0\ncell_z_m = 10.0\naltitude_min_amsl_m = 0.0\n"
                         "altitude_max_amsl_m = 800.0\n\n[[terrain]]\npath = \"" +
                         terrain_path + "\"\n\n" + extra);
    return path;
  }

  Result<airspace::Airspace> build(const std::string& extra,
                                   const std::string& extent = "[114.01, 22.51, 114.09, 22.59]",
                                   BuildStats* stats = nullptr) {
    auto m = load_manifest(manifest(extra, extent));
    if (!m) return tl::unexpected(m.error());
    return compile_airspace(*m, stats);
  }

  static std::size_t column_at(const airspace::Airspace& a, double lon, double lat) {
    auto frame = geo::GeoFrame::create("EPSG:32650");
    auto p = frame->to_plane({lon, lat});
    std::int32_t x = -1;
    std::int32_t y = -1;
    EXPECT_TRUE(a.column_at(p->x_m, p->y_m, x, y)) << lon << ", " << lat;
    return a.column(x, y);
  }

  void expect_error(const std::string& extra, const std::string& reason,
                    const std::string& extent = "[114.01, 22.51, 114.09, 22.59]") {
    auto a = build(extra, extent);
    ASSERT_FALSE(a.has_value()) << "expected " << reason;
    EXPECT_EQ(a.error().reason, reason) << a.error().message;
  }

  testing::TempDir dir_;
};

TEST_F(MapBuild, TerrainIsReprojectedAndResampledFaithfully) {
  auto a = build("");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  for (double lon : {114.02, 114.05, 114.08}) {
    const std::size_t c = column_at(*a, lon, 22.55);
    // 50 m cells span ~0.0005 deg of longitude, i.e. 0.5 m of ramp; heights round up to 0.1 m.
    EXPECT_NEAR(a->ground_amsl_m(c), ramp(lon, 0), 0.8) << lon;
    EXPECT_EQ(a->flags(c) & cf::kUnknownTerrain, 0);
    EXPECT_EQ(a->terrain_source(c), 1);
  }
  EXPECT_EQ(a->info().crs, "EPSG:32650");
  EXPECT_EQ(a->info().nz, 80);
}

TEST_F(MapBuild, ColumnsWithoutRealTerrainAreFlaggedUnknownAndRaisedByTheMargin) {
  // Fallback DEM: flat 300 m everywhere; the map reaches east of the real DEM.
  testing::write_dem(dir_.file("coarse.tif"), 113.9, 22.7, 0.05, 6, 6,
                     [](double, double) { return 300.0; });
  BuildStats stats;
  auto a = build("[fallback_terrain]\npath = \"coarse.tif\"\nmargin_m = 80.0\n",
                 "[114.05, 22.52, 114.15, 22.58]", &stats);
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  const std::size_t known = column_at(*a, 114.06, 22.55);
  const std::size_t unknown = column_at(*a, 114.13, 22.55);
  EXPECT_EQ(a->flags(known) & cf::kUnknownTerrain, 0);
  EXPECT_NE(a->flags(unknown) & cf::kUnknownTerrain, 0);
  EXPECT_NEAR(a->ground_amsl_m(unknown), 300.0, 0.2);
  EXPECT_NEAR(a->obstacle_top_amsl_m(unknown), 380.0, 0.2);
  EXPECT_GT(stats.unknown_terrain_columns, 0u);
  EXPECT_LT(stats.unknown_terrain_columns, a->column_count());
}

TEST_F(MapBuild, VoidsOverWaterAreSeaLevelNotUnknown) {
  // The DEM has a void in its southern half; the land mask says the south is sea.
  testing::write_dem(
      dir_.file("dem.tif"), 114.0, 22.6, 0.001, 100, 100,
      [](double lon, double lat) { return lat < 22.55 ? -32768.0 : ramp(lon, lat); });
  write_text(dir_.file("land.geojson"),
             feature_collection({{square(113.9, 22.555, 114.2, 22.7), "{}"}}));
  auto a = build("[land]\npath = \"land.geojson\"\n");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  const std::size_t sea = column_at(*a, 114.05, 22.52);
  EXPECT_NE(a->flags(sea) & cf::kWater, 0);
  EXPECT_EQ(a->flags(sea) & cf::kUnknownTerrain, 0);
  EXPECT_NEAR(a->ground_amsl_m(sea), 0.0, 0.11);
  const std::size_t land = column_at(*a, 114.05, 22.58);
  EXPECT_EQ(a->flags(land) & cf::kWater, 0);
}

TEST_F(MapBuild, VoidsOverInlandWaterStayUnknown) {
  // A lake (a hole in the land polygon) inside a DEM void is not sea: its level is unknown.
  testing::write_dem(
      dir_.file("dem.tif"), 114.0, 22.6, 0.001, 100, 100, [](double lon, double lat) {
        return (lon > 114.04 && lon < 114.06 && lat > 22.54 && lat < 22.56) ? -32768.0
                                                                            : ramp(lon, lat);
      });
  write_text(
      dir_.file("land.geojson"),
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
      R"("geometry":{"type":"Polygon","coordinates":[[[113.9,22.4],[114.2,22.4],[114.2,22.7],)"
      R"([113.9,22.7],[113.9,22.4]],[[114.045,22.545],[114.055,22.545],[114.055,22.555],)"
      R"([114.045,22.555],[114.045,22.545]]]}}]})");
  auto a = build("[land]\npath = \"land.geojson\"\n");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  const std::size_t lake = column_at(*a, 114.05, 22.55);
  EXPECT_NE(a->flags(lake) & cf::kWater, 0);
  EXPECT_NE(a->flags(lake) & cf::kUnknownTerrain, 0);
}

TEST_F(MapBuild, ZonesCoverTheirPolygonAndBlockOnlyTheirAltitudes) {
  write_text(dir_.file("zone.geojson"),
             feature_collection({{square(114.04, 22.54, 114.06, 22.56), R"({"name":"park"})"}}));
  auto a = build(R"([[zones]]
name = "test-zone"
path = "zone.geojson"
kind = "restricted"
name_field = "name"
ceiling_agl_m = 100.0
)");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  ASSERT_EQ(a->zones().size(), 1u);
  EXPECT_EQ(a->zones()[0].name, "test-zone: park");
  const std::size_t inside = column_at(*a, 114.05, 22.55);
  const std::size_t outside = column_at(*a, 114.03, 22.55);
  ASSERT_EQ(a->zone_set_members(a->zone_set(inside)).size(), 1u);
  EXPECT_TRUE(a->zone_set_members(a->zone_set(outside)).empty());

  airspace::VehicleLimits limits;
  limits.terrain_clearance_m = 0;
  limits.obstacle_clearance_m = 0;
  limits.ceiling_agl_m = 300;
  auto view = airspace::VehicleView::create(*a, limits);
  ASSERT_TRUE(view.has_value());
  // Ground ~150 m: the zone spans ~150..250 m AMSL, layers 15..24 (10 m layers from 0 m).
  const int lo_in = view->band_lo(inside);
  const int lo_out = view->band_lo(outside);
  EXPECT_GE(lo_in * 10.0, a->ground_amsl_m(inside) + 100.0);
  EXPECT_LT(lo_in * 10.0, a->ground_amsl_m(inside) + 100.0 + 10.0);
  EXPECT_LT(lo_out * 10.0, a->ground_amsl_m(outside) + 10.0);
  // The class ceiling (300 m AGL) still bounds the band from above.
  EXPECT_LE(view->band_hi(inside) * 10.0, a->ground_amsl_m(inside) + 300.0);
  EXPECT_GT(view->band_hi(inside) * 10.0, a->ground_amsl_m(inside) + 300.0 - 10.0);
}

TEST_F(MapBuild, TimedZonesAreStoredButNotFoldedIntoTheStaticView) {
  write_text(dir_.file("zone.geojson"),
             feature_collection({{square(114.04, 22.54, 114.06, 22.56), "{}"}}));
  auto a = build(R"([[zones]]
name = "event"
path = "zone.geojson"
kind = "temporary"
windows = ["daily 08:00-20:00"]
)");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  ASSERT_EQ(a->zones().size(), 1u);
  EXPECT_FALSE(a->zones()[0].always_active());
  const std::size_t inside = column_at(*a, 114.05, 22.55);
  EXPECT_EQ(a->zone_set_members(a->zone_set(inside)).size(), 1u);
  auto view = airspace::VehicleView::create(*a, {});
  ASSERT_TRUE(view.has_value());
  EXPECT_LT(view->band_lo(inside), view->band_hi(inside));
}

TEST_F(MapBuild, BuildingPointsRaiseTheirFootprintOnly) {
  write_text(dir_.file("b.geojson"),
             feature_collection({{point(114.05, 22.55), R"({"floors": 10})"},
                                 {point(114.07, 22.57), R"({"floors": null})"}}));
  auto a = build(R"([[obstacles]]
path = "b.geojson"
floors_field = "floors"
metres_per_floor = 3.0
footprint_radius_m = 20.0
)");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  const std::size_t at = column_at(*a, 114.05, 22.55);
  EXPECT_NEAR(a->obstacle_top_amsl_m(at) - a->ground_amsl_m(at), 30.0, 0.6);
  EXPECT_NE(a->flags(at) & cf::kStructure, 0);
  const std::size_t away = column_at(*a, 114.051, 22.551);  // ~150 m away
  EXPECT_EQ(a->flags(away) & cf::kStructure, 0);
  EXPECT_NEAR(a->obstacle_top_amsl_m(away), a->ground_amsl_m(away), 0.11);
}

TEST_F(MapBuild, RunwaysBecomeProtectionRectanglesAndLinesBecomeBands) {
  // A 2 km east-west runway at 22.55 N around 114.05 E (1 deg lon ~ 102.8 km here).
  write_text(dir_.file("rwy.geojson"),
             feature_collection({{line(114.0403, 22.55, 114.0597, 22.55), "{}"}}));
  write_text(dir_.file("border.geojson"),
             feature_collection({{line(114.01, 22.58, 114.09, 22.58), "{}"}}));
  auto a = build(R"([[zones]]
name = "apt"
path = "rwy.geojson"
kind = "airport_protection"
derive = "runway"
runway_lateral_m = 1000.0
runway_beyond_end_m = 2000.0

[[zones]]
name = "band"
path = "border.geojson"
kind = "border_band"
derive = "buffer"
buffer_m = 500.0
)");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  auto kinds_at = [&](double lon, double lat) {
    unsigned k = 0;
    for (auto id : a->zone_set_members(a->zone_set(column_at(*a, lon, lat)))) {
      k |= 1u << static_cast<int>(a->zone(id).kind);
    }
    return k;
  };
  const unsigned apt = 1u << static_cast<int>(airspace::ZoneKind::kAirportProtection);
  const unsigned band = 1u << static_cast<int>(airspace::ZoneKind::kBorderBand);
  EXPECT_TRUE(kinds_at(114.0597 + 0.0175, 22.55) & apt);   // 1.8 km past the east end
  EXPECT_FALSE(kinds_at(114.0597 + 0.0215, 22.55) & apt);  // 2.2 km past it
  EXPECT_TRUE(kinds_at(114.05, 22.55 + 0.0081) & apt);     // 0.9 km abeam
  EXPECT_FALSE(kinds_at(114.05, 22.55 + 0.0099) & apt);    // 1.1 km abeam
  EXPECT_TRUE(kinds_at(114.05, 22.58 - 0.0036) & band);    // 400 m from the line
  EXPECT_FALSE(kinds_at(114.05, 22.58 - 0.0063) & band);   // 700 m from the line
}

TEST_F(MapBuild, Gcj02LayersAreConvertedBackToWgs84) {
  // A 200 m square given in GCJ-02 coordinates: ~500 m off if it were taken as WGS 84.
  const geo::LonLat a0 = geo::wgs84_to_gcj02({114.049, 22.549});
  const geo::LonLat a1 = geo::wgs84_to_gcj02({114.051, 22.551});
  write_text(dir_.file("gcj.geojson"),
             feature_collection({{square(a0.lon_deg, a0.lat_deg, a1.lon_deg, a1.lat_deg), "{}"}}));
  auto a = build(R"([[zones]]
name = "gcj"
path = "gcj.geojson"
crs = "GCJ-02"
kind = "prohibited"
)");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  EXPECT_EQ(a->zone_set_members(a->zone_set(column_at(*a, 114.05, 22.55))).size(), 1u);
  EXPECT_TRUE(
      a->zone_set_members(a->zone_set(column_at(*a, a0.lon_deg + 0.001, a0.lat_deg + 0.001)))
          .empty());
}

TEST_F(MapBuild, VertiportsCarryTheirAttributesAndTerrain) {
  write_text(dir_.file("v.geojson"),
             feature_collection(
                 {{point(114.05, 22.55),
                   R"({"name":"Hub A","kind":"hub","pads":4,"chargers":2,"battery_swap":1})"},
                  {point(114.02, 22.52), R"({"name":"Dock B"})"}}));
  auto a = build("[vertiports]\npath = \"v.geojson\"\n");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  ASSERT_EQ(a->vertiports().size(), 2u);
  const auto& hub = a->vertiports()[0];
  EXPECT_EQ(hub.name, "Hub A");
  EXPECT_EQ(hub.pads, 4);
  EXPECT_TRUE(hub.battery_swap);
  EXPECT_NEAR(hub.lon_deg, 114.05, 1e-7);
  EXPECT_NEAR(hub.ground_amsl_m, 150.0, 0.8);
  EXPECT_EQ(a->vertiports()[1].pads, 1);
}

TEST_F(MapBuild, SameInputsGiveTheSameFileAndOtherInputsAnotherFingerprint) {
  auto a = build("");
  auto b = build("");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(airspace::write_airspace(*a, dir_.file("a.skya")).has_value());
  ASSERT_TRUE(airspace::write_airspace(*b, dir_.file("b.skya")).has_value());
  std::ifstream fa(dir_.file("a.skya"), std::ios::binary);
  std::ifstream fb(dir_.file("b.skya"), std::ios::binary);
  const std::string sa((std::istreambuf_iterator<char>(fa)), {});
  const std::string sb((std::istreambuf_iterator<char>(fb)), {});
  EXPECT_EQ(sa, sb);
  testing::write_dem(dir_.file("dem.tif"), 114.0, 22.6, 0.001, 100, 100,
                     [](double lon, double lat) { return ramp(lon, lat) + 1.0; });
  auto c = build("");
  ASSERT_TRUE(c.has_value());
  EXPECT_NE(c->info().fingerprint, a->info().fingerprint);
}

// ---- Bad input: each case names its reason. ----

TEST_F(MapBuild, MissingRasterIsFileNotFound) {
  auto m = load_manifest(manifest("", "[114.01, 22.51, 114.09, 22.59]", "nope.tif"));
  ASSERT_TRUE(m.has_value());
  auto a = compile_airspace(*m);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().reason, "FILE_NOT_FOUND");
  EXPECT_NE(a.error().message.find("nope.tif"), std::string::npos);
  EXPECT_EQ(a.error().exit_code(), 66);
}

TEST_F(MapBuild, UnreadableRasterIsFileUnreadable) {
  write_text(dir_.file("junk.tif"), "this is not a GeoTIFF");
  auto m = load_manifest(manifest("", "[114.01, 22.51, 114.09, 22.59]", "junk.tif"));
  ASSERT_TRUE(m.has_value());
  auto a = compile_airspace(*m);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().reason, "FILE_UNREADABLE");
  EXPECT_NE(a.error().message.find("junk.tif"), std::string::npos);
}

TEST_F(MapBuild, RasterWithoutCrsIsCrsMissingUnlessDeclared) {
  testing::write_dem(dir_.file("dem.tif"), 114.0, 22.6, 0.001, 100, 100, ramp, /*epsg=*/0);
  expect_error("", "CRS_MISSING");
  // Declaring the CRS in the manifest fixes it.
  write_text(
      dir_.file("manifest.toml"),
      "[map]\nname = \"t\"\nextent_wgs84 = [114.01, 22.51, 114.09, 22.59]\ncell_xy_m = 50.0\n"
      "altitude_min_amsl_m = 0.0\naltitude_max_amsl_m = 800.0\n[[terrain]]\npath = "
      "\"dem.tif\"\ncrs = \"EPSG:4326\"\n");
  auto m = load_manifest(dir_.file("manifest.toml"));
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(compile_airspace(*m).has_value());
}

TEST_F(MapBuild, ExtentOutsideEveryLayerIsRefused) {
  expect_error("", "EXTENT_OUTSIDE_LAYERS", "[120.0, 30.0, 120.1, 30.1]");
}

TEST_F(MapBuild, AllNodataRasterIsRasterNoData) {
  testing::write_dem(dir_.file("dem.tif"), 114.0, 22.6, 0.001, 100, 100,
                     [](double, double) { return -32768.0; });
  expect_error("", "RASTER_NO_DATA");
  testing::write_dem(dir_.file("dem.tif"), 114.0, 22.6, 0.001, 100, 100,
                     [](double, double) { return std::nan(""); });
  expect_error("", "RASTER_NO_DATA");
}

TEST_F(MapBuild, SelfIntersectingPolygonIsGeometryInvalid) {
  write_text(
      dir_.file("bowtie.geojson"),
      feature_collection(
          {{R"({"type":"Polygon","coordinates":[[[114.04,22.54],[114.06,22.56],[114.06,22.54],[114.04,22.56],[114.04,22.54]]]})",
            "{}"}}));
  auto a = build("[[zones]]\nname = \"z\"\npath = \"bowtie.geojson\"\nkind = \"prohibited\"\n");
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().reason, "GEOMETRY_INVALID");
  EXPECT_NE(a.error().message.find("bowtie.geojson"), std::string::npos);
  EXPECT_NE(a.error().message.find("feature 0"), std::string::npos);
}

TEST_F(MapBuild, EmptyLayerIsLayerEmpty) {
  write_text(dir_.file("empty.geojson"), feature_collection({}));
  expect_error("[[zones]]\nname = \"z\"\npath = \"empty.geojson\"\nkind = \"prohibited\"\n",
               "LAYER_EMPTY");
  write_text(dir_.file("z.geojson"),
             feature_collection({{square(114.04, 22.54, 114.06, 22.56), R"({"type":"school"})"}}));
  expect_error(
      "[[zones]]\nname = \"z\"\npath = \"z.geojson\"\nwhere = \"type = 'x'\"\nkind = "
      "\"restricted\"\n",
      "LAYER_EMPTY");
}

TEST_F(MapBuild, BadAttributeValuesAreValueInvalid) {
  write_text(dir_.file("b.geojson"),
             feature_collection({{point(114.05, 22.55), R"({"floors": -3})"}}));
  expect_error("[[obstacles]]\npath = \"b.geojson\"\nfloors_field = \"floors\"\n", "VALUE_INVALID");
  write_text(dir_.file("b.geojson"),
             feature_collection({{point(114.05, 22.55), R"({"storeys": 3})"}}));
  expect_error("[[obstacles]]\npath = \"b.geojson\"\nfloors_field = \"floors\"\n", "FIELD_MISSING");
  write_text(dir_.file("v.geojson"),
             feature_collection({{point(115.5, 22.55), R"({"name":"Far away"})"}}));
  expect_error("[vertiports]\npath = \"v.geojson\"\n", "VALUE_INVALID");
  write_text(dir_.file("v.geojson"),
             feature_collection({{point(114.05, 22.55), R"({"name":"A","pads":0})"}}));
  expect_error("[vertiports]\npath = \"v.geojson\"\n", "VALUE_INVALID");
}

TEST_F(MapBuild, AContinentAtOneMetreIsGridTooLarge) {
  write_text(dir_.file("manifest.toml"),
             "[map]\nname = \"t\"\nextent_wgs84 = [100.0, 10.0, 130.0, 40.0]\ncell_xy_m = 1.0\n"
             "altitude_min_amsl_m = 0.0\naltitude_max_amsl_m = 800.0\n[[terrain]]\npath = "
             "\"dem.tif\"\n");
  auto m = load_manifest(dir_.file("manifest.toml"));
  ASSERT_TRUE(m.has_value());
  auto a = compile_airspace(*m);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().reason, "GRID_TOO_LARGE");
}

TEST_F(MapBuild, BadWhereClauseAndCrsAreReported) {
  write_text(dir_.file("z.geojson"),
             feature_collection({{square(114.04, 22.54, 114.06, 22.56), "{}"}}));
  expect_error(
      "[[zones]]\nname = \"z\"\npath = \"z.geojson\"\nwhere = \"no_such_field = 1\"\nkind = "
      "\"restricted\"\n",
      "MANIFEST_INVALID_VALUE");
  expect_error(
      "[[zones]]\nname = \"z\"\npath = \"z.geojson\"\ncrs = \"EPSG:999999\"\nkind = "
      "\"restricted\"\n",
      "CRS_INVALID");
}

}  // namespace
}  // namespace skylane::maps
