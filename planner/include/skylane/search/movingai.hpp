// Reader for the Moving AI 3D voxel benchmarks: `.3dmap` occupancy files and `.3dscen`
// scenario files with known optimal costs (Brewer & Sturtevant, "Benchmarks for Pathfinding in
// 3D Voxel Space", SoCS 2018). Format notes: ../shared/data/movingai-3d/README.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/search/search_types.hpp"
#include "skylane/search/voxel_grid.hpp"

namespace skylane::search {

/// One benchmark instance: a free start and goal and the optimal 26-connected cost (1, √2, √3
/// per step, strict no corner cutting), in voxel units.
struct MovingAiScenario {
  Voxel start;
  Voxel goal;
  double optimal_cost = 0.0;
  double ratio = 0.0;    ///< optimal_cost / octile heuristic, as printed (3 decimals)
  std::size_t line = 0;  ///< 1-based line in the scenario file, for messages
};

/// A whole `.3dscen` file.
struct MovingAiScenarioSet {
  int version = 1;
  std::string map_name;  ///< second line of the file, e.g. "Simple.3dmap"
  std::vector<MovingAiScenario> scenarios;
};

/// Parses `.3dmap` text. Header `voxel X Y Z` lists BLOCKED voxels, `rev_voxel X Y Z` lists
/// FREE ones; any other header word is an error. Every later line is `x y z` with
/// 0 <= x < X etc.; blank lines and CR line ends are tolerated. `source` names the text in
/// messages. Errors: MOVINGAI_PARSE_ERROR (header, non-numeric, truncated or overlong line),
/// MOVINGAI_OUT_OF_RANGE (coordinate outside the declared size, grid too large); each message
/// reads "source:line: what". O(bytes + (X+2)(Y+2)(Z+2)).
[[nodiscard]] Result<VoxelGrid> parse_movingai_map(std::string_view text, std::string_view source);

/// Reads and parses a `.3dmap` file. Errors as parse_movingai_map, plus FILE_NOT_FOUND,
/// FILE_UNREADABLE (a directory) and IO_ERROR.
[[nodiscard]] Result<VoxelGrid> read_movingai_map(const std::filesystem::path& file);

/// Parses `.3dscen` text: `version 1` (or 2), the map file name, then one instance per line,
/// `sx sy sz gx gy gz optimal_cost ratio` with an optional 9th column that is ignored.
/// Coordinates must be non-negative integers; they are checked against a map only by the
/// caller (run_voxel_bench). Errors: MOVINGAI_PARSE_ERROR naming source and line.
[[nodiscard]] Result<MovingAiScenarioSet> parse_movingai_scenarios(std::string_view text,
                                                                   std::string_view source);

/// Reads and parses a `.3dscen` file; errors as parse_movingai_scenarios plus file errors.
[[nodiscard]] Result<MovingAiScenarioSet> read_movingai_scenarios(
    const std::filesystem::path& file);

}  // namespace skylane::search
