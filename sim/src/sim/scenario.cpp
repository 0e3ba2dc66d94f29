#include "skylane/sim/scenario.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "skylane/core/try.hpp"
#include "skylane/sim/sim_time.hpp"

namespace skylane::sim {
namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) {
    if (!s.empty()) s += '.';
    const bool bare =
        !p.empty() && p.find_first_not_of(
                          "abcdefghijklmnopqrstuvwxyz"
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos;
    s += bare ? p : "\"" + p + "\"";
  }
  return s;
}

std::string node_text(const toml::node& n) {
  std::ostringstream os;
  n.visit([&](const auto& v) { os << v; });
  return os.str();
}

std::string line_of(const toml::node& n) {
  const auto& src = n.source();
  if (src.begin.line == 0) return "";
  return " (line " + std::to_string(src.begin.line) + ")";
}

// Reads one TOML file against the schema, naming the file and the dotted key in every error.
class Reader {
 public:
  Reader(std::string source, std::vector<Override> overrides)
      : source_(std::move(source)), overrides_(std::move(overrides)) {}

  [[nodiscard]] std::string where(const std::string& key_path) const {
    std::string s = source_ + ": " + key_path;
    for (const auto& o : overrides_) {
      const std::string p = join(o.path);
      if (p == key_path || p.rfind(key_path + ".", 0) == 0 || key_path.rfind(p + ".", 0) == 0) {
        s += " (set on the command line: " + o.text + ")";
        break;
      }
    }
    return s;
  }

  Result<void> allow(const toml::table& t, const std::string& prefix,
                     std::initializer_list<std::string_view> keys) const {
    for (const auto& [k, node] : t) {
      bool ok = false;
      for (auto a : keys) ok = ok || a == k.str();
      if (!ok) {
        std::string list;
        for (auto a : keys) list += (list.empty() ? "" : ", ") + std::string(a);
        const std::string path = prefix.empty() ? join({std::string(k.str())})
                                                : prefix + "." + join({std::string(k.str())});
        return fail("SCENARIO_UNKNOWN_KEY",
                    where(path) + line_of(node) + ": unknown key (known here: " + list + ")");
      }
    }
    return {};
  }

  Result<const toml::table*> table(const toml::table& parent, std::string_view key,
                                   const std::string& path) const {
    const toml::node* n = parent.get(key);
    if (!n) return static_cast<const toml::table*>(nullptr);
    if (!n->is_table()) return invalid(path, *n, "a table");
    return n->as_table();
  }

  Result<std::optional<double>> number(const toml::table& t, std::string_view key,
                                       const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return std::optional<double>{};
    double v;
    if (auto i = n->value_exact<std::int64_t>()) {
      v = static_cast<double>(*i);
    } else if (auto d = n->value_exact<double>()) {
      v = *d;
    } else {
      return invalid(path, *n, "a number");
    }
    if (!std::isfinite(v)) return invalid(path, *n, "a finite number");
    return std::optional<double>(v);
  }

  Result<double> number_or(const toml::table& t, std::string_view key, const std::string& path,
                           double fallback, double lo = -1e300) const {
    SKY_TRY(v, number(t, key, path));
    const double x = v.value_or(fallback);
    if (x < lo) {
      return fail("SCENARIO_INVALID_VALUE",
                  where(path) + line_of(*t.get(key)) + ": " + fmt(x) + " is below " + fmt(lo));
    }
    return x;
  }

  Result<std::optional<std::int64_t>> integer(const toml::table& t, std::string_view key,
                                              const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return std::optional<std::int64_t>{};
    if (auto i = n->value_exact<std::int64_t>()) return std::optional<std::int64_t>(*i);
    return invalid(path, *n, "an integer");
  }

  Result<std::optional<std::string>> string(const toml::table& t, std::string_view key,
                                            const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return std::optional<std::string>{};
    if (auto s = n->value_exact<std::string>()) return std::optional<std::string>(*s);
    if (n->is_date_time() || n->is_date() || n->is_time()) {
      return std::optional<std::string>(node_text(*n));
    }
    return invalid(path, *n, "a string");
  }

