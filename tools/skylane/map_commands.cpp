// skylane map build | info | export | render
#include <cstdio>
#include <iostream>

#include "commands.hpp"

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/maps/manifest.hpp"
#include "skylane/maps/map_builder.hpp"
#include "skylane/maps/map_export.hpp"
#include "skylane/maps/map_info.hpp"
#include "skylane/maps/map_render.hpp"

namespace skylane::cli {
namespace {

struct MapBuildOptions {
  std::string manifest;
  std::string out;
  double cell_size_m = 0.0;
  bool quiet = false;
};

void run_map_build(const MapBuildOptions& o, ExitStatus& status) {
  auto manifest = maps::load_manifest(o.manifest);
  if (!manifest) return report(manifest.error(), status);
  if (o.cell_size_m != 0.0) manifest->cell_xy_m = o.cell_size_m;
  maps::BuildStats stats;
  auto a = maps::compile_airspace(*manifest, &stats);
  if (!a) return report(a.error(), status);
  if (auto w = airspace::write_airspace(*a, o.out); !w) return report(w.error(), status);
  for (const auto& warning : stats.warnings) std::cerr << "skylane: warning: " << warning << "\n";
  if (!o.quiet) {
    std::fprintf(stderr, "built %s: %d x %d columns in %.2f s (", o.out.c_str(), a->nx(), a->ny(),
                 stats.total_seconds);
    for (const auto& [stage, s] : stats.stage_seconds) {
      std::fprintf(stderr, "%s%s %.2f s", &stage == &stats.stage_seconds.front().first ? "" : ", ",
                   stage.c_str(), s);
    }
    std::fprintf(stderr, ")\n");
  }
}

void run_map_info(const std::string& file, bool json, ExitStatus& status) {
  auto a = airspace::read_airspace(file);
  if (!a) return report(a.error(), status);
  auto s = maps::summarize(*a);
  if (!s) return report(s.error(), status);
  std::cout << (json ? maps::summary_json(*s) + "\n" : maps::summary_text(*s));
}

struct MapExportOptions {
  std::string file;
  std::string layer;
  double alt_agl_m = 120.0;
  std::string out;
};

void run_map_export(const MapExportOptions& o, ExitStatus& status) {
  auto layer = maps::parse_export_layer(o.layer);
  if (!layer) return report(layer.error(), status);
  auto a = airspace::read_airspace(o.file);
  if (!a) return report(a.error(), status);
  if (auto r = maps::export_layer(*a, {*layer, o.alt_agl_m, o.out}); !r) {
    return report(r.error(), status);
  }
  std::cerr << "wrote " << o.out << "\n";
}

void run_map_render(const std::string& file, const maps::RenderOptions& o, ExitStatus& status) {
  auto a = airspace::read_airspace(file);
  if (!a) return report(a.error(), status);
  if (auto r = maps::render_map(*a, o); !r) return report(r.error(), status);
  std::cerr << "wrote " << o.out << "\n";
}

}  // namespace

void register_map_commands(CLI::App& app, ExitStatus& status) {
  CLI::App* map = app.add_subcommand("map", "Build, inspect, export and render airspace maps");
  map->require_subcommand(1);

  auto build_opts = std::make_shared<MapBuildOptions>();
  CLI::App* build = map->add_subcommand("build",
                                        "Compile GIS layers named by a manifest into an "
                                        "airspace file (.skya)");
  build->add_option("--manifest", build_opts->manifest, "Map manifest (TOML)")->required();
  build->add_option("--out", build_opts->out, "Airspace file to write")->required();
  build->add_option("--cell-size", build_opts->cell_size_m,
                    "Override the manifest's horizontal cell size (m)");
  build->add_flag("-q,--quiet", build_opts->quiet, "Print nothing but errors and warnings");
  build->callback([build_opts, &status] { run_map_build(*build_opts, status); });

  auto info_file = std::make_shared<std::string>();
  auto info_json = std::make_shared<bool>(false);
  CLI::App* info = map->add_subcommand("info", "Summarise an airspace file");
  info->add_option("file", *info_file, "Airspace file (.skya)")->required();
  info->add_flag("--json", *info_json, "Print JSON instead of text");
  info->callback([info_file, info_json, &status] { run_map_info(*info_file, *info_json, status); });

  auto export_opts = std::make_shared<MapExportOptions>();
  CLI::App* exp = map->add_subcommand("export", "Write one layer as GeoTIFF or GeoJSON (for QGIS)");
  exp->add_option("file", export_opts->file, "Airspace file (.skya)")->required();
  exp->add_option("--layer", export_opts->layer,
                  "ground | obstacles | free-at | terrain-source | zones | vertiports")
      ->required();
  exp->add_option("--alt-agl", export_opts->alt_agl_m,
                  "Altitude above ground for --layer free-at (m)");
  exp->add_option("--out", export_opts->out, "Output .tif or .geojson")->required();
  exp->callback([export_opts, &status] { run_map_export(*export_opts, status); });

  auto render_file = std::make_shared<std::string>();
  auto render_opts = std::make_shared<maps::RenderOptions>();
  CLI::App* render = map->add_subcommand("render", "Draw an overview picture (PNG)");
  render->add_option("file", *render_file, "Airspace file (.skya)")->required();
  render->add_option("--out", render_opts->out, "Output .png")->required();
  render->add_option("--size", render_opts->max_size_px, "Longest side of the map in pixels");
  render->callback(
      [render_file, render_opts, &status] { run_map_render(*render_file, *render_opts, status); });
}

}  // namespace skylane::cli
