#include "skylane/maps/manifest.hpp"

#include "fixtures.hpp"
#include <gtest/gtest.h>

namespace skylane::maps {
namespace {

class Manifest : public ::testing::Test {
 protected:
  Result<MapManifest> load(const std::string& text) {
    const std::string path = dir_.file("m.toml");
    testing::write_text(path, text);
    return load_manifest(path);
  }
  void expect(const std::string& text, const std::string& reason, const std::string& mention) {
    auto m = load(text);
    ASSERT_FALSE(m.has_value()) << "expected " << reason;
    EXPECT_EQ(m.error().reason, reason) << m.error().message;
    EXPECT_NE(m.error().message.find(mention), std::string::npos) << m.error().message;
    EXPECT_NE(m.error().message.find("m.toml"), std::string::npos) << m.error().message;
  }
  testing::TempDir dir_;
};

constexpr const char* kGood = R"([map]
name = "t"
extent_wgs84 = [114.0, 22.5, 114.1, 22.6]
[[terrain]]
path = "dem.tif"
)";

TEST_F(Manifest, DefaultsAndRelativePaths) {
  auto m = load(kGood);
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ(m->crs, "EPSG:32650");
  EXPECT_DOUBLE_EQ(m->cell_xy_m, 20.0);
  EXPECT_DOUBLE_EQ(m->cell_z_m, 10.0);
  EXPECT_EQ(m->utc_offset_s(), 8 * 3600);
  ASSERT_EQ(m->terrain.size(), 1u);
  EXPECT_EQ(m->terrain[0].path, dir_.file("dem.tif"));
}

TEST_F(Manifest, MissingFileIsFileNotFound) {
  auto m = load_manifest(dir_.file("absent.toml"));
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().reason, "FILE_NOT_FOUND");
  EXPECT_EQ(m.error().exit_code(), 66);
}

TEST_F(Manifest, SyntaxErrorNamesLine) {
  expect("[map\nname = 1", "MANIFEST_PARSE_ERROR", "m.toml:1");
}

TEST_F(Manifest, UnknownKeysAreErrorsEverywhere) {
  expect(std::string(kGood) + "colour = \"red\"\n", "MANIFEST_UNKNOWN_KEY", "colour");
  expect(std::string(kGood) + "[extras]\n", "MANIFEST_UNKNOWN_KEY", "extras");
  expect(R"([map]
name = "t"
extent_wgs84 = [114.0, 22.5, 114.1, 22.6]
cell_size = 10
[[terrain]]
path = "dem.tif"
)",
         "MANIFEST_UNKNOWN_KEY", "cell_size");
}

TEST_F(Manifest, MissingFieldsAreNamed) {
  expect("[map]\nname = \"t\"\n[[terrain]]\npath = \"d.tif\"\n", "MANIFEST_MISSING_FIELD",
         "extent_wgs84");
  expect("[map]\nname = \"t\"\nextent_wgs84 = [114.0, 22.5, 114.1, 22.6]\n",
         "MANIFEST_MISSING_FIELD", "terrain");
  expect(
      "[map]\nname = \"t\"\nextent_wgs84 = [114.0, 22.5, 114.1, 22.6]\n[[terrain]]\nname = "
      "\"x\"\n",
      "MANIFEST_MISSING_FIELD", "path");
}

TEST_F(Manifest, AbsurdCellSizesAreRefused) {
  for (const char* v : {"0.0", "-20.0", "0.001", "100000.0"}) {
    expect(std::string(
               "[map]\nname = \"t\"\nextent_wgs84 = [114.0, 22.5, 114.1, 22.6]\ncell_xy_m = ") +
               v + "\n[[terrain]]\npath = \"d.tif\"\n",
           "CELL_SIZE_INVALID", "cell_xy_m");
  }
  expect(
      "[map]\nname = \"t\"\nextent_wgs84 = [114.0, 22.5, 114.1, 22.6]\ncell_z_m = 1.0\n"
      "altitude_max_amsl_m = 1000.0\n[[terrain]]\npath = \"d.tif\"\n",
      "CELL_SIZE_INVALID", "255 layers");
}

TEST_F(Manifest, NanAndWrongTypesAreInvalidValues) {
  expect(
      "[map]\nname = \"t\"\nextent_wgs84 = [114.0, 22.5, 114.1, 22.6]\ncell_xy_m = nan\n"
      "[[terrain]]\npath = \"d.tif\"\n",
      "MANIFEST_INVALID_VALUE", "NaN");
  expect(
      "[map]\nname = \"t\"\nextent_wgs84 = [114.0, 22.5, nan, 22.6]\n[[terrain]]\npath = "
      "\"d.tif\"\n",
      "MANIFEST_INVALID_VALUE", "extent_wgs84");
  expect(
      "[map]\nname = \"t\"\nextent_wgs84 = [114.2, 22.5, 114.1, 22.6]\n[[terrain]]\npath = "
      "\"d.tif\"\n",
      "MANIFEST_INVALID_VALUE", "west < east");
  expect(
      "[map]\nname = 5\nextent_wgs84 = [114.0, 22.5, 114.1, 22.6]\n[[terrain]]\npath = "
      "\"d.tif\"\n",
      "MANIFEST_INVALID_VALUE", "'name' must be a string");
}

TEST_F(Manifest, ZoneOptionsAreChecked) {
  const std::string base = kGood;
  expect(base + "[[zones]]\nname = \"z\"\npath = \"z.geojson\"\nkind = \"forbidden\"\n",
         "MANIFEST_INVALID_VALUE", "forbidden");
  expect(base +
             "[[zones]]\nname = \"z\"\npath = \"z.geojson\"\nkind = \"restricted\"\nderive = "
             "\"buffer\"\n",
         "MANIFEST_INVALID_VALUE", "buffer_m");
  expect(base +
             "[[zones]]\nname = \"z\"\npath = \"z.geojson\"\nkind = \"restricted\"\n"
             "floor_agl_m = 100.0\nceiling_agl_m = 50.0\n",
         "MANIFEST_INVALID_VALUE", "ceiling must be above floor");
  expect(base +
             "[[zones]]\nname = \"z\"\npath = \"z.geojson\"\nkind = \"temporary\"\n"
             "windows = [\"sometimes\"]\n",
         "MANIFEST_INVALID_VALUE", "sometimes");
  auto m = load(base +
                "[[zones]]\nname = \"z\"\npath = \"z.geojson\"\nkind = \"temporary\"\n"
                "windows = [\"weekly Sat,Sun 09:00-18:00\"]\nfloor_amsl_m = 30.0\n");
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  ASSERT_EQ(m->zones.size(), 1u);
  EXPECT_EQ(m->zones[0].floor.ref, airspace::AltitudeRef::kAmsl);
  ASSERT_EQ(m->zones[0].windows.size(), 1u);
  EXPECT_EQ(m->zones[0].windows[0].weekday_mask, (1u << 5) | (1u << 6));
}

}  // namespace
}  // namespace skylane::maps
