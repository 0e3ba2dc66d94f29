// Label-setting search for the K earliest routes; see route_search.hpp for the algorithm, its
// sources and why it is correct.
#include "skylane/network/route_search.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <queue>
#include <tuple>

#include "ground_slots.hpp"

#include "skylane/core/try.hpp"
#include "skylane/geo/geo_frame.hpp"

namespace skylane::network {
namespace {

using detail::GroundSlots;
using detail::SlotBlock;

constexpr double kEnergyEpsWh = 1e-9;

struct Label {
  std::uint32_t vertex = 0;
  std::int32_t parent = -1;
  StopService service = StopService::kNone;
  std::uint32_t depth = 0;
  std::uint64_t seq_hash = 0;
  Millis departure_parent{0};  ///< take-off from the parent vertex
  Millis arrival{0};
  Millis ready{0};                 ///< may take off from here at or after; = arrival at the goal
  double energy_wh = 0.0;          ///< since the last reset, after this stop's service
  double landing_energy_wh = 0.0;  ///< since the last reset, at landing here
  double leg_energy_wh = 0.0;
};

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdULL;
}

std::string km(double m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f km", m / 1000.0);
  return buf;
}

std::string wh(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f Wh", x);
  return buf;
}

traj::Millis ceil_ms(double seconds) {
  return traj::Millis(static_cast<std::int64_t>(std::ceil(seconds * 1000.0 - 1e-6)));
}

class Search {
 public:
  Search(const VertiportNetwork& net, const MissionRequest& req, const RouterOptions& opt,
         const GroundSlots& slots, std::size_t origin, std::size_t goal)
      : net_(net),
        req_(req),
        opt_(opt),
        slots_(slots),
        origin_(origin),
        goal_(goal),
        at_(net.vertex_count()),
        closed_at_(net.vertex_count(), 0),
        pad_at_(net.vertex_count(), 0) {}

  RouteSearchResult run();

 private:
  bool on_route(std::size_t id, std::size_t v) const {
    for (auto i = static_cast<std::int32_t>(id); i >= 0;
         i = labels_[static_cast<std::size_t>(i)].parent) {
      if (labels_[static_cast<std::size_t>(i)].vertex == v) return true;
    }
    return false;
  }
  bool same_sequence(std::size_t a, std::size_t b) const {
    if (labels_[a].seq_hash != labels_[b].seq_hash || labels_[a].depth != labels_[b].depth) {
      return false;
    }
    auto i = static_cast<std::int32_t>(a);
    auto j = static_cast<std::int32_t>(b);
    while (i >= 0 && j >= 0) {
      if (labels_[static_cast<std::size_t>(i)].vertex !=
          labels_[static_cast<std::size_t>(j)].vertex) {
        return false;
      }
      i = labels_[static_cast<std::size_t>(i)].parent;
      j = labels_[static_cast<std::size_t>(j)].parent;
    }
    return i < 0 && j < 0;
  }
  // True when labels of K distinct sequences, or one of the label's own sequence, dominate it.
  bool dominated(std::size_t id) const {
    const Label& n = labels_[id];
    std::vector<std::uint64_t> seen;
    for (std::uint32_t o_id : at_[n.vertex]) {
      const Label& o = labels_[o_id];
      const bool energy_ok = n.vertex == goal_ || o.energy_wh <= n.energy_wh + kEnergyEpsWh;
      if (!(o.ready <= n.ready && energy_ok)) continue;
      if (same_sequence(o_id, id)) return true;
      if (std::find(seen.begin(), seen.end(), o.seq_hash) == seen.end()) {
        seen.push_back(o.seq_hash);
        if (seen.size() >= opt_.max_candidates) return true;
      }
    }
    return false;
  }
  void extend(std::size_t id);
  CandidateRoute route_of(std::size_t id) const;
  void diagnose(RouteSearchResult& out) const;

