// `skylane`: the offline front door (map build/info/export/render, plan, voxel-bench).
#include <iostream>

#include "commands.hpp"

#include "skylane/core/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"skylane: airspace maps, 4D route planning and fleet simulation for cargo drones"};
  app.set_version_flag("--version", std::string("skylane ") + SKYLANE_VERSION);
  app.require_subcommand(1);
  skylane::cli::ExitStatus status;
  skylane::cli::register_map_commands(app, status);
  skylane::cli::register_voxel_bench(app, status);
  skylane::cli::register_plan(app, status);
  skylane::cli::register_sim(app, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : skylane::exit_code::kUsage;
  }
  return status.code;
}
