#include "skylane/sim/sim_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "skylane/sim/sim_time.hpp"

namespace skylane::sim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

double r3(double v) { return std::round(v * 1000.0) / 1000.0; }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double rank = p / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = std::min(v.size() - 1, lo + 1);
  return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

json stats(const std::vector<double>& v) {
  double sum = 0, mx = 0;
  for (double x : v) {
    sum += x;
    mx = std::max(mx, x);
  }
  return json{{"count", v.size()},
              {"mean", r3(v.empty() ? 0.0 : sum / static_cast<double>(v.size()))},
              {"p50", r3(percentile(v, 50))},
              {"p90", r3(percentile(v, 90))},
              {"p95", r3(percentile(v, 95))},
              {"p99", r3(percentile(v, 99))},
              {"max", r3(mx)}};
}

std::string csv(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

Result<void> write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  if (!out) return fail("IO_ERROR", "cannot write '" + p.string() + "'");
  out << text;
  if (!out) return fail("IO_ERROR", "error writing '" + p.string() + "'");
  return {};
}

// Rings of a WKT POLYGON / MULTIPOLYGON (only the coordinates matter for drawing).
std::vector<std::vector<std::array<double, 2>>> wkt_rings(const std::string& wkt) {
  std::vector<std::vector<std::array<double, 2>>> rings;
  std::vector<std::array<double, 2>> cur;
  int depth = 0;
  std::size_t i = 0;
  while (i < wkt.size()) {
    const char c = wkt[i];
    if (c == '(') {
      ++depth;
      ++i;
    } else if (c == ')') {
      if (!cur.empty()) rings.push_back(std::move(cur));
      cur.clear();
      --depth;
      ++i;
    } else if ((c >= '0' && c <= '9') || c == '-' || c == '.') {
      char* end = nullptr;
      const double x = std::strtod(wkt.c_str() + i, &end);
      const double y = std::strtod(end, &end);
      cur.push_back({x, y});
      i = static_cast<std::size_t>(end - wkt.c_str());
      while (i < wkt.size() && wkt[i] == ' ') ++i;
      // skip an optional Z
      if (i < wkt.size() && (std::isdigit(static_cast<unsigned char>(wkt[i])) || wkt[i] == '-')) {
        (void)std::strtod(wkt.c_str() + i, &end);
        i = static_cast<std::size_t>(end - wkt.c_str());
      }
    } else {
      ++i;
    }
  }
  return rings;
}

}  // namespace

Audit audit_flights(const SimResult& result, const vehicle::VehicleCatalogue& catalogue) {
  Audit a;
  // Airborne legs, one trajectory each. Ground waits between legs are left out: a relay's pads
  // share the vertiport's point in the plans, so two drones parked on different pads there
  // would look like a collision; pads are allocated by count (PadOracle), not by position.
  std::vector<conflict::FlightRef> refs;
  for (const auto& j : result.jobs) {
    if (j.state == "REJECTED") continue;
    const auto* vc = catalogue.find(j.vehicle_class);
    for (const auto& leg : j.legs) {
      if (leg.trajectory.points.empty()) continue;
      refs.push_back({&leg.trajectory, vc ? vc->separation : traj::SeparationEnvelope{}});
    }
  }
  a.flights = refs.size();
  conflict::CheckOptions opt;
  opt.min_separation_horizon_m = 1000.0;
  a.horizon_m = opt.min_separation_horizon_m;
  auto rep = conflict::check_all(refs, opt);
  if (!rep) {
    a.error = rep.error().to_string();
    return a;
  }
  a.conflicts = rep->violations.size();
  for (std::size_t i = 0; i < rep->violations.size() && i < 10; ++i) {
    const auto& v = rep->violations[i];
    char buf[256];
    std::snprintf(
        buf, sizeof buf,
        "missions %lld and %lld from t=%.1f s to %.1f s: horizontal %.1f m, vertical %.1f m",
        static_cast<long long>(v.id_a), static_cast<long long>(v.id_b), v.begin.count(),
        v.end.count(), v.min_horizontal_m, v.min_vertical_m);
    a.examples.push_back(buf);
  }
  const double d3 = rep->min_separation.distance_3d.distance_m;
  const double dh = rep->min_separation.horizontal_within_vertical.distance_m;
  a.min_separation_3d_m = std::isfinite(d3) ? r3(d3) : -1;
  a.min_horizontal_separation_m = std::isfinite(dh) ? r3(dh) : -1;
  return a;
}

