#include "skylane/sim/mission_log.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>

#include "skylane/core/try.hpp"
#include "skylane/sim/rng.hpp"
#include "skylane/sim/sim_time.hpp"

namespace skylane::sim {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;

double draw_payload(Rng& rng, const PayloadModel& m) {
  double kg = m.min_kg;
  if (m.distribution == "uniform") {
    kg = rng.uniform(m.min_kg, m.max_kg);
  } else if (m.distribution == "lognormal") {
    kg = m.median_kg * std::exp(m.sigma * rng.normal());
  }
  kg = std::clamp(kg, m.min_kg, m.max_kg);
  return std::max(0.01, std::round(kg * 100.0) / 100.0);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string fmt_kg(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Splits one CSV record (RFC 4180 quoting, no embedded newlines). False on a bad quote.
bool split_csv(const std::string& line, std::vector<std::string>& out) {
  out.clear();
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur += c;
      }
    } else if (c == '"' && cur.empty()) {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (quoted) return false;
  out.push_back(cur);
  return true;
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

std::vector<MissionRecord> generate_missions(const Scenario& s, std::uint64_t seed) {
  struct Drawn {
    MissionRecord r;
    std::size_t flow = 0;
    std::size_t index = 0;
  };
  std::vector<Drawn> drawn;
  for (std::size_t fi = 0; fi < s.demand.flows.size(); ++fi) {
    const DemandFlow& f = s.demand.flows[fi];
    // One independent stream per flow, so adding a flow does not reshuffle the others.
    Rng rng(mix_seed(seed, fi));
    const std::vector<double>& prof = f.profile.empty() ? s.demand.profile : f.profile;
    double total = 0;
    for (double w : prof) total += w;
    const double per_day = f.missions_per_day * s.demand.volume;
    if (per_day <= 0 || total <= 0) continue;
    std::vector<double> ow, dw;
    for (const auto& [_, w] : f.origins) ow.push_back(w);
    for (const auto& [_, w] : f.destinations) dw.push_back(w);
    std::size_t index = 0;
    std::int64_t seg_begin = s.start_unix_ms;
    const std::int64_t end = s.end_unix_ms();
    while (seg_begin < end) {
      // Segment = the rest of the current local clock hour.
      const std::int64_t local = seg_begin + static_cast<std::int64_t>(s.utc_offset_s) * 1000;
      std::int64_t hour_index = local / kHourMs;
      if (local < 0 && local % kHourMs != 0) --hour_index;
      const std::int64_t seg_end = std::min(
          end, (hour_index + 1) * kHourMs - static_cast<std::int64_t>(s.utc_offset_s) * 1000);
      const int hod = static_cast<int>(((hour_index % 24) + 24) % 24);
      // prof[hod] / total of the day's missions fall in this clock hour.
      const double rate_per_ms = per_day * prof[hod] / total / static_cast<double>(kHourMs);
      if (rate_per_ms > 0) {
        double t = static_cast<double>(seg_begin);
        for (;;) {
          t += rng.exponential(rate_per_ms);
          if (t >= static_cast<double>(seg_end)) break;
          Drawn d;
          d.flow = fi;
          d.index = index++;
          d.r.release_unix_ms = static_cast<std::int64_t>(std::floor(t / 1000.0)) * 1000;
          const std::size_t o = rng.discrete(ow);
          d.r.origin = f.origins[o].first;
          std::size_t dest = rng.discrete(dw);
          for (int tries = 0; f.destinations[dest].first == d.r.origin && tries < 64; ++tries) {
            dest = rng.discrete(dw);
          }
          const double kg = draw_payload(rng, f.payload);
          if (f.destinations[dest].first == d.r.origin) continue;  // no other destination
          d.r.destination = f.destinations[dest].first;
          d.r.payload_kg = kg;
          d.r.deadline_unix_ms = d.r.release_unix_ms + std::llround(f.deadline_min * 60.0) * 1000;
          d.r.priority = f.priority;
          d.r.vehicle_class = f.vehicle_class;
          d.r.flow = f.name;
          drawn.push_back(std::move(d));
        }
      }
      seg_begin = seg_end;
    }
  }
  std::stable_sort(drawn.begin(), drawn.end(), [](const Drawn& a, const Drawn& b) {
    if (a.r.release_unix_ms != b.r.release_unix_ms)
      return a.r.release_unix_ms < b.r.release_unix_ms;
    if (a.flow != b.flow) return a.flow < b.flow;
    return a.index < b.index;
  });
  std::vector<MissionRecord> out;
  out.reserve(drawn.size());
  for (std::size_t i = 0; i < drawn.size(); ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "M%06zu", i + 1);
    drawn[i].r.id = id;
    out.push_back(std::move(drawn[i].r));
  }
  return out;
}

void write_mission_log(std::ostream& out, const std::vector<MissionRecord>& missions,
                       std::int32_t utc) {
  out << kMissionLogHeader << "\n";
  for (const auto& m : missions) {
    out << csv_field(m.id) << ',' << format_local_time(m.release_unix_ms, utc) << ','
        << csv_field(m.origin) << ',' << csv_field(m.destination) << ',' << fmt_kg(m.payload_kg)
        << ',' << format_local_time(m.deadline_unix_ms, utc) << ',' << m.priority << ','
        << csv_field(m.vehicle_class) << "\n";
  }
}

Result<void> write_mission_log_file(const std::string& path,
                                    const std::vector<MissionRecord>& missions, std::int32_t utc) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return fail("IO_ERROR", "cannot write mission log '" + path + "'");
  write_mission_log(out, missions, utc);
  if (!out) return fail("IO_ERROR", "error writing mission log '" + path + "'");
  return {};
}

Result<std::vector<MissionRecord>> parse_mission_log(std::string_view text,
                                                     const std::string& source, std::int32_t utc) {
  std::vector<MissionRecord> out;
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  std::vector<std::string> f;
  bool header_seen = false;
  std::vector<std::string> ids;
  auto bad = [&](const std::string& what) {
    return fail("MISSION_LOG_INVALID", source + ":" + std::to_string(line_no) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty() || line[0] == '#') continue;
    if (!header_seen) {
      if (trim(line) != kMissionLogHeader) {
        return bad("expected the header '" + std::string(kMissionLogHeader) + "', got '" + line +
                   "'");
      }
      header_seen = true;
      continue;
    }
    if (!split_csv(line, f)) return bad("unterminated quote");
    if (f.size() != 8) {
      return bad("expected 8 fields (" + std::string(kMissionLogHeader) + "), got " +
                 std::to_string(f.size()));
    }
    for (auto& x : f) x = trim(x);
    MissionRecord m;
    m.line = line_no;
    m.id = f[0];
    if (m.id.empty()) return bad("empty id");
    auto rel = parse_local_time(f[1], utc);
    if (!rel) return bad("release: " + rel.error().message);
    m.release_unix_ms = *rel;
    m.origin = f[2];
    m.destination = f[3];
    if (m.origin.empty() || m.destination.empty()) return bad("empty origin or destination");
    if (m.origin == m.destination) return bad("origin and destination are both '" + m.origin + "'");
    char* end = nullptr;
    m.payload_kg = std::strtod(f[4].c_str(), &end);
    if (f[4].empty() || *end != '\0' || !std::isfinite(m.payload_kg)) {
      return bad("payload_kg '" + f[4] + "' is not a number");
    }
    if (m.payload_kg <= 0) return bad("payload_kg " + f[4] + " must be > 0");
    auto dl = parse_local_time(f[5], utc);
    if (!dl) return bad("deadline: " + dl.error().message);
    m.deadline_unix_ms = *dl;
    if (m.deadline_unix_ms <= m.release_unix_ms) return bad("deadline is not after the release");
    const long pr = std::strtol(f[6].c_str(), &end, 10);
    if (f[6].empty() || *end != '\0' || pr < -1000000 || pr > 1000000) {
      return bad("priority '" + f[6] + "' is not an integer");
    }
    m.priority = static_cast<int>(pr);
    m.vehicle_class = f[7].empty() ? "any" : f[7];
    ids.push_back(m.id);
    out.push_back(std::move(m));
  }
  if (!header_seen) {
    line_no = std::max(line_no, 1);
    return bad("empty log: expected the header '" + std::string(kMissionLogHeader) + "'");
  }
  std::vector<std::pair<std::string, int>> sorted;
  for (const auto& m : out) sorted.emplace_back(m.id, m.line);
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].first == sorted[i - 1].first) {
      line_no = std::max(sorted[i].second, sorted[i - 1].second);
      return bad("duplicate id '" + sorted[i].first + "'");
    }
  }
  return out;
}