  Result<std::optional<bool>> boolean(const toml::table& t, std::string_view key,
                                      const std::string& path) const {
    const toml::node* n = t.get(key);
    if (!n) return std::optional<bool>{};
    if (auto b = n->value_exact<bool>()) return std::optional<bool>(*b);
    return invalid(path, *n, "true or false");
  }

  Result<std::optional<std::int64_t>> time(const toml::table& t, std::string_view key,
                                           const std::string& path, std::int32_t utc) const {
    SKY_TRY(s, string(t, key, path));
    if (!s) return std::optional<std::int64_t>{};
    auto v = parse_local_time(*s, utc);
    if (!v) {
      return fail("SCENARIO_INVALID_VALUE",
                  where(path) + line_of(*t.get(key)) + ": " + v.error().message);
    }
    return std::optional<std::int64_t>(*v);
  }

  Result<std::vector<double>> profile(const toml::table& t, std::string_view key,
                                      const std::string& path) const {
    const toml::node* n = t.get(key);
    std::vector<double> out;
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a || a->size() != 24) return invalid(path, *n, "an array of 24 hourly weights");
    double total = 0;
    for (const auto& e : *a) {
      double v;
      if (auto i = e.value_exact<std::int64_t>()) {
        v = static_cast<double>(*i);
      } else if (auto d = e.value_exact<double>()) {
        v = *d;
      } else {
        return invalid(path, *n, "an array of 24 numbers");
      }
      if (!std::isfinite(v) || v < 0) return invalid(path, *n, "weights >= 0");
      total += v;
      out.push_back(v);
    }
    if (total <= 0) return invalid(path, *n, "weights with a positive sum");
    return out;
  }

  // A vertiport-weight table {name = weight}, or a single name as a string.
  Result<std::vector<std::pair<std::string, double>>> weights(const toml::table& t,
                                                              std::string_view single,
                                                              std::string_view many,
                                                              const std::string& prefix) const {
    std::vector<std::pair<std::string, double>> out;
    SKY_TRY(one, string(t, single, prefix + "." + std::string(single)));
    if (one) out.emplace_back(*one, 1.0);
    if (const toml::node* n = t.get(many)) {
      const std::string path = prefix + "." + std::string(many);
      if (one) {
        return fail("SCENARIO_INVALID_VALUE", where(path) + line_of(*n) + ": give " +
                                                  std::string(single) + " or " + std::string(many) +
                                                  ", not both");
      }
      const toml::table* w = n->as_table();
      if (!w) return invalid(path, *n, "a table {\"vertiport name\" = weight}");
      for (const auto& [k, v] : *w) {
        const std::string p = path + "." + join({std::string(k.str())});
        double x;
        if (auto i = v.value_exact<std::int64_t>()) {
          x = static_cast<double>(*i);
        } else if (auto d = v.value_exact<double>()) {
          x = *d;
        } else {
          return invalid(p, v, "a weight (number)");
        }
        if (!std::isfinite(x) || x < 0) return invalid(p, v, "a weight >= 0");
        out.emplace_back(std::string(k.str()), x);
      }
    }
    double total = 0;
    for (const auto& [_, w] : out) total += w;
    if (out.empty() || total <= 0) {
      return fail("SCENARIO_MISSING_FIELD", where(prefix) + ": needs " + std::string(single) +
                                                " or " + std::string(many) +
                                                " with a positive weight");
    }
    return out;
  }

  tl::unexpected<Error> invalid(const std::string& path, const toml::node& n,
                                const std::string& expected) const {
    return fail("SCENARIO_INVALID_VALUE",
                where(path) + line_of(n) + ": expected " + expected + ", got " + node_text(n));
  }

  static std::string fmt(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  }
  [[nodiscard]] const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<Override> overrides_;
};