json make_summary(const Scenario& s, const SimResult& r, const Audit& audit) {
  const double hours = static_cast<double>(s.duration_ms) / 3.6e6;
  std::size_t completed = 0, rejected = 0, unfinished = 0, on_time = 0;
  std::vector<double> delivery_s, wait_s, lateness_s;
  std::map<std::string, int> reasons;
  std::map<std::pair<std::string, std::string>, std::pair<int, double>> routes;
  const int n_hours = static_cast<int>(std::ceil(hours));
  std::vector<int> by_hour(static_cast<std::size_t>(std::max(1, n_hours)), 0);
  std::vector<int> released_by_hour(by_hour.size(), 0);
  double energy_wh = 0, distance_m = 0;
  std::size_t ferries = 0, ferries_rejected = 0, replans = 0;
  for (std::size_t i = 0; i < r.jobs.size(); ++i) {
    const auto& j = r.jobs[i];
    if (j.state == "COMPLETED" || j.state == "UNFINISHED") {
      energy_wh += j.energy_wh;
      distance_m += j.distance_m;
    }
    if (j.ferry) {
      ++ferries;
      if (j.state == "REJECTED") ++ferries_rejected;
      continue;
    }
    replans += static_cast<std::size_t>(j.replans);
    const auto rh = (j.record.release_unix_ms - s.start_unix_ms) / 3'600'000;
    if (rh >= 0 && rh < static_cast<std::int64_t>(released_by_hour.size())) {
      ++released_by_hour[static_cast<std::size_t>(rh)];
    }
    if (j.state == "REJECTED") {
      ++rejected;
      ++reasons[j.reason];
    } else if (j.state == "COMPLETED") {
      ++completed;
      const double d = static_cast<double>(j.completed_unix_ms - j.record.release_unix_ms) / 1000.0;
      delivery_s.push_back(d);
      if (j.assigned_unix_ms > 0) {
        wait_s.push_back(static_cast<double>(j.assigned_unix_ms - j.record.release_unix_ms) /
                         1000.0);
      }
      lateness_s.push_back(static_cast<double>(j.completed_unix_ms - j.record.deadline_unix_ms) /
                           1000.0);
      if (j.on_time()) ++on_time;
      auto& rt = routes[{j.record.origin, j.record.destination}];
      ++rt.first;
      rt.second += d;
      const auto h = (j.completed_unix_ms - s.start_unix_ms) / 3'600'000;
      if (h >= 0 && h < static_cast<std::int64_t>(by_hour.size()))
        ++by_hour[static_cast<std::size_t>(h)];
    } else {
      ++unfinished;
    }
  }
  std::size_t completed_in_window = 0;
  for (int c : by_hour) completed_in_window += static_cast<std::size_t>(c);
  json route_list = json::array();
  for (const auto& [k, v] : routes) {
    route_list.push_back({{"origin", k.first},
                          {"destination", k.second},
                          {"completed", v.first},
                          {"per_hour", r3(v.first / hours)},
                          {"mean_delivery_s", r3(v.second / v.first)}});
  }
  json reason_obj = json::object();
  for (const auto& [k, v] : reasons) reason_obj[k] = v;

  // Fleet utilisation: share of drone-time in each state over the simulated span.
  json fleet_states = json::object();
  std::int64_t total_ms = 0;
  std::array<std::int64_t, kDroneStateCount> state_ms{};
  for (const auto& d : r.drones) {
    for (int k = 0; k < kDroneStateCount; ++k) {
      state_ms[static_cast<std::size_t>(k)] += d.ms_in_state[static_cast<std::size_t>(k)];
      total_ms += d.ms_in_state[static_cast<std::size_t>(k)];
    }
  }
  for (int k = 0; k < kDroneStateCount; ++k) {
    fleet_states[drone_state_name(static_cast<DroneState>(k))] =
        r3(total_ms > 0 ? static_cast<double>(state_ms[static_cast<std::size_t>(k)]) /
                              static_cast<double>(total_ms)
                        : 0.0);
  }
  const double busy =
      total_ms > 0 ? static_cast<double>(state_ms[static_cast<int>(DroneState::kFlying)] +
                                         state_ms[static_cast<int>(DroneState::kFerrying)] +
                                         state_ms[static_cast<int>(DroneState::kLoading)] +
                                         state_ms[static_cast<int>(DroneState::kUnloading)]) /
                         static_cast<double>(total_ms)
                   : 0.0;
  const double span_ms = static_cast<double>(r.finished_unix_ms - r.start_unix_ms);
  json vports = json::array();
  double pad_busy_all = 0, pad_cap_all = 0, ch_busy_all = 0, ch_cap_all = 0;
  int pad_queue_max = 0, charger_queue_max = 0;
  std::vector<double> pad_waits, charger_waits;
  for (const auto& v : r.vertiports) {
    if (v.departures == 0 && v.arrivals == 0 && v.pad_busy_ms == 0 && v.charger_busy_ms == 0)
      continue;
    std::vector<double> pw, cw;
    for (auto w : v.pad_waits_ms) pw.push_back(static_cast<double>(w) / 1000.0);
    for (auto w : v.charger_waits_ms) cw.push_back(static_cast<double>(w) / 1000.0);
    pad_waits.insert(pad_waits.end(), pw.begin(), pw.end());
    charger_waits.insert(charger_waits.end(), cw.begin(), cw.end());
    pad_busy_all += static_cast<double>(v.pad_busy_ms);
    pad_cap_all += span_ms * v.pads;
    ch_busy_all += static_cast<double>(v.charger_busy_ms);
    ch_cap_all += span_ms * v.chargers;
    pad_queue_max = std::max(pad_queue_max, v.pad_queue_max);
    charger_queue_max = std::max(charger_queue_max, v.charger_queue_max);
    vports.push_back(
        {{"name", v.name},
         {"pads", v.pads},
         {"chargers", v.chargers},
         {"battery_stock", v.battery_stock},
         {"departures", v.departures},
         {"arrivals", v.arrivals},
         {"pad_utilisation",
          r3(span_ms > 0 ? static_cast<double>(v.pad_busy_ms) / (span_ms * v.pads) : 0.0)},
         {"charger_utilisation",
          r3(span_ms > 0 && v.chargers > 0
                 ? static_cast<double>(v.charger_busy_ms) / (span_ms * v.chargers)
                 : 0.0)},
         {"pad_queue_mean", r3(span_ms > 0 ? static_cast<double>(v.pad_queue_ms) / span_ms : 0.0)},
         {"pad_queue_max", v.pad_queue_max},
         {"pad_wait_s", stats(pw)},
         {"charger_queue_mean",
          r3(span_ms > 0 ? static_cast<double>(v.charger_queue_ms) / span_ms : 0.0)},
         {"charger_queue_max", v.charger_queue_max},
         {"charger_wait_s", stats(cw)},
         {"pad_overflows", v.pad_overflows},
         {"swaps", v.swaps},
         {"stockouts", v.stockouts},
         {"min_stock", v.min_stock}});
  }
  json restr = json::array();
  for (const auto& x : r.restrictions) {
    restr.push_back({{"name", x.name},
                     {"announced", format_local_time(x.announce_unix_ms, s.utc_offset_s)},
                     {"error", x.error},
                     {"affected", x.affected},
                     {"replanned", x.replanned},
                     {"rejected", x.rejected},
                     {"airborne_affected", x.airborne_affected}});
  }
  const std::size_t released = r.deliveries;
  json j;
  j["scenario"] = s.name;
  j["seed"] = s.seed;
  j["planner"] = r.port_kind;
  j["start"] = format_local_time(s.start_unix_ms, s.utc_offset_s);
  j["end"] = format_local_time(s.end_unix_ms(), s.utc_offset_s);
  j["duration_h"] = r3(hours);
  j["fleet_size"] = s.fleet_size();
  j["missions_released"] = released;
  j["missions_completed"] = completed;
  j["missions_completed_in_window"] = completed_in_window;
  j["missions_rejected"] = rejected;
  j["missions_unfinished"] = unfinished;
  j["throughput_per_hour"] = r3(static_cast<double>(completed_in_window) / hours);
  j["on_time_rate"] =
      r3(completed > 0 ? static_cast<double>(on_time) / static_cast<double>(completed) : 0.0);
  j["on_time_of_released"] =
      r3(released > 0 ? static_cast<double>(on_time) / static_cast<double>(released) : 0.0);
  j["delivery_time_s"] = stats(delivery_s);
  j["lateness_s"] = stats(lateness_s);
  j["wait_for_drone_s"] = stats(wait_s);
  j["rejections"] = reason_obj;
  j["completed_by_hour"] = by_hour;
  j["released_by_hour"] = released_by_hour;
  j["routes"] = route_list;
  j["fleet_utilisation"] = r3(busy);
  j["fleet_state_share"] = fleet_states;
  j["pad_utilisation"] = r3(pad_cap_all > 0 ? pad_busy_all / pad_cap_all : 0.0);
  j["charger_utilisation"] = r3(ch_cap_all > 0 ? ch_busy_all / ch_cap_all : 0.0);
  j["pad_queue_max"] = pad_queue_max;
  j["charger_queue_max"] = charger_queue_max;
  j["pad_wait_s"] = stats(pad_waits);
  j["charger_wait_s"] = stats(charger_waits);
  j["vertiports"] = vports;
  j["ferries"] = ferries;
  j["ferries_rejected"] = ferries_rejected;
  j["replans"] = replans;
  j["restrictions"] = restr;
  j["energy_kwh"] = r3(energy_wh / 1000.0);
  j["distance_km"] = r3(distance_m / 1000.0);
  j["audited_flights"] = audit.flights;
  j["conflicts"] = audit.error.empty() ? json(audit.conflicts) : json(nullptr);
  j["audit_error"] = audit.error;
  j["conflict_examples"] = audit.examples;
  j["min_separation_m"] =
      audit.min_separation_3d_m >= 0 ? json(audit.min_separation_3d_m) : json(nullptr);
  j["min_horizontal_separation_m"] = audit.min_horizontal_separation_m >= 0
                                         ? json(audit.min_horizontal_separation_m)
                                         : json(nullptr);
  j["separation_horizon_m"] = audit.horizon_m;
  j["events"] = r.events;
  j["finished"] = format_local_time(r.finished_unix_ms, s.utc_offset_s);
  return j;
}

