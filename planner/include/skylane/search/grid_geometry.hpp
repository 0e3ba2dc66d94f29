// Where a voxel grid sits in the working frame: origin and cell sizes, and the conversions
// between voxel indices and metres. Voxel (x, y, z) is the box
// [ox + x*dx, ox + (x+1)*dx) × [oy + y*dy, oy + (y+1)*dy) × [oz + z*dz, oz + (z+1)*dz).
#pragma once

#include <cmath>
#include <cstdint>

#include "skylane/search/search_types.hpp"

namespace skylane::search {

struct GridGeometry {
  double origin_x_m = 0.0;  ///< west edge of column x = 0
  double origin_y_m = 0.0;  ///< south edge of row y = 0 (y grows northwards)
  double origin_z_m = 0.0;  ///< bottom of layer z = 0, metres AMSL
  double cell_xy_m = 1.0;   ///< horizontal cell size (square cells)
  double cell_z_m = 1.0;    ///< vertical cell size

  [[nodiscard]] double center_x_m(std::int32_t x) const {
    return origin_x_m + (x + 0.5) * cell_xy_m;
  }
  [[nodiscard]] double center_y_m(std::int32_t y) const {
    return origin_y_m + (y + 0.5) * cell_xy_m;
  }
  [[nodiscard]] double center_z_m(std::int32_t z) const {
    return origin_z_m + (z + 0.5) * cell_z_m;
  }

  /// Voxel containing a point (floor division; may be outside the grid).
  [[nodiscard]] Voxel voxel_at(double x_m, double y_m, double z_m) const {
    return Voxel{static_cast<std::int32_t>(std::floor((x_m - origin_x_m) / cell_xy_m)),
                 static_cast<std::int32_t>(std::floor((y_m - origin_y_m) / cell_xy_m)),
                 static_cast<std::int32_t>(std::floor((z_m - origin_z_m) / cell_z_m))};
  }
};

}  // namespace skylane::search
