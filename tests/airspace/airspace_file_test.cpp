#include "skylane/airspace/airspace_file.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "skylane/airspace/vehicle_view.hpp"
#include "skylane/airspace/vertiport.hpp"

namespace skylane::airspace {
namespace {

namespace fs = std::filesystem;

Airspace small_airspace() {
  AirspaceInfo info;
  info.name = "unit";
  info.crs = "EPSG:32650";
  info.nx = 7;
  info.ny = 5;
  info.nz = 20;
  info.origin_x_m = 1000.0;
  info.origin_y_m = 2000.0;
  info.cell_xy_m = 20.0;
  info.cell_z_m = 10.0;
  info.altitude_min_amsl_m = -50.0;
  info.fingerprint = 0x1234abcd5678ef00ull;
  info.terrain_sources.push_back({"dem", "dem.tif", "public domain", 42});
  Airspace a(info);
  for (std::size_t c = 0; c < a.column_count(); ++c) {
    a.set_ground_amsl_m(c, 10.0 + static_cast<double>(c));
    a.set_obstacle_top_amsl_m(c, 10.0 + static_cast<double>(c) + (c == 3 ? 40.0 : 0.0));
  }
  Zone z;
  z.id = 1;
  z.name = "zone";
  z.kind = ZoneKind::kRestricted;
  z.ceiling = {60.0, AltitudeRef::kAgl};
  z.windows.push_back(
      ActivityWindow{ActivityWindow::Kind::kDaily, 0, 0, 8 * 3600, 20 * 3600, 0x7f});
  z.geometry_wkt = "POLYGON ((0 0,1 0,1 1,0 0))";
  a.mutable_zones().push_back(z);
  a.mutable_zone_sets().push_back({1});
  a.set_zone_set(a.column(2, 2), 1);
  a.mutable_vertiports().push_back(Vertiport{"V", "hub", 114.0, 22.5, 1010.0, 2010.0, 10.0, 3});
  return a;
}

class AirspaceFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("skylane-afile-" + std::to_string(::getpid()) + ".skya"))
                .string();
    ASSERT_TRUE(write_airspace(small_airspace(), path_).has_value());
  }
  void TearDown() override { fs::remove(path_); }
  std::string path_;
};

TEST_F(AirspaceFile, RoundTripKeepsEverything) {
  auto a = read_airspace(path_);
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  const Airspace ref = small_airspace();
  EXPECT_EQ(a->raw_ground(), ref.raw_ground());
  EXPECT_EQ(a->raw_obstacle_top(), ref.raw_obstacle_top());
  EXPECT_EQ(a->raw_zone_set(), ref.raw_zone_set());
  EXPECT_EQ(a->zone_sets(), ref.zone_sets());
  EXPECT_EQ(a->info().fingerprint, ref.info().fingerprint);
  EXPECT_DOUBLE_EQ(a->info().origin_y_m, 2000.0);
  ASSERT_EQ(a->zones().size(), 1u);
  EXPECT_EQ(a->zones()[0].windows.size(), 1u);
  EXPECT_DOUBLE_EQ(a->zones()[0].ceiling.value_m, 60.0);
  EXPECT_TRUE(std::isinf(a->zones()[0].ceiling.value_m) == false);
  ASSERT_EQ(a->vertiports().size(), 1u);
  EXPECT_EQ(a->vertiports()[0].pads, 3);
  EXPECT_EQ(a->info().terrain_sources[0].content_hash, 42u);
  EXPECT_NEAR(a->ground_amsl_m(3), 13.0, 1e-9);
}

TEST_F(AirspaceFile, PinnedFingerprintMustMatch) {
  EXPECT_TRUE(read_airspace(path_, 0x1234abcd5678ef00ull).has_value());
  auto bad = read_airspace(path_, 0x1ull);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().reason, "GRID_FINGERPRINT_MISMATCH");
}

TEST_F(AirspaceFile, TruncatedFileIsRefused) {
  fs::resize_file(path_, fs::file_size(path_) - 100);
  auto a = read_airspace(path_);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().reason, "AIRSPACE_FILE_TRUNCATED");
  EXPECT_NE(a.error().message.find(path_), std::string::npos);
  fs::resize_file(path_, 60);
  EXPECT_EQ(read_airspace(path_).error().reason, "AIRSPACE_FILE_TRUNCATED");
}

