// The vertiport network of one vehicle class at one payload: a Boost.Graph over the map's
// vertiports whose directed edges are the legs that class can fly from a full battery, landing
// with its reserve. Each edge carries the leg's estimated length, climb, descent, time and
// energy. The multi-leg router (mission_router.hpp) searches it.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "skylane/airspace/airspace.hpp"
#include "skylane/airspace/vehicle_view.hpp"
#include "skylane/core/error.hpp"
#include "skylane/network/opening_hours.hpp"
#include "skylane/vehicle/vehicle_class.hpp"
#include "skylane/vehicle/vehicle_energy.hpp"

namespace skylane::network {

/// How leg estimates are made. Every default is an assumption, documented here.
struct NetworkOptions {
  /// Horizontal length = great circle x this, when the straight segment is blocked for the class
  /// (a wall zone or no free layer crosses it), when the straight profile costs more energy than
  /// flying round, and when the map has no columns. Assumption: 15 % for going round walls and
  /// high ground.
  double detour_factor = 1.15;
  /// Horizontal length = great circle x this, when every column under the straight segment has
  /// a free layer for the class. Assumption: 5 % slack for grid paths and turns.
  double straight_detour_factor = 1.05;
  /// Hover per leg, s: take-off and landing. Assumption (10 s + 10 s), as the calibration's.
  double hover_s_per_leg = vehicle::kReferenceHoverS;
  /// Along the straight segment, sample columns every this many metres (<= the cell size).
  double sample_step_m = 10.0;
  /// Use the map's columns (terrain, obstacles, always-active walls) when it has them.
  bool use_terrain = true;
  /// A prebuilt view of the map for this class (else built here when use_terrain is set).
  const airspace::VehicleView* view = nullptr;
};

/// A vertex: one vertiport of the map as this class sees it.
struct VertiportNode {
  std::size_t index = 0;  ///< into Airspace::vertiports()
  airspace::Vertiport vertiport;
  OpeningHours hours;
  bool usable = true;        ///< false: the class cannot take off or land there
  std::string unusable_why;  ///< e.g. "pad column lies in always-active airport_protection zone"
  bool can_swap = false;     ///< battery_swap and battery_stock > 0
  bool can_charge = false;   ///< chargers > 0
};

/// An edge: one leg, as estimated before 4D planning.
struct LegEstimate {
  double great_circle_m = 0.0;
  vehicle::FlightProfile profile;  ///< horizontal (with detour), climb, descent, hover
  bool straight = false;           ///< true: the straight-segment profile was used
  double energy_wh = 0.0;          ///< at the network's payload
  double duration_s = 0.0;         ///< vehicle::flight_time_s
};

using NetworkGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertiportNode, LegEstimate>;

/// Size and cost of a build, for reports and benchmarks.
struct NetworkStats {
  std::size_t vertices = 0;
  std::size_t usable_vertices = 0;
  std::size_t edges = 0;
  std::size_t pairs_considered = 0;  ///< ordered pairs whose leg was estimated
  double build_ms = 0.0;             ///< wall time of build(), view included
  double view_ms = 0.0;              ///< of which building the vehicle view
};

class VertiportNetwork {
 public:
  /// Builds the network of `vehicle` carrying payload_kg over the map's vertiports. A leg u -> v
  /// is an edge when both are usable and its estimated energy <= usable_energy_wh(vehicle).
  /// Estimate: horizontal = great circle x detour; climb/descent either along the straight
  /// segment (lowest free layer of each column, holding altitude while it stays free) or, flying
  /// round, to the higher pad's lowest free altitude; the cheaper in energy is kept.
  /// Cost: O(V^2) legs, each O(length / sample_step) when the map has columns, plus the view
  /// (O(columns)) unless given. Errors: INVALID_ARGUMENT (payload NaN/negative, options out of
  /// range), OPENING_HOURS_INVALID naming the vertiport. A payload above the class limit is not
  /// an error: the network then has no edges (the router reports PAYLOAD_ABOVE_CLASS_LIMIT).
  static Result<VertiportNetwork> build(const airspace::Airspace& airspace,
                                        const vehicle::VehicleClass& vehicle, double payload_kg,
                                        const NetworkOptions& options = {});

  [[nodiscard]] const NetworkGraph& graph() const { return *graph_; }
  [[nodiscard]] const vehicle::VehicleClass& vehicle() const { return vehicle_; }
  [[nodiscard]] double payload_kg() const { return payload_kg_; }
  [[nodiscard]] const NetworkStats& stats() const { return stats_; }
  [[nodiscard]] const NetworkOptions& options() const { return options_; }
  [[nodiscard]] std::int32_t utc_offset_s() const { return utc_offset_s_; }
  [[nodiscard]] std::size_t vertex_count() const { return boost::num_vertices(*graph_); }
  [[nodiscard]] std::size_t edge_count() const { return boost::num_edges(*graph_); }
  [[nodiscard]] const VertiportNode& node(std::size_t v) const { return (*graph_)[v]; }

  /// Vertex of the vertiport named `name`: an exact match, else the only one whose name starts
  /// with it ("Buji" -> "Buji relay"). Errors: VERTIPORT_NOT_FOUND (none, or ambiguous; the
  /// message lists candidates).
  [[nodiscard]] Result<std::size_t> find(std::string_view name) const;

  /// The leg u -> v if it is an edge.
  [[nodiscard]] const LegEstimate* leg(std::size_t from, std::size_t to) const;

  /// The estimate for u -> v whether or not it is an edge (energy may exceed the battery);
  /// nullopt if u or v is unusable or u == v. Same rules as build().
  [[nodiscard]] std::optional<LegEstimate> estimate(std::size_t from, std::size_t to) const;

 private:
  VertiportNetwork() : graph_(std::make_unique<NetworkGraph>()) {}
  // Held by pointer: adjacency_list has no move constructor, and a network is moved around.
  std::unique_ptr<NetworkGraph> graph_;
  vehicle::VehicleClass vehicle_;
  double payload_kg_ = 0.0;
  NetworkOptions options_;
  NetworkStats stats_;
  std::int32_t utc_offset_s_ = 0;
  /// Per ordered pair (from * n + to), the estimate (energy may exceed the battery).
  std::vector<std::optional<LegEstimate>> estimates_;
};

}  // namespace skylane::network
