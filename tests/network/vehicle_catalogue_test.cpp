// The vehicle class catalogue: the shipped file reproduces the cited facts (checked with an
// energy formula written out in network_fixtures.hpp, not the library's), and every kind of bad
// value is refused with an error naming the file, the class and the key.
#include "skylane/vehicle/vehicle_catalogue.hpp"

#include <cstdlib>
#include <string>

#include "network_fixtures.hpp"
#include <gtest/gtest.h>

#include "skylane/vehicle/vehicle_energy.hpp"

namespace skylane::vehicle {
namespace {

using network::testing::reference_energy_wh;
using network::testing::reference_range_m;
using network::testing::shipped_catalogue;

const VehicleClass& cls(const std::string& name) {
  const VehicleClass* v = shipped_catalogue().find(name);
  if (!v) {
    ADD_FAILURE() << "class " << name << " missing from the shipped catalogue";
    static const VehicleClass kEmpty;
    return kEmpty;
  }
  return *v;
}

TEST(ShippedCatalogue, LoadsFromTheDefaultPathWithTheIssueClasses) {
  auto cat = load_vehicle_catalogue(default_catalogue_path());
  ASSERT_TRUE(cat) << cat.error().to_string();
  for (const char* name : {"flycart30", "flycart30_single", "ark40", "meituan", "longrange"}) {
    EXPECT_NE(cat->find(name), nullptr) << name;
  }
  EXPECT_EQ(cat->find("no-such-class"), nullptr);
}

TEST(ShippedCatalogue, DefaultPathCanBeOverriddenByTheEnvironment) {
  ASSERT_EQ(setenv("SKYLANE_VEHICLE_CATALOGUE", "/tmp/elsewhere.toml", 1), 0);
  EXPECT_EQ(default_catalogue_path(), "/tmp/elsewhere.toml");
  ASSERT_EQ(unsetenv("SKYLANE_VEHICLE_CATALOGUE"), 0);
  EXPECT_NE(default_catalogue_path().find("planner/data/vehicle_catalogue.toml"),
            std::string::npos);
}

// DESIGN.md reference facts, written here independently of the catalogue's own calibration.
struct CitedRange {
  const char* name;
  double payload_kg;
  double range_m;
};
constexpr CitedRange kCited[] = {
    {"flycart30", 30.0, 16000.0},        // FlyCart-30-class 30 kg / 16 km
    {"flycart30_single", 40.0, 8000.0},  // (40 kg / 8 km)
    {"ark40", 12.0, 20000.0},            // Ark-40-class 10-12 kg / 20 km
    {"ark40", 10.0, 20000.0},            // ... at 10 kg it must do at least 20 km
    {"meituan", 2.5, 10000.0},           // Meituan-class 2.5 kg / 10 km
};

TEST(ShippedCatalogue, EnergyModelsReproduceTheCitedRanges) {
  for (const CitedRange& c : kCited) {
    const VehicleClass& v = cls(c.name);
    const double independent = reference_range_m(v, c.payload_kg);
    // At the cited payload within 0.5 %; at a lighter payload of a cited band, at least it.
    if (c.payload_kg == v.max_payload_kg || std::string(c.name) != "ark40") {
      EXPECT_NEAR(independent, c.range_m, 0.005 * c.range_m) << c.name << " " << c.payload_kg;
      EXPECT_NEAR(range_m(v, c.payload_kg), c.range_m, 0.005 * c.range_m) << c.name;
    } else {
      EXPECT_GE(independent, c.range_m) << c.name << " " << c.payload_kg;
    }
  }
  // Every class reproduces the calibration point it declares.
  for (const auto& e : shipped_catalogue().entries()) {
    EXPECT_NEAR(reference_range_m(e.vehicle, e.calibration.payload_kg), e.calibration.range_m,
                0.005 * e.calibration.range_m)
        << e.vehicle.name;
  }
}

TEST(ShippedCatalogue, CruiseSpeedsAsCited) {
  EXPECT_DOUBLE_EQ(cls("flycart30").motion.cruise_speed_mps, 20.0);
  EXPECT_DOUBLE_EQ(cls("ark40").motion.cruise_speed_mps, 15.0);
  EXPECT_NEAR(cls("meituan").motion.cruise_speed_mps, 83.0 / 3.6, 0.01);
  EXPECT_NEAR(cls("longrange").motion.cruise_speed_mps, 71700.0 / (45 * 60), 0.05);
  // Wing-borne classes cannot hover en route but hover on their lift rotors to land.
  EXPECT_FALSE(cls("longrange").motion.can_hover);
  EXPECT_TRUE(cls("longrange").motion.hovers_to_land);
  EXPECT_NEAR(cls("evtol218").motion.cruise_speed_mps, 218.0 / 3.6, 0.1);
}

TEST(ShippedCatalogue, RangeFallsWithPayload) {
  for (const auto& e : shipped_catalogue().entries()) {
    const VehicleClass& v = e.vehicle;
    const double empty = range_m(v, 0.0);
    const double half = range_m(v, v.max_payload_kg / 2);
    const double full = range_m(v, v.max_payload_kg);
    EXPECT_GT(empty, half) << v.name;
    EXPECT_GT(half, full) << v.name;
  }
}

TEST(ShippedCatalogue, RulesOfThePolicyAndTheRegulations) {
  for (const auto& e : shipped_catalogue().entries()) {
    const VehicleClass& v = e.vehicle;
    EXPECT_DOUBLE_EQ(v.energy.reserve_fraction, 0.2) << v.name;  // land with >= 20 %
    EXPECT_GE(v.separation.horizontal_m, 32.0) << v.name;        // defaults are the floor
    EXPECT_GE(v.separation.vertical_m, 7.6) << v.name;
    EXPECT_GE(v.separation.time_buffer.count(), 2000) << v.name;
    EXPECT_GE(v.limits.terrain_clearance_m, 50.0) << v.name;
    EXPECT_EQ(v.category, category_for_masses(v.empty_mass_kg, v.max_takeoff_mass_kg)) << v.name;
    EXPECT_LE(v.max_payload_kg, v.max_takeoff_mass_kg - v.empty_mass_kg + 1e-9) << v.name;
    if (v.category == Category::kLight || v.category == Category::kSmall) {
      EXPECT_LE(v.limits.ceiling_agl_m, 120.0) << v.name;
    }
    EXPECT_LE(v.limits.ceiling_agl_m, 300.0) << v.name;
    EXPECT_GE(v.swap_time_s, 30.0) << v.name;
    EXPECT_GE(v.charge_time_s, 40 * 60.0) << v.name;
    EXPECT_LE(v.charge_time_s, 60 * 60.0) << v.name;
  }
  EXPECT_EQ(cls("meituan").category, Category::kSmall);
  EXPECT_EQ(cls("flycart30").category, Category::kMedium);
  EXPECT_EQ(cls("evtol218").category, Category::kLarge);
}

TEST(EnergyModel, MatchesTheWrittenOutFormula) {
  const VehicleClass& v = cls("flycart30");
  for (double payload : {0.0, 12.5, 30.0}) {
    for (double h : {0.0, 1000.0, 12345.0}) {
      const double lib = energy_wh(v, payload, h, 87.0, 65.0, 13.0);
      EXPECT_NEAR(lib, reference_energy_wh(v, payload, h, 87.0, 65.0, 13.0), 1e-9 * (1 + lib));
    }
  }
  EXPECT_NEAR(usable_energy_wh(v), 0.8 * v.energy.battery_wh, 1e-9);
  EXPECT_NEAR(flight_time_s(v, {2000.0, 50.0, 30.0, 20.0}), 2000.0 / 20 + 50.0 / 5 + 30.0 / 3 + 20,
              1e-9);
}

TEST(EnergyModel, RegulatoryCategoriesByWeight) {
  EXPECT_EQ(category_for_masses(0.2, 0.3), Category::kMicro);
  EXPECT_EQ(category_for_masses(4.0, 7.0), Category::kLight);
  EXPECT_EQ(category_for_masses(4.0, 7.5), Category::kSmall);
  EXPECT_EQ(category_for_masses(15.0, 25.0), Category::kSmall);
  EXPECT_EQ(category_for_masses(15.5, 25.0), Category::kMedium);
  EXPECT_EQ(category_for_masses(60.0, 150.0), Category::kMedium);
  EXPECT_EQ(category_for_masses(60.0, 150.5), Category::kLarge);
}

// ---- Validation: one test per kind of error. ----

// A valid one-class catalogue (flycart30's values, without [defaults]); tests break one thing.
std::string valid_toml() {
  return R"(format_version = 1
[[class]]
name = "t30"
category = "medium"
empty_mass_kg = 65.0
max_takeoff_mass_kg = 95.0
max_payload_kg = 30.0
[class.motion]
cruise_speed_mps = 20.0
climb_rate_mps = 5.0
descent_rate_mps = 3.0
can_hover = true
[class.energy]
battery_wh = 3968.0
cruise_w_base = 3291.0
cruise_w_per_kg = 138.57
hover_w_per_kg15 = 14.222
climb_efficiency = 0.6
reserve_fraction = 0.2
[class.energy.calibration]
payload_kg = 30.0
range_m = 16000.0
hover_to_cruise = 0.8
fixed_share = 0.2
source = "test"
[class.ground]
swap_time_s = 120.0
charge_time_s = 3600.0
[class.separation]
horizontal_m = 32.0
vertical_m = 7.6
time_buffer_s = 2.0
[class.altitude]
terrain_clearance_m = 50.0
obstacle_clearance_m = 20.0
ceiling_agl_m = 300.0
[class.zones]
walls = ["prohibited", "restricted"]
)";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Parses `text` and expects `reason` with a message naming the file and each of `names`.
void expect_error(const std::string& text, const std::string& reason,
                  std::initializer_list<std::string> names) {
  auto r = parse_vehicle_catalogue(text, "cat.toml");
  ASSERT_FALSE(r) << "accepted; expected " << reason;
  EXPECT_EQ(r.error().reason, reason) << r.error().to_string();
  EXPECT_NE(r.error().message.find("cat.toml"), std::string::npos) << r.error().message;
  for (const auto& n : names) {
    EXPECT_NE(r.error().message.find(n), std::string::npos)
        << "'" << n << "' not in: " << r.error().message;
  }
}

TEST(CatalogueValidation, TheTemplateIsValid) {
  auto r = parse_vehicle_catalogue(valid_toml(), "cat.toml");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_NE(r->find("t30"), nullptr);
  EXPECT_EQ(r->find("t30")->limits.blocked_zone_kinds, 0b11);
  EXPECT_EQ(r->find("t30")->separation.time_buffer.count(), 2000);
}

TEST(CatalogueValidation, NotToml) {
  expect_error("format_version = = 1\n", "VEHICLE_CATALOGUE_PARSE_ERROR", {"cat.toml:1"});
}

TEST(CatalogueValidation, MissingFile) {
  auto r = load_vehicle_catalogue("/nonexistent/cat.toml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "FILE_NOT_FOUND");
  EXPECT_NE(r.error().message.find("/nonexistent/cat.toml"), std::string::npos);
}

TEST(CatalogueValidation, UnknownKeys) {
  expect_error(replaced(valid_toml(), "battery_wh =", "batery_wh = 1.0\nbattery_wh ="),
               "VEHICLE_CATALOGUE_UNKNOWN_KEY", {"class 't30'", "energy.batery_wh"});
  expect_error(replaced(valid_toml(), "category =", "colour = \"red\"\ncategory ="),
               "VEHICLE_CATALOGUE_UNKNOWN_KEY", {"class 't30'", "colour"});
  expect_error("flavour = 1\n" + valid_toml(), "VEHICLE_CATALOGUE_UNKNOWN_KEY", {"flavour"});
  expect_error(replaced(valid_toml(), "[[class]]", "[defaults.energy]\nbatteryy_wh = 1\n[[class]]"),
               "VEHICLE_CATALOGUE_UNKNOWN_KEY", {"[defaults]", "energy.batteryy_wh"});
}

TEST(CatalogueValidation, MissingFields) {
  expect_error(replaced(valid_toml(), "max_payload_kg = 30.0\n", ""),
               "VEHICLE_CATALOGUE_MISSING_FIELD", {"class 't30'", "max_payload_kg"});
  expect_error(replaced(valid_toml(), "descent_rate_mps = 3.0\n", ""),
               "VEHICLE_CATALOGUE_MISSING_FIELD", {"class 't30'", "motion.descent_rate_mps"});
  expect_error(replaced(valid_toml(), "[class.energy.calibration]", "[class.energy.calibratio]"),
               "VEHICLE_CATALOGUE_UNKNOWN_KEY", {"class 't30'", "energy.calibratio"});
  expect_error(replaced(valid_toml(), "name = \"t30\"\n", ""), "VEHICLE_CATALOGUE_MISSING_FIELD",
               {"class #1", "name"});
}

TEST(CatalogueValidation, NaNAndInfinity) {
  expect_error(replaced(valid_toml(), "battery_wh = 3968.0", "battery_wh = nan"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "energy.battery_wh", "NaN"});
  expect_error(replaced(valid_toml(), "cruise_speed_mps = 20.0", "cruise_speed_mps = inf"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "motion.cruise_speed_mps"});
}

TEST(CatalogueValidation, NegativeAndZeroValues) {
  expect_error(replaced(valid_toml(), "empty_mass_kg = 65.0", "empty_mass_kg = -65.0"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "empty_mass_kg"});
  expect_error(replaced(valid_toml(), "descent_rate_mps = 3.0", "descent_rate_mps = 0"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "motion.descent_rate_mps"});
  expect_error(replaced(valid_toml(), "swap_time_s = 120.0", "swap_time_s = -1"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "ground.swap_time_s"});
  expect_error(replaced(valid_toml(), "horizontal_m = 32.0", "horizontal_m = 0"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "separation.horizontal_m"});
}

TEST(CatalogueValidation, WrongTypes) {
  expect_error(replaced(valid_toml(), "cruise_speed_mps = 20.0", "cruise_speed_mps = \"fast\""),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "motion.cruise_speed_mps"});
  expect_error(replaced(valid_toml(), "can_hover = true", "can_hover = 1"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "motion.can_hover"});
  expect_error(replaced(valid_toml(), "can_hover = true", "can_hover = true\nhovers_to_land = 1"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "motion.hovers_to_land"});
}

TEST(CatalogueValidation, ReserveOutsideZeroToOne) {
  expect_error(replaced(valid_toml(), "reserve_fraction = 0.2", "reserve_fraction = 1.0"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "energy.reserve_fraction"});
  expect_error(replaced(valid_toml(), "reserve_fraction = 0.2", "reserve_fraction = -0.1"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "energy.reserve_fraction"});
}

TEST(CatalogueValidation, PayloadAboveTakeOffMassLessEmpty) {
  expect_error(replaced(valid_toml(), "max_payload_kg = 30.0", "max_payload_kg = 31.0"),
               "VEHICLE_CATALOGUE_INCONSISTENT", {"class 't30'", "max_payload_kg"});
  expect_error(replaced(valid_toml(), "max_takeoff_mass_kg = 95.0", "max_takeoff_mass_kg = 60.0"),
               "VEHICLE_CATALOGUE_INCONSISTENT", {"class 't30'", "max_takeoff_mass_kg"});
}

TEST(CatalogueValidation, CeilingBelowClearanceOrAboveTheCategory) {
  expect_error(replaced(valid_toml(), "ceiling_agl_m = 300.0", "ceiling_agl_m = 40.0"),
               "VEHICLE_CATALOGUE_INCONSISTENT", {"class 't30'", "altitude.ceiling_agl_m"});
  expect_error(replaced(valid_toml(), "ceiling_agl_m = 300.0", "ceiling_agl_m = 500.0"),
               "VEHICLE_CATALOGUE_INCONSISTENT",
               {"class 't30'", "altitude.ceiling_agl_m", "medium"});
}

TEST(CatalogueValidation, CategoryMustMatchTheMasses) {
  expect_error(replaced(valid_toml(), "category = \"medium\"", "category = \"small\""),
               "VEHICLE_CATALOGUE_INCONSISTENT", {"class 't30'", "category", "medium"});
  expect_error(replaced(valid_toml(), "category = \"medium\"", "category = \"huge\""),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "category", "huge"});
}

TEST(CatalogueValidation, UnknownZoneKind) {
  expect_error(replaced(valid_toml(), "\"restricted\"]", "\"restricted\", \"airport\"]"),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 't30'", "zones.walls", "airport"});
}

TEST(CatalogueValidation, EnergyModelMustReproduceItsCalibration) {
  expect_error(replaced(valid_toml(), "range_m = 16000.0", "range_m = 20000.0"),
               "VEHICLE_CATALOGUE_INCONSISTENT", {"class 't30'", "energy.calibration.range_m"});
  expect_error(replaced(valid_toml(), "\npayload_kg = 30.0", "\npayload_kg = 35.0"),
               "VEHICLE_CATALOGUE_INCONSISTENT", {"class 't30'", "energy.calibration.payload_kg"});
}

TEST(CatalogueValidation, DuplicateAndReservedNames) {
  const std::string two = valid_toml() + valid_toml().substr(valid_toml().find("[[class]]"));
  expect_error(two, "VEHICLE_CATALOGUE_INCONSISTENT", {"class 't30'", "twice"});
  expect_error(replaced(valid_toml(), "name = \"t30\"", "name = \"any\""),
               "VEHICLE_CATALOGUE_INVALID_VALUE", {"class 'any'", "reserved"});
}

TEST(CatalogueValidation, DefaultsFillMissingSections) {
  std::string text = replaced(valid_toml(),
                              "[class.separation]\nhorizontal_m = 32.0\n"
                              "vertical_m = 7.6\ntime_buffer_s = 2.0\n",
                              "");
  text = replaced(text, "[[class]]",
                  "[defaults.separation]\nhorizontal_m = 40.0\nvertical_m = 8.0\n"
                  "time_buffer_s = 3.0\n[[class]]");
  auto r = parse_vehicle_catalogue(text, "cat.toml");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_DOUBLE_EQ(r->find("t30")->separation.horizontal_m, 40.0);
  EXPECT_EQ(r->find("t30")->separation.time_buffer.count(), 3000);
}

}  // namespace
}  // namespace skylane::vehicle