TEST_F(AirspaceFile, FlippedByteIsCorrupt) {
  const auto size = fs::file_size(path_);
  for (std::uintmax_t at : {std::uintmax_t{130}, size / 2, size - 100}) {
    ASSERT_TRUE(write_airspace(small_airspace(), path_).has_value());
    {
      std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(at));
      const char c = static_cast<char>(f.get());
      f.seekp(static_cast<std::streamoff>(at));
      f.put(static_cast<char>(c ^ 0x10));
    }
    auto a = read_airspace(path_);
    ASSERT_FALSE(a.has_value()) << "flip at " << at;
    EXPECT_EQ(a.error().reason, "AIRSPACE_FILE_CORRUPT") << "flip at " << at;
  }
}

TEST_F(AirspaceFile, OtherFilesAndVersionsAreRefused) {
  {
    std::ofstream f(path_, std::ios::binary | std::ios::trunc);
    f << "GTiff or something else entirely, long enough to hold a header...................."
         "..........................................................";
  }
  EXPECT_EQ(read_airspace(path_).error().reason, "AIRSPACE_FILE_BAD_MAGIC");
  ASSERT_TRUE(write_airspace(small_airspace(), path_).has_value());
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8);
    const std::uint32_t v = 99;
    f.write(reinterpret_cast<const char*>(&v), 4);
  }
  auto a = read_airspace(path_);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().reason, "AIRSPACE_FILE_VERSION");
  EXPECT_EQ(read_airspace("/nonexistent/x.skya").error().reason, "FILE_NOT_FOUND");
}

TEST(VehicleView, BandFollowsClearancesCeilingAndStaticZones) {
  Airspace a = small_airspace();
  // Make the zone permanent: it now blocks ground..60 m AGL in column (2, 2).
  a.mutable_zones()[0].windows.clear();
  VehicleLimits limits;
  limits.terrain_clearance_m = 20.0;
  limits.obstacle_clearance_m = 10.0;
  limits.ceiling_agl_m = 120.0;
  auto v = VehicleView::create(a, limits);
  ASSERT_TRUE(v.has_value());
  // Column 0: ground 10 m AMSL; layers of 10 m from -50 m. Floor 30 m -> layer 8 (30..40 m);
  // ceiling 130 m -> layers up to 17 (120..130 m), so [8, 18).
  EXPECT_EQ(v->band_lo(0), 8);
  EXPECT_EQ(v->band_hi(0), 18);
  EXPECT_TRUE(v->is_free(0, 0, 8));
  EXPECT_FALSE(v->is_free(0, 0, 7));
  EXPECT_FALSE(v->is_free(0, 0, 18));
  // Column 3: a 40 m structure on 13 m ground: floor max(33, 63) = 63 m -> layer 12 (70 m).
  EXPECT_EQ(v->band_lo(3), 12);
  // Column (2, 2) = 16: ground 26 m, zone up to 86 m AMSL -> lowest free layer starts >= 86.
  const std::size_t zc = a.column(2, 2);
  EXPECT_EQ(v->band_lo(zc), 14);  // 90..100 m
  EXPECT_FALSE(v->is_free(-1, 0, 10));
  EXPECT_FALSE(v->is_free(0, 5, 10));
  // A class allowed into restricted zones ignores it.
  limits.blocked_zone_kinds &=
      static_cast<std::uint8_t>(~(1u << static_cast<int>(ZoneKind::kRestricted)));
  auto free_view = VehicleView::create(a, limits);
  EXPECT_LT(free_view->band_lo(zc), 14);
}

TEST(PadPositions, PadZeroIsTheVertiportAndTheOthersStand100MApartNearestFirst) {
  Vertiport v;
  v.x_m = 1000.0;
  v.y_m = 2000.0;
  v.pads = 6;
  const auto p = pad_positions(v);
  ASSERT_EQ(p.size(), 6u);
  const std::vector<std::pair<double, double>> expected{{1000, 2000}, {1100, 2000}, {1000, 2100},
                                                        {900, 2000},  {1000, 1900}, {1100, 2100}};
  EXPECT_EQ(p, expected);
  v.pads = 25;
  const auto q = pad_positions(v, 80.0);
  ASSERT_EQ(q.size(), 25u);
  for (std::size_t i = 0; i < q.size(); ++i) {
    for (std::size_t j = i + 1; j < q.size(); ++j) {
      EXPECT_GE(std::hypot(q[i].first - q[j].first, q[i].second - q[j].second), 80.0 - 1e-9);
    }
    if (i > 0) {
      EXPECT_GE(std::hypot(q[i].first - v.x_m, q[i].second - v.y_m),
                std::hypot(q[i - 1].first - v.x_m, q[i - 1].second - v.y_m) - 1e-9)
          << "nearest first";
    }
  }
  v.pads = 0;  // a vertiport always has its point
  EXPECT_EQ(pad_positions(v).size(), 1u);
}

}  // namespace
}  // namespace skylane::airspace
