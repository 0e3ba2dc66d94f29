// The working frame of a map: a projected CRS (UTM 50N by default) and the transforms between
// it and WGS 84 lon/lat. Wraps PROJ; no PROJ type leaks out of this header.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "skylane/core/error.hpp"

namespace skylane::geo {

struct LonLat {
  double lon_deg = 0.0;
  double lat_deg = 0.0;
};

struct PlanePoint {
  double x_m = 0.0;
  double y_m = 0.0;
};

/// Not thread-safe (a PROJ context per instance): give each thread its own copy via clone().
class GeoFrame {
 public:
  /// crs: "EPSG:nnnn", a PROJ string or WKT. Errors: CRS_INVALID naming the definition.
  static Result<GeoFrame> create(const std::string& crs);

  GeoFrame(GeoFrame&&) noexcept;
  GeoFrame& operator=(GeoFrame&&) noexcept;
  ~GeoFrame();

  [[nodiscard]] Result<GeoFrame> clone() const { return create(definition_); }

  /// WGS 84 lon/lat (degrees) to the working frame (metres). Errors: INVALID_ARGUMENT for NaN
  /// or out-of-domain input.
  [[nodiscard]] Result<PlanePoint> to_plane(LonLat p) const;
  [[nodiscard]] Result<LonLat> to_lonlat(PlanePoint p) const;

  /// Bounding box {xmin, ymin, xmax, ymax} in the working frame of a lon/lat box {west, south,
  /// east, north}, its edges densified (64 points each) so curved projected edges are covered.
  [[nodiscard]] Result<std::array<double, 4>> plane_bounds(
      const std::array<double, 4>& lonlat_box) const;
  /// The inverse: lon/lat bounds {west, south, east, north} of a working-frame box.
  [[nodiscard]] Result<std::array<double, 4>> lonlat_bounds(
      const std::array<double, 4>& plane_box) const;

  [[nodiscard]] const std::string& definition() const { return definition_; }
  /// WKT2 of the working CRS.
  [[nodiscard]] std::string wkt() const;

 private:
  GeoFrame() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string definition_;
};

/// GCJ-02 ("Mars coordinates", used by Chinese web maps) <-> WGS 84. The forward formula is the
/// published one; the inverse iterates it to < 1e-9 degrees. Outside China the offset is zero.
[[nodiscard]] LonLat wgs84_to_gcj02(LonLat p);
[[nodiscard]] LonLat gcj02_to_wgs84(LonLat p);

/// Great-circle distance on the WGS 84 mean sphere (R = 6371008.8 m), metres.
[[nodiscard]] double great_circle_m(LonLat a, LonLat b);

}  // namespace skylane::geo