Result<void> apply_override(toml::table& root, const Override& o, const std::string& source) {
  toml::table* t = &root;
  for (std::size_t i = 0; i + 1 < o.path.size(); ++i) {
    toml::node* n = t->get(o.path[i]);
    if (!n) {
      t->insert(o.path[i], toml::table{});
      n = t->get(o.path[i]);
    }
    if (!n->is_table()) {
      return fail("SCENARIO_UNKNOWN_KEY", source + ": --set " + o.text + ": " +
                                              join({o.path.begin(), o.path.begin() + i + 1}) +
                                              " is a value, not a table");
    }
    t = n->as_table();
  }
  // The value as TOML if it parses as a number, boolean, string or array; else a bare string.
  toml::table parsed;
  bool as_toml = false;
  try {
    parsed = toml::parse("v = " + o.value_text);
    const toml::node* v = parsed.get("v");
    as_toml = v && !v->is_date_time() && !v->is_date() && !v->is_time() && !v->is_table();
  } catch (const toml::parse_error&) {
    as_toml = false;
  }
  if (as_toml) {
    t->insert_or_assign(o.path.back(), *parsed.get("v"));
  } else {
    t->insert_or_assign(o.path.back(), o.value_text);
  }
  return {};
}

Result<PayloadModel> read_payload(const Reader& r, const toml::table& t, const std::string& p) {
  PayloadModel m;
  SKY_CHECK(r.allow(t, p, {"distribution", "min", "max", "median", "sigma", "value"}));
  SKY_TRY(dist, r.string(t, "distribution", p + ".distribution"));
  m.distribution = dist.value_or("uniform");
  SKY_TRY(value, r.number(t, "value", p + ".value"));
  SKY_TRY(lo, r.number(t, "min", p + ".min"));
  SKY_TRY(hi, r.number(t, "max", p + ".max"));
  SKY_TRY(median, r.number(t, "median", p + ".median"));
  SKY_TRY(sigma, r.number(t, "sigma", p + ".sigma"));
  if (m.distribution == "fixed") {
    if (!value)
      return fail("SCENARIO_MISSING_FIELD", r.where(p + ".value") + ": fixed needs value");
    m.min_kg = m.max_kg = m.median_kg = *value;
  } else if (m.distribution == "uniform" || m.distribution == "lognormal") {
    if (!lo || !hi) {
      return fail("SCENARIO_MISSING_FIELD",
                  r.where(p) + ": " + m.distribution + " needs min and max");
    }
    m.min_kg = *lo;
    m.max_kg = *hi;
    if (m.distribution == "lognormal") {
      if (!median) {
        return fail("SCENARIO_MISSING_FIELD", r.where(p + ".median") + ": lognormal needs median");
      }
      m.median_kg = *median;
      m.sigma = sigma.value_or(0.5);
      if (m.median_kg <= 0 || m.sigma <= 0) {
        return fail("SCENARIO_INVALID_VALUE", r.where(p) + ": median and sigma must be > 0");
      }
    }
  } else {
    return fail("SCENARIO_INVALID_VALUE", r.where(p + ".distribution") + ": '" + m.distribution +
                                              "' is not uniform, lognormal or fixed");
  }
  if (m.min_kg <= 0 || m.max_kg < m.min_kg) {
    return fail("SCENARIO_INVALID_VALUE",
                r.where(p) + ": payload must satisfy 0 < min <= max (kg), got min " +
                    Reader::fmt(m.min_kg) + " max " + Reader::fmt(m.max_kg));
  }
  return m;
}

