#include "skylane/network/vertiport_network.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "skylane/core/try.hpp"
#include "skylane/geo/geo_frame.hpp"

namespace skylane::network {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Why a pad column has no free layer for the class.
std::string blocked_why(const airspace::Airspace& a, std::size_t col,
                        const airspace::VehicleLimits& limits) {
  for (std::uint16_t id : a.zone_set_members(a.zone_set(col))) {
    const airspace::Zone& z = a.zone(id);
    if (z.always_active() && ((limits.blocked_zone_kinds >> static_cast<int>(z.kind)) & 1u)) {
      return "its pad lies in the always-active " + std::string(airspace::zone_kind_name(z.kind)) +
             " zone '" + z.name + "', a wall for this class";
    }
  }
  return "no altitude above its pad is free for this class (obstacles, clearances, ceiling)";
}

}  // namespace

Result<VertiportNetwork> VertiportNetwork::build(const airspace::Airspace& airspace,
                                                 const vehicle::VehicleClass& vehicle,
                                                 double payload_kg, const NetworkOptions& options) {
  const auto t0 = Clock::now();
  if (!(payload_kg >= 0.0) || !std::isfinite(payload_kg)) {
    return fail("INVALID_ARGUMENT",
                "payload_kg = " + std::to_string(payload_kg) + " must be finite and >= 0");
  }
  if (!(options.detour_factor >= 1.0 && options.detour_factor < 10.0) ||
      !(options.straight_detour_factor >= 1.0 && options.straight_detour_factor < 10.0) ||
      !(options.hover_s_per_leg >= 0.0 && options.hover_s_per_leg < 3600.0) ||
      !(options.sample_step_m > 0.0)) {
    return fail("INVALID_ARGUMENT",
                "network options: detour factors must be in [1, 10), hover_s_per_leg in "
                "[0, 3600) s and sample_step_m > 0");
  }
  VertiportNetwork net;
  net.vehicle_ = vehicle;
  net.payload_kg_ = payload_kg;
  net.options_ = options;
  net.utc_offset_s_ = airspace.info().utc_offset_s;

  // The class's view of the map, when the map has columns.
  const bool has_columns = options.use_terrain && airspace.column_count() > 0;
  std::unique_ptr<airspace::VehicleView> own_view;
  const airspace::VehicleView* view = options.view;
  if (has_columns && !view) {
    const auto tv = Clock::now();
    SKY_TRY(v, airspace::VehicleView::create(airspace, vehicle.limits));
    own_view = std::make_unique<airspace::VehicleView>(std::move(v));
    view = own_view.get();
    net.stats_.view_ms = ms_since(tv);
  }
  const search::GridGeometry geometry = airspace.info().geometry();
  auto layer_centre_m = [&](std::int32_t k) { return geometry.center_z_m(k); };

  // Vertices.
  const auto& vps = airspace.vertiports();
  const std::size_t n = vps.size();
  std::vector<std::size_t> pad_col(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    VertiportNode node;
    node.index = i;
    node.vertiport = vps[i];
    auto hours = OpeningHours::parse(vps[i].opening_hours);
    if (!hours) {
      return fail("OPENING_HOURS_INVALID",
                  "vertiport '" + vps[i].name + "': " + hours.error().message);
    }
    node.hours = std::move(*hours);
    node.can_swap = vps[i].battery_swap && vps[i].battery_stock > 0;
    node.can_charge = vps[i].chargers > 0;
    if (view) {
      std::int32_t x = 0;
      std::int32_t y = 0;
      if (!airspace.column_at(vps[i].x_m, vps[i].y_m, x, y)) {
        node.usable = false;
        node.unusable_why = "it lies outside the map";
      } else {
        pad_col[i] = airspace.column(x, y);
        if (view->band_lo(pad_col[i]) >= view->band_hi(pad_col[i])) {
          node.usable = false;
          node.unusable_why = blocked_why(airspace, pad_col[i], vehicle.limits);
        }
      }
    }
    boost::add_vertex(std::move(node), *net.graph_);
  }

  const double usable_wh = vehicle::usable_energy_wh(vehicle);
  const bool payload_ok = payload_kg <= vehicle.max_payload_kg + 1e-9;
  const double floor_agl_m =
      std::max(vehicle.limits.terrain_clearance_m, vehicle.limits.obstacle_clearance_m);
  auto finish = [&](const vehicle::FlightProfile& p, bool straight, double gc) {
    LegEstimate e;
    e.great_circle_m = gc;
    e.profile = p;
    e.straight = straight;
    e.energy_wh = vehicle::energy_wh(vehicle, payload_kg, p);
    e.duration_s = vehicle::flight_time_s(vehicle, p);
    return e;
  };

  net.estimates_.assign(n * n, std::nullopt);
  for (std::size_t u = 0; u < n; ++u) {
    for (std::size_t v = 0; v < n; ++v) {
      if (u == v || !(*net.graph_)[u].usable || !(*net.graph_)[v].usable) continue;
      ++net.stats_.pairs_considered;
      const auto& a = vps[u];
      const auto& b = vps[v];
      const double gc = geo::great_circle_m({a.lon_deg, a.lat_deg}, {b.lon_deg, b.lat_deg});
      // Flying round: cruise at the higher pad's lowest free altitude, length x detour_factor.
      double cruise_amsl_m = std::max(a.ground_amsl_m, b.ground_amsl_m) + floor_agl_m;
      if (view) {
        cruise_amsl_m = std::max(layer_centre_m(view->band_lo(pad_col[u])),
                                 layer_centre_m(view->band_lo(pad_col[v])));
      }
      vehicle::FlightProfile round{
          gc * options.detour_factor, std::max(0.0, cruise_amsl_m - a.ground_amsl_m),
          std::max(0.0, cruise_amsl_m - b.ground_amsl_m), options.hover_s_per_leg};
      LegEstimate best = finish(round, false, gc);

      // Straight: only worth sampling when even a flat straight leg could fit the battery.
      vehicle::FlightProfile flat{gc * options.straight_detour_factor, 0.0, 0.0,
                                  options.hover_s_per_leg};
      if (view && vehicle::energy_wh(vehicle, payload_kg, flat) <= usable_wh) {
        const double dx = b.x_m - a.x_m;
        const double dy = b.y_m - a.y_m;
        const double len = std::hypot(dx, dy);
        const auto steps = static_cast<std::int64_t>(std::ceil(len / options.sample_step_m));
        // Lazy profile: hold the current layer while it stays free, else move to the nearest
        // free one (the lowest-energy altitude policy for a straight track).
        std::int32_t k = view->band_lo(pad_col[u]);
        double up_m = std::max(0.0, layer_centre_m(k) - a.ground_amsl_m);
        double down_m = 0.0;
        bool blocked = false;
        for (std::int64_t s = 0; s <= steps && !blocked; ++s) {
          const double f = steps > 0 ? static_cast<double>(s) / static_cast<double>(steps) : 0.0;
          std::int32_t x = 0;
          std::int32_t y = 0;
          if (!airspace.column_at(a.x_m + f * dx, a.y_m + f * dy, x, y)) {
            blocked = true;
            break;
          }
          const std::size_t c = airspace.column(x, y);
          const std::int32_t lo = view->band_lo(c);
          const std::int32_t hi = view->band_hi(c);
          if (lo >= hi) {
            blocked = true;
            break;
          }
          const std::int32_t nk = std::clamp(k, lo, hi - 1);
          if (nk > k) up_m += (nk - k) * geometry.cell_z_m;
          if (nk < k) down_m += (k - nk) * geometry.cell_z_m;
          k = nk;
        }
        if (!blocked) {
          const double last = layer_centre_m(k);
          if (last > b.ground_amsl_m) {
            down_m += last - b.ground_amsl_m;
          } else {
            up_m += b.ground_amsl_m - last;  // cannot happen with a free pad column; kept safe
          }
          vehicle::FlightProfile straight{gc * options.straight_detour_factor, up_m, down_m,
                                          options.hover_s_per_leg};
          LegEstimate e = finish(straight, true, gc);
          if (e.energy_wh <= best.energy_wh) best = e;
        }
      }
      net.estimates_[u * n + v] = best;
      if (payload_ok && best.energy_wh <= usable_wh) boost::add_edge(u, v, best, *net.graph_);
    }
  }
  net.stats_.vertices = n;
  for (std::size_t v = 0; v < n; ++v) net.stats_.usable_vertices += (*net.graph_)[v].usable ? 1 : 0;
  net.stats_.edges = boost::num_edges(*net.graph_);
  net.stats_.build_ms = ms_since(t0);
  return net;
}

