#include "skylane/plan/restriction.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "skylane/core/try.hpp"
#include "skylane/plan/timed_zones.hpp"

namespace skylane::plan {
namespace {

std::string ms_text(traj::Millis t) {
  if (t >= search::kTimeInf) return "open";
  return std::to_string(t.count()) + " ms";
}

std::string restriction_label(const Restriction& r) {
  return "restriction " + std::to_string(r.id) + (r.name.empty() ? "" : " '" + r.name + "'");
}

Result<void> validate(const Restriction& r) {
  const std::string who = restriction_label(r);
  auto bad = [&](const std::string& what) {
    return tl::unexpected(make_error("RESTRICTION_INVALID", who + ": " + what));
  };
  for (std::size_t i = 0; i < r.ring_lonlat.size(); ++i) {
    const double lon = r.ring_lonlat[i][0];
    const double lat = r.ring_lonlat[i][1];
    if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180.0 || lon > 180.0 || lat < -90.0 ||
        lat > 90.0) {
      std::ostringstream s;
      s << "ring_lonlat[" << i << "] = (" << lon << ", " << lat
        << ") is not a finite WGS 84 lon/lat in degrees";
      return bad(s.str());
    }
  }
  std::vector<std::array<double, 2>> distinct;
  for (const auto& p : r.ring_lonlat) {
    if (std::find(distinct.begin(), distinct.end(), p) == distinct.end()) distinct.push_back(p);
  }
  if (distinct.size() < 3) {
    return bad("ring_lonlat has " + std::to_string(distinct.size()) +
               " distinct points; a polygon needs at least 3");
  }
  if (!std::isfinite(r.floor.value_m)) {
    return bad("floor " + std::to_string(r.floor.value_m) + " m is not a finite altitude");
  }
  if (std::isnan(r.ceiling.value_m) || r.ceiling.value_m == -INFINITY) {
    return bad("ceiling " + std::to_string(r.ceiling.value_m) + " m is not an altitude");
  }
  if (r.floor.ref == r.ceiling.ref && r.floor.value_m >= r.ceiling.value_m) {
    return bad("floor " + std::to_string(r.floor.value_m) + " m is at or above the ceiling " +
               std::to_string(r.ceiling.value_m) + " m");
  }
  if (r.active_from <= search::kTimeNegInf || r.active_from >= search::kTimeInf ||
      r.active_to > search::kTimeInf) {
    return bad("active window [" + ms_text(r.active_from) + ", " + ms_text(r.active_to) +
               ") is out of range");
  }
  if (r.active_to <= r.active_from) {
    return bad("active window [" + ms_text(r.active_from) + ", " + ms_text(r.active_to) +
               ") is empty or inverted (active_to must be after active_from)");
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const RasterisedRestriction>> RasterisedRestriction::create(
    const Restriction& restriction, const airspace::Airspace& airspace,
    const geo::GeoFrame& frame) {
  SKY_CHECK(validate(restriction));
  const airspace::AirspaceInfo& info = airspace.info();
  std::shared_ptr<RasterisedRestriction> out(new RasterisedRestriction());
  out->spec_ = restriction;
  out->airspace_ = &airspace;
  // A ring far from the map may not even project: say "outside the map" rather than fail there.
  const auto& ext = info.extent_wgs84;
  if (ext[2] > ext[0] && ext[3] > ext[1]) {
    constexpr double kSlackDeg = 0.5;
    double w = 180.0, s = 90.0, e = -180.0, n = -90.0;
    for (const auto& p : restriction.ring_lonlat) {
      w = std::min(w, p[0]);
      e = std::max(e, p[0]);
      s = std::min(s, p[1]);
      n = std::max(n, p[1]);
    }
    if (e < ext[0] - kSlackDeg || w > ext[2] + kSlackDeg || n < ext[1] - kSlackDeg ||
        s > ext[3] + kSlackDeg) {
      return fail("RESTRICTION_OUTSIDE_MAP", restriction_label(restriction) +
                                                 ": ring_lonlat lies entirely outside map '" +
                                                 info.name + "'");
    }
  }
  auto& ring = out->ring_m_;
  for (std::size_t i = 0; i < restriction.ring_lonlat.size(); ++i) {
    const auto& p = restriction.ring_lonlat[i];
    auto q = frame.to_plane({p[0], p[1]});
    if (!q || !std::isfinite(q->x_m) || !std::isfinite(q->y_m)) {
      return fail("RESTRICTION_INVALID", restriction_label(restriction) + ": ring_lonlat[" +
                                             std::to_string(i) +
                                             "] cannot be projected to the map's frame" +
                                             (q ? std::string() : " (" + q.error().message + ")"));
    }
    ring.push_back({q->x_m, q->y_m});
  }
  if (ring.size() > 1 && ring.front() == ring.back()) ring.pop_back();

  // Scanline at each row's centre; a column is covered when its centre is inside (even-odd).
  // Crossing rule (y_a <= yc) != (y_b <= yc) counts every vertex once, and horizontal edges never.
  double ymin = ring[0][1];
  double ymax = ring[0][1];
  for (const auto& p : ring) {
    ymin = std::min(ymin, p[1]);
    ymax = std::max(ymax, p[1]);
  }
  const double cell = info.cell_xy_m;
  const auto row_lo = static_cast<std::int32_t>(
      std::clamp(std::floor((ymin - info.origin_y_m) / cell - 0.5), 0.0, double(info.ny)));
  const auto row_hi = static_cast<std::int32_t>(
      std::clamp(std::ceil((ymax - info.origin_y_m) / cell - 0.5) + 1.0, 0.0, double(info.ny)));
  struct Span {
    std::int32_t y, x0, x1;
  };
  std::vector<Span> spans;
  std::vector<double> xs;
  for (std::int32_t y = row_lo; y < row_hi; ++y) {
    const double yc = info.origin_y_m + (y + 0.5) * cell;
    xs.clear();
    for (std::size_t i = 0; i < ring.size(); ++i) {
      const auto& a = ring[i];
      const auto& b = ring[(i + 1) % ring.size()];
      if ((a[1] <= yc) == (b[1] <= yc)) continue;
      xs.push_back(a[0] + (yc - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
    }
    std::sort(xs.begin(), xs.end());
    for (std::size_t k = 0; k + 1 < xs.size(); k += 2) {
      // Columns whose centre x satisfies xs[k] <= xc < xs[k + 1].
      const double c0 = std::ceil((xs[k] - info.origin_x_m) / cell - 0.5);
      const double c1 = std::ceil((xs[k + 1] - info.origin_x_m) / cell - 0.5);
      const auto x0 = static_cast<std::int32_t>(std::clamp(c0, 0.0, double(info.nx)));
      const auto x1 = static_cast<std::int32_t>(std::clamp(c1, 0.0, double(info.nx)));
      if (x0 < x1) spans.push_back(Span{y, x0, x1});
    }
  }
  if (spans.empty()) {
    return fail("RESTRICTION_OUTSIDE_MAP",
                restriction_label(restriction) + ": no column centre of map '" + info.name +
                    "' lies inside ring_lonlat (the polygon is outside the map or thinner than a " +
                    std::to_string(cell) + " m cell)");
  }
  out->x0_ = info.nx;
  out->y0_ = info.ny;
  for (const Span& s : spans) {
    out->x0_ = std::min(out->x0_, s.x0);
    out->x1_ = std::max(out->x1_, s.x1);
    out->y0_ = std::min(out->y0_, s.y);
    out->y1_ = std::max(out->y1_, s.y + 1);
  }
  const auto w = static_cast<std::size_t>(out->x1_ - out->x0_);
  const std::size_t bits = w * static_cast<std::size_t>(out->y1_ - out->y0_);
  out->mask_.assign((bits + 63) / 64, 0);
  for (const Span& s : spans) {
    for (std::int32_t x = s.x0; x < s.x1; ++x) {
      const std::size_t i =
          static_cast<std::size_t>(s.y - out->y0_) * w + static_cast<std::size_t>(x - out->x0_);
      const std::uint64_t bit = std::uint64_t{1} << (i & 63u);
      // Self-overlapping rings may list a column twice in one row: count it once.
      if ((out->mask_[i >> 6] & bit) == 0) ++out->covered_;
      out->mask_[i >> 6] |= bit;
    }
  }
  return std::shared_ptr<const RasterisedRestriction>(std::move(out));
}

LayerBand RasterisedRestriction::layers(double ground_amsl_m) const {
  return layers_overlapping(airspace_->info(), spec_.floor.amsl_m(ground_amsl_m),
                            spec_.ceiling.amsl_m(ground_amsl_m));
}

std::string RasterisedRestriction::describe() const {
  return restriction_label(spec_) + " (" + std::string(airspace::zone_kind_name(spec_.kind)) +
         ", active [" + ms_text(spec_.active_from) + ", " + ms_text(spec_.active_to) + "))";
}

Result<void> RestrictionSet::add(const Restriction& restriction) {
  if (airspace_ == nullptr) {
    return fail("RESTRICTION_MAP_MISMATCH", "the restriction set is bound to no airspace");
  }
  const auto& info = airspace_->info();
  SKY_TRY(frame, geo::GeoFrame::create(info.crs.empty() ? info.crs_wkt : info.crs));
  return add(restriction, frame);
}

Result<void> RestrictionSet::add(const Restriction& restriction, const geo::GeoFrame& frame) {
  if (airspace_ == nullptr) {
    return fail("RESTRICTION_MAP_MISMATCH", "the restriction set is bound to no airspace");
  }
  if (find(restriction.id) != nullptr) {
    return fail("RESTRICTION_ALREADY_EXISTS",
                "a restriction with id " + std::to_string(restriction.id) + " is already in force");
  }
  SKY_TRY(r, RasterisedRestriction::create(restriction, *airspace_, frame));
  return add(std::move(r));
}

Result<void> RestrictionSet::add(Entry restriction) {
  if (restriction == nullptr || airspace_ == nullptr || &restriction->airspace() != airspace_) {
    return fail("RESTRICTION_MAP_MISMATCH",
                "the restriction was rasterised for another airspace than the set's (or is null)");
  }
  if (find(restriction->id()) != nullptr) {
    return fail(
        "RESTRICTION_ALREADY_EXISTS",
        "a restriction with id " + std::to_string(restriction->id()) + " is already in force");
  }
  entries_.push_back(std::move(restriction));
  return {};
}

bool RestrictionSet::remove(std::int64_t id) {
  const auto it =
      std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e->id() == id; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

const RasterisedRestriction* RestrictionSet::find(std::int64_t id) const {
  for (const Entry& e : entries_) {
    if (e->id() == id) return e.get();
  }
  return nullptr;
}

RestrictionSet::Entry RestrictionSet::find_shared(std::int64_t id) const {
  for (const Entry& e : entries_) {
    if (e->id() == id) return e;
  }
  return nullptr;
}

Result<bool> restriction_affects(const RasterisedRestriction& restriction,
                                 const traj::Trajectory4D& trajectory,
                                 const airspace::Airspace& airspace) {
  if (&restriction.airspace() != &airspace) {
    return fail("RESTRICTION_MAP_MISMATCH",
                "restriction " + std::to_string(restriction.id()) +
                    " was rasterised for another airspace than the one given");
  }
  const auto& pts = trajectory.points;
  if (pts.empty()) {
    return fail("TRAJECTORY_INVALID",
                "trajectory " + std::to_string(trajectory.id) + " has no waypoint");
  }
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (!std::isfinite(pts[i].x_m) || !std::isfinite(pts[i].y_m) || !std::isfinite(pts[i].z_m)) {
      return fail("TRAJECTORY_INVALID", "trajectory " + std::to_string(trajectory.id) +
                                            " waypoint " + std::to_string(i) +
                                            " has a NaN or infinite coordinate");
    }
    if (i > 0 && pts[i].t < pts[i - 1].t) {
      return fail("TRAJECTORY_INVALID", "trajectory " + std::to_string(trajectory.id) +
                                            " goes back in time at waypoint " + std::to_string(i));
    }
  }
  const Restriction& spec = restriction.restriction();
  const airspace::AirspaceInfo& info = airspace.info();
  // Whole trajectory outside the window: nothing to sample.
  if (pts.back().t < spec.active_from || pts.front().t >= spec.active_to) return false;

  auto inside = [&](double x_m, double y_m, double z_m) {
    std::int32_t cx = 0;
    std::int32_t cy = 0;
    if (!airspace.column_at(x_m, y_m, cx, cy) || !restriction.covers(cx, cy)) return false;
    const LayerBand band = restriction.layers(airspace.ground_amsl_m(airspace.column(cx, cy)));
    const double layer = std::floor((z_m - info.altitude_min_amsl_m) / info.cell_z_m);
    return layer >= band.lo && layer < band.hi;
  };
  // Closed [t_a, t_b] overlaps half-open [from, to).
  auto overlaps = [&](double t_a, double t_b) {
    return t_a < static_cast<double>(spec.active_to.count()) &&
           t_b >= static_cast<double>(spec.active_from.count());
  };
  // Each segment is cut where it crosses a column or layer boundary; every piece lies in one
  // voxel (its midpoint tells which) during one closed time range, so the test is exact.
  std::vector<double> cuts;
  auto add_cuts = [&](double a, double b, double origin, double step) {
    if (a == b) return;
    const double lo = std::min(a, b);
    const double hi = std::max(a, b);
    for (double k = std::floor((lo - origin) / step) + 1.0; origin + k * step < hi; k += 1.0) {
      cuts.push_back((origin + k * step - a) / (b - a));
    }
  };
  const std::size_t segments = std::max<std::size_t>(1, pts.size() - 1);
  for (std::size_t i = 0; i < segments; ++i) {
    const auto& a = pts[i];
    const auto& b = pts[std::min(i + 1, pts.size() - 1)];
    const auto ta = static_cast<double>(a.t.count());
    const auto tb = static_cast<double>(b.t.count());
    if (!overlaps(ta, tb)) continue;
    cuts.assign({0.0, 1.0});
    add_cuts(a.x_m, b.x_m, info.origin_x_m, info.cell_xy_m);
    add_cuts(a.y_m, b.y_m, info.origin_y_m, info.cell_xy_m);
    add_cuts(a.z_m, b.z_m, info.altitude_min_amsl_m, info.cell_z_m);
    std::sort(cuts.begin(), cuts.end());
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
      const double s0 = cuts[k];
      const double s1 = cuts[k + 1];
      // A single point where the segment crosses a column corner (x and y cuts coincide) touches
      // the diagonal neighbours only at that corner: not inside them (SIPP's diagonal moves
      // touch such corners too).
      if (s1 - s0 < 1e-12) continue;
      const double m = (s0 + s1) / 2.0;
      if (!overlaps(ta + s0 * (tb - ta), ta + s1 * (tb - ta))) continue;
      if (inside(a.x_m + m * (b.x_m - a.x_m), a.y_m + m * (b.y_m - a.y_m),
                 a.z_m + m * (b.z_m - a.z_m))) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace skylane::plan
