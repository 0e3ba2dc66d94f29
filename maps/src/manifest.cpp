#include "skylane/maps/manifest.hpp"

#include <cmath>
#include <filesystem>
#include <initializer_list>
#include <sstream>

#include <toml++/toml.h>

#include "skylane/core/try.hpp"

namespace skylane::maps {
namespace {

namespace fs = std::filesystem;

// Reads one manifest table, naming "<file> [table]" in every error.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string where) : t_(table), where_(std::move(where)) {}

  Result<void> allow(std::initializer_list<std::string_view> keys) const {
    for (const auto& [key, value] : t_) {
      bool known = false;
      for (std::string_view k : keys) known = known || k == key.str();
      if (!known) {
        std::string list;
        for (std::string_view k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
        return fail("MANIFEST_UNKNOWN_KEY", where_ + ": unknown key '" + std::string(key.str()) +
                                                "' (known keys: " + list + ")");
      }
    }
    return {};
  }

  [[nodiscard]] bool has(std::string_view key) const { return t_.contains(key); }

  Result<std::string> string(std::string_view key, std::optional<std::string> def) const {
    const toml::node* n = t_.get(key);
    if (!n) {
      if (def) return *def;
      return fail("MANIFEST_MISSING_FIELD",
                  where_ + ": required key '" + std::string(key) + "' is missing");
    }
    if (const auto* s = n->as_string()) return s->get();
    return fail("MANIFEST_INVALID_VALUE", where_ + ": '" + std::string(key) + "' must be a string");
  }

  Result<double> number(std::string_view key, std::optional<double> def) const {
    const toml::node* n = t_.get(key);
    if (!n) {
      if (def) return *def;
      return fail("MANIFEST_MISSING_FIELD",
                  where_ + ": required key '" + std::string(key) + "' is missing");
    }
    double v = 0.0;
    if (const auto* i = n->as_integer()) {
      v = static_cast<double>(i->get());
    } else if (const auto* f = n->as_floating_point()) {
      v = f->get();
    } else {
      return fail("MANIFEST_INVALID_VALUE",
                  where_ + ": '" + std::string(key) + "' must be a number");
    }
    if (!std::isfinite(v)) {
      return fail("MANIFEST_INVALID_VALUE",
                  where_ + ": '" + std::string(key) + "' is NaN or infinite");
    }
    return v;
  }

  Result<bool> boolean(std::string_view key, bool def) const {
    const toml::node* n = t_.get(key);
    if (!n) return def;
    if (const auto* b = n->as_boolean()) return b->get();
    return fail("MANIFEST_INVALID_VALUE",
                where_ + ": '" + std::string(key) + "' must be true/false");
  }

  Result<std::vector<std::string>> strings(std::string_view key) const {
    std::vector<std::string> out;
    const toml::node* n = t_.get(key);
    if (!n) return out;
    const auto* arr = n->as_array();
    if (!arr) {
      return fail("MANIFEST_INVALID_VALUE",
                  where_ + ": '" + std::string(key) + "' must be an array of strings");
    }
    for (const auto& e : *arr) {
      const auto* s = e.as_string();
      if (!s) {
        return fail("MANIFEST_INVALID_VALUE",
                    where_ + ": '" + std::string(key) + "' must hold only strings");
      }
      out.push_back(s->get());
    }
    return out;
  }

  [[nodiscard]] const std::string& where() const { return where_; }

 private:
  const toml::table& t_;
  std::string where_;
};

std::string resolve(const fs::path& base, const std::string& p) {
  if (p.empty()) return p;
  const fs::path path(p);
  return (path.is_absolute() ? path : base / path).lexically_normal().string();
}

Result<VectorSource> read_vector(const TableReader& r, const fs::path& base) {
  VectorSource v;
  SKY_TRY(path, r.string("path", std::nullopt));
  SKY_TRY(crs, r.string("crs", std::string()));
  SKY_TRY(where, r.string("where", std::string()));
  SKY_TRY(layer, r.string("layer", std::string()));
  v.path = resolve(base, path);
  v.crs = crs;
  v.where = where;
  v.layer = layer;
  return v;
}

Result<const toml::table*> table_at(const toml::table& root, std::string_view key,
                                    const std::string& file) {
  const toml::node* n = root.get(key);
  if (!n) return static_cast<const toml::table*>(nullptr);
  if (const auto* t = n->as_table()) return t;
  return fail("MANIFEST_INVALID_VALUE", file + ": '" + std::string(key) + "' must be a table");
}

Result<std::vector<const toml::table*>> tables_at(const toml::table& root, std::string_view key,
                                                  const std::string& file) {
  std::vector<const toml::table*> out;
  const toml::node* n = root.get(key);
  if (!n) return out;
  const auto* arr = n->as_array();
  if (!arr) {
    return fail("MANIFEST_INVALID_VALUE", file + ": '" + std::string(key) +
                                              "' must be an array of tables ([[" +
                                              std::string(key) + "]])");
  }
  for (const auto& e : *arr) {
    const auto* t = e.as_table();
    if (!t) {
      return fail("MANIFEST_INVALID_VALUE",
                  file + ": '" + std::string(key) + "' must hold only tables");
    }
    out.push_back(t);
  }
  return out;
}

Result<airspace::AltitudeLimit> read_limit(const TableReader& r, const std::string& what,
                                           airspace::AltitudeLimit def) {
  const std::string agl = what + "_agl_m";
  const std::string amsl = what + "_amsl_m";
  if (r.has(agl) && r.has(amsl)) {
    return fail("MANIFEST_INVALID_VALUE",
                r.where() + ": give either " + agl + " or " + amsl + ", not both");
  }
  if (r.has(agl)) {
    SKY_TRY(v, r.number(agl, std::nullopt));
    return airspace::AltitudeLimit{v, airspace::AltitudeRef::kAgl};
  }
  if (r.has(amsl)) {
    SKY_TRY(v, r.number(amsl, std::nullopt));
    return airspace::AltitudeLimit{v, airspace::AltitudeRef::kAmsl};
  }
  return def;
}

}  // namespace

Result<void> validate_manifest(const MapManifest& m) {
  const std::string& f = m.manifest_path;
  if (!(m.cell_xy_m >= 1.0 && m.cell_xy_m <= 5000.0)) {
    return fail("CELL_SIZE_INVALID",
                f + ": [map] cell_xy_m = " + std::to_string(m.cell_xy_m) + " is outside 1..5000 m");
  }
  if (!(m.cell_z_m >= 0.5 && m.cell_z_m <= 500.0)) {
    return fail("CELL_SIZE_INVALID",
                f + ": [map] cell_z_m = " + std::to_string(m.cell_z_m) + " is outside 0.5..500 m");
  }
  const auto& e = m.extent_wgs84;
  if (!(e[0] >= -180 && e[2] <= 180 && e[1] >= -85 && e[3] <= 85 && e[0] < e[2] && e[1] < e[3])) {
    return fail("MANIFEST_INVALID_VALUE",
                f + ": [map] extent_wgs84 must be [west, south, east, north] degrees with "
                    "west < east and south < north");
  }
  const double span = m.altitude_max_amsl_m - m.altitude_min_amsl_m;
  if (!(span > 0)) {
    return fail("MANIFEST_INVALID_VALUE",
                f + ": [map] altitude_max_amsl_m must be above altitude_min_amsl_m");
  }
  if (span / m.cell_z_m > 255.0) {
    return fail("CELL_SIZE_INVALID", f + ": [map] altitude span " + std::to_string(span) +
                                         " m at cell_z_m " + std::to_string(m.cell_z_m) +
                                         " gives more than 255 layers");
  }
  if (span > 6500.0) {
    return fail("MANIFEST_INVALID_VALUE", f + ": [map] altitude span is over 6500 m");
  }
  if (!(std::abs(m.utc_offset_hours) <= 14.0)) {
    return fail("MANIFEST_INVALID_VALUE", f + ": [map] utc_offset_hours must be within +-14");
  }
  if (m.terrain.empty()) {
    return fail("MANIFEST_MISSING_FIELD", f + ": at least one [[terrain]] layer is required");
  }
  return {};
}

Result<MapManifest> load_manifest(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return fail("FILE_NOT_FOUND", "manifest " + path + " does not exist");
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return fail("MANIFEST_PARSE_ERROR", msg.str());
  }
  const fs::path base = fs::path(path).parent_path();
  MapManifest m;
  m.manifest_path = path;
  {
    std::ostringstream canon;
    canon << root;
    m.canonical = canon.str();
  }
  SKY_CHECK(TableReader(root, path)
                .allow({"map", "terrain", "fallback_terrain", "land", "zones", "obstacles",
                        "vertiports", "airports"}));