Result<std::size_t> VertiportNetwork::find(std::string_view name) const {
  const std::size_t n = vertex_count();
  for (std::size_t v = 0; v < n; ++v) {
    if (node(v).vertiport.name == name) return v;
  }
  std::vector<std::size_t> hits;
  for (std::size_t v = 0; v < n; ++v) {
    if (!name.empty() && node(v).vertiport.name.rfind(name, 0) == 0) hits.push_back(v);
  }
  if (hits.size() == 1) return hits.front();
  std::string list;
  for (std::size_t v : hits) list += (list.empty() ? "" : "', '") + node(v).vertiport.name;
  if (hits.empty()) {
    return fail("VERTIPORT_NOT_FOUND",
                "no vertiport is named '" + std::string(name) + "' (nor starts with it)");
  }
  return fail("VERTIPORT_NOT_FOUND", "'" + std::string(name) + "' is ambiguous: '" + list + "'");
}

const LegEstimate* VertiportNetwork::leg(std::size_t from, std::size_t to) const {
  if (from >= vertex_count() || to >= vertex_count()) return nullptr;
  for (auto [it, end] = boost::out_edges(from, *graph_); it != end; ++it) {
    if (boost::target(*it, *graph_) == to) return &(*graph_)[*it];
  }
  return nullptr;
}

std::optional<LegEstimate> VertiportNetwork::estimate(std::size_t from, std::size_t to) const {
  const std::size_t n = vertex_count();
  if (from >= n || to >= n) return std::nullopt;
  return estimates_[from * n + to];
}

}  // namespace skylane::network
