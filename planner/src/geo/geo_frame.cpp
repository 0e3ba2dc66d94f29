#include "skylane/geo/geo_frame.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include <proj.h>

namespace skylane::geo {

struct GeoFrame::Impl {
  PJ_CONTEXT* ctx = nullptr;
  PJ* to_plane = nullptr;  // normalised: lon/lat degrees in, easting/northing out
  PJ* target = nullptr;
  ~Impl() {
    if (to_plane) proj_destroy(to_plane);
    if (target) proj_destroy(target);
    if (ctx) proj_context_destroy(ctx);
  }
};

GeoFrame::GeoFrame(GeoFrame&&) noexcept = default;
GeoFrame& GeoFrame::operator=(GeoFrame&&) noexcept = default;
GeoFrame::~GeoFrame() = default;

Result<GeoFrame> GeoFrame::create(const std::string& crs) {
  GeoFrame frame;
  frame.definition_ = crs;
  frame.impl_ = std::make_unique<Impl>();
  Impl& impl = *frame.impl_;
  impl.ctx = proj_context_create();
  proj_log_level(impl.ctx, PJ_LOG_NONE);
  impl.target = proj_create(impl.ctx, crs.c_str());
  if (!impl.target) {
    return fail("CRS_INVALID", "CRS '" + crs + "' is not a valid CRS definition");
  }
  const PJ_TYPE type = proj_get_type(impl.target);
  if (type != PJ_TYPE_PROJECTED_CRS) {
    return fail("CRS_INVALID", "working CRS '" + crs +
                                   "' is not a projected CRS (metres are needed, e.g. EPSG:32650)");
  }
  PJ* wgs84 = proj_create(impl.ctx, "EPSG:4326");
  PJ* raw = proj_create_crs_to_crs_from_pj(impl.ctx, wgs84, impl.target, nullptr, nullptr);
  proj_destroy(wgs84);
  if (!raw) return fail("CRS_INVALID", "no transform from WGS 84 to '" + crs + "'");
  impl.to_plane = proj_normalize_for_visualization(impl.ctx, raw);
  proj_destroy(raw);
  if (!impl.to_plane) return fail("CRS_INVALID", "cannot normalise axis order for '" + crs + "'");
  return frame;
}

Result<PlanePoint> GeoFrame::to_plane(LonLat p) const {
  if (!std::isfinite(p.lon_deg) || !std::isfinite(p.lat_deg) || std::abs(p.lat_deg) > 90.0 ||
      std::abs(p.lon_deg) > 180.0) {
    return fail("INVALID_ARGUMENT", "coordinate (" + std::to_string(p.lon_deg) + ", " +
                                        std::to_string(p.lat_deg) + ") is not a valid lon,lat");
  }
  const PJ_COORD out =
      proj_trans(impl_->to_plane, PJ_FWD, proj_coord(p.lon_deg, p.lat_deg, 0.0, 0.0));
  if (!std::isfinite(out.xy.x) || !std::isfinite(out.xy.y)) {
    return fail("INVALID_ARGUMENT", "coordinate cannot be projected into " + definition_);
  }
  return PlanePoint{out.xy.x, out.xy.y};
}

Result<LonLat> GeoFrame::to_lonlat(PlanePoint p) const {
  if (!std::isfinite(p.x_m) || !std::isfinite(p.y_m)) {
    return fail("INVALID_ARGUMENT", "working-frame point is NaN or infinite");
  }
  const PJ_COORD out = proj_trans(impl_->to_plane, PJ_INV, proj_coord(p.x_m, p.y_m, 0.0, 0.0));
  if (!std::isfinite(out.lp.lam) || !std::isfinite(out.lp.phi)) {
    return fail("INVALID_ARGUMENT", "point cannot be unprojected from " + definition_);
  }
  return LonLat{out.lp.lam, out.lp.phi};
}

namespace {

// Densifies the edges of an axis-aligned box and returns the bounds of their images.
template <class In, class Convert>
Result<std::array<double, 4>> transformed_bounds(const std::array<double, 4>& b, Convert convert) {
  constexpr int kSteps = 64;
  std::array<double, 4> out = {1e300, 1e300, -1e300, -1e300};
  for (int i = 0; i <= kSteps; ++i) {
    const double t = static_cast<double>(i) / kSteps;
    const In pts[4] = {{b[0] + t * (b[2] - b[0]), b[1]},
                       {b[0] + t * (b[2] - b[0]), b[3]},
                       {b[0], b[1] + t * (b[3] - b[1])},
                       {b[2], b[1] + t * (b[3] - b[1])}};
    for (const In& p : pts) {
      auto q = convert(p);
      if (!q) return tl::unexpected(q.error());
      out[0] = std::min(out[0], q->first);
      out[1] = std::min(out[1], q->second);
      out[2] = std::max(out[2], q->first);
      out[3] = std::max(out[3], q->second);
    }
  }
  return out;
}

}  // namespace

Result<std::array<double, 4>> GeoFrame::plane_bounds(const std::array<double, 4>& box) const {
  return transformed_bounds<LonLat>(box, [&](LonLat p) -> Result<std::pair<double, double>> {
    auto q = to_plane(p);
    if (!q) return tl::unexpected(q.error());
    return std::pair{q->x_m, q->y_m};
  });
}

Result<std::array<double, 4>> GeoFrame::lonlat_bounds(const std::array<double, 4>& box) const {
  return transformed_bounds<PlanePoint>(box,
                                        [&](PlanePoint p) -> Result<std::pair<double, double>> {
                                          auto q = to_lonlat(p);
                                          if (!q) return tl::unexpected(q.error());
                                          return std::pair{q->lon_deg, q->lat_deg};
                                        });
}

std::string GeoFrame::wkt() const {
  const char* w = proj_as_wkt(impl_->ctx, impl_->target, PJ_WKT2_2019, nullptr);
  return w ? std::string(w) : std::string();
}

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kKrasovskyA = 6378245.0;
constexpr double kKrasovskyEe = 0.00669342162296594323;

bool outside_china(LonLat p) {
  return p.lon_deg < 72.004 || p.lon_deg > 137.8347 || p.lat_deg < 0.8293 || p.lat_deg > 55.8271;
}

double offset_lat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  r += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y * kPi / 30.0)) * 2.0 / 3.0;
  return r;
}

