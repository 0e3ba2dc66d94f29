#include "skylane/sim/sim_run.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/core/try.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/sim/mission_log.hpp"
#include "skylane/sim/mission_port.hpp"
#include "skylane/sim/scenario.hpp"
#include "skylane/sim/sim_report.hpp"
#include "skylane/sim/simulator.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::sim {
namespace {

Result<void> check_names(const Scenario& s, const airspace::Airspace& a,
                         const vehicle::VehicleCatalogue& cat) {
  auto has_vp = [&](const std::string& n) {
    return std::any_of(a.vertiports().begin(), a.vertiports().end(),
                       [&](const auto& v) { return v.name == n; });
  };
  for (const auto& g : s.fleet) {
    if (!cat.find(g.vehicle_class)) {
      return fail("VEHICLE_CLASS_UNKNOWN", s.source + ": fleet." + g.name + ".class '" +
                                               g.vehicle_class + "' is not in the catalogue " +
                                               cat.source());
    }
    if (!has_vp(g.home)) {
      return fail("VERTIPORT_UNKNOWN", s.source + ": fleet." + g.name + ".home '" + g.home +
                                           "' is not a vertiport of the map");
    }
  }
  for (const auto& v : s.vertiports) {
    if (!has_vp(v.name)) {
      return fail("VERTIPORT_UNKNOWN",
                  s.source + ": vertiports.\"" + v.name + "\" is not a vertiport of the map");
    }
  }
  for (const auto& f : s.demand.flows) {
    for (const auto* list : {&f.origins, &f.destinations}) {
      for (const auto& [n, w] : *list) {
        if (!has_vp(n)) {
          return fail("VERTIPORT_UNKNOWN", s.source + ": demand.flow." + f.name + ": '" + n +
                                               "' is not a vertiport of the map");
        }
      }
    }
    if (f.vehicle_class != "any" &&
        std::none_of(s.fleet.begin(), s.fleet.end(),
                     [&](const FleetGroup& g) { return g.vehicle_class == f.vehicle_class; })) {
      return fail("VEHICLE_CLASS_UNKNOWN", s.source + ": demand.flow." + f.name + ".class '" +
                                               f.vehicle_class + "' has no drones in the fleet");
    }
  }
  for (const auto& p : s.policy.class_preference) {
    if (!cat.find(p)) {
      return fail("VEHICLE_CLASS_UNKNOWN",
                  s.source + ": policy.class_preference '" + p + "' is not in the catalogue");
    }
  }
  return {};
}

}  // namespace

