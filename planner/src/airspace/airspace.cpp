#include "skylane/airspace/airspace.hpp"

#include <algorithm>
#include <cmath>

namespace skylane::airspace {

Airspace::Airspace(AirspaceInfo info) : info_(std::move(info)) {
  const std::size_t n = column_count();
  ground_.assign(n, 0);
  obstacle_top_.assign(n, 0);
  zone_set_.assign(n, 0);
  flags_.assign(n, 0);
}

std::uint16_t Airspace::encode(double h) const {
  // Round up: a stored height is never below the true one (obstacles are conservative).
  const double q = std::ceil((h - info_.altitude_min_amsl_m) / kHeightQuantumM - 1e-9);
  return static_cast<std::uint16_t>(std::clamp(q, 0.0, 65535.0));
}

bool Airspace::column_at(double x_m, double y_m, std::int32_t& x, std::int32_t& y) const {
  const double fx = std::floor((x_m - info_.origin_x_m) / info_.cell_xy_m);
  const double fy = std::floor((y_m - info_.origin_y_m) / info_.cell_xy_m);
  if (!(fx >= 0 && fy >= 0 && fx < info_.nx && fy < info_.ny)) return false;
  x = static_cast<std::int32_t>(fx);
  y = static_cast<std::int32_t>(fy);
  return true;
}

std::size_t Airspace::memory_bytes() const {
  std::size_t bytes = ground_.capacity() * 2 + obstacle_top_.capacity() * 2 +
                      zone_set_.capacity() * 2 + flags_.capacity();
  for (const auto& s : zone_sets_) bytes += s.capacity() * 2 + sizeof(s);
  for (const auto& z : zones_) bytes += sizeof(z) + z.geometry_wkt.capacity() + z.name.capacity();
  bytes += vertiports_.capacity() * sizeof(Vertiport) + airports_.capacity() * sizeof(Airport);
  return bytes;
}

}  // namespace skylane::airspace