Result<Scenario> read_scenario(const toml::table& root, const Reader& r) {
  Scenario s;
  s.source = r.source();
  SKY_CHECK(
      r.allow(root, "", {"scenario", "fleet", "vertiports", "policy", "restriction", "demand"}));
  // [scenario]
  SKY_TRY(sc, r.table(root, "scenario", "scenario"));
  if (!sc)
    return fail("SCENARIO_MISSING_FIELD",
                r.where("scenario") + ": the [scenario] table is missing");
  SKY_CHECK(r.allow(*sc, "scenario",
                    {"name", "map", "catalogue", "planner", "seed", "utc_offset_h", "start",
                     "duration_h", "plan_budget_ms"}));
  SKY_TRY(name, r.string(*sc, "name", "scenario.name"));
  s.name = name.value_or("scenario");
  SKY_TRY(map, r.string(*sc, "map", "scenario.map"));
  if (!map)
    return fail("SCENARIO_MISSING_FIELD",
                r.where("scenario.map") + ": the airspace file is required");
  s.map = *map;
  SKY_TRY(cat, r.string(*sc, "catalogue", "scenario.catalogue"));
  s.catalogue = cat.value_or("");
  SKY_TRY(planner, r.string(*sc, "planner", "scenario.planner"));
  s.planner = planner.value_or("dispatch");
  if (s.planner != "dispatch" && s.planner != "straight_line") {
    return fail("SCENARIO_INVALID_VALUE", r.where("scenario.planner") + ": '" + s.planner +
                                              "' is not dispatch or straight_line");
  }
  SKY_TRY(seed, r.integer(*sc, "seed", "scenario.seed"));
  if (seed && *seed < 0) {
    return fail("SCENARIO_INVALID_VALUE", r.where("scenario.seed") + ": must be >= 0");
  }
  s.seed = static_cast<std::uint64_t>(seed.value_or(1));
  SKY_TRY(utc_h, r.number_or(*sc, "utc_offset_h", "scenario.utc_offset_h", 8.0, -14.0));
  if (utc_h > 14.0)
    return fail("SCENARIO_INVALID_VALUE", r.where("scenario.utc_offset_h") + ": above 14");
  s.utc_offset_s = static_cast<std::int32_t>(std::lround(utc_h * 3600));
  SKY_TRY(start, r.time(*sc, "start", "scenario.start", s.utc_offset_s));
  if (!start)
    return fail("SCENARIO_MISSING_FIELD",
                r.where("scenario.start") + ": required (local YYYY-MM-DDTHH:MM:SS)");
  s.start_unix_ms = *start;
  SKY_TRY(dur, r.number_or(*sc, "duration_h", "scenario.duration_h", 24.0, 0.0));
  if (dur <= 0 || dur > 24.0 * 31) {
    return fail("SCENARIO_INVALID_VALUE",
                r.where("scenario.duration_h") + ": must be in (0, 744] hours");
  }
  s.duration_ms = std::llround(dur * 3.6e6);
  SKY_TRY(budget, r.number_or(*sc, "plan_budget_ms", "scenario.plan_budget_ms", 0.0, 0.0));
  s.plan_budget_ms = std::llround(budget);

  // [fleet.<group>]
  SKY_TRY(fleet, r.table(root, "fleet", "fleet"));
  if (!fleet || fleet->empty()) {
    return fail("SCENARIO_INVALID_VALUE",
                r.where("fleet") + ": a fleet of zero drones (add [fleet.<class>] with count > 0)");
  }
  for (const auto& [k, node] : *fleet) {
    const std::string p = "fleet." + join({std::string(k.str())});
    const toml::table* g = node.as_table();
    if (!g) return r.invalid(p, node, "a table {class, count, home}");
    SKY_CHECK(r.allow(*g, p, {"class", "count", "home"}));
    FleetGroup fg;
    fg.name = std::string(k.str());
    SKY_TRY(cls, r.string(*g, "class", p + ".class"));
    fg.vehicle_class = cls.value_or(fg.name);
    SKY_TRY(count, r.integer(*g, "count", p + ".count"));
    if (!count) return fail("SCENARIO_MISSING_FIELD", r.where(p + ".count") + ": required");
    if (*count < 0 || *count > 100000) {
      return fail("SCENARIO_INVALID_VALUE",
                  r.where(p + ".count") + ": " + std::to_string(*count) + " is not in [0, 100000]");
    }
    fg.count = static_cast<int>(*count);
    SKY_TRY(home, r.string(*g, "home", p + ".home"));
    if (!home)
      return fail("SCENARIO_MISSING_FIELD",
                  r.where(p + ".home") + ": required (a vertiport of the map)");
    fg.home = *home;
    s.fleet.push_back(fg);
  }
  if (s.fleet_size() == 0) {
    return fail("SCENARIO_INVALID_VALUE",
                r.where("fleet") + ": a fleet of zero drones (every count is 0)");
  }

  // [vertiports."name"]
  SKY_TRY(vps, r.table(root, "vertiports", "vertiports"));
  if (vps) {
    for (const auto& [k, node] : *vps) {
      const std::string p = "vertiports." + join({std::string(k.str())});
      const toml::table* v = node.as_table();
      if (!v) return r.invalid(p, node, "a table {pads, chargers, battery_stock}");
      SKY_CHECK(r.allow(*v, p, {"pads", "chargers", "battery_stock"}));
      VertiportOverride o;
      o.name = std::string(k.str());
      for (auto [key, slot] : {std::pair{"pads", &o.pads}, std::pair{"chargers", &o.chargers},
                               std::pair{"battery_stock", &o.battery_stock}}) {
        SKY_TRY(x, r.integer(*v, key, p + "." + key));
        if (x && (*x < 0 || *x > 10000)) {
          return fail("SCENARIO_INVALID_VALUE",
                      r.where(p + "." + key) + ": " + std::to_string(*x) + " is not in [0, 10000]");
        }
        if (x) *slot = static_cast<int>(*x);
      }
      if (o.pads && *o.pads == 0) {
        return fail("SCENARIO_INVALID_VALUE",
                    r.where(p + ".pads") + ": a vertiport needs at least one pad");
      }
      s.vertiports.push_back(o);
    }
  }

  // [policy]
  SKY_TRY(pol, r.table(root, "policy", "policy"));
  if (pol) {
    SKY_CHECK(r.allow(*pol, "policy",
                      {"assign", "after_delivery", "loading_s", "unloading_s", "max_wait_s",
                       "ferry_payload_kg", "class_preference"}));
    SKY_TRY(assign, r.string(*pol, "assign", "policy.assign"));
    s.policy.assign = assign.value_or(s.policy.assign);
    if (s.policy.assign != "nearest_idle" && s.policy.assign != "at_origin") {
      return fail("SCENARIO_INVALID_VALUE", r.where("policy.assign") + ": '" + s.policy.assign +
                                                "' is not nearest_idle or at_origin");
    }
    SKY_TRY(after, r.string(*pol, "after_delivery", "policy.after_delivery"));
    s.policy.after_delivery = after.value_or(s.policy.after_delivery);
    if (s.policy.after_delivery != "return_home" && s.policy.after_delivery != "stay") {
      return fail("SCENARIO_INVALID_VALUE", r.where("policy.after_delivery") + ": '" +
                                                s.policy.after_delivery +
                                                "' is not return_home or stay");
    }
    SKY_TRY(load, r.number_or(*pol, "loading_s", "policy.loading_s", s.policy.loading_s, 0.0));
    SKY_TRY(unload,
            r.number_or(*pol, "unloading_s", "policy.unloading_s", s.policy.unloading_s, 0.0));
    SKY_TRY(wait, r.number_or(*pol, "max_wait_s", "policy.max_wait_s", s.policy.max_wait_s, 0.0));
    SKY_TRY(ferry, r.number_or(*pol, "ferry_payload_kg", "policy.ferry_payload_kg",
                               s.policy.ferry_payload_kg, 0.0));
    if (ferry <= 0)
      return fail("SCENARIO_INVALID_VALUE", r.where("policy.ferry_payload_kg") + ": must be > 0");
    s.policy.loading_s = load;
    s.policy.unloading_s = unload;
    s.policy.max_wait_s = wait;
    s.policy.ferry_payload_kg = ferry;
    if (const toml::node* n = pol->get("class_preference")) {
      const toml::array* a = n->as_array();
      if (!a) return r.invalid("policy.class_preference", *n, "an array of class names");
      for (const auto& e : *a) {
        auto v = e.value_exact<std::string>();
        if (!v) return r.invalid("policy.class_preference", *n, "an array of class names");
        s.policy.class_preference.push_back(*v);
      }
    }
  }

  // [[restriction]]
  if (const toml::node* n = root.get("restriction")) {
    const toml::array* arr = n->as_array();
    if (!arr) return r.invalid("restriction", *n, "an array of tables [[restriction]]");
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string p = "restriction[" + std::to_string(i) + "]";
      const toml::table* t = (*arr)[i].as_table();
      if (!t) return r.invalid(p, (*arr)[i], "a table");
      SKY_CHECK(r.allow(
          *t, p, {"name", "polygon", "floor_m", "ceiling_m", "agl", "from", "to", "announce"}));
      RestrictionEvent e;
      SKY_TRY(nm, r.string(*t, "name", p + ".name"));
      e.name = nm.value_or("restriction " + std::to_string(i + 1));
      const toml::node* poly = t->get("polygon");
      if (!poly)
        return fail("SCENARIO_MISSING_FIELD",
                    r.where(p + ".polygon") + ": required ([[lon, lat], ...])");
      const toml::array* pa = poly->as_array();
      if (!pa || pa->size() < 3)
        return r.invalid(p + ".polygon", *poly, "at least 3 [lon, lat] points");
      for (const auto& pt : *pa) {
        const toml::array* xy = pt.as_array();
        std::array<double, 2> v{};
        bool ok = xy && xy->size() == 2;
        for (std::size_t j = 0; ok && j < 2; ++j) {
          if (auto d = (*xy)[j].value<double>()) {
            v[j] = *d;
          } else {
            ok = false;
          }
        }
        if (!ok || v[0] < -180 || v[0] > 180 || v[1] < -90 || v[1] > 90) {
          return r.invalid(p + ".polygon", pt, "a [lon, lat] pair in degrees");
        }
        e.polygon_lonlat.push_back(v);
      }
      SKY_TRY(fl, r.number_or(*t, "floor_m", p + ".floor_m", 0.0));
      SKY_TRY(ce, r.number_or(*t, "ceiling_m", p + ".ceiling_m", 1.0e4));
      if (ce <= fl)
        return fail("SCENARIO_INVALID_VALUE",
                    r.where(p + ".ceiling_m") + ": must be above floor_m");
      e.floor_m = fl;
      e.ceiling_m = ce;
      SKY_TRY(agl, r.boolean(*t, "agl", p + ".agl"));
      e.agl = agl.value_or(true);
      SKY_TRY(from, r.time(*t, "from", p + ".from", s.utc_offset_s));
      e.from_unix_ms = from.value_or(s.start_unix_ms);
      SKY_TRY(to, r.time(*t, "to", p + ".to", s.utc_offset_s));
      e.to_unix_ms = to;
      if (to && *to <= e.from_unix_ms)
        return fail("SCENARIO_INVALID_VALUE", r.where(p + ".to") + ": must be after from");
      SKY_TRY(ann, r.time(*t, "announce", p + ".announce", s.utc_offset_s));
      e.announce_unix_ms = ann.value_or(e.from_unix_ms);
      if (e.announce_unix_ms > e.from_unix_ms)
        return fail("SCENARIO_INVALID_VALUE",
                    r.where(p + ".announce") + ": must not be after from");
      s.restrictions.push_back(e);
    }
  }

  // [demand] and [demand.flow.<name>]
  SKY_TRY(dem, r.table(root, "demand", "demand"));
  if (dem) {
    SKY_CHECK(r.allow(*dem, "demand", {"volume", "profile", "flow"}));
    SKY_TRY(vol, r.number_or(*dem, "volume", "demand.volume", 1.0, 0.0));
    s.demand.volume = vol;
    SKY_TRY(prof, r.profile(*dem, "profile", "demand.profile"));
    s.demand.profile = prof.empty() ? std::vector<double>(24, 1.0) : prof;
    SKY_TRY(flows, r.table(*dem, "flow", "demand.flow"));
    if (flows) {
      for (const auto& [k, node] : *flows) {
        const std::string p = "demand.flow." + join({std::string(k.str())});
        const toml::table* f = node.as_table();
        if (!f) return r.invalid(p, node, "a table");
        SKY_CHECK(r.allow(*f, p,
                          {"origin", "origins", "destination", "destinations", "missions_per_day",
                           "class", "payload", "deadline_min", "priority", "profile"}));
        DemandFlow fl;
        fl.name = std::string(k.str());
        SKY_TRY(o, r.weights(*f, "origin", "origins", p));
        SKY_TRY(d, r.weights(*f, "destination", "destinations", p));
        fl.origins = o;
        fl.destinations = d;
        SKY_TRY(mpd, r.number_or(*f, "missions_per_day", p + ".missions_per_day", 0.0, 0.0));
        fl.missions_per_day = mpd;
        SKY_TRY(cls, r.string(*f, "class", p + ".class"));
        fl.vehicle_class = cls.value_or("any");
        SKY_TRY(pay, r.table(*f, "payload", p + ".payload"));
        if (!pay) return fail("SCENARIO_MISSING_FIELD", r.where(p + ".payload") + ": required");
        SKY_TRY(pm, read_payload(r, *pay, p + ".payload"));
        fl.payload = pm;
        SKY_TRY(dl, r.number_or(*f, "deadline_min", p + ".deadline_min", 240.0, 0.0));
        if (dl <= 0)
          return fail("SCENARIO_INVALID_VALUE", r.where(p + ".deadline_min") + ": must be > 0");
        fl.deadline_min = dl;
        SKY_TRY(pr, r.integer(*f, "priority", p + ".priority"));
        fl.priority = static_cast<int>(pr.value_or(0));
        SKY_TRY(fprof, r.profile(*f, "profile", p + ".profile"));
        fl.profile = fprof;
        s.demand.flows.push_back(fl);
      }
    }
  }
  if (s.demand.profile.empty()) s.demand.profile.assign(24, 1.0);
  return s;
}

}  // namespace