  SKY_TRY(map_t, table_at(root, "map", path));
  if (!map_t) return fail("MANIFEST_MISSING_FIELD", path + ": the [map] table is missing");
  {
    TableReader r(*map_t, path + " [map]");
    SKY_CHECK(r.allow({"name", "crs", "extent_wgs84", "cell_xy_m", "cell_z_m",
                       "altitude_min_amsl_m", "altitude_max_amsl_m", "utc_offset_hours"}));
    SKY_TRY(name, r.string("name", std::nullopt));
    SKY_TRY(crs, r.string("crs", std::string("EPSG:32650")));
    SKY_TRY(cxy, r.number("cell_xy_m", 20.0));
    SKY_TRY(cz, r.number("cell_z_m", 10.0));
    SKY_TRY(amin, r.number("altitude_min_amsl_m", -50.0));
    SKY_TRY(amax, r.number("altitude_max_amsl_m", 1550.0));
    SKY_TRY(utc, r.number("utc_offset_hours", 8.0));
    m.name = name;
    m.crs = crs;
    m.cell_xy_m = cxy;
    m.cell_z_m = cz;
    m.altitude_min_amsl_m = amin;
    m.altitude_max_amsl_m = amax;
    m.utc_offset_hours = utc;
    const toml::node* ext = map_t->get("extent_wgs84");
    const toml::array* arr = ext ? ext->as_array() : nullptr;
    if (!ext) return fail("MANIFEST_MISSING_FIELD", r.where() + ": 'extent_wgs84' is missing");
    if (!arr || arr->size() != 4) {
      return fail("MANIFEST_INVALID_VALUE",
                  r.where() + ": 'extent_wgs84' must be [west, south, east, north]");
    }
    for (std::size_t i = 0; i < 4; ++i) {
      const auto v = (*arr)[i].value<double>();
      if (!v || !std::isfinite(*v)) {
        return fail("MANIFEST_INVALID_VALUE", r.where() + ": 'extent_wgs84' element " +
                                                  std::to_string(i) + " is not a finite number");
      }
      m.extent_wgs84[i] = *v;
    }
  }

