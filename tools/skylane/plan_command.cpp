// `skylane plan`: one 4D flight between two points of a map, for one vehicle class, printed as a
// summary, JSON or GeoJSON (a thin wrapper over skylane::plan::run_plan_query,
// planner/include/skylane/plan/plan_report.hpp); or, between two vertiports with a payload, a
// multi-leg mission whose legs are each planned in 4D (skylane::plan::run_mission_query,
// planner/include/skylane/plan/mission_report.hpp).
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include <nlohmann/json.hpp>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/plan/mission_report.hpp"
#include "skylane/plan/plan_report.hpp"

namespace skylane::cli {
namespace {

struct PlanFlags {
  std::string map;
  std::string from;
  std::string to;
  std::string from_vertiport;
  std::string to_vertiport;
  std::string vehicle_class;  // default: flycart30 for a flight, any for a mission
  std::string catalogue;
  std::optional<double> payload_kg;
  int candidates = 3;
  std::string depart;
  std::string latest_depart;
  std::string arrive_by;
  double dwell_s = 60.0;
  bool json = false;
  bool geojson = false;
};

Result<plan::QueryEnd> end_of(const std::string& point, const std::string& vertiport,
                              const char* name) {
  if (point.empty() == vertiport.empty()) {
    return fail("USAGE",
                std::string("give exactly one of --") + name + " and --" + name + "-vertiport");
  }
  if (!vertiport.empty()) {
    plan::QueryEnd e;
    e.vertiport = vertiport;
    return e;
  }
  return plan::parse_lonlat_alt(point);
}

void print_summary(const std::string& json_text) {
  const auto j = nlohmann::json::parse(json_text);
  std::printf("outcome %s", j["outcome"].get<std::string>().c_str());
  if (!j["reason"].is_null()) std::printf(" (%s)", j["reason"].get<std::string>().c_str());
  std::printf("\n");
  if (!j["reason_text"].get<std::string>().empty()) {
    std::printf("  %s\n", j["reason_text"].get<std::string>().c_str());
  }
  if (j["outcome"] == "found") {
    std::printf("class %s: %.1f km in %.1f s (take-off after %.1f s), %zu waypoints\n",
                j["class"].get<std::string>().c_str(), j["distance_m"].get<double>() / 1000.0,
                j["duration_s"].get<double>(), j["takeoff_s"].get<double>(), j["waypoints"].size());
  }
  const auto& s = j["stats"];
  std::printf(
      "planned in %.1f ms: %llu expansions, %llu generated, %llu path cells (%.2f "
      "expansions per cell)\n",
      s["plan_ms"].get<double>(), s["expansions"].get<unsigned long long>(),
      s["generated"].get<unsigned long long>(), s["path_cells"].get<unsigned long long>(),
      s["expansions_per_path_cell"].get<double>());
}

void print_mission_summary(const std::string& json_text) {
  const auto j = nlohmann::json::parse(json_text);
  std::printf("outcome %s", j["outcome"].get<std::string>().c_str());
  if (!j["reason"].is_null()) std::printf(" (%s)", j["reason"].get<std::string>().c_str());
  std::printf("\n");
  if (j["outcome"] != "found") {
    std::printf("  %s\n", j["reason_text"].get<std::string>().c_str());
    return;
  }
  std::printf("class %s, %.1f kg: %zu legs, %zu stops, %.1f min, %.0f Wh\n",
              j["class"].get<std::string>().c_str(), j["payload_kg"].get<double>(),
              j["legs"].size(), j["stops"].size(), j["duration_s"].get<double>() / 60.0,
              j["energy_wh"].get<double>());
  for (const auto& l : j["legs"]) {
    std::printf("  %s -> %s: %.1f km in %.1f min, %.0f Wh, lands with %.0f %%\n",
                l["from"].get<std::string>().c_str(), l["to"].get<std::string>().c_str(),
                l["distance_m"].get<double>() / 1000.0, l["duration_s"].get<double>() / 60.0,
                l["energy_wh"].get<double>(),
                100.0 * l["battery_fraction_at_landing"].get<double>());
  }
  for (const auto& s : j["stops"]) {
    std::printf("  stop %s: %s, %.1f min on the ground\n", s["name"].get<std::string>().c_str(),
                s["service"].get<std::string>().c_str(),
                (s["departure_unix_s"].get<double>() - s["arrival_unix_s"].get<double>()) / 60.0);
  }
}

// --payload-kg between two vertiports: a multi-leg mission.
void run_mission(const PlanFlags& f, ExitStatus& status) {
  if (f.geojson)
    return report(make_error("USAGE", "--geojson is for single flights (--from/--to points)"),
                  status);
  auto map = airspace::read_airspace(f.map);
  if (!map) return report(map.error(), status);
  plan::MissionQuery q;
  q.from_vertiport = f.from_vertiport;
  q.to_vertiport = f.to_vertiport;
  q.payload_kg = *f.payload_kg;
  q.class_name = f.vehicle_class.empty() ? "any" : f.vehicle_class;
  q.catalogue_path = f.catalogue;
  if (!(f.dwell_s >= 0.0) || !std::isfinite(f.dwell_s) || f.dwell_s > 86400.0) {
    return report(make_error("USAGE", "--dwell must be a number of seconds in [0, 86400]"), status);
  }
  if (f.candidates < 1 || f.candidates > 100) {
    return report(make_error("USAGE", "--candidates must be in [1, 100]"), status);
  }
  q.router.max_candidates = static_cast<std::size_t>(f.candidates);
  q.router.pad_slot = traj::Millis{static_cast<std::int64_t>(std::llround(f.dwell_s * 1000))};
  if (f.depart.empty()) {
    q.depart_unix_s = static_cast<std::int64_t>(std::time(nullptr));
  } else {
    auto t = plan::parse_departure(f.depart, map->info().utc_offset_s);
    if (!t) return report(make_error("USAGE", "--depart: " + t.error().message), status);
    q.depart_unix_s = *t;
  }
  auto out = plan::run_mission_query(*map, q);
  if (!out) return report(out.error(), status);
  if (f.json) {
    std::cout << *out << "\n";
  } else {
    print_mission_summary(*out);
  }
}

void run_plan(const PlanFlags& f, ExitStatus& status) {
  if (f.json && f.geojson)
    return report(make_error("USAGE", "--json and --geojson exclude each other"), status);
  if (f.payload_kg) {
    if (f.from_vertiport.empty() || f.to_vertiport.empty() || !f.from.empty() || !f.to.empty()) {
      return report(make_error("USAGE",
                               "--payload-kg plans a mission: give --from-vertiport and "
                               "--to-vertiport (not --from/--to points)"),
                    status);
    }
    if (!f.latest_depart.empty() || !f.arrive_by.empty()) {
      return report(make_error("USAGE",
                               "--latest-depart and --arrive-by are for single flights, not "
                               "missions (--payload-kg)"),
                    status);
    }
    return run_mission(f, status);
  }
  auto from = end_of(f.from, f.from_vertiport, "from");
  if (!from) return report(from.error(), status);
  auto to = end_of(f.to, f.to_vertiport, "to");
  if (!to) return report(to.error(), status);
  auto map = airspace::read_airspace(f.map);
  if (!map) return report(map.error(), status);
  const std::int32_t utc = map->info().utc_offset_s;
  plan::PlanQuery q;
  q.from = *from;
  q.to = *to;
  q.class_name = f.vehicle_class.empty() ? "flycart30" : f.vehicle_class;
  q.catalogue_path = f.catalogue;
  q.goal_dwell_s = f.dwell_s;
  q.format = f.geojson ? plan::PlanQuery::Format::kGeoJson : plan::PlanQuery::Format::kJson;
  if (f.depart.empty()) {
    q.depart_unix_s = static_cast<std::int64_t>(std::time(nullptr));
  } else {
    auto t = plan::parse_departure(f.depart, utc);
    if (!t) return report(make_error("USAGE", "--depart: " + t.error().message), status);
    q.depart_unix_s = *t;
  }
  for (const auto& [text, slot] : {std::pair{&f.latest_depart, &q.latest_depart_unix_s},
                                   std::pair{&f.arrive_by, &q.arrive_by_unix_s}}) {
    if (text->empty()) continue;
    auto t = plan::parse_departure(*text, utc);
    if (!t) return report(make_error("USAGE", t.error().message), status);
    *slot = *t;
  }
  auto out = plan::run_plan_query(*map, q);
  if (!out) return report(out.error(), status);
  if (f.json || f.geojson) {
    std::cout << *out << "\n";
  } else {
    print_summary(*out);
  }
}

}  // namespace

void register_plan(CLI::App& app, ExitStatus& status) {
  auto f = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Plan one 4D flight between two points of an airspace map, or a multi-leg mission "
      "between two vertiports (--payload-kg)");
  cmd->add_option("--map", f->map, "Airspace file (.skya)")->required();
  cmd->add_option("--from", f->from, "Start pad LON,LAT[,ALT] (WGS 84 degrees, metres AMSL)");
  cmd->add_option("--to", f->to, "Goal pad LON,LAT[,ALT]");
  cmd->add_option("--from-vertiport", f->from_vertiport, "Start at this vertiport of the map");
  cmd->add_option("--to-vertiport", f->to_vertiport, "Land at this vertiport of the map");
  cmd->add_option("--class", f->vehicle_class,
                  "Vehicle class of the catalogue (flycart30, flycart30_single, ark40, meituan, "
                  "longrange, evtol218), or 'any' for a mission. Default: flycart30 for a "
                  "flight, any for a mission");
  cmd->add_option("--payload-kg", f->payload_kg,
                  "Payload (kg): plan a multi-leg mission between --from-vertiport and "
                  "--to-vertiport (relays, battery swaps, class choice), each leg in 4D");
  cmd->add_option(
      "--catalogue", f->catalogue,
      "Vehicle catalogue TOML (default: the shipped planner/data/vehicle_catalogue.toml "
      "or $SKYLANE_VEHICLE_CATALOGUE)");
  cmd->add_option(
      "--candidates", f->candidates,
      "Mission: candidate routes (K earliest) tried in turn when a leg fails in 4D (3)");
  cmd->add_option("--depart", f->depart,
                  "Earliest departure: Unix seconds or local YYYY-MM-DDTHH:MM[:SS] (default now)");
  cmd->add_option("--latest-depart", f->latest_depart, "Latest take-off (same forms)");
  cmd->add_option("--arrive-by", f->arrive_by, "Arrival deadline (same forms)");
  cmd->add_option("--dwell", f->dwell_s,
                  "Seconds on the landing pad after touch-down (60); for a mission, the pad slot "
                  "of every landing and take-off");
  cmd->add_flag("--json", f->json, "Print the plan as JSON");
  cmd->add_flag("--geojson", f->geojson, "Print the trajectory as a GeoJSON Feature");
  cmd->callback([f, &status] { run_plan(*f, status); });
}

}  // namespace skylane::cli
