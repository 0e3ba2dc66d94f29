// The only file that includes MPI: tasks are dealt round-robin to ranks, each rank runs its
// tasks to a CSV row, rank 0 gathers the rows (MPI_Gatherv), orders them by task and writes.
#include "skylane/sim/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#if defined(SKYLANE_HAVE_MPI)
#include <mpi.h>
#endif

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/core/try.hpp"
#include "skylane/sim/rng.hpp"
#include "skylane/sim/scenario.hpp"
#include "skylane/sim/sim_run.hpp"

namespace skylane::sim {
namespace {

struct Axis {
  std::string key;
  std::vector<std::string> values;
};

Result<Axis> parse_axis(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 >= text.size()) {
    return fail("USAGE", "--grid '" + text + "': expected key.path=v1,v2,...");
  }
  Axis a;
  a.key = text.substr(0, eq);
  std::string cur;
  for (char c : text.substr(eq + 1)) {
    if (c == ',') {
      a.values.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  a.values.push_back(cur);
  for (const auto& v : a.values) {
    if (v.empty()) return fail("USAGE", "--grid '" + text + "': empty value");
  }
  return a;
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

std::string num(const nlohmann::json& j, const char* f) {
  if (!j.is_number()) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, j.get<double>());
  return buf;
}

constexpr const char* kMetrics =
    "missions_released,missions_completed,missions_rejected,throughput_per_hour,on_time_rate,"
    "delivery_p50_s,delivery_p95_s,fleet_utilisation,pad_utilisation,charger_utilisation,"
    "energy_kwh,conflicts,min_separation_m,error";

std::string metrics_row(const nlohmann::json& s) {
  std::ostringstream o;
  o << num(s["missions_released"], "%.0f") << ',' << num(s["missions_completed"], "%.0f") << ','
    << num(s["missions_rejected"], "%.0f") << ',' << num(s["throughput_per_hour"], "%.3f") << ','
    << num(s["on_time_rate"], "%.3f") << ',' << num(s["delivery_time_s"]["p50"], "%.1f") << ','
    << num(s["delivery_time_s"]["p95"], "%.1f") << ',' << num(s["fleet_utilisation"], "%.3f") << ','
    << num(s["pad_utilisation"], "%.3f") << ',' << num(s["charger_utilisation"], "%.3f") << ','
    << num(s["energy_kwh"], "%.3f") << ',' << num(s["conflicts"], "%.0f") << ','
    << num(s["min_separation_m"], "%.3f") << ',';
  return o.str();
}

std::string svg_chart(const std::vector<std::string>& labels, const std::vector<double>& mean,
                      const std::vector<double>& lo, const std::vector<double>& hi,
                      const std::string& title) {
  const double w = 760, h = 300, left = 60, bottom = 90, top = 30;
  double mx = 1e-9;
  for (double v : hi) mx = std::max(mx, v);
  const double bw = (w - left - 10) / std::max<std::size_t>(1, mean.size());
  std::ostringstream o;
  char buf[256];
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h << "'>"
    << "<text x='10' y='18' style='font:bold 13px sans-serif'>" << title << "</text>";
  for (int k = 0; k <= 4; ++k) {
    const double y = h - bottom - (h - bottom - top) * k / 4.0;
    std::snprintf(buf, sizeof buf,
                  "<line x1='%g' x2='%g' y1='%g' y2='%g' stroke='#ddd'/><text x='%g' y='%g' "
                  "text-anchor='end' style='font:10px sans-serif'>%.3g</text>",
                  left, w - 10, y, y, left - 4, y + 4, mx * k / 4.0);
    o << buf;
  }
  for (std::size_t i = 0; i < mean.size(); ++i) {
    const double x = left + bw * static_cast<double>(i);
    const double y = h - bottom - (h - bottom - top) * mean[i] / mx;
    const double ylo = h - bottom - (h - bottom - top) * lo[i] / mx;
    const double yhi = h - bottom - (h - bottom - top) * hi[i] / mx;
    std::snprintf(buf, sizeof buf,
                  "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#3b7dd8'/>"
                  "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' stroke='black'/>",
                  x + 2, y, std::max(1.0, bw - 4), h - bottom - y, x + bw / 2, x + bw / 2, ylo,
                  yhi);
    o << buf;
    std::snprintf(buf, sizeof buf,
                  "<text transform='translate(%.1f,%.1f) rotate(30)' style='font:10px "
                  "sans-serif'>",
                  x + bw / 2, h - bottom + 12);
    o << buf;
    for (char c : labels[i]) {
      if (c == '<')
        o << "&lt;";
      else if (c == '&')
        o << "&amp;";
      else
        o << c;
    }
    o << "</text>";
  }
  o << "</svg>";
  return o.str();
}

}  // namespace

std::uint64_t replication_seed(std::uint64_t scenario_seed, int replication) {
  return mix_seed(scenario_seed, static_cast<std::uint64_t>(replication));
}

Result<SweepReport> run_sweep(const SweepOptions& o) {
  if (o.seeds < 1) return fail("USAGE", "--seeds must be >= 1");
  std::vector<Axis> axes;
  for (const auto& g : o.grid) {
    SKY_TRY(a, parse_axis(g));
    axes.push_back(a);
  }
  // The base scenario, checked before any task runs (bad keys fail here, on every rank).
  SKY_TRY(base, load_scenario(o.scenario_path, o.overrides));
  for (const auto& a : axes) {
    std::vector<std::string> probe = o.overrides;
    for (const auto& v : a.values) probe.push_back(a.key + "=" + v);
    SKY_TRY(check, load_scenario(o.scenario_path, probe));
    (void)check;
  }
  // Tasks: every combination of axis values x replication.
  std::size_t combos = 1;
  for (const auto& a : axes) combos *= a.values.size();
  const std::size_t tasks = combos * static_cast<std::size_t>(o.seeds);

  int rank = 0, size = 1;
#if defined(SKYLANE_HAVE_MPI)
  // Only under mpirun: a plain run stays sequential without starting an MPI singleton.
  const bool use_mpi =
      std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
  if (use_mpi) {
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
#else
  const bool use_mpi = false;
#endif

  // One map per process, shared by its tasks.
  auto map = airspace::read_airspace(resolve_scenario_path(base.map, base.source));
  std::string rows;  // "task\trow\n" for this rank's tasks
  std::size_t failed = 0;
  for (std::size_t t = static_cast<std::size_t>(rank); t < tasks;
       t += static_cast<std::size_t>(size)) {
    const std::size_t combo = t / static_cast<std::size_t>(o.seeds);
    const int rep = static_cast<int>(t % static_cast<std::size_t>(o.seeds));
    SimRunOptions ro;
    ro.scenario_path = o.scenario_path;
    ro.overrides = o.overrides;
    std::vector<std::string> values;
    std::size_t rest = combo;
    for (std::size_t a = axes.size(); a-- > 0;) {
      values.insert(values.begin(), axes[a].values[rest % axes[a].values.size()]);
      rest /= axes[a].values.size();
    }
    for (std::size_t a = 0; a < axes.size(); ++a)
      ro.overrides.push_back(axes[a].key + "=" + values[a]);
    const std::uint64_t seed = replication_seed(base.seed, rep);
    ro.seed = seed;
    if (map) ro.airspace = &*map;
    std::ostringstream row;
    row << t << ',' << combo << ',' << rep << ',' << seed;
    for (const auto& v : values) row << ',' << csv(v);
    if (!o.quiet) {
      std::cerr << "skylane sweep: task " << t + 1 << "/" << tasks << " (rank " << rank << ")\n";
    }
    auto res = map ? run_sim(ro) : tl::unexpected(map.error());
    if (res) {
      row << ',' << metrics_row(res->summary);
    } else {
      ++failed;
      row << ",,,,,,,,,,,,,," << csv(res.error().to_string());
    }
    rows += std::to_string(t) + "\t" + row.str() + "\n";
  }

  SweepReport rep;
  rep.tasks = tasks;
  rep.processes = size;
  rep.root = rank == 0;
  std::string all = rows;
#if defined(SKYLANE_HAVE_MPI)
  if (use_mpi) {
    int len = static_cast<int>(rows.size());
    std::vector<int> lens(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size));
    MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
    int total = 0;
    for (int i = 0; i < size; ++i) {
      displs[static_cast<std::size_t>(i)] = total;
      total += lens[static_cast<std::size_t>(i)];
    }
    std::string buf(rank == 0 ? static_cast<std::size_t>(total) : 0, '\0');
    MPI_Gatherv(rows.data(), len, MPI_CHAR, buf.data(), lens.data(), displs.data(), MPI_CHAR, 0,
                MPI_COMM_WORLD);
    int failed_local = static_cast<int>(failed), failed_all = 0;
    MPI_Reduce(&failed_local, &failed_all, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    failed = static_cast<std::size_t>(failed_all);
    all = buf;
    MPI_Finalize();
  }
#endif
  rep.failed = failed;
  if (!rep.root) return rep;

  std::map<std::size_t, std::string> ordered;
  std::istringstream in(all);
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    ordered[std::stoul(line.substr(0, tab))] = line.substr(tab + 1);
  }
  std::ostringstream out;
  out << "task,grid_point,replication,seed";
  for (const auto& a : axes) out << ',' << csv(a.key);
  out << ',' << kMetrics << "\n";
  for (const auto& [t, r] : ordered) out << r << "\n";

  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  if (ec) return fail("IO_ERROR", "cannot create '" + o.out_dir + "': " + ec.message());
  rep.csv_path = (std::filesystem::path(o.out_dir) / "sweep.csv").string();
  {
    std::ofstream f(rep.csv_path, std::ios::binary);
    f << out.str();
    if (!f) return fail("IO_ERROR", "cannot write '" + rep.csv_path + "'");
  }
  // Chart: throughput and on-time rate per grid point, mean with min-max over replications.
  const std::size_t metric_col = 4 + axes.size();  // first metric column
  std::vector<std::string> labels(combos);
  std::vector<std::vector<double>> thr(combos), ont(combos);
  for (const auto& [t, r] : ordered) {
    std::vector<std::string> f;
    std::string cur;
    bool q = false;
    for (char c : r) {
      if (c == '"')
        q = !q;
      else if (c == ',' && !q) {
        f.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    f.push_back(cur);
    const std::size_t combo = t / static_cast<std::size_t>(o.seeds);
    std::string label;
    for (std::size_t a = 0; a < axes.size(); ++a)
      label += (a ? " " : "") + axes[a].key + "=" + f[4 + a];
    labels[combo] = label.empty() ? "base" : label;
    if (f.size() > metric_col + 4 && !f[metric_col + 3].empty()) {
      thr[combo].push_back(std::stod(f[metric_col + 3]));
      ont[combo].push_back(std::stod(f[metric_col + 4]));
    }
  }
  auto summarise = [](const std::vector<std::vector<double>>& v, std::vector<double>& mean,
                      std::vector<double>& lo, std::vector<double>& hi) {
    for (const auto& x : v) {
      double s = 0, a = x.empty() ? 0 : x[0], b = a;
      for (double y : x) {
        s += y;
        a = std::min(a, y);
        b = std::max(b, y);
      }
      mean.push_back(x.empty() ? 0 : s / static_cast<double>(x.size()));
      lo.push_back(a);
      hi.push_back(b);
    }
  };
  std::vector<double> m1, l1, h1, m2, l2, h2;
  summarise(thr, m1, l1, h1);
  summarise(ont, m2, l2, h2);
  rep.html_path = (std::filesystem::path(o.out_dir) / "sweep.html").string();
  std::ofstream h(rep.html_path, std::ios::binary);
  h << "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>skylane sweep</title>"
       "</head><body style='font-family:sans-serif;max-width:800px;margin:20px auto'>"
       "<h1>skylane sweep</h1><p>"
    << tasks << " runs: " << combos << " grid points x " << o.seeds
    << " replications. Bars: mean over replications; whiskers: min to max. Table: sweep.csv."
       "</p>"
    << svg_chart(labels, m1, l1, h1, "Throughput (missions/hour)")
    << svg_chart(labels, m2, l2, h2, "On-time rate (of completed)") << "</body></html>\n";
  if (!h) return fail("IO_ERROR", "cannot write '" + rep.html_path + "'");
  return rep;
}

}  // namespace skylane::sim
