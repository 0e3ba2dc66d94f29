// Small GIS fixtures written at test time: a GeoTIFF DEM, GeoJSON layers and a manifest, in a
// fresh temporary folder per test.
#pragma once

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_srs_api.h>

namespace skylane::testing {

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("skylane-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

/// A WGS 84 GeoTIFF over [west, west + nx*step] x [north - ny*step, north] whose value at a pixel
/// centre is value(lon, lat). Pass epsg = 0 to write no CRS at all. nodata marks voids.
inline void write_dem(const std::string& path, double west, double north, double step, int nx,
                      int ny, const std::function<double(double, double)>& value, int epsg = 4326,
                      double nodata = -32768.0) {
  GDALAllRegister();
  GDALDatasetH ds =
      GDALCreate(GDALGetDriverByName("GTiff"), path.c_str(), nx, ny, 1, GDT_Float32, nullptr);
  ASSERT_NE(ds, nullptr);
  double gt[6] = {west, step, 0, north, 0, -step};
  GDALSetGeoTransform(ds, gt);
  if (epsg != 0) {
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(srs, epsg);
    GDALSetSpatialRef(ds, srs);
    OSRDestroySpatialReference(srs);
  }
  GDALRasterBandH band = GDALGetRasterBand(ds, 1);
  GDALSetRasterNoDataValue(band, nodata);
  std::vector<float> data(static_cast<std::size_t>(nx) * ny);
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      data[static_cast<std::size_t>(r) * nx + c] =
          static_cast<float>(value(west + (c + 0.5) * step, north - (r + 0.5) * step));
    }
  }
  ASSERT_EQ(GDALRasterIO(band, GF_Write, 0, 0, nx, ny, data.data(), nx, ny, GDT_Float32, 0, 0),
            CE_None);
  GDALClose(ds);
}

/// GeoJSON FeatureCollection from "{geometry},{properties}" pairs.
inline std::string feature_collection(const std::vector<std::pair<std::string, std::string>>& f) {
  std::string s = R"({"type":"FeatureCollection","features":[)";
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (i) s += ",";
    s += R"({"type":"Feature","geometry":)" + f[i].first + R"(,"properties":)" + f[i].second + "}";
  }
  return s + "]}";
}

inline std::string square(double lon0, double lat0, double lon1, double lat1) {
  char buf[256];
  std::snprintf(
      buf, sizeof buf,
      R"({"type":"Polygon","coordinates":[[[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f],[%.7f,%.7f]]]})",
      lon0, lat0, lon1, lat0, lon1, lat1, lon0, lat1, lon0, lat0);
  return buf;
}

inline std::string point(double lon, double lat) {
  char buf[96];
  std::snprintf(buf, sizeof buf, R"({"type":"Point","coordinates":[%.7f,%.7f]})", lon, lat);
  return buf;
}

inline std::string line(double lon0, double lat0, double lon1, double lat1) {
  char buf[160];
  std::snprintf(buf, sizeof buf, R"({"type":"LineString","coordinates":[[%.7f,%.7f],[%.7f,%.7f]]})",
                lon0, lat0, lon1, lat1);
  return buf;
}

}  // namespace skylane::testing