Result<std::vector<MissionRecord>> read_mission_log(const std::string& path, std::int32_t utc) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("FILE_NOT_FOUND", "mission log '" + path + "' cannot be opened");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_mission_log(ss.str(), path, utc);
}

Result<void> check_missions(const std::vector<MissionRecord>& missions, const Scenario& s,
                            const std::vector<std::string>& vertiports,
                            const std::vector<std::string>& classes, const std::string& source) {
  auto where = [&](const MissionRecord& m) {
    return m.line > 0 ? source + ":" + std::to_string(m.line) : source + ": mission " + m.id;
  };
  auto known = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  for (const auto& m : missions) {
    for (const auto* name : {&m.origin, &m.destination}) {
      if (!known(vertiports, *name)) {
        return fail("MISSION_LOG_INVALID", where(m) + ": unknown vertiport '" + *name + "'");
      }
    }
    if (m.vehicle_class != "any" && !known(classes, m.vehicle_class)) {
      return fail("MISSION_LOG_INVALID", where(m) + ": unknown vehicle class '" + m.vehicle_class +
                                             "' (not in the fleet)");
    }
    if (m.release_unix_ms > s.end_unix_ms()) {
      return fail("MISSION_LOG_INVALID", where(m) + ": release " +
                                             format_local_time(m.release_unix_ms, s.utc_offset_s) +
                                             " is after the scenario end " +
                                             format_local_time(s.end_unix_ms(), s.utc_offset_s));
    }
    if (m.release_unix_ms < s.start_unix_ms) {
      return fail("MISSION_LOG_INVALID", where(m) + ": release " +
                                             format_local_time(m.release_unix_ms, s.utc_offset_s) +
                                             " is before the scenario start " +
                                             format_local_time(s.start_unix_ms, s.utc_offset_s));
    }
    if (m.payload_kg <= 0) {
      return fail("MISSION_LOG_INVALID", where(m) + ": payload must be > 0 kg");
    }
  }
  return {};
}

}  // namespace skylane::sim