int Scenario::fleet_size() const {
  int n = 0;
  for (const auto& g : fleet) n += g.count;
  return n;
}

Result<Override> parse_override(const std::string& text) {
  const std::size_t eq = [&] {
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '"') quoted = !quoted;
      if (text[i] == '=' && !quoted) return i;
    }
    return std::string::npos;
  }();
  if (eq == std::string::npos || eq == 0) {
    return fail("USAGE", "--set '" + text + "': expected key.path=value");
  }
  Override o;
  o.text = text;
  o.value_text = text.substr(eq + 1);
  std::string cur;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < eq; ++i) {
    const char c = text[i];
    if (c == '"') {
      quoted = !quoted;
      was_quoted = true;
    } else if (c == '.' && !quoted) {
      if (cur.empty() && !was_quoted)
        return fail("USAGE", "--set '" + text + "': empty key in the path");
      o.path.push_back(cur);
      cur.clear();
      was_quoted = false;
    } else {
      cur += c;
    }
  }
  if (quoted) return fail("USAGE", "--set '" + text + "': unbalanced quote in the key");
  if (cur.empty() && !was_quoted)
    return fail("USAGE", "--set '" + text + "': empty key in the path");
  o.path.push_back(cur);
  return o;
}

Result<Scenario> parse_scenario(const std::string& toml_text, const std::string& source,
                                const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(source));
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source << ":" << e.source().begin.line << ": " << e.description();
    return fail("SCENARIO_PARSE_ERROR", os.str());
  }
  std::vector<Override> parsed;
  for (const auto& text : overrides) {
    SKY_TRY(o, parse_override(text));
    SKY_CHECK(apply_override(root, o, source));
    parsed.push_back(o);
  }
  Reader r(source, parsed);
  return read_scenario(root, r);
}

Result<Scenario> load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("FILE_NOT_FOUND", "scenario file '" + path + "' cannot be opened");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_scenario(ss.str(), path, overrides);
}

std::string resolve_scenario_path(const std::string& path, const std::string& scenario_source) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  std::error_code ec;
  if (fs::exists(path, ec)) return path;
  fs::path dir = fs::path(scenario_source).parent_path();
  for (int up = 0; up < 3; ++up) {
    const fs::path candidate = dir / path;
    if (fs::exists(candidate, ec)) return candidate.lexically_normal().string();
    dir = dir.empty() ? fs::path("..") : dir / "..";
  }
  return path;
}

}  // namespace skylane::sim