  SKY_TRY(terrain_ts, tables_at(root, "terrain", path));
  for (std::size_t i = 0; i < terrain_ts.size(); ++i) {
    TableReader r(*terrain_ts[i], path + " [[terrain]] #" + std::to_string(i + 1));
    SKY_CHECK(r.allow(
        {"name", "path", "crs", "licence", "resampling", "nodata", "min_valid_m", "max_valid_m"}));
    TerrainLayer t;
    SKY_TRY(name, r.string("name", "terrain-" + std::to_string(i + 1)));
    SKY_TRY(p, r.string("path", std::nullopt));
    SKY_TRY(crs, r.string("crs", std::string()));
    SKY_TRY(licence, r.string("licence", std::string("unstated")));
    SKY_TRY(resampling, r.string("resampling", std::string("bilinear")));
    SKY_TRY(minv, r.number("min_valid_m", -500.0));
    SKY_TRY(maxv, r.number("max_valid_m", 9000.0));
    if (resampling != "bilinear" && resampling != "near" && resampling != "cubic" &&
        resampling != "max") {
      return fail("MANIFEST_INVALID_VALUE", r.where() + ": resampling '" + resampling +
                                                "' is not one of bilinear, near, cubic, max");
    }
    if (crs == kGcj02) {
      return fail("MANIFEST_INVALID_VALUE",
                  r.where() + ": GCJ-02 rasters are not supported; convert to WGS 84 first");
    }
    t.name = name;
    t.path = resolve(base, p);
    t.crs = crs;
    t.licence = licence;
    t.resampling = resampling;
    t.min_valid_m = minv;
    t.max_valid_m = maxv;
    if (r.has("nodata")) {
      SKY_TRY(nd, r.number("nodata", std::nullopt));
      t.nodata = nd;
    }
    m.terrain.push_back(std::move(t));
  }