  const VertiportNetwork& net_;
  const MissionRequest& req_;
  const RouterOptions& opt_;
  const GroundSlots& slots_;
  std::size_t origin_;
  std::size_t goal_;
  std::vector<Label> labels_;
  std::vector<std::vector<std::uint32_t>> at_;
  using Key = std::tuple<Millis, double, std::uint32_t>;
  std::priority_queue<Key, std::vector<Key>, std::greater<>> open_;
  std::vector<std::size_t> closed_at_;
  std::vector<std::size_t> pad_at_;
  std::size_t energy_prunes_ = 0;
  std::size_t deadline_prunes_ = 0;
  search::SearchStats stats_;
};

void Search::extend(std::size_t id) {
  const vehicle::VehicleClass& vc = net_.vehicle();
  const double usable_wh = vehicle::usable_energy_wh(vc);
  const NetworkGraph& g = net_.graph();
  const Label from = labels_[id];  // copy: labels_ grows below
  for (auto [it, end] = boost::out_edges(from.vertex, g); it != end; ++it) {
    const std::size_t w = boost::target(*it, g);
    if (on_route(id, w)) continue;
    const LegEstimate& leg = g[*it];
    double leg_wh = leg.energy_wh;
    if (!opt_.measured_leg_energy_wh.empty()) {
      const auto m = opt_.measured_leg_energy_wh.find({from.vertex, w});
      if (m != opt_.measured_leg_energy_wh.end()) leg_wh = m->second;
    }
    const double landing_wh = from.energy_wh + leg_wh;
    if (landing_wh > usable_wh + kEnergyEpsWh) {
      ++energy_prunes_;
      continue;
    }
    const Millis flight = ceil_ms(leg.duration_s);
    struct Option {
      StopService service;
      Millis landing;
      Millis ground;
    };
    Option options[3];
    int count = 0;
    if (w == goal_) {
      options[count++] = {StopService::kNone, opt_.pad_slot, Millis(0)};
    } else {
      const VertiportNode& node = net_.node(w);
      if (opt_.allow_pass_through) {
        options[count++] = {StopService::kNone, opt_.pad_slot, opt_.pad_slot};
      }
      if (node.can_swap) {
        const Millis swap = ceil_ms(vc.swap_time_s);
        options[count++] = {StopService::kSwap, opt_.pad_slot + swap, opt_.pad_slot + swap};
      } else if (node.can_charge) {
        options[count++] = {StopService::kCharge, opt_.pad_slot,
                            opt_.pad_slot + ceil_ms(vc.charge_time_s)};
      }
    }
    for (int k = 0; k < count; ++k) {
      const Option& o = options[k];
      ++stats_.generated;
      const detail::LegTiming t =
          slots_.time_leg(from.vertex, w, from.ready, flight, opt_.pad_slot, o.landing);
      if (!t.ok) {
        if (t.why == SlotBlock::kClosed) {
          ++closed_at_[t.where];
        } else if (t.why == SlotBlock::kPad) {
          ++pad_at_[t.where];
        } else {
          ++deadline_prunes_;
        }
        continue;
      }
      Label n;
      n.vertex = static_cast<std::uint32_t>(w);
      n.parent = static_cast<std::int32_t>(id);
      n.service = o.service;
      n.depth = from.depth + 1;
      n.seq_hash = mix(from.seq_hash, w);
      n.departure_parent = t.departure;
      n.arrival = t.arrival;
      n.ready = t.arrival + o.ground;
      n.landing_energy_wh = landing_wh;
      n.leg_energy_wh = leg_wh;
      n.energy_wh = o.service == StopService::kNone ? landing_wh : 0.0;
      if (w != goal_ && n.ready > slots_.limit()) {
        ++deadline_prunes_;
        continue;
      }
      labels_.push_back(n);
      const std::size_t nid = labels_.size() - 1;
      if (dominated(nid)) {
        labels_.pop_back();
        continue;
      }
      at_[w].push_back(static_cast<std::uint32_t>(nid));
      open_.emplace(n.ready, w == goal_ ? 0.0 : n.energy_wh, static_cast<std::uint32_t>(nid));
    }
  }
}

CandidateRoute Search::route_of(std::size_t id) const {
  std::vector<std::size_t> chain;
  for (auto i = static_cast<std::int32_t>(id); i >= 0;
       i = labels_[static_cast<std::size_t>(i)].parent) {
    chain.push_back(static_cast<std::size_t>(i));
  }
  std::reverse(chain.begin(), chain.end());
  CandidateRoute r;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const Label& l = labels_[chain[i]];
    r.vertices.push_back(l.vertex);
    r.services.push_back(l.service);
    if (i > 0) {
      r.legs.push_back({labels_[chain[i - 1]].vertex, l.vertex, l.departure_parent, l.arrival,
                        l.leg_energy_wh, l.landing_energy_wh});
    }
  }
  r.departure = r.legs.empty() ? labels_[chain.front()].ready : r.legs.front().departure;
  r.arrival = labels_[chain.back()].arrival;
  return r;
}

