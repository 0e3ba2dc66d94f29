// `skylane sim`: one simulated day through the dispatch core, and `skylane sweep`: a grid of
// what-if overrides x seeds over Open MPI. Thin wrappers over skylane::sim::run_sim
// (sim/include/skylane/sim/sim_run.hpp) and skylane::sim::run_sweep (sweep.hpp).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include <unistd.h>

#include "skylane/sim/sim_run.hpp"
#include "skylane/sim/sweep.hpp"

namespace skylane::cli {
namespace {

struct SimFlags {
  std::string scenario;
  std::string out;
  std::string log;
  std::vector<std::string> set;
  long long seed = -1;
  bool quiet = false;
};

struct SweepFlags {
  std::string scenario;
  std::string out;
  std::vector<std::string> grid;
  std::vector<std::string> set;
  int seeds = 1;
  bool quiet = false;
};

// A progress bar on stderr when it is a terminal, shown once a run has taken 2 s.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}
  void operator()(double fraction) {
    if (!enabled_) return;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    if (wall < 2.0) return;
    const int width = 40;
    const int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r[%s%s] %3.0f %% of simulated time, %.0f s",
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 100 * fraction, wall);
    shown_ = true;
  }
  ~ProgressBar() {
    if (shown_) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

void run_sim_command(const SimFlags& f, ExitStatus& status) {
  sim::SimRunOptions o;
  o.scenario_path = f.scenario;
  o.out_dir = f.out;
  o.log_path = f.log;
  o.overrides = f.set;
  if (f.seed >= 0) o.seed = static_cast<std::uint64_t>(f.seed);
  auto bar = std::make_shared<ProgressBar>(!f.quiet);
  o.progress = [bar](double x) { (*bar)(x); };
  auto r = sim::run_sim(o);
  bar.reset();
  o.progress = nullptr;
  if (!r) return report(r.error(), status);
  const auto& s = r->summary;
  std::printf("%s: %zu missions released, %zu completed, %zu rejected\n",
              s["scenario"].get<std::string>().c_str(), s["missions_released"].get<std::size_t>(),
              s["missions_completed"].get<std::size_t>(),
              s["missions_rejected"].get<std::size_t>());
  std::printf(
      "throughput %.1f missions/hour, on-time %.1f %%, delivery p50 %.1f min / p95 %.1f min\n",
      s["throughput_per_hour"].get<double>(), 100 * s["on_time_rate"].get<double>(),
      s["delivery_time_s"]["p50"].get<double>() / 60,
      s["delivery_time_s"]["p95"].get<double>() / 60);
  std::printf("conflicts %s (independent checker over %zu flights), min separation %s m\n",
              s["conflicts"].dump().c_str(), s["audited_flights"].get<std::size_t>(),
              s["min_separation_m"].dump().c_str());
  std::printf("wall %.1f s (planning %.1f s over %zu submits)\n", r->timing["wall_s"].get<double>(),
              r->timing["submit_ms_total"].get<double>() / 1000.0,
              r->timing["submits"].get<std::size_t>());
  if (!f.out.empty()) std::printf("report: %s/report.html\n", f.out.c_str());
}

void run_sweep_command(const SweepFlags& f, ExitStatus& status) {
  sim::SweepOptions o;
  o.scenario_path = f.scenario;
  o.out_dir = f.out;
  o.grid = f.grid;
  o.overrides = f.set;
  o.seeds = f.seeds;
  o.quiet = f.quiet;
  auto r = sim::run_sweep(o);
  if (!r) return report(r.error(), status);
  if (!r->root) return;
  std::printf("%zu runs on %d process%s (%zu failed): %s, %s\n", r->tasks, r->processes,
              r->processes == 1 ? "" : "es", r->failed, r->csv_path.c_str(), r->html_path.c_str());
  if (r->failed > 0) status.code = exit_code::kDataErr;
}

}  // namespace

void register_sim(CLI::App& app, ExitStatus& status) {
  auto f = std::make_shared<SimFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sim", "Simulate a day of missions through the dispatch core and write a report");
  cmd->add_option("--scenario", f->scenario,
                  "Scenario TOML (e.g. sim/scenarios/shenzhen-boluo.toml)")
      ->required();
  cmd->add_option("--out", f->out,
                  "Output folder: summary.json, missions.csv, "
                  "trajectories.geojson, report.html, timing.json")
      ->required();
  cmd->add_option("--log", f->log, "Replay this mission log (CSV) instead of the demand model");
  cmd->add_option("--seed", f->seed, "Replace the scenario's seed");
  cmd->add_option("--set", f->set, "Override a scenario key: key.path=value (repeatable)");
  cmd->add_flag("--quiet", f->quiet, "No progress bar");
  cmd->callback([f, &status] { run_sim_command(*f, status); });

  auto g = std::make_shared<SweepFlags>();
  CLI::App* sw = app.add_subcommand(
      "sweep", "Run a grid of what-if overrides x seeds (over Open MPI under mpirun)");
  sw->add_option("--scenario", g->scenario, "Scenario TOML")->required();
  sw->add_option("--grid", g->grid, "Axis key.path=v1,v2,... (repeatable: cartesian product)");
  sw->add_option("--seeds", g->seeds,
                 "Replications per grid point (seeds derive from the "
                 "scenario seed and the replication index)");
  sw->add_option("--set", g->set, "Fixed override key.path=value for every run (repeatable)");
  sw->add_option("--out", g->out, "Output folder: sweep.csv, sweep.html")->required();
  sw->add_flag("--quiet", g->quiet, "No per-task lines on stderr");
  sw->callback([g, &status] { run_sweep_command(*g, status); });
}

}  // namespace skylane::cli