  SKY_TRY(fb_t, table_at(root, "fallback_terrain", path));
  if (fb_t) {
    TableReader r(*fb_t, path + " [fallback_terrain]");
    SKY_CHECK(r.allow({"path", "crs", "margin_m"}));
    FallbackTerrain fb;
    SKY_TRY(p, r.string("path", std::nullopt));
    SKY_TRY(crs, r.string("crs", std::string()));
    SKY_TRY(margin, r.number("margin_m", 50.0));
    if (margin < 0) {
      return fail("MANIFEST_INVALID_VALUE", r.where() + ": margin_m must not be negative");
    }
    fb.path = resolve(base, p);
    fb.crs = crs;
    fb.margin_m = margin;
    m.fallback = fb;
  }

  SKY_TRY(land_t, table_at(root, "land", path));
  if (land_t) {
    TableReader r(*land_t, path + " [land]");
    SKY_CHECK(r.allow({"path", "crs", "where", "layer"}));
    SKY_TRY(v, read_vector(r, base));
    m.land = v;
  }

  SKY_TRY(zone_ts, tables_at(root, "zones", path));
  for (std::size_t i = 0; i < zone_ts.size(); ++i) {
    TableReader r(*zone_ts[i], path + " [[zones]] #" + std::to_string(i + 1));
    SKY_CHECK(
        r.allow({"name", "path", "crs", "where", "layer", "kind", "derive", "buffer_m",
                 "runway_lateral_m", "runway_beyond_end_m", "name_field", "merge", "floor_agl_m",
                 "floor_amsl_m", "ceiling_agl_m", "ceiling_amsl_m", "windows"}));
    ZoneLayer z;
    SKY_TRY(name, r.string("name", std::nullopt));
    SKY_TRY(src, read_vector(r, base));
    SKY_TRY(kind_s, r.string("kind", std::nullopt));
    auto kind = airspace::parse_zone_kind(kind_s);
    if (!kind) return fail("MANIFEST_INVALID_VALUE", r.where() + ": " + kind.error().message);
    SKY_TRY(derive, r.string("derive", std::string("as-is")));
    SKY_TRY(buffer, r.number("buffer_m", 0.0));
    SKY_TRY(lateral, r.number("runway_lateral_m", 10000.0));
    SKY_TRY(beyond, r.number("runway_beyond_end_m", 20000.0));
    SKY_TRY(name_field, r.string("name_field", std::string()));
    SKY_TRY(merge, r.boolean("merge", false));
    SKY_TRY(floor, read_limit(r, "floor", airspace::AltitudeLimit{}));
    SKY_TRY(ceiling, read_limit(r, "ceiling", airspace::AltitudeLimit::unlimited()));
    SKY_TRY(windows, r.strings("windows"));
    z.name = name;
    z.source = src;
    z.kind = *kind;
    if (derive == "as-is") {
      z.derive = ZoneDerive::kAsIs;
    } else if (derive == "buffer") {
      z.derive = ZoneDerive::kBuffer;
    } else if (derive == "runway") {
      z.derive = ZoneDerive::kRunway;
    } else {
      return fail("MANIFEST_INVALID_VALUE",
                  r.where() + ": derive '" + derive + "' is not one of as-is, buffer, runway");
    }
    if (buffer < 0 || lateral <= 0 || beyond < 0) {
      return fail("MANIFEST_INVALID_VALUE",
                  r.where() +
                      ": buffer_m, runway_lateral_m and runway_beyond_end_m must be "
                      "positive");
    }
    if (z.derive == ZoneDerive::kBuffer && buffer <= 0) {
      return fail("MANIFEST_INVALID_VALUE", r.where() + ": derive = buffer needs buffer_m > 0");
    }
    z.buffer_m = buffer;
    z.runway_lateral_m = lateral;
    z.runway_beyond_end_m = beyond;
    z.name_field = name_field;
    z.merge = merge;
    z.floor = floor;
    z.ceiling = ceiling;
    if (!(ceiling.value_m > floor.value_m) && ceiling.ref == floor.ref) {
      return fail("MANIFEST_INVALID_VALUE", r.where() + ": ceiling must be above floor");
    }
    for (const std::string& w : windows) {
      auto win =
          airspace::parse_activity_window(w, static_cast<std::int32_t>(m.utc_offset_hours * 3600));
      if (!win) return fail("MANIFEST_INVALID_VALUE", r.where() + ": " + win.error().message);
      z.windows.push_back(*win);
    }
    m.zones.push_back(std::move(z));
  }