void Search::diagnose(RouteSearchResult& out) const {
  const auto name = [&](std::size_t v) { return "'" + net_.node(v).vertiport.name + "'"; };
  std::size_t closed = 0;
  std::size_t pad = 0;
  std::string closed_list;
  std::string pad_list;
  for (std::size_t v = 0; v < closed_at_.size(); ++v) {
    if (closed_at_[v]) {
      closed += closed_at_[v];
      closed_list += (closed_list.empty() ? "" : ", ") + name(v) + " (opening hours '" +
                     net_.node(v).hours.text() + "')";
    }
    if (pad_at_[v]) {
      pad += pad_at_[v];
      pad_list += (pad_list.empty() ? "" : ", ") + name(v);
    }
  }
  const std::string od = name(origin_) + " to " + name(goal_);
  if (closed) {
    out.failure = RouteFailure::kStopClosed;
    out.reason =
        "every route from " + od + " the class can fly needs a vertiport that is closed " +
        "when the vehicle would land or take off there (before the latest arrival): " + closed_list;
  } else if (pad) {
    out.failure = RouteFailure::kPadUnavailable;
    out.reason = "no pad slot in time on any route from " + od + " at " + pad_list;
  } else if (deadline_prunes_) {
    out.failure = RouteFailure::kDeadlineExceeded;
    out.reason = "routes from " + od + " exist but none arrives by the latest arrival";
  } else {
    out.failure = RouteFailure::kEnergyExceeded;
    out.reason = "legs from " + od + " chain up only through stops where the class cannot " +
                 "swap or charge, and the energy used then exceeds the battery less reserve";
  }
}

RouteSearchResult Search::run() {
  const auto t0 = search::Clock::now();
  RouteSearchResult out;
  Label start;
  start.vertex = static_cast<std::uint32_t>(origin_);
  start.seq_hash = mix(0, origin_);
  start.arrival = req_.earliest_departure;
  start.ready = req_.earliest_departure;
  labels_.push_back(start);
  at_[origin_].push_back(0);
  open_.emplace(start.ready, 0.0, 0u);
  std::vector<std::size_t> emitted;
  while (!open_.empty()) {
    const std::size_t id = std::get<2>(open_.top());
    open_.pop();
    ++stats_.expansions;
    if (stats_.expansions > opt_.stop.max_expansions ||
        ((stats_.expansions & 63) == 0 && search::Clock::now() > opt_.stop.deadline)) {
      out.outcome = search::Outcome::kBudgetExhausted;
      break;
    }
    if (opt_.stop.cancelled && opt_.stop.cancelled->load(std::memory_order_relaxed)) {
      out.outcome = search::Outcome::kCancelled;
      break;
    }
    if (labels_[id].vertex == goal_) {
      bool fresh = true;
      for (std::size_t e : emitted) fresh = fresh && !same_sequence(e, id);
      if (!fresh) continue;
      emitted.push_back(id);
      out.candidates.push_back(route_of(id));
      if (out.candidates.size() >= opt_.max_candidates) break;
      continue;
    }
    extend(id);
  }
  if (!out.candidates.empty() && out.outcome == search::Outcome::kNoRoute) {
    out.outcome = search::Outcome::kFound;
  }
  if (out.candidates.empty() && out.outcome == search::Outcome::kNoRoute) diagnose(out);
  out.labels = labels_.size();
  stats_.elapsed_ms = std::chrono::duration<double, std::milli>(search::Clock::now() - t0).count();
  out.stats = stats_;
  return out;
}

// Vertices reachable from `origin` over edges, ignoring time and energy accumulation.
std::vector<bool> reachable(const NetworkGraph& g, std::size_t origin) {
  std::vector<bool> seen(boost::num_vertices(g), false);
  std::vector<std::size_t> stack{origin};
  seen[origin] = true;
  while (!stack.empty()) {
    const std::size_t u = stack.back();
    stack.pop_back();
    for (auto [it, end] = boost::out_edges(u, g); it != end; ++it) {
      const std::size_t w = boost::target(*it, g);
      if (!seen[w]) {
        seen[w] = true;
        stack.push_back(w);
      }
    }
  }
  return seen;
}

std::string unreachable_reason(const VertiportNetwork& net, std::size_t origin, std::size_t goal,
                               const std::vector<bool>& seen) {
  const vehicle::VehicleClass& vc = net.vehicle();
  const auto& o = net.node(origin).vertiport;
  const auto& d = net.node(goal).vertiport;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f kg", net.payload_kg());
  std::string msg = "no chain of legs class '" + vc.name + "' can fly with " + buf + " links '" +
                    o.name + "' to '" + d.name + "'";
  const double usable = vehicle::usable_energy_wh(vc);
  std::snprintf(buf, sizeof buf, "%.0f %%", vc.energy.reserve_fraction * 100.0);
  msg += "; a leg may use " + wh(usable) + " (" + wh(vc.energy.battery_wh) + " battery less " +
         buf + " reserve)";
  if (auto direct = net.estimate(origin, goal)) {
    msg += "; the direct leg (" + km(direct->great_circle_m) + ") needs " + wh(direct->energy_wh);
  }
  std::size_t count = 0;
  std::size_t best = origin;
  double best_m = std::numeric_limits<double>::infinity();
  for (std::size_t v = 0; v < seen.size(); ++v) {
    if (!seen[v]) continue;
    ++count;
    const auto& p = net.node(v).vertiport;
    const double m = geo::great_circle_m({p.lon_deg, p.lat_deg}, {d.lon_deg, d.lat_deg});
    if (m < best_m) {
      best_m = m;
      best = v;
    }
  }
  msg += "; from '" + o.name + "' it reaches " + std::to_string(count - 1) + " other vertiports";
  if (best != origin) {
    msg += ", the closest to the destination being '" + net.node(best).vertiport.name + "' (" +
           km(best_m) + " away";
    if (auto e = net.estimate(best, goal)) msg += ", that leg needs " + wh(e->energy_wh);
    msg += ")";
  }
  return msg;
}

}  // namespace

