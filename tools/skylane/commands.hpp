// Registration of the `skylane` subcommands. Each subcommand is a thin wrapper over one library
// call; it parses flags, calls the library and turns an Error into a message and exit code.
#pragma once

#include <iostream>

#include <CLI/CLI.hpp>

#include "skylane/core/error.hpp"

namespace skylane::cli {

/// Where a subcommand leaves its exit code (sysexits values, see skylane/core/error.hpp).
struct ExitStatus {
  int code = 0;
};

/// Prints "skylane: REASON: message" on stderr and records the catalogue's exit code.
inline void report(const Error& e, ExitStatus& status) {
  std::cerr << "skylane: " << e.to_string() << "\n";
  status.code = e.exit_code();
}

void register_map_commands(CLI::App& app, ExitStatus& status);
/// `skylane voxel-bench`: Moving AI 3D benchmark through A* (voxel_bench_command.cpp).
void register_voxel_bench(CLI::App& app, ExitStatus& status);
/// `skylane plan`: one 4D flight on an airspace map (plan_command.cpp).
void register_plan(CLI::App& app, ExitStatus& status);
/// `skylane sim` and `skylane sweep`: the discrete-event simulator (sim_command.cpp).
void register_sim(CLI::App& app, ExitStatus& status);

}  // namespace skylane::cli
