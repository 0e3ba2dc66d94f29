#include "skylane/airspace/vehicle_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <sys/mman.h>

namespace skylane::airspace {

Result<VehicleView> VehicleView::create(const Airspace& airspace, const VehicleLimits& limits) {
  const AirspaceInfo& info = airspace.info();
  if (info.nz > 255) {
    return fail("INVALID_ARGUMENT",
                "vehicle views support at most 255 layers; the map has " + std::to_string(info.nz));
  }
  for (double v : {limits.terrain_clearance_m, limits.obstacle_clearance_m, limits.ceiling_agl_m}) {
    if (!(v >= 0.0)) {
      return fail("INVALID_ARGUMENT", "vehicle clearances and ceiling must be >= 0 and not NaN");
    }
  }
  VehicleView view;
  view.nx_ = info.nx;
  view.ny_ = info.ny;
  view.nz_ = info.nz;
  const std::size_t n = airspace.column_count();
  {
    constexpr std::size_t kHuge = 2u << 20;
    const std::size_t bytes = (n * sizeof(Band) + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, bytes);
    if (!p) return fail("INTERNAL", "out of memory for a vehicle view");
    madvise(p, bytes, MADV_HUGEPAGE);  // advisory; fine if the kernel says no
    view.bands_.reset(static_cast<Band*>(p));
    view.size_ = n;
  }
  const double z0 = info.altitude_min_amsl_m;
  const double dz = info.cell_z_m;
  const int nz = info.nz;
  // Layer k spans [z0 + k dz, z0 + (k+1) dz). A layer is free when its whole span lies in the
  // allowed band, so the lowest free layer rounds the floor up and the highest rounds down.
  auto first_layer_at_or_above = [&](double h) {
    return static_cast<int>(std::clamp(std::ceil((h - z0) / dz - 1e-9), 0.0, double(nz)));
  };
  auto layers_below = [&](double h) {
    return static_cast<int>(std::clamp(std::floor((h - z0) / dz + 1e-9), 0.0, double(nz)));
  };
  // Per zone set, the always-active blocking zones (resolved once, not per column).
  std::vector<std::vector<const Zone*>> blocking(airspace.zone_sets().size());
  for (std::size_t s = 0; s < airspace.zone_sets().size(); ++s) {
    for (std::uint16_t id : airspace.zone_sets()[s]) {
      const Zone& z = airspace.zone(id);
      if (z.always_active() && (limits.blocked_zone_kinds >> static_cast<int>(z.kind)) & 1u) {
        blocking[s].push_back(&z);
      }
    }
  }
  for (std::size_t c = 0; c < n; ++c) {
    const double ground = airspace.ground_amsl_m(c);
    const double floor_m = std::max(ground + limits.terrain_clearance_m,
                                    airspace.obstacle_top_amsl_m(c) + limits.obstacle_clearance_m);
    const double ceil_m = std::min(ground + limits.ceiling_agl_m, limits.max_amsl_m);
    int lo = first_layer_at_or_above(floor_m);
    int hi = layers_below(ceil_m);
    for (const Zone* z : blocking[airspace.zone_set(c)]) {
      // Blocked layers: every layer overlapping [zone floor, zone ceiling).
      const int bl = layers_below(z->floor.amsl_m(ground));
      const int bh = first_layer_at_or_above(z->ceiling.amsl_m(ground));
      if (bh <= lo || bl >= hi) continue;
      if (bl <= lo) {
        lo = bh;
      } else if (bh >= hi) {
        hi = bl;
      } else {
        hi = bl;  // the zone splits the band: keep the lower part (conservative)
      }
    }
    if (hi < lo) hi = lo;
    view.bands_[c] = {static_cast<std::uint8_t>(lo), static_cast<std::uint8_t>(hi)};
  }
  return view;
}

void VehicleView::Free::operator()(Band* p) const { std::free(p); }

}  // namespace skylane::airspace
