#include "skylane/vehicle/vehicle_catalogue.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <sstream>

#include <toml++/toml.h>

#include "skylane/airspace/zone.hpp"
#include "skylane/core/try.hpp"
#include "skylane/vehicle/vehicle_energy.hpp"

#ifndef SKYLANE_VEHICLE_CATALOGUE_PATH
#error "SKYLANE_VEHICLE_CATALOGUE_PATH must be defined by the build (planner/CMakeLists.txt)"
#endif

namespace skylane::vehicle {
namespace {

constexpr const char* kUnknownKey = "VEHICLE_CATALOGUE_UNKNOWN_KEY";
constexpr const char* kMissing = "VEHICLE_CATALOGUE_MISSING_FIELD";
constexpr const char* kInvalid = "VEHICLE_CATALOGUE_INVALID_VALUE";
constexpr const char* kInconsistent = "VEHICLE_CATALOGUE_INCONSISTENT";

std::string line_of(const toml::node& n) {
  const auto& src = n.source();
  return src.begin.line > 0 ? " (line " + std::to_string(src.begin.line) + ")" : "";
}

using Keys = std::span<const std::string_view>;

std::string join(Keys keys) {
  std::string out;
  for (std::string_view k : keys) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

// One section ("energy", "motion", ...) of a class, falling back to the same section of
// [defaults]. Every message reads "<file>: class '<name>': key '<section.key>' ...".
class Section {
 public:
  Section(const toml::table* own, const toml::table* defaults, std::string prefix,
          std::string section)
      : own_(own), defaults_(defaults), prefix_(std::move(prefix)), section_(std::move(section)) {}

  [[nodiscard]] std::string key_name(std::string_view key) const {
    return section_.empty() ? std::string(key) : section_ + "." + std::string(key);
  }
  [[nodiscard]] std::string where(std::string_view key) const {
    return prefix_ + ": key '" + key_name(key) + "'";
  }

  static Result<void> allow(const toml::table* t, const std::string& where_prefix,
                            const std::string& section, Keys keys) {
    if (!t) return {};
    for (const auto& [key, value] : *t) {
      if (std::find(keys.begin(), keys.end(), key.str()) == keys.end()) {
        const std::string full =
            section.empty() ? std::string(key.str()) : section + "." + std::string(key.str());
        return fail(kUnknownKey, where_prefix + ": unknown key '" + full + "'" + line_of(value) +
                                     " (known keys: " + join(keys) + ")");
      }
    }
    return {};
  }

  static Result<void> allow(const toml::table* t, const std::string& where_prefix,
                            const std::string& section,
                            std::initializer_list<std::string_view> keys) {
    return allow(t, where_prefix, section, Keys(keys.begin(), keys.size()));
  }

  Result<void> allow(Keys keys) const {
    SKY_CHECK(allow(own_, prefix_, section_, keys));
    return {};
  }

  [[nodiscard]] const toml::node* get(std::string_view key) const {
    if (own_) {
      if (const toml::node* n = own_->get(key)) return n;
    }
    if (defaults_) return defaults_->get(key);
    return nullptr;
  }

  Result<double> number(std::string_view key, std::optional<double> def = std::nullopt) const {
    const toml::node* n = get(key);
    if (!n) {
      if (def) return *def;
      return fail(kMissing, where(key) + " is missing");
    }
    double v = 0.0;
    if (const auto* i = n->as_integer()) {
      v = static_cast<double>(i->get());
    } else if (const auto* f = n->as_floating_point()) {
      v = f->get();
    } else {
      return fail(kInvalid, where(key) + " must be a number" + line_of(*n));
    }
    if (!std::isfinite(v)) return fail(kInvalid, where(key) + " is NaN or infinite" + line_of(*n));
    return v;
  }

  Result<std::string> string(std::string_view key, std::optional<std::string> def = {}) const {
    const toml::node* n = get(key);
    if (!n) {
      if (def) return *def;
      return fail(kMissing, where(key) + " is missing");
    }
    if (const auto* s = n->as_string()) return s->get();
    return fail(kInvalid, where(key) + " must be a string" + line_of(*n));
  }

  Result<bool> boolean(std::string_view key, std::optional<bool> def = {}) const {
    const toml::node* n = get(key);
    if (!n) {
      if (def) return *def;
      return fail(kMissing, where(key) + " is missing");
    }
    if (const auto* b = n->as_boolean()) return b->get();
    return fail(kInvalid, where(key) + " must be true or false" + line_of(*n));
  }

  Result<std::vector<std::string>> strings(std::string_view key) const {
    const toml::node* n = get(key);
    if (!n) return fail(kMissing, where(key) + " is missing");
    const auto* arr = n->as_array();
    if (!arr) return fail(kInvalid, where(key) + " must be an array of strings" + line_of(*n));
    std::vector<std::string> out;
    for (const auto& e : *arr) {
      const auto* s = e.as_string();
      if (!s) return fail(kInvalid, where(key) + " must hold only strings" + line_of(*n));
      out.push_back(s->get());
    }
    return out;
  }

 private:
  const toml::table* own_;
  const toml::table* defaults_;
  std::string prefix_;
  std::string section_;
};

Result<const toml::table*> subtable(const toml::table* parent, std::string_view key,
                                    const std::string& where) {
  if (!parent) return static_cast<const toml::table*>(nullptr);
  const toml::node* n = parent->get(key);
  if (!n) return static_cast<const toml::table*>(nullptr);
  if (const auto* t = n->as_table()) return t;
  return fail(kInvalid, where + ": key '" + std::string(key) + "' must be a table" + line_of(*n));
}

Result<Category> parse_category(const std::string& s, const std::string& where) {
  for (Category c : {Category::kMicro, Category::kLight, Category::kSmall, Category::kMedium,
                     Category::kLarge}) {
    if (s == category_name(c)) return c;
  }
  return fail(kInvalid, where + " = '" + s + "' is not one of micro, light, small, medium, large");
}

constexpr std::array<std::string_view, 6> kMotionKeys = {"cruise_speed_mps", "climb_rate_mps",
                                                         "descent_rate_mps", "can_hover",
                                                         "hovers_to_land",   "ground_wait_step_s"};
constexpr std::array<std::string_view, 7> kEnergyKeys = {
    "battery_wh",       "cruise_w_base",    "cruise_w_per_kg", "hover_w_per_kg15",
    "climb_efficiency", "reserve_fraction", "calibration"};
constexpr std::array<std::string_view, 5> kCalibrationKeys = {
    "payload_kg", "range_m", "hover_to_cruise", "fixed_share", "source"};
constexpr std::array<std::string_view, 2> kGroundKeys = {"swap_time_s", "charge_time_s"};
constexpr std::array<std::string_view, 3> kSeparationKeys = {"horizontal_m", "vertical_m",
                                                             "time_buffer_s"};
constexpr std::array<std::string_view, 4> kAltitudeKeys = {
    "terrain_clearance_m", "obstacle_clearance_m", "ceiling_agl_m", "max_amsl_m"};
constexpr std::array<std::string_view, 1> kZoneKeys = {"walls"};
constexpr std::array<std::string_view, 6> kSections = {"motion",     "energy",   "ground",
                                                       "separation", "altitude", "zones"};

Result<CatalogueEntry> read_class(const toml::table& t, const toml::table* defaults,
                                  const std::string& file, std::size_t index) {
  CatalogueEntry entry;
  VehicleClass& v = entry.vehicle;
  std::string prefix = file + ": class #" + std::to_string(index + 1);
  {
    const toml::node* n = t.get("name");
    if (!n) return fail(kMissing, prefix + ": key 'name' is missing" + line_of(t));
    const auto* s = n->as_string();
    if (!s || s->get().empty()) {
      return fail(kInvalid, prefix + ": key 'name' must be a non-empty string" + line_of(*n));
    }
    v.name = s->get();
  }
  prefix = file + ": class '" + v.name + "'";
  SKY_CHECK(Section::allow(
      &t, prefix, "",
      {"name", "description", "category", "empty_mass_kg", "max_takeoff_mass_kg", "max_payload_kg",
       "motion", "energy", "ground", "separation", "altitude", "zones"}));
  for (char c : v.name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return fail(kInvalid, prefix + ": key 'name' may hold only a-z, 0-9, '_' and '-'");
    }
  }
  if (v.name == "any") {
    return fail(kInvalid, prefix + ": key 'name': 'any' is reserved for class selection");
  }

  const Section top(&t, nullptr, prefix, "");
  SKY_TRY(description, top.string("description", std::string()));
  entry.description = description;
  SKY_TRY(category, top.string("category"));
  SKY_TRY(cat, parse_category(category, top.where("category")));
  v.category = cat;
  SKY_TRY(empty, top.number("empty_mass_kg"));
  SKY_TRY(mtom, top.number("max_takeoff_mass_kg"));
  SKY_TRY(payload, top.number("max_payload_kg"));
  v.empty_mass_kg = empty;
  v.max_takeoff_mass_kg = mtom;
  v.max_payload_kg = payload;

  auto section = [&](std::string_view name) -> Result<Section> {
    SKY_TRY(own, subtable(&t, name, prefix));
    SKY_TRY(def, subtable(defaults, name, file + ": [defaults]"));
    return Section(own, def, prefix, std::string(name));
  };

  {
    SKY_TRY(s, section("motion"));
    SKY_CHECK(s.allow(kMotionKeys));
    SKY_TRY(cruise, s.number("cruise_speed_mps"));
    SKY_TRY(climb, s.number("climb_rate_mps"));
    SKY_TRY(descent, s.number("descent_rate_mps"));
    SKY_TRY(hover, s.boolean("can_hover"));
    SKY_TRY(land_hover, s.boolean("hovers_to_land", true));
    SKY_TRY(step, s.number("ground_wait_step_s", 1.0));
    v.motion.cruise_speed_mps = cruise;
    v.motion.climb_rate_mps = climb;
    v.motion.descent_rate_mps = descent;
    v.motion.can_hover = hover;
    v.motion.hovers_to_land = land_hover;
    if (!(step > 0.0)) return fail(kInvalid, s.where("ground_wait_step_s") + " must be > 0");
    v.motion.ground_wait_step = search::Millis(static_cast<std::int64_t>(std::llround(step * 1e3)));
  }
  {
    SKY_TRY(s, section("energy"));
    SKY_CHECK(s.allow(kEnergyKeys));
    SKY_TRY(battery, s.number("battery_wh"));
    SKY_TRY(base, s.number("cruise_w_base"));
    SKY_TRY(per_kg, s.number("cruise_w_per_kg"));
    SKY_TRY(hover, s.number("hover_w_per_kg15"));
    SKY_TRY(eta, s.number("climb_efficiency"));
    SKY_TRY(reserve, s.number("reserve_fraction"));
    v.energy = EnergyModel{battery, hover, base, per_kg, eta, reserve};

    SKY_TRY(own_energy, subtable(&t, "energy", prefix));
    SKY_TRY(cal_t, subtable(own_energy, "calibration", prefix + ": key 'energy'"));
    if (!cal_t) return fail(kMissing, prefix + ": key 'energy.calibration' is missing");
    const Section c(cal_t, nullptr, prefix, "energy.calibration");
    SKY_CHECK(c.allow(kCalibrationKeys));
    SKY_TRY(cal_payload, c.number("payload_kg"));
    SKY_TRY(cal_range, c.number("range_m"));
    SKY_TRY(cal_hover, c.number("hover_to_cruise"));
    SKY_TRY(cal_share, c.number("fixed_share"));
    SKY_TRY(cal_source, c.string("source"));
    entry.calibration = {cal_payload, cal_range, cal_hover, cal_share, cal_source};
  }
  {
    SKY_TRY(s, section("ground"));
    SKY_CHECK(s.allow(kGroundKeys));
    SKY_TRY(swap, s.number("swap_time_s"));
    SKY_TRY(charge, s.number("charge_time_s"));
    v.swap_time_s = swap;
    v.charge_time_s = charge;
  }
  {
    SKY_TRY(s, section("separation"));
    SKY_CHECK(s.allow(kSeparationKeys));
    SKY_TRY(h, s.number("horizontal_m"));
    SKY_TRY(vert, s.number("vertical_m"));
    SKY_TRY(buffer, s.number("time_buffer_s"));
    if (buffer < 0.0) return fail(kInvalid, s.where("time_buffer_s") + " must be >= 0");
    v.separation.horizontal_m = h;
    v.separation.vertical_m = vert;
    v.separation.time_buffer = traj::Millis(static_cast<std::int64_t>(std::llround(buffer * 1e3)));
  }
  {
    SKY_TRY(s, section("altitude"));
    SKY_CHECK(s.allow(kAltitudeKeys));
    SKY_TRY(terrain, s.number("terrain_clearance_m"));
    SKY_TRY(obstacle, s.number("obstacle_clearance_m"));
    SKY_TRY(ceiling, s.number("ceiling_agl_m"));
    SKY_TRY(max_amsl, s.number("max_amsl_m", std::numeric_limits<double>::infinity()));
    v.limits.terrain_clearance_m = terrain;
    v.limits.obstacle_clearance_m = obstacle;
    v.limits.ceiling_agl_m = ceiling;
    v.limits.max_amsl_m = max_amsl;
  }
  {
    SKY_TRY(s, section("zones"));
    SKY_CHECK(s.allow(kZoneKeys));
    SKY_TRY(walls, s.strings("walls"));
    std::uint8_t mask = 0;
    for (const std::string& w : walls) {
      auto kind = airspace::parse_zone_kind(w);
      if (!kind) {
        return fail(kInvalid, s.where("walls") + ": '" + w +
                                  "' is not one of prohibited, restricted, airport_protection, "
                                  "border_band, temporary");
      }
      mask |= static_cast<std::uint8_t>(1u << static_cast<int>(*kind));
    }
    v.limits.blocked_zone_kinds = mask;
  }
  SKY_CHECK(validate_vehicle_class(v, prefix));

  const RangeCalibration& cal = entry.calibration;
  const std::string cw = prefix + ": key 'energy.calibration";
  if (!(cal.payload_kg >= 0.0) || cal.payload_kg > v.max_payload_kg + 1e-9) {
    return fail(kInconsistent, cw + ".payload_kg' = " + std::to_string(cal.payload_kg) +
                                   " kg is outside [0, max_payload_kg]");
  }
  if (!(cal.range_m > 0.0)) return fail(kInvalid, cw + ".range_m' must be > 0");
  const double model = range_m(v, cal.payload_kg);
  if (std::abs(model - cal.range_m) > kCalibrationTolerance * cal.range_m) {
    std::ostringstream msg;
    msg << cw << ".range_m': the energy model gives " << model << " m at " << cal.payload_kg
        << " kg, not the cited " << cal.range_m
        << " m (re-derive the coefficients with scripts/calibrate_vehicle_energy.py)";
    return fail(kInconsistent, msg.str());
  }
  return entry;
}

}  // namespace

traj::SeparationEnvelope VehicleCatalogue::max_separation() const {
  if (entries_.empty()) return {};
  traj::SeparationEnvelope s{0.0, 0.0, traj::Millis{0}};
  for (const auto& e : entries_) {
    s.horizontal_m = std::max(s.horizontal_m, e.vehicle.separation.horizontal_m);
    s.vertical_m = std::max(s.vertical_m, e.vehicle.separation.vertical_m);
    s.time_buffer = std::max(s.time_buffer, e.vehicle.separation.time_buffer);
  }
  return s;
}

const VehicleClass* VehicleCatalogue::find(std::string_view name) const {
  const CatalogueEntry* e = find_entry(name);
  return e ? &e->vehicle : nullptr;
}

const CatalogueEntry* VehicleCatalogue::find_entry(std::string_view name) const {
  for (const auto& e : entries_) {
    if (e.vehicle.name == name) return &e;
  }
  return nullptr;
}

Result<void> validate_vehicle_class(const VehicleClass& v, const std::string& where) {
  auto key = [&](std::string_view k) { return where + ": key '" + std::string(k) + "'"; };
  auto positive = [&](double x, std::string_view k) -> Result<void> {
    if (!(x > 0.0) || !std::isfinite(x)) {
      return fail(kInvalid, key(k) + " = " + std::to_string(x) + " must be finite and > 0");
    }
    return {};
  };
  auto non_negative = [&](double x, std::string_view k) -> Result<void> {
    if (!(x >= 0.0) || !std::isfinite(x)) {
      return fail(kInvalid, key(k) + " = " + std::to_string(x) + " must be finite and >= 0");
    }
    return {};
  };
  SKY_CHECK(positive(v.empty_mass_kg, "empty_mass_kg"));
  SKY_CHECK(positive(v.max_takeoff_mass_kg, "max_takeoff_mass_kg"));
  SKY_CHECK(non_negative(v.max_payload_kg, "max_payload_kg"));
  SKY_CHECK(positive(v.motion.cruise_speed_mps, "motion.cruise_speed_mps"));
  SKY_CHECK(positive(v.motion.climb_rate_mps, "motion.climb_rate_mps"));
  SKY_CHECK(positive(v.motion.descent_rate_mps, "motion.descent_rate_mps"));
  SKY_CHECK(positive(v.energy.battery_wh, "energy.battery_wh"));
  SKY_CHECK(non_negative(v.energy.cruise_w_base, "energy.cruise_w_base"));
  SKY_CHECK(non_negative(v.energy.cruise_w_per_kg, "energy.cruise_w_per_kg"));
  SKY_CHECK(positive(v.energy.hover_w_per_kg15, "energy.hover_w_per_kg15"));
  SKY_CHECK(non_negative(v.swap_time_s, "ground.swap_time_s"));
  SKY_CHECK(non_negative(v.charge_time_s, "ground.charge_time_s"));
  SKY_CHECK(positive(v.separation.horizontal_m, "separation.horizontal_m"));
  SKY_CHECK(positive(v.separation.vertical_m, "separation.vertical_m"));
  SKY_CHECK(non_negative(v.limits.terrain_clearance_m, "altitude.terrain_clearance_m"));
  SKY_CHECK(non_negative(v.limits.obstacle_clearance_m, "altitude.obstacle_clearance_m"));
  SKY_CHECK(positive(v.limits.ceiling_agl_m, "altitude.ceiling_agl_m"));
  if (!(v.limits.max_amsl_m > 0.0)) {
    return fail(kInvalid, key("altitude.max_amsl_m") + " must be > 0");
  }
  if (!(v.energy.climb_efficiency > 0.0 && v.energy.climb_efficiency <= 1.0)) {
    return fail(kInvalid, key("energy.climb_efficiency") + " = " +
                              std::to_string(v.energy.climb_efficiency) + " is outside (0, 1]");
  }
  if (!(v.energy.reserve_fraction >= 0.0 && v.energy.reserve_fraction < 1.0)) {
    return fail(kInvalid, key("energy.reserve_fraction") + " = " +
                              std::to_string(v.energy.reserve_fraction) + " is outside [0, 1)");
  }
  if (v.separation.time_buffer.count() < 0) {
    return fail(kInvalid, key("separation.time_buffer_s") + " must be >= 0");
  }

  if (v.max_takeoff_mass_kg <= v.empty_mass_kg) {
    return fail(kInconsistent,
                key("max_takeoff_mass_kg") + " = " + std::to_string(v.max_takeoff_mass_kg) +
                    " kg is not above empty_mass_kg = " + std::to_string(v.empty_mass_kg) + " kg");
  }
  if (v.max_payload_kg > v.max_takeoff_mass_kg - v.empty_mass_kg + 1e-9) {
    return fail(kInconsistent, key("max_payload_kg") + " = " + std::to_string(v.max_payload_kg) +
                                   " kg exceeds max_takeoff_mass_kg - empty_mass_kg = " +
                                   std::to_string(v.max_takeoff_mass_kg - v.empty_mass_kg) + " kg");
  }
  const Category by_mass = category_for_masses(v.empty_mass_kg, v.max_takeoff_mass_kg);
  if (by_mass != v.category) {
    return fail(kInconsistent, key("category") + " = '" + category_name(v.category) +
                                   "' but the masses give '" + category_name(by_mass) +
                                   "' (2024 interim regulations, Art. 62)");
  }
  const double floor_agl = std::max(v.limits.terrain_clearance_m, v.limits.obstacle_clearance_m);
  if (v.limits.ceiling_agl_m <= floor_agl) {
    return fail(kInconsistent, key("altitude.ceiling_agl_m") + " = " +
                                   std::to_string(v.limits.ceiling_agl_m) +
                                   " m is not above the clearances (" + std::to_string(floor_agl) +
                                   " m): no altitude would be free");
  }
  if (v.limits.ceiling_agl_m > max_ceiling_agl_m(v.category) + 1e-9) {
    return fail(kInconsistent, key("altitude.ceiling_agl_m") + " = " +
                                   std::to_string(v.limits.ceiling_agl_m) + " m exceeds the " +
                                   category_name(v.category) + " category's " +
                                   std::to_string(max_ceiling_agl_m(v.category)) + " m");
  }
  return {};
}

Result<VehicleCatalogue> parse_vehicle_catalogue(std::string_view toml_text,
                                                 const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(source));
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return fail("VEHICLE_CATALOGUE_PARSE_ERROR", msg.str());
  }
  SKY_CHECK(Section::allow(&root, source, "", {"format_version", "defaults", "class"}));
  {
    const Section top(&root, nullptr, source, "");
    SKY_TRY(version, top.number("format_version"));
    if (version != 1.0) {
      return fail(kInvalid, top.where("format_version") + " = " + std::to_string(version) +
                                " is not supported (expected 1)");
    }
  }
  SKY_TRY(defaults, subtable(&root, "defaults", source));
  if (defaults) {
    const std::string where = source + ": [defaults]";
    SKY_CHECK(Section::allow(defaults, where, "", kSections));
    SKY_TRY(m, subtable(defaults, "motion", where));
    SKY_CHECK(Section::allow(m, where, "motion", kMotionKeys));
    SKY_TRY(e, subtable(defaults, "energy", where));
    SKY_CHECK(Section::allow(e, where, "energy",
                             {"battery_wh", "cruise_w_base", "cruise_w_per_kg", "hover_w_per_kg15",
                              "climb_efficiency", "reserve_fraction"}));
    SKY_TRY(g, subtable(defaults, "ground", where));
    SKY_CHECK(Section::allow(g, where, "ground", kGroundKeys));
    SKY_TRY(s, subtable(defaults, "separation", where));
    SKY_CHECK(Section::allow(s, where, "separation", kSeparationKeys));
    SKY_TRY(a, subtable(defaults, "altitude", where));
    SKY_CHECK(Section::allow(a, where, "altitude", kAltitudeKeys));
    SKY_TRY(z, subtable(defaults, "zones", where));
    SKY_CHECK(Section::allow(z, where, "zones", kZoneKeys));
  }
  const toml::node* classes = root.get("class");
  if (!classes) return fail(kMissing, source + ": no [[class]] table");
  const toml::array* arr = classes->as_array();
  if (!arr || arr->empty()) {
    return fail(kInvalid, source + ": 'class' must be a non-empty array of tables ([[class]])");
  }
  std::vector<CatalogueEntry> entries;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::table* t = (*arr)[i].as_table();
    if (!t) return fail(kInvalid, source + ": 'class' must hold only tables ([[class]])");
    SKY_TRY(entry, read_class(*t, defaults, source, i));
    for (const auto& other : entries) {
      if (other.vehicle.name == entry.vehicle.name) {
        return fail(kInconsistent,
                    source + ": class '" + entry.vehicle.name + "' is defined twice");
      }
    }
    entries.push_back(std::move(entry));
  }
  return VehicleCatalogue(source, std::move(entries));
}

Result<VehicleCatalogue> load_vehicle_catalogue(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return fail("FILE_NOT_FOUND", "vehicle catalogue " + path + " does not exist");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("IO_ERROR", "vehicle catalogue " + path + " cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return fail("IO_ERROR", "vehicle catalogue " + path + " could not be read");
  }
  return parse_vehicle_catalogue(text.str(), path);
}

std::string default_catalogue_path() {
  if (const char* env = std::getenv("SKYLANE_VEHICLE_CATALOGUE"); env && *env) return env;
  return SKYLANE_VEHICLE_CATALOGUE_PATH;
}

}  // namespace skylane::vehicle
