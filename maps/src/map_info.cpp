#include "skylane/maps/map_info.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/core/try.hpp"
#include "skylane/geo/geo_frame.hpp"

namespace skylane::maps {

namespace cf = airspace::column_flag;

Result<MapSummary> summarize(const airspace::Airspace& a) {
  const airspace::AirspaceInfo& i = a.info();
  MapSummary s;
  s.name = i.name;
  s.fingerprint = airspace::fingerprint_hex(i.fingerprint);
  s.crs = i.crs;
  s.nx = i.nx;
  s.ny = i.ny;
  s.nz = i.nz;
  s.cell_xy_m = i.cell_xy_m;
  s.cell_z_m = i.cell_z_m;
  s.altitude_min_amsl_m = i.altitude_min_amsl_m;
  s.altitude_max_amsl_m = i.altitude_max_amsl_m();
  s.extent_working = {i.origin_x_m, i.origin_y_m, i.origin_x_m + i.nx * i.cell_xy_m,
                      i.origin_y_m + i.ny * i.cell_xy_m};
  s.extent_wgs84_requested = i.extent_wgs84;
  SKY_TRY(frame, geo::GeoFrame::create(i.crs_wkt.empty() ? i.crs : i.crs_wkt));
  SKY_TRY(wgs84, frame.lonlat_bounds(s.extent_working));
  s.extent_wgs84 = wgs84;
  s.columns = a.column_count();

  std::vector<std::uint64_t> by_source(16, 0);
  const std::array<double, 3> agl = {60.0, 120.0, 300.0};
  std::array<std::uint64_t, 3> blocked{};
  // Always-active zone spans per zone set, resolved once.
  std::vector<std::vector<const airspace::Zone*>> active(a.zone_sets().size());
  for (std::size_t z = 0; z < a.zone_sets().size(); ++z) {
    for (std::uint16_t id : a.zone_sets()[z]) {
      if (a.zone(id).always_active()) active[z].push_back(&a.zone(id));
    }
  }
  double gmin = 1e9, gmax = -1e9, gsum = 0;
  std::uint64_t land = 0;
  for (std::size_t c = 0; c < s.columns; ++c) {
    const std::uint8_t f = a.flags(c);
    const double g = a.ground_amsl_m(c);
    const double top = a.obstacle_top_amsl_m(c);
    if (f & cf::kUnknownTerrain) ++s.unknown_terrain_columns;
    if (f & cf::kWater) {
      ++s.water_columns;
    } else {
      gsum += g;
      ++land;
    }
    if (f & cf::kStructure) {
      ++s.structure_columns;
      s.obstacle_max_agl_m = std::max(s.obstacle_max_agl_m, top - g);
    }
    gmin = std::min(gmin, g);
    gmax = std::max(gmax, g);
    ++by_source[a.terrain_source(c)];
    for (std::size_t k = 0; k < agl.size(); ++k) {
      const double alt = g + agl[k];
      bool b = alt < top;
      for (const airspace::Zone* z : active[a.zone_set(c)]) {
        if (b) break;
        b = alt >= z->floor.amsl_m(g) && alt < z->ceiling.amsl_m(g);
      }
      blocked[k] += b ? 1 : 0;
    }
  }
  s.ground_min_m = gmin;
  s.ground_max_m = gmax;
  s.ground_mean_land_m = land ? gsum / static_cast<double>(land) : 0.0;
  s.columns_by_terrain_source.emplace_back("none (fallback or sea)", by_source[0]);
  for (std::size_t k = 0; k < i.terrain_sources.size() && k < 15; ++k) {
    s.columns_by_terrain_source.emplace_back(i.terrain_sources[k].name, by_source[k + 1]);
  }
  for (std::size_t k = 0; k < agl.size(); ++k) {
    s.blocked_share_at_agl.emplace_back(agl[k],
                                        static_cast<double>(blocked[k]) / double(s.columns));
  }
  // Columns per kind count each column once, however many zones of that kind overlap there.
  std::vector<std::uint64_t> set_columns(a.zone_sets().size(), 0);
  for (std::size_t c = 0; c < s.columns; ++c) ++set_columns[a.zone_set(c)];
  std::array<std::uint64_t, airspace::kZoneKindCount> kind_columns{};
  for (std::size_t z = 0; z < a.zone_sets().size(); ++z) {
    unsigned kinds = 0;
    for (std::uint16_t id : a.zone_sets()[z]) kinds |= 1u << static_cast<int>(a.zone(id).kind);
    for (int k = 0; k < airspace::kZoneKindCount; ++k) {
      if (kinds & (1u << k)) kind_columns[k] += set_columns[z];
    }
  }
  for (const airspace::Zone& z : a.zones()) {
    auto& entry = s.zones_by_kind[std::string(airspace::zone_kind_name(z.kind))];
    ++entry.first;
    entry.second = kind_columns[static_cast<int>(z.kind)];
    if (!z.always_active()) ++s.timed_zones;
  }
  s.vertiports = a.vertiports();
  s.airports = a.airports();
  s.memory_bytes = a.memory_bytes();
  return s;
}

std::string summary_json(const MapSummary& s) {
  using nlohmann::json;
  json zones = json::object();
  for (const auto& [kind, v] : s.zones_by_kind) {
    zones[kind] = {{"zones", v.first}, {"columns", v.second}};
  }
  json sources = json::array();
  for (const auto& [name, count] : s.columns_by_terrain_source) {
    sources.push_back({{"source", name}, {"columns", count}});
  }
  json blocked = json::array();
  for (const auto& [alt, share] : s.blocked_share_at_agl) {
    blocked.push_back({{"alt_agl_m", alt}, {"share", share}});
  }
  json vps = json::array();
  for (const auto& v : s.vertiports) {
    vps.push_back({{"name", v.name},
                   {"kind", v.kind},
                   {"lon", v.lon_deg},
                   {"lat", v.lat_deg},
                   {"ground_amsl_m", v.ground_amsl_m},
                   {"pads", v.pads},
                   {"chargers", v.chargers},
                   {"battery_swap", v.battery_swap}});
  }
  json aps = json::array();
  for (const auto& p : s.airports) {
    aps.push_back({{"ident", p.ident},
                   {"name", p.name},
                   {"type", p.type},
                   {"lon", p.lon_deg},
                   {"lat", p.lat_deg}});
  }
  const json j = {
      {"name", s.name},
      {"fingerprint", s.fingerprint},
      {"crs", s.crs},
      {"grid",
       {{"nx", s.nx},
        {"ny", s.ny},
        {"nz", s.nz},
        {"cell_xy_m", s.cell_xy_m},
        {"cell_z_m", s.cell_z_m}}},
      {"altitude_amsl_m", {{"min", s.altitude_min_amsl_m}, {"max", s.altitude_max_amsl_m}}},
      {"extent_working_m",
       {{"xmin", s.extent_working[0]},
        {"ymin", s.extent_working[1]},
        {"xmax", s.extent_working[2]},
        {"ymax", s.extent_working[3]}}},
      {"extent_wgs84",
       {{"west", s.extent_wgs84[0]},
        {"south", s.extent_wgs84[1]},
        {"east", s.extent_wgs84[2]},
        {"north", s.extent_wgs84[3]}}},
      {"extent_wgs84_requested",
       {{"west", s.extent_wgs84_requested[0]},
        {"south", s.extent_wgs84_requested[1]},
        {"east", s.extent_wgs84_requested[2]},
        {"north", s.extent_wgs84_requested[3]}}},
      {"columns", s.columns},
      {"unknown_terrain_columns", s.unknown_terrain_columns},
      {"water_columns", s.water_columns},
      {"structure_columns", s.structure_columns},
      {"columns_by_terrain_source", sources},
      {"ground_amsl_m",
       {{"min", s.ground_min_m}, {"max", s.ground_max_m}, {"mean_land", s.ground_mean_land_m}}},
      {"obstacle_max_agl_m", s.obstacle_max_agl_m},
      {"zones_by_kind", zones},
      {"timed_zones", s.timed_zones},
      {"blocked_share", blocked},
      {"vertiports", vps},
      {"airports", aps},
      {"memory_bytes", s.memory_bytes}};
  return j.dump(2);
}

std::string summary_text(const MapSummary& s) {
  std::ostringstream o;
  char buf[256];
  auto pct = [&](std::uint64_t v) {
    return 100.0 * double(v) / double(std::max<std::uint64_t>(1, s.columns));
  };
  o << "map " << s.name << "  (fingerprint " << s.fingerprint << ")\n";
  std::snprintf(buf, sizeof buf, "grid %d x %d columns x %d layers, cells %.1f m x %.1f m, %s\n",
                s.nx, s.ny, s.nz, s.cell_xy_m, s.cell_z_m, s.crs.c_str());
  o << buf;
  std::snprintf(buf, sizeof buf, "altitude span %.0f .. %.0f m AMSL\n", s.altitude_min_amsl_m,
                s.altitude_max_amsl_m);
  o << buf;
  std::snprintf(buf, sizeof buf, "extent WGS 84  %.4f E .. %.4f E, %.4f N .. %.4f N\n",
                s.extent_wgs84[0], s.extent_wgs84[2], s.extent_wgs84[1], s.extent_wgs84[3]);
  o << buf;
  std::snprintf(buf, sizeof buf,
                "extent working x %.0f .. %.0f m, y %.0f .. %.0f m (%.1f x %.1f km)\n",
                s.extent_working[0], s.extent_working[2], s.extent_working[1], s.extent_working[3],
                (s.extent_working[2] - s.extent_working[0]) / 1000.0,
                (s.extent_working[3] - s.extent_working[1]) / 1000.0);
  o << buf;
  std::snprintf(buf, sizeof buf,
                "terrain: ground %.0f .. %.0f m (mean on land %.0f m); unknown terrain %llu "
                "columns (%.1f %%), water %.1f %%\n",
                s.ground_min_m, s.ground_max_m, s.ground_mean_land_m,
                static_cast<unsigned long long>(s.unknown_terrain_columns),
                pct(s.unknown_terrain_columns), pct(s.water_columns));
  o << buf;
  for (const auto& [name, count] : s.columns_by_terrain_source) {
    std::snprintf(buf, sizeof buf, "  source %-28s %6.1f %%\n", name.c_str(), pct(count));
    o << buf;
  }
  std::snprintf(buf, sizeof buf, "obstacles: %llu columns, tallest %.0f m above ground\n",
                static_cast<unsigned long long>(s.structure_columns), s.obstacle_max_agl_m);
  o << buf;
  o << "zones:\n";
  for (const auto& [kind, v] : s.zones_by_kind) {
    std::snprintf(buf, sizeof buf, "  %-20s %4d zones, %5.1f %% of columns\n", kind.c_str(),
                  v.first, pct(v.second));
    o << buf;
  }
  if (s.timed_zones) o << "  (" << s.timed_zones << " zones active only part of the time)\n";
  o << "blocked (obstacle, unknown-terrain margin or always-active zone):\n";
  for (const auto& [alt, share] : s.blocked_share_at_agl) {
    std::snprintf(buf, sizeof buf, "  at %4.0f m AGL  %5.1f %% of columns\n", alt, share * 100.0);
    o << buf;
  }
  o << "vertiports: " << s.vertiports.size() << "\n";
  for (const auto& v : s.vertiports) {
    std::snprintf(buf, sizeof buf, "  %-30s %-5s %9.4f E %8.4f N  ground %5.0f m  pads %d%s\n",
                  v.name.c_str(), v.kind.c_str(), v.lon_deg, v.lat_deg, v.ground_amsl_m, v.pads,
                  v.battery_swap ? "  swap" : "");
    o << buf;
  }
  o << "airports: " << s.airports.size();
  for (const auto& p : s.airports) o << (&p == &s.airports.front() ? " (" : ", ") << p.ident;
  o << (s.airports.empty() ? "\n" : ")\n");
  std::snprintf(buf, sizeof buf, "memory: %.1f MiB\n", double(s.memory_bytes) / (1024.0 * 1024.0));
  o << buf;
  return o.str();
}

}  // namespace skylane::maps