const char* stop_service_name(StopService service) {
  switch (service) {
    case StopService::kNone:
      return "none";
    case StopService::kSwap:
      return "swap";
    case StopService::kCharge:
      return "charge";
  }
  return "unknown";
}

const char* route_failure_name(RouteFailure failure) {
  switch (failure) {
    case RouteFailure::kNone:
      return "NONE";
    case RouteFailure::kPayloadAboveLimit:
      return "PAYLOAD_ABOVE_CLASS_LIMIT";
    case RouteFailure::kVertiportUnusable:
      return "VERTIPORT_UNUSABLE";
    case RouteFailure::kDestinationUnreachable:
      return "DESTINATION_UNREACHABLE";
    case RouteFailure::kStopClosed:
      return "STOP_CLOSED";
    case RouteFailure::kPadUnavailable:
      return "PAD_UNAVAILABLE";
    case RouteFailure::kEnergyExceeded:
      return "ENERGY_EXCEEDED";
    case RouteFailure::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case RouteFailure::kLegPlanningFailed:
      return "LEG_PLANNING_FAILED";
  }
  return "UNKNOWN";
}

Result<RouteSearchResult> find_routes(const VertiportNetwork& net, const MissionRequest& req,
                                      const PadOracle& pads, const RouterOptions& opt) {
  SKY_TRY(origin, net.find(req.origin));
  SKY_TRY(goal, net.find(req.destination));
  if (!(req.payload_kg >= 0.0) || !std::isfinite(req.payload_kg)) {
    return fail("MISSION_REQUEST_INVALID",
                "payload_kg = " + std::to_string(req.payload_kg) + " must be finite and >= 0");
  }
  if (origin == goal) {
    return fail("MISSION_REQUEST_INVALID", "origin and destination are the same vertiport '" +
                                               net.node(origin).vertiport.name + "'");
  }
  if (opt.max_candidates == 0 || opt.pad_slot.count() < 0 || opt.horizon.count() <= 0 ||
      req.earliest_departure.count() < 0 ||
      (req.latest_arrival && *req.latest_arrival < req.earliest_departure)) {
    return fail("MISSION_REQUEST_INVALID",
                "need max_candidates >= 1, pad_slot >= 0, horizon > 0, earliest_departure >= 0 "
                "and latest_arrival >= earliest_departure");
  }
  if (std::abs(req.payload_kg - net.payload_kg()) > 1e-9) {
    return fail("MISSION_REQUEST_INVALID",
                "the network was built for " + std::to_string(net.payload_kg()) +
                    " kg but the request carries " + std::to_string(req.payload_kg) + " kg");
  }
  RouteSearchResult out;
  const vehicle::VehicleClass& vc = net.vehicle();
  if (req.payload_kg > vc.max_payload_kg + 1e-9) {
    out.failure = RouteFailure::kPayloadAboveLimit;
    out.reason = "payload " + std::to_string(req.payload_kg) + " kg exceeds class '" + vc.name +
                 "' max_payload_kg " + std::to_string(vc.max_payload_kg) + " kg";
    return out;
  }
  for (std::size_t v : {origin, goal}) {
    if (!net.node(v).usable) {
      out.failure = RouteFailure::kVertiportUnusable;
      out.reason = "class '" + vc.name + "' cannot use vertiport '" + net.node(v).vertiport.name +
                   "': " + net.node(v).unusable_why;
      return out;
    }
  }
  const std::vector<bool> seen = reachable(net.graph(), origin);
  if (!seen[goal]) {
    out.failure = RouteFailure::kDestinationUnreachable;
    out.reason = unreachable_reason(net, origin, goal, seen);
    return out;
  }
  const Millis limit = req.latest_arrival.value_or(req.earliest_departure + opt.horizon);
  const std::int64_t local_offset_ms =
      (req.epoch_unix_s + static_cast<std::int64_t>(net.utc_offset_s())) * 1000;
  const GroundSlots slots(net, pads, local_offset_ms, limit);
  Search search(net, req, opt, slots, origin, goal);
  return search.run();
}

}  // namespace skylane::network