double offset_lon(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

}  // namespace

LonLat wgs84_to_gcj02(LonLat p) {
  if (outside_china(p)) return p;
  double dlat = offset_lat(p.lon_deg - 105.0, p.lat_deg - 35.0);
  double dlon = offset_lon(p.lon_deg - 105.0, p.lat_deg - 35.0);
  const double radlat = p.lat_deg / 180.0 * kPi;
  double magic = std::sin(radlat);
  magic = 1.0 - kKrasovskyEe * magic * magic;
  const double sqrt_magic = std::sqrt(magic);
  dlat = (dlat * 180.0) / ((kKrasovskyA * (1.0 - kKrasovskyEe)) / (magic * sqrt_magic) * kPi);
  dlon = (dlon * 180.0) / (kKrasovskyA / sqrt_magic * std::cos(radlat) * kPi);
  return {p.lon_deg + dlon, p.lat_deg + dlat};
}

LonLat gcj02_to_wgs84(LonLat p) {
  LonLat w = p;
  for (int i = 0; i < 30; ++i) {
    const LonLat g = wgs84_to_gcj02(w);
    const double ex = g.lon_deg - p.lon_deg;
    const double ey = g.lat_deg - p.lat_deg;
    w.lon_deg -= ex;
    w.lat_deg -= ey;
    if (std::abs(ex) < 1e-10 && std::abs(ey) < 1e-10) break;
  }
  return w;
}

double great_circle_m(LonLat a, LonLat b) {
  constexpr double kR = 6371008.8;
  const double p1 = a.lat_deg * kPi / 180.0;
  const double p2 = b.lat_deg * kPi / 180.0;
  const double dp = p2 - p1;
  const double dl = (b.lon_deg - a.lon_deg) * kPi / 180.0;
  const double h = std::sin(dp / 2) * std::sin(dp / 2) +
                   std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2.0 * kR * std::asin(std::min(1.0, std::sqrt(h)));
}

}  // namespace skylane::geo