namespace {

std::string missions_csv(const Scenario& s, const SimResult& r) {
  std::ostringstream o;
  o << "id,kind,origin,destination,vehicle_class,payload_kg,priority,release,deadline,state,"
       "reason,drone,assigned,departure,arrival,completed,delivery_s,on_time,legs,stops,"
       "distance_m,energy_wh,replans,pad_wait_s,detail\n";
  auto t = [&](std::int64_t ms) {
    return ms > 0 ? format_local_time(ms, s.utc_offset_s) : std::string();
  };
  for (const auto& j : r.jobs) {
    o << csv(j.record.id) << ',' << (j.ferry ? "ferry" : "delivery") << ',' << csv(j.record.origin)
      << ',' << csv(j.record.destination) << ',' << csv(j.vehicle_class) << ','
      << fmt("%.2f", j.record.payload_kg) << ',' << j.record.priority << ','
      << t(j.record.release_unix_ms) << ',' << (j.ferry ? "" : t(j.record.deadline_unix_ms)) << ','
      << j.state << ',' << csv(j.reason) << ',' << (j.drone >= 0 ? std::to_string(j.drone) : "")
      << ',' << t(j.assigned_unix_ms) << ',' << t(j.departure_unix_ms) << ','
      << t(j.arrival_unix_ms) << ',' << t(j.completed_unix_ms) << ','
      << (j.state == "COMPLETED" && !j.ferry
              ? std::to_string((j.completed_unix_ms - j.record.release_unix_ms) / 1000)
              : "")
      << ',' << (j.ferry || j.state != "COMPLETED" ? "" : (j.on_time() ? "1" : "0")) << ','
      << j.legs.size() << ',' << j.stops.size() << ',' << fmt("%.1f", j.distance_m) << ','
      << fmt("%.1f", j.energy_wh) << ',' << j.replans << ','
      << fmt("%.1f", static_cast<double>(j.pad_wait_ms) / 1000.0) << ',' << csv(j.reason_text)
      << "\n";
  }
  return o.str();
}

Result<std::string> trajectories_geojson(const SimResult& r, const geo::GeoFrame& frame,
                                         std::int64_t epoch_unix_ms) {
  std::ostringstream o;
  o << "{\"type\":\"FeatureCollection\",\"features\":[";
  bool first = true;
  for (const auto& j : r.jobs) {
    if (j.state == "REJECTED") continue;
    for (std::size_t li = 0; li < j.legs.size(); ++li) {
      const auto& leg = j.legs[li];
      if (leg.trajectory.points.empty()) continue;
      o << (first ? "" : ",") << "\n{\"type\":\"Feature\",\"properties\":{\"mission\":\""
        << j.record.id << "\",\"kind\":\"" << (j.ferry ? "ferry" : "delivery")
        << "\",\"drone\":" << j.drone << ",\"class\":\"" << j.vehicle_class << "\",\"leg\":" << li
        << ",\"from\":" << json(leg.from).dump() << ",\"to\":" << json(leg.to).dump()
        << ",\"state\":\"" << j.state << "\",\"t_unix_s\":[";
      first = false;
      for (std::size_t k = 0; k < leg.trajectory.points.size(); ++k) {
        o << (k ? "," : "")
          << fmt("%.3f",
                 static_cast<double>(epoch_unix_ms + leg.trajectory.points[k].t.count()) / 1000.0);
      }
      o << "]},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[";
      for (std::size_t k = 0; k < leg.trajectory.points.size(); ++k) {
        const auto& p = leg.trajectory.points[k];
        auto ll = frame.to_lonlat({p.x_m, p.y_m});
        if (!ll) return tl::unexpected(ll.error());
        o << (k ? "," : "") << "[" << fmt("%.6f", ll->lon_deg) << "," << fmt("%.6f", ll->lat_deg)
          << "," << fmt("%.1f", p.z_m) << "]";
      }
      o << "]}}";
    }
  }
  o << "\n]}\n";
  return o.str();
}

// --- HTML report ------------------------------------------------------------------------------

std::string bar_chart(const std::string& title, const std::vector<double>& values,
                      const std::vector<std::string>& labels, const std::string& unit,
                      const std::vector<double>* line = nullptr) {
  const double w = 760, h = 260, left = 50, bottom = 40, top = 30;
  double mx = 1e-9;
  for (double v : values) mx = std::max(mx, v);
  if (line)
    for (double v : *line) mx = std::max(mx, v);
  const double bw = (w - left - 10) / std::max<std::size_t>(1, values.size());
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
    << "' viewBox='0 0 " << w << " " << h << "'><text x='" << left << "' y='18' class='t'>"
    << esc(title) << "</text>";
  for (int k = 0; k <= 4; ++k) {
    const double y = h - bottom - (h - bottom - top) * k / 4.0;
    o << "<line x1='" << left << "' x2='" << w - 10 << "' y1='" << y << "' y2='" << y
      << "' stroke='#ddd'/><text x='" << left - 4 << "' y='" << y + 4
      << "' text-anchor='end' class='a'>" << fmt("%.4g", mx * k / 4.0) << "</text>";
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double bh = (h - bottom - top) * values[i] / mx;
    const double x = left + bw * static_cast<double>(i);
    o << "<rect x='" << fmt("%.1f", x + 1) << "' y='" << fmt("%.1f", h - bottom - bh) << "' width='"
      << fmt("%.1f", std::max(1.0, bw - 2)) << "' height='" << fmt("%.1f", bh)
      << "' fill='#3b7dd8'><title>" << esc(labels[i]) << ": " << fmt("%.4g", values[i]) << " "
      << esc(unit) << "</title></rect>";
    if (values.size() <= 40 || i % (values.size() / 20 + 1) == 0) {
      o << "<text x='" << fmt("%.1f", x + bw / 2) << "' y='" << h - bottom + 14
        << "' text-anchor='middle' class='a'>" << esc(labels[i]) << "</text>";
    }
  }
  if (line && !line->empty()) {
    o << "<polyline fill='none' stroke='#e0672b' stroke-width='2' points='";
    for (std::size_t i = 0; i < line->size(); ++i) {
      o << fmt("%.1f", left + bw * (static_cast<double>(i) + 0.5)) << ","
        << fmt("%.1f", h - bottom - (h - bottom - top) * (*line)[i] / mx) << " ";
    }
    o << "'/>";
  }
  o << "<text x='" << w / 2 << "' y='" << h - 6 << "' text-anchor='middle' class='a'>" << esc(unit)
    << "</text></svg>";
  return o.str();
}

std::string hbar_chart(const std::string& title,
                       const std::vector<std::pair<std::string, double>>& rows) {
  const double row_h = 18, left = 260, w = 760;
  const double h = 40 + row_h * static_cast<double>(rows.size());
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
    << "' viewBox='0 0 " << w << " " << h << "'><text x='10' y='18' class='t'>" << esc(title)
    << "</text>";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double y = 30 + row_h * static_cast<double>(i);
    const double v = std::clamp(rows[i].second, 0.0, 1.0);
    o << "<text x='" << left - 6 << "' y='" << y + 12 << "' text-anchor='end' class='a'>"
      << esc(rows[i].first) << "</text><rect x='" << left << "' y='" << y << "' width='"
      << fmt("%.1f", (w - left - 60) * v) << "' height='" << row_h - 4
      << "' fill='#5aa469'/><text x='" << fmt("%.1f", left + (w - left - 60) * v + 4) << "' y='"
      << y + 12 << "' class='a'>" << fmt("%.1f", 100 * rows[i].second) << " %</text>";
  }
  o << "</svg>";
  return o.str();
}