Result<SimRunReport> run_sim(const SimRunOptions& o) {
  const auto wall0 = std::chrono::steady_clock::now();
  SKY_TRY(scenario, load_scenario(o.scenario_path, o.overrides));
  if (o.seed) scenario.seed = *o.seed;

  std::optional<airspace::Airspace> owned;
  const airspace::Airspace* map = o.airspace;
  if (!map) {
    const std::string path = resolve_scenario_path(scenario.map, scenario.source);
    SKY_TRY(a, airspace::read_airspace(path));
    owned.emplace(std::move(a));
    map = &*owned;
  }
  const std::string cat_path = scenario.catalogue.empty()
                                   ? vehicle::default_catalogue_path()
                                   : resolve_scenario_path(scenario.catalogue, scenario.source);
  SKY_TRY(full_catalogue, vehicle::load_vehicle_catalogue(cat_path));
  SKY_CHECK(check_names(scenario, *map, full_catalogue));
  // The core builds one planner per catalogue class: give it only the fleet's classes.
  std::vector<vehicle::CatalogueEntry> entries;
  for (const auto& e : full_catalogue.entries()) {
    if (std::any_of(scenario.fleet.begin(), scenario.fleet.end(), [&](const FleetGroup& g) {
          return g.vehicle_class == e.vehicle.name && g.count > 0;
        })) {
      entries.push_back(e);
    }
  }
  const vehicle::VehicleCatalogue catalogue(full_catalogue.source(), entries);

  std::vector<MissionRecord> missions;
  std::string log_source = "demand model";
  if (!o.log_path.empty()) {
    SKY_TRY(log, read_mission_log(o.log_path, scenario.utc_offset_s));
    missions = std::move(log);
    log_source = o.log_path;
  } else {
    missions = generate_missions(scenario, scenario.seed);
  }
  std::vector<std::string> vp_names, classes;
  for (const auto& v : map->vertiports()) vp_names.push_back(v.name);
  for (const auto& g : scenario.fleet) {
    if (g.count > 0) classes.push_back(g.vehicle_class);
  }
  SKY_CHECK(check_missions(missions, scenario, vp_names, classes, log_source));

  std::int64_t sim_now = scenario.start_unix_ms;
  PortOptions po;
  po.epoch_unix_ms = scenario.start_unix_ms;
  po.plan_budget_ms = scenario.plan_budget_ms;
  // The core reads the simulation clock; the model advances it through its own calls.
  po.clock = [&sim_now] { return sim_now; };
  std::unique_ptr<MissionPort> port;
  const auto setup0 = std::chrono::steady_clock::now();
  if (scenario.planner == "straight_line") {
    port = make_straight_line_port(*map, catalogue, po);
  } else {
    SKY_TRY(p, make_dispatch_port(*map, catalogue, po));
    port = std::move(p);
  }
  const auto setup1 = std::chrono::steady_clock::now();

  // A port that keeps sim_now in step with the model's time before every call.
  class ClockedPort final : public MissionPort {
   public:
    ClockedPort(MissionPort& inner, std::int64_t& now) : inner_(inner), now_(now) {}
    Result<dispatch::Mission> submit(const dispatch::MissionRequest& r) override {
      return inner_.submit(r);
    }
    Result<dispatch::RestrictionChange> add_restriction(dispatch::RestrictionSpec s) override {
      return inner_.add_restriction(std::move(s));
    }
    std::vector<dispatch::MissionEvent> advance(std::int64_t t) override {
      now_ = t;
      return inner_.advance(t);
    }
    Result<dispatch::Mission> get(std::int64_t id) const override { return inner_.get(id); }
    [[nodiscard]] std::int64_t epoch_unix_ms() const override { return inner_.epoch_unix_ms(); }
    [[nodiscard]] const char* kind() const override { return inner_.kind(); }

   private:
    MissionPort& inner_;
    std::int64_t& now_;
  } clocked(*port, sim_now);

  SimOptions so;
  so.progress = o.progress;
  const auto sim0 = std::chrono::steady_clock::now();
  SKY_TRY(result, simulate(scenario, *map, catalogue, missions, clocked, so));
  const auto sim1 = std::chrono::steady_clock::now();
  const Audit audit = audit_flights(result, catalogue);
  const auto audit1 = std::chrono::steady_clock::now();

  SimRunReport rep;
  rep.summary = make_summary(scenario, result, audit);
  if (!o.log_path.empty())
    rep.summary["mission_log"] = std::filesystem::path(o.log_path).filename().string();

  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::vector<double> plan_ms;
  for (const auto& j : result.jobs) {
    if (j.dispatch_id > 0) plan_ms.push_back(j.submit_wall_ms);
  }
  // Submit time by class and kind (where planning time goes).
  std::map<std::string, std::pair<std::size_t, double>> by_kind;
  for (const auto& j : result.jobs) {
    if (j.dispatch_id <= 0) continue;
    auto& k = by_kind[j.vehicle_class + (j.ferry ? " ferry" : " delivery")];
    ++k.first;
    k.second += j.submit_wall_ms;
  }
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [k, v] : by_kind) {
    kinds[k] = {{"submits", v.first},
                {"ms_total", v.second},
                {"ms_mean", v.second / static_cast<double>(v.first)}};
  }
  std::sort(plan_ms.begin(), plan_ms.end());
  auto pct = [&](double p) {
    return plan_ms.empty() ? 0.0
                           : plan_ms[static_cast<std::size_t>(
                                 p / 100.0 * static_cast<double>(plan_ms.size() - 1))];
  };
  double total_plan = 0;
  for (double x : plan_ms) total_plan += x;
  rep.timing = {
      {"wall_s", 0.0},
      {"core_setup_s", ms(setup0, setup1) / 1000.0},
      {"simulate_s", ms(sim0, sim1) / 1000.0},
      {"audit_s", ms(sim1, audit1) / 1000.0},
      {"submits", plan_ms.size()},
      {"submit_ms_total", total_plan},
      {"submit_ms_mean", plan_ms.empty() ? 0.0 : total_plan / static_cast<double>(plan_ms.size())},
      {"submit_ms_p50", pct(50)},
      {"submit_ms_p95", pct(95)},
      {"submit_ms_max", plan_ms.empty() ? 0.0 : plan_ms.back()},
      {"events", result.events},
      {"submit_by_class", kinds},
      {"planner", result.port_kind}};

  if (!o.out_dir.empty()) {
    const auto& info = map->info();
    SKY_TRY(frame, geo::GeoFrame::create(info.crs_wkt.empty() ? info.crs : info.crs_wkt));
    SKY_TRY(files, write_outputs(o.out_dir, scenario, *map, result, rep.summary, frame));
    rep.files = files;
    rep.timing["wall_s"] = ms(wall0, std::chrono::steady_clock::now()) / 1000.0;
    const auto tpath = (std::filesystem::path(o.out_dir) / "timing.json").string();
    std::ofstream t(tpath, std::ios::binary);
    t << rep.timing.dump(2) << "\n";
    if (!t) return fail("IO_ERROR", "cannot write '" + tpath + "'");
    rep.files.push_back(tpath);
  } else {
    rep.timing["wall_s"] = ms(wall0, std::chrono::steady_clock::now()) / 1000.0;
  }
  return rep;
}

}  // namespace skylane::sim
