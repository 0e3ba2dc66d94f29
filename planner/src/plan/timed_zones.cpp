#include "skylane/plan/timed_zones.hpp"

#include <algorithm>
#include <cmath>

#include "skylane/plan/restriction.hpp"

namespace skylane::plan {

using search::Millis;
using search::Reservation;
using search::SafeInterval;

namespace {

std::string zone_text(const airspace::Zone& z) {
  return "zone " + std::to_string(z.id) + " '" + z.name + "' (" +
         std::string(airspace::zone_kind_name(z.kind)) + ")";
}

}  // namespace

LayerBand layers_overlapping(const airspace::AirspaceInfo& info, double floor_amsl_m,
                             double ceiling_amsl_m) {
  const double z0 = info.altitude_min_amsl_m;
  const double dz = info.cell_z_m;
  const double nz = info.nz;
  const auto below = [&](double h) {
    return static_cast<std::int32_t>(std::clamp(std::floor((h - z0) / dz + 1e-9), 0.0, nz));
  };
  const auto at_or_above = [&](double h) {
    return static_cast<std::int32_t>(std::clamp(std::ceil((h - z0) / dz - 1e-9), 0.0, nz));
  };
  return LayerBand{below(floor_amsl_m), at_or_above(ceiling_amsl_m)};
}

TimedZoneOverlay::TimedZoneOverlay(const airspace::Airspace& airspace,
                                   std::uint8_t blocked_zone_kinds, Millis from, Millis to,
                                   std::int64_t epoch_unix_s, const RestrictionSet* restrictions)
    : airspace_(&airspace), from_(from), to_(to) {
  if (restrictions != nullptr) {
    for (const auto& r : restrictions->all()) {
      const Restriction& spec = r->restriction();
      if (((blocked_zone_kinds >> static_cast<int>(spec.kind)) & 1u) == 0) continue;
      const SafeInterval b{spec.active_from - Millis{1}, spec.active_to >= search::kTimeInf
                                                             ? search::kTimeInf
                                                             : spec.active_to + Millis{1}};
      if (b.end <= from) continue;  // over before the flight can start
      if (b.end < search::kTimeInf) latest_finite_end_ = std::max(latest_finite_end_, b.end);
      restrictions_.push_back(TimedRestriction{r.get(), b});
    }
  }
  by_set_.resize(airspace.zone_sets().size());
  std::vector<std::int32_t> slot(airspace.zones().size() + 1, -1);
  // Whole seconds covering [from, to): activity windows have 1 s resolution.
  const auto from_s = epoch_unix_s + static_cast<std::int64_t>(std::floor(from.count() / 1000.0));
  const auto to_s = epoch_unix_s + static_cast<std::int64_t>(std::ceil(to.count() / 1000.0));
  for (const airspace::Zone& z : airspace.zones()) {
    if (z.always_active() || ((blocked_zone_kinds >> static_cast<int>(z.kind)) & 1u) == 0) {
      continue;
    }
    TimedZone t;
    t.zone = &z;
    for (const auto& iv : z.active_intervals(from_s, to_s, airspace.info().utc_offset_s)) {
      const Millis b{(iv.begin - epoch_unix_s) * 1000 - 1};
      const Millis e{(iv.end - epoch_unix_s) * 1000 + 1};
      if (!t.blocked.empty() && b <= t.blocked.back().end) {
        t.blocked.back().end = std::max(t.blocked.back().end, e);
      } else {
        t.blocked.push_back(SafeInterval{b, e});
      }
    }
    // Beyond the horizon the zone is assumed active.
    if (!t.blocked.empty() && t.blocked.back().end >= to) {
      t.blocked.back().end = search::kTimeInf;
    } else {
      t.blocked.push_back(SafeInterval{to, search::kTimeInf});
    }
    slot[z.id] = static_cast<std::int32_t>(zones_.size());
    zones_.push_back(std::move(t));
  }
  for (std::size_t s = 0; s < airspace.zone_sets().size(); ++s) {
    for (const std::uint16_t id : airspace.zone_sets()[s]) {
      if (id < slot.size() && slot[id] >= 0) {
        by_set_[s].push_back(static_cast<std::uint32_t>(slot[id]));
      }
    }
  }
}

LayerBand TimedZoneOverlay::zone_layers(const airspace::Zone& z, double ground_amsl_m) const {
  return layers_overlapping(airspace_->info(), z.floor.amsl_m(ground_amsl_m),
                            z.ceiling.amsl_m(ground_amsl_m));
}

bool TimedZoneOverlay::column_has_restrictions(std::int32_t x, std::int32_t y) const {
  return std::any_of(restrictions_.begin(), restrictions_.end(),
                     [&](const TimedRestriction& r) { return r.restriction->covers(x, y); });
}

void TimedZoneOverlay::blocked(std::int32_t x, std::int32_t y, std::int32_t z,
                               std::vector<Reservation>& busy) const {
  const std::size_t col = airspace_->column(x, y);
  const auto& list = by_set_[airspace_->zone_set(col)];
  if (list.empty() && restrictions_.empty()) return;
  const double ground = airspace_->ground_amsl_m(col);
  for (const std::uint32_t k : list) {
    const TimedZone& t = zones_[k];
    if (!zone_layers(*t.zone, ground).contains(z)) continue;
    for (const SafeInterval& b : t.blocked) {
      busy.push_back(Reservation{b.begin, b.end, -static_cast<std::int64_t>(t.zone->id)});
    }
  }
  // Owner tags are informational; restrictions get ids below every zone's.
  constexpr std::int64_t kRestrictionOwnerBase = -(std::int64_t{1} << 32);
  for (const TimedRestriction& r : restrictions_) {
    if (!r.restriction->covers(x, y) || !r.restriction->layers(ground).contains(z)) continue;
    busy.push_back(
        Reservation{r.blocked.begin, r.blocked.end, kRestrictionOwnerBase - r.restriction->id()});
  }
}

std::string TimedZoneOverlay::blocking_throughout(std::int32_t x, std::int32_t y, std::int32_t z,
                                                  Millis from, Millis to) const {
  const std::size_t col = airspace_->column(x, y);
  const auto& list = by_set_[airspace_->zone_set(col)];
  const double ground = airspace_->ground_amsl_m(col);
  for (const std::uint32_t k : list) {
    const TimedZone& t = zones_[k];
    if (!zone_layers(*t.zone, ground).contains(z)) continue;
    for (const SafeInterval& b : t.blocked) {
      if (b.begin <= from && to < b.end) return zone_text(*t.zone);
    }
  }
  for (const TimedRestriction& r : restrictions_) {
    if (!r.restriction->covers(x, y) || !r.restriction->layers(ground).contains(z)) continue;
    if (r.blocked.begin <= from && to < r.blocked.end) return r.restriction->describe();
  }
  return {};
}

LayerBand TimedZoneOverlay::cut(std::int32_t x, std::int32_t y, LayerBand band) const {
  const std::size_t col = airspace_->column(x, y);
  const auto& list = by_set_[airspace_->zone_set(col)];
  if ((list.empty() && restrictions_.empty()) || band.empty()) return band;
  const double ground = airspace_->ground_amsl_m(col);
  auto remove = [&](LayerBand zl) {
    if (zl.hi <= band.lo || zl.lo >= band.hi) return;
    if (zl.lo <= band.lo) {
      band.lo = zl.hi;
    } else {
      band.hi = zl.lo;
    }
  };
  for (const std::uint32_t k : list) {
    const TimedZone& t = zones_[k];
    if (t.blocked.empty() || t.blocked.front().begin >= to_) continue;  // inactive until the end
    remove(zone_layers(*t.zone, ground));
  }
  for (const TimedRestriction& r : restrictions_) {
    if (r.blocked.begin >= to_ || r.blocked.end <= from_ || !r.restriction->covers(x, y)) continue;
    remove(r.restriction->layers(ground));
  }
  if (band.hi < band.lo) band.hi = band.lo;
  return band;
}

void ZonedReservations::safe_intervals(search::Voxel v, Millis from, Millis horizon,
                                       std::vector<SafeInterval>& out) const {
  if (table_->contains(v) && (overlay_->empty() || !overlay_->column_has_zones(v.x, v.y))) {
    table_->safe_intervals(v, from, horizon, out);
    return;
  }
  safe_intervals(v, horizon, out);
}

void ZonedReservations::safe_intervals(search::Voxel v, Millis horizon,
                                       std::vector<SafeInterval>& out) const {
  out.clear();
  if (!table_->contains(v)) return;
  if (overlay_->empty() || !overlay_->column_has_zones(v.x, v.y)) {
    table_->safe_intervals(v, horizon, out);
    return;
  }
  busy_.clear();
  table_->reservations(v, busy_);
  const std::size_t n_table = busy_.size();
  overlay_->blocked(v.x, v.y, v.z, busy_);
  if (busy_.size() == n_table) {
    table_->safe_intervals(v, horizon, out);
    return;
  }
  std::sort(busy_.begin(), busy_.end(),
            [](const Reservation& a, const Reservation& b) { return a.begin < b.begin; });
  Millis free_from = search::kTimeNegInf;
  for (const Reservation& r : busy_) {
    if (free_from >= horizon) break;
    if (r.begin > free_from) out.push_back(SafeInterval{free_from, r.begin});
    free_from = std::max(free_from, r.end);
  }
  if (free_from < horizon && free_from < search::kTimeInf) {
    out.push_back(SafeInterval{free_from, search::kTimeInf});
  }
}

bool ZonedReservations::is_free(search::Voxel v, Millis from, Millis to) const {
  if (to < from) return false;
  if (!table_->contains(v)) return false;
  // Without timed zones in the column the table answers directly (its scan stops at the first
  // entry beginning after `to`, instead of building every safe interval of the voxel).
  if (overlay_->empty() || !overlay_->column_has_zones(v.x, v.y)) {
    return table_->is_free(v, from, to);
  }
  safe_intervals(v, search::kTimeInf, scratch_);
  return std::any_of(scratch_.begin(), scratch_.end(),
                     [&](const SafeInterval& iv) { return iv.begin <= from && to <= iv.end; });
}

}  // namespace skylane::plan