std::string map_svg(const airspace::Airspace& a, const SimResult& r) {
  // Bounds: every used vertiport and flown point, padded; zones are clipped to it by the viewBox.
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  auto grow = [&](double x, double y) {
    x0 = std::min(x0, x);
    y0 = std::min(y0, y);
    x1 = std::max(x1, x);
    y1 = std::max(y1, y);
  };
  for (const auto& v : a.vertiports()) grow(v.x_m, v.y_m);
  const double pad = 4000;
  x0 -= pad;
  y0 -= pad;
  x1 += pad;
  y1 += pad;
  const double W = 760;
  const double scale = W / (x1 - x0);
  const double H = (y1 - y0) * scale;
  auto X = [&](double x) { return fmt("%.1f", (x - x0) * scale); };
  auto Y = [&](double y) { return fmt("%.1f", (y1 - y) * scale); };
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << fmt("%.0f", H)
    << "' viewBox='0 0 " << W << " " << fmt("%.0f", H)
    << "' style='background:#eef3f7'><defs><clipPath id='c'><rect width='" << W << "' height='"
    << fmt("%.0f", H) << "'/></clipPath></defs><g clip-path='url(#c)'>";
  const char* colours[] = {"#d9534f", "#f0ad4e", "#9b59b6", "#555555", "#e67e22"};
  for (const auto& z : a.zones()) {
    const int k = static_cast<int>(z.kind);
    for (const auto& ring : wkt_rings(z.geometry_wkt)) {
      o << "<polygon fill='" << colours[k % 5] << "' fill-opacity='0.18' stroke='" << colours[k % 5]
        << "' stroke-width='0.5' points='";
      double lx = 1e300, ly = 1e300;
      for (const auto& p : ring) {
        if (std::hypot(p[0] - lx, p[1] - ly) < 150 && &p != &ring.back()) continue;
        lx = p[0];
        ly = p[1];
        o << X(p[0]) << "," << Y(p[1]) << " ";
      }
      o << "'><title>" << esc(z.name) << " (" << esc(std::string(airspace::zone_kind_name(z.kind)))
        << ")</title></polygon>";
    }
  }
  // Flown routes: one thin line per leg (deliveries blue, ferries grey).
  std::map<std::pair<std::string, std::string>, int> drawn;
  for (const auto& j : r.jobs) {
    if (j.state != "COMPLETED") continue;
    for (const auto& leg : j.legs) {
      // Draw at most 30 legs per (from, to) pair: the map shows routes, not every flight.
      if (++drawn[{leg.from, leg.to}] > 30) continue;
      o << "<polyline fill='none' stroke='" << (j.ferry ? "#888" : "#1f5fbf")
        << "' stroke-opacity='0.35' stroke-width='1' points='";
      double lx = 1e300, ly = 1e300;
      for (const auto& p : leg.trajectory.points) {
        if (std::hypot(p.x_m - lx, p.y_m - ly) < 100) continue;
        lx = p.x_m;
        ly = p.y_m;
        o << X(p.x_m) << "," << Y(p.y_m) << " ";
      }
      o << "'/>";
    }
  }
  for (const auto& v : a.vertiports()) {
    const bool hub = v.kind == "hub";
    o << "<circle cx='" << X(v.x_m) << "' cy='" << Y(v.y_m) << "' r='" << (hub ? 6 : 4)
      << "' fill='"
      << (hub                 ? "#c0392b"
          : v.kind == "relay" ? "#16a085"
                              : "#2c3e50")
      << "' stroke='white'><title>" << esc(v.name) << " (" << esc(v.kind) << ", " << v.pads
      << " pads)</title></circle><text x='" << X(v.x_m + 600) << "' y='" << Y(v.y_m - 250)
      << "' class='m'>" << esc(v.name) << "</text>";
  }
  // Scale bar: 10 km.
  o << "</g><line x1='20' x2='" << fmt("%.1f", 20 + 10000 * scale) << "' y1='"
    << fmt("%.0f", H - 20) << "' y2='" << fmt("%.0f", H - 20)
    << "' stroke='black' stroke-width='3'/><text x='20' y='" << fmt("%.0f", H - 26)
    << "' class='a'>10 km</text></svg>";
  return o.str();
}

