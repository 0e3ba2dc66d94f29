// Vertiports (hubs, relay and battery-swap stations, docks) and airports as stored in an
// airspace file.
#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace skylane::airspace {

struct Vertiport {
  std::string name;
  std::string kind = "dock";  ///< "hub", "relay", "dock" (free text from the layer)
  double lon_deg = 0.0;       ///< WGS 84
  double lat_deg = 0.0;
  double x_m = 0.0;  ///< working frame
  double y_m = 0.0;
  double ground_amsl_m = 0.0;  ///< terrain under the pad as compiled into the map
  int pads = 1;
  int chargers = 0;
  bool battery_swap = false;
  int battery_stock = 0;
  std::string opening_hours = "00:00-24:00";  ///< local time
};

/// Spacing of pad_positions: 100 m keeps a pad's 20 m cell more than the 64 m separation
/// envelope of the light classes from its neighbours', so a take-off or landing on one pad does
/// not block the next (the 150 m envelope of an eVTOL does).
inline constexpr double kPadSpacingM = 100.0;

/// Where the `pads` pads of a vertiport stand (working frame, metres). The map gives their
/// number, not their places: pad 0 is the vertiport point itself, the others stand on the square
/// grid `spacing_m` apart around it, nearest first and anticlockwise from east within a ring
/// (E, N, W, S, NE, NW, SW, SE, then the next ring). A planning assumption, documented with the
/// map (maps/shenzhen-boluo/README.md). At least one pad, at most 10,000; the order is fixed for
/// a given count (from 46 pads on, a larger count may reorder the outer ring).
[[nodiscard]] inline std::vector<std::pair<double, double>> pad_positions(
    const Vertiport& v, double spacing_m = kPadSpacingM) {
  const int n = std::clamp(v.pads, 1, 10'000);
  int ring = 0;
  while ((2 * ring + 1) * (2 * ring + 1) < n) ++ring;
  struct Cell {
    int i;
    int j;
    double angle;
  };
  std::vector<Cell> cells;
  for (int j = -ring; j <= ring; ++j) {
    for (int i = -ring; i <= ring; ++i) {
      double a = std::atan2(static_cast<double>(j), static_cast<double>(i));
      if (a < 0.0) a += 2.0 * std::numbers::pi;
      cells.push_back({i, j, a});
    }
  }
  std::sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) {
    const int da = a.i * a.i + a.j * a.j;
    const int db = b.i * b.i + b.j * b.j;
    return da != db ? da < db : a.angle < b.angle;
  });
  std::vector<std::pair<double, double>> out;
  for (int k = 0; k < n; ++k) {
    out.emplace_back(v.x_m + spacing_m * cells[static_cast<std::size_t>(k)].i,
                     v.y_m + spacing_m * cells[static_cast<std::size_t>(k)].j);
  }
  return out;
}

struct Airport {
  std::string ident;  ///< ICAO or OurAirports local id
  std::string name;
  std::string type;  ///< "large_airport", "heliport", ...
  double lon_deg = 0.0;
  double lat_deg = 0.0;
  double x_m = 0.0;
  double y_m = 0.0;
};

}  // namespace skylane::airspace
