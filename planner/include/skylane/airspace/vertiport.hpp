// Vertiports (hubs, relay and battery-swap stations, docks) and airports as stored in an
// airspace file.
#pragma once

#include <string>

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