  SKY_TRY(obs_ts, tables_at(root, "obstacles", path));
  for (std::size_t i = 0; i < obs_ts.size(); ++i) {
    TableReader r(*obs_ts[i], path + " [[obstacles]] #" + std::to_string(i + 1));
    SKY_CHECK(r.allow({"name", "path", "crs", "where", "layer", "height_field", "floors_field",
                       "metres_per_floor", "footprint_radius_m"}));
    ObstacleLayer o;
    SKY_TRY(name, r.string("name", "obstacles-" + std::to_string(i + 1)));
    SKY_TRY(src, read_vector(r, base));
    SKY_TRY(hf, r.string("height_field", std::string()));
    SKY_TRY(ff, r.string("floors_field", std::string()));
    SKY_TRY(mpf, r.number("metres_per_floor", 3.0));
    SKY_TRY(radius, r.number("footprint_radius_m", 15.0));
    if (hf.empty() == ff.empty()) {
      return fail("MANIFEST_INVALID_VALUE",
                  r.where() + ": give exactly one of height_field or floors_field");
    }
    if (!(mpf > 0 && mpf < 20) || !(radius > 0 && radius < 1000)) {
      return fail("MANIFEST_INVALID_VALUE",
                  r.where() +
                      ": metres_per_floor must be in (0, 20) and footprint_radius_m in "
                      "(0, 1000)");
    }
    o.name = name;
    o.source = src;
    o.height_field = hf;
    o.floors_field = ff;
    o.metres_per_floor = mpf;
    o.footprint_radius_m = radius;
    m.obstacles.push_back(std::move(o));
  }

  SKY_TRY(vp_t, table_at(root, "vertiports", path));
  if (vp_t) {
    TableReader r(*vp_t, path + " [vertiports]");
    SKY_CHECK(r.allow({"path", "crs", "where", "layer"}));
    SKY_TRY(v, read_vector(r, base));
    m.vertiports = v;
  }
  SKY_TRY(ap_ts, tables_at(root, "airports", path));
  for (std::size_t i = 0; i < ap_ts.size(); ++i) {
    TableReader r(*ap_ts[i], path + " [[airports]] #" + std::to_string(i + 1));
    SKY_CHECK(r.allow({"path", "crs", "where", "layer"}));
    SKY_TRY(v, read_vector(r, base));
    m.airports.push_back(v);
  }

  SKY_CHECK(validate_manifest(m));
  return m;
}

}  // namespace skylane::maps
