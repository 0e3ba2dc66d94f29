// `skylane map render`: an overview picture of an airspace file (shaded terrain, water, unknown
// terrain hatched, zones by kind, buildings, airports and vertiports, legend and scale bar).
#pragma once

#include <string>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"

namespace skylane::maps {

struct RenderOptions {
  std::string out;         ///< .png
  int max_size_px = 1600;  ///< longest side of the map part of the picture
};

/// Errors: USAGE (not a .png, size outside 200..8000), IO_ERROR.
[[nodiscard]] Result<void> render_map(const airspace::Airspace& a, const RenderOptions& o);

}  // namespace skylane::maps