std::string report_html(const Scenario& s, const airspace::Airspace& a, const SimResult& r,
                        const json& sum) {
  std::ostringstream o;
  o << "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>skylane sim: "
    << esc(s.name)
    << "</title><style>body{font-family:sans-serif;max-width:800px;margin:20px "
       "auto;color:#222}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid "
       "#ccc;padding:3px 6px;text-align:right}td:first-child,th:first-child{text-align:left}"
       ".t{font:bold 13px sans-serif}.a{font:10px sans-serif;fill:#444}.m{font:9px "
       "sans-serif;fill:#222}</style></head><body>";
  o << "<h1>" << esc(s.name) << "</h1><p>" << esc(sum["start"].get<std::string>()) << " to "
    << esc(sum["end"].get<std::string>()) << " (local), seed " << s.seed << ", planner "
    << esc(r.port_kind) << ", " << s.fleet_size()
    << " drones. Generated by skylane sim; opens "
       "offline (no external resources).</p>";
  auto row = [&](const std::string& k, const std::string& v) {
    o << "<tr><td>" << esc(k) << "</td><td>" << esc(v) << "</td></tr>";
  };
  o << "<h2>Summary</h2><table>";
  row("missions released", std::to_string(sum["missions_released"].get<std::size_t>()));
  row("missions completed", std::to_string(sum["missions_completed"].get<std::size_t>()));
  row("missions rejected", std::to_string(sum["missions_rejected"].get<std::size_t>()));
  row("throughput (missions/hour)", fmt("%.2f", sum["throughput_per_hour"].get<double>()));
  row("on-time rate (of completed)", fmt("%.1f %%", 100 * sum["on_time_rate"].get<double>()));
  row("delivery time p50 / p95 (min)",
      fmt("%.1f", sum["delivery_time_s"]["p50"].get<double>() / 60) + " / " +
          fmt("%.1f", sum["delivery_time_s"]["p95"].get<double>() / 60));
  row("fleet utilisation (loading, flying, unloading)",
      fmt("%.1f %%", 100 * sum["fleet_utilisation"].get<double>()));
  row("pad / charger utilisation",
      fmt("%.1f %%", 100 * sum["pad_utilisation"].get<double>()) + " / " +
          fmt("%.1f %%", 100 * sum["charger_utilisation"].get<double>()));
  row("energy (kWh)", fmt("%.1f", sum["energy_kwh"].get<double>()));
  row("audited flights", std::to_string(sum["audited_flights"].get<std::size_t>()));
  row("conflicts (independent checker)", sum["conflicts"].dump());
  row("minimum 3D separation (m)", sum["min_separation_m"].dump());
  o << "</table>";
  if (!sum["rejections"].empty()) {
    o << "<h3>Rejections by reason</h3><table>";
    for (const auto& [k, v] : sum["rejections"].items()) row(k, v.dump());
    o << "</table>";
  }
  // Throughput over the day.
  std::vector<double> done, rel;
  std::vector<std::string> labels;
  const auto& by_hour = sum["completed_by_hour"];
  for (std::size_t h = 0; h < by_hour.size(); ++h) {
    done.push_back(by_hour[h].get<double>());
    rel.push_back(sum["released_by_hour"][h].get<double>());
    labels.push_back(format_local_time(s.start_unix_ms + static_cast<std::int64_t>(h) * 3'600'000,
                                       s.utc_offset_s)
                         .substr(11, 2));
  }
  o << "<h2>Throughput over the day</h2>"
    << bar_chart("Completed per hour (bars) and released per hour (line)", done, labels,
                 "local hour", &rel);
  // Delivery-time distribution (release to unloaded), 10-minute bins.
  std::vector<double> bins;
  std::vector<std::string> bl;
  for (std::size_t i = 0; i < r.deliveries; ++i) {
    const auto& j = r.jobs[i];
    if (j.state != "COMPLETED") continue;
    const auto b =
        static_cast<std::size_t>((j.completed_unix_ms - j.record.release_unix_ms) / 600'000);
    const std::size_t k = std::min<std::size_t>(b, 35);
    if (bins.size() <= k) bins.resize(k + 1, 0.0);
    bins[k] += 1;
  }
  for (std::size_t k = 0; k < bins.size(); ++k)
    bl.push_back(k == 35 ? "350+" : std::to_string(k * 10));
  o << "<h2>Delivery time distribution</h2>"
    << bar_chart("Missions by delivery time (release to unloaded)", bins, bl,
                 "minutes (10-minute bins)");
  // Utilisation.
  std::vector<std::pair<std::string, double>> fleet_rows;
  for (const auto& [k, v] : sum["fleet_state_share"].items())
    fleet_rows.emplace_back(k, v.get<double>());
  o << "<h2>Utilisation</h2>" << hbar_chart("Fleet: share of drone-time by state", fleet_rows);
  std::vector<std::pair<std::string, double>> pad_rows, ch_rows;
  for (const auto& v : sum["vertiports"]) {
    pad_rows.emplace_back(v["name"].get<std::string>(), v["pad_utilisation"].get<double>());
    ch_rows.emplace_back(v["name"].get<std::string>(), v["charger_utilisation"].get<double>());
  }
  o << hbar_chart("Pad utilisation by vertiport", pad_rows)
    << hbar_chart("Charger utilisation by vertiport", ch_rows);
  o << "<h3>Vertiport queues</h3><table><tr><th>vertiport</th><th>dep</th><th>arr</th><th>pad "
       "queue max</th><th>pad wait p95 (s)</th><th>charger queue max</th><th>charger wait p95 "
       "(s)</th><th>swaps</th><th>stock-outs</th></tr>";
  for (const auto& v : sum["vertiports"]) {
    o << "<tr><td>" << esc(v["name"].get<std::string>()) << "</td><td>" << v["departures"]
      << "</td><td>" << v["arrivals"] << "</td><td>" << v["pad_queue_max"] << "</td><td>"
      << fmt("%.0f", v["pad_wait_s"]["p95"].get<double>()) << "</td><td>" << v["charger_queue_max"]
      << "</td><td>" << fmt("%.0f", v["charger_wait_s"]["p95"].get<double>()) << "</td><td>"
      << v["swaps"] << "</td><td>" << v["stockouts"] << "</td></tr>";
  }
  o << "</table><h2>Flown routes</h2><p>Zones and vertiports from the airspace file ("
    << esc(a.info().name) << ", " << esc(a.info().crs)
    << "); red: prohibited, orange: restricted, purple: airport protection, grey: border band. "
       "Blue: delivery legs, grey: repositioning.</p>"
    << map_svg(a, r);
  o << "<h3>Routes</h3><table><tr><th>origin</th><th>destination</th><th>completed</th><th>mean "
       "delivery (min)</th></tr>";
  for (const auto& rt : sum["routes"]) {
    o << "<tr><td>" << esc(rt["origin"].get<std::string>()) << " &rarr; "
      << esc(rt["destination"].get<std::string>()) << "</td><td></td><td>" << rt["completed"]
      << "</td><td>" << fmt("%.1f", rt["mean_delivery_s"].get<double>() / 60) << "</td></tr>";
  }
  o << "</table></body></html>\n";
  return o.str();
}

}  // namespace

Result<std::vector<std::string>> write_outputs(const std::string& dir, const Scenario& s,
                                               const airspace::Airspace& a, const SimResult& r,
                                               const json& summary, const geo::GeoFrame& frame) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("IO_ERROR", "cannot create output folder '" + dir + "': " + ec.message());
  std::vector<std::string> files;
  auto put = [&](const std::string& name, const std::string& text) -> Result<void> {
    const fs::path p = fs::path(dir) / name;
    auto w = write_file(p, text);
    if (!w) return w;
    files.push_back(p.string());
    return {};
  };
  if (auto w = put("summary.json", summary.dump(2) + "\n"); !w) return tl::unexpected(w.error());
  if (auto w = put("missions.csv", missions_csv(s, r)); !w) return tl::unexpected(w.error());
  auto geo = trajectories_geojson(r, frame, s.start_unix_ms);
  if (!geo) return tl::unexpected(geo.error());
  if (auto w = put("trajectories.geojson", *geo); !w) return tl::unexpected(w.error());
  if (auto w = put("report.html", report_html(s, a, r, summary)); !w)
    return tl::unexpected(w.error());
  return files;
}

}  // namespace skylane::sim
