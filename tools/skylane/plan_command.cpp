// `skylane plan`: one 4D flight between two points or vertiports of a map, for one vehicle
// class, printed as a summary, JSON or GeoJSON. A thin wrapper over
// skylane::plan::run_plan_query (planner/include/skylane/plan/plan_report.hpp).
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>

#include "commands.hpp"
#include <nlohmann/json.hpp>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/plan/plan_report.hpp"

namespace skylane::cli {
namespace {

struct PlanFlags {
  std::string map;
  std::string from;
  std::string to;
  std::string from_vertiport;
  std::string to_vertiport;
  std::string vehicle_class = "flycart30";
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

void run_plan(const PlanFlags& f, ExitStatus& status) {
  if (f.json && f.geojson)
    return report(make_error("USAGE", "--json and --geojson exclude each other"), status);
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
  q.class_name = f.vehicle_class;
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
      "plan", "Plan one 4D flight between two points or vertiports of an airspace map");
  cmd->add_option("--map", f->map, "Airspace file (.skya)")->required();
  cmd->add_option("--from", f->from, "Start pad LON,LAT[,ALT] (WGS 84 degrees, metres AMSL)");
  cmd->add_option("--to", f->to, "Goal pad LON,LAT[,ALT]");
  cmd->add_option("--from-vertiport", f->from_vertiport, "Start at this vertiport of the map");
  cmd->add_option("--to-vertiport", f->to_vertiport, "Land at this vertiport of the map");
  cmd->add_option("--class", f->vehicle_class,
                  "Vehicle class: flycart30, ark40, meituan, longrange (default flycart30)");
  cmd->add_option("--depart", f->depart,
                  "Earliest departure: Unix seconds or local YYYY-MM-DDTHH:MM[:SS] (default now)");
  cmd->add_option("--latest-depart", f->latest_depart, "Latest take-off (same forms)");
  cmd->add_option("--arrive-by", f->arrive_by, "Arrival deadline (same forms)");
  cmd->add_option("--dwell", f->dwell_s, "Seconds on the landing pad after touch-down (60)");
  cmd->add_flag("--json", f->json, "Print the plan as JSON");
  cmd->add_flag("--geojson", f->geojson, "Print the trajectory as a GeoJSON Feature");
  cmd->callback([f, &status] { run_plan(*f, status); });
}

}  // namespace skylane::cli
