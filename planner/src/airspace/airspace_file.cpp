#include "skylane/airspace/airspace_file.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "skylane/core/hash.hpp"

namespace skylane::airspace {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the airspace file is little-endian; add byte swapping for this platform");

constexpr char kMagic[8] = {'S', 'K', 'Y', 'L', 'A', 'N', 'E', 'A'};
constexpr int kSectionCount = 5;  // meta, ground, obstacle_top, zone_set, flags

struct Section {
  std::uint64_t offset;
  std::uint64_t bytes;
};

struct Header {
  char magic[8];
  std::uint32_t format_version;
  std::uint32_t header_bytes;
  std::uint64_t file_bytes;
  std::uint64_t fingerprint;
  std::uint64_t checksum;  // over every section, in order
  std::uint32_t nx;
  std::uint32_t ny;
  Section sections[kSectionCount];
};
static_assert(sizeof(Header) == 128);

using nlohmann::json;

json window_to_json(const ActivityWindow& w) {
  json j;
  switch (w.kind) {
    case ActivityWindow::Kind::kOnce:
      j = {{"kind", "once"}, {"begin_utc_s", w.begin_utc_s}, {"end_utc_s", w.end_utc_s}};
      break;
    case ActivityWindow::Kind::kDaily:
      j = {{"kind", "daily"}, {"start_s", w.start_s}, {"end_s", w.end_s}};
      break;
    case ActivityWindow::Kind::kWeekly:
      j = {{"kind", "weekly"},
           {"start_s", w.start_s},
           {"end_s", w.end_s},
           {"weekday_mask", w.weekday_mask}};
      break;
  }
  return j;
}

ActivityWindow window_from_json(const json& j) {
  ActivityWindow w;
  const std::string kind = j.at("kind");
  if (kind == "once") {
    w.kind = ActivityWindow::Kind::kOnce;
    w.begin_utc_s = j.at("begin_utc_s");
    w.end_utc_s = j.at("end_utc_s");
  } else {
    w.kind = kind == "daily" ? ActivityWindow::Kind::kDaily : ActivityWindow::Kind::kWeekly;
    w.start_s = j.at("start_s");
    w.end_s = j.at("end_s");
    if (kind == "weekly") w.weekday_mask = j.at("weekday_mask");
  }
  return w;
}

json limit_to_json(const AltitudeLimit& l) {
  if (std::isinf(l.value_m)) return json{{"unlimited", true}};
  return json{{"value_m", l.value_m}, {"ref", l.ref == AltitudeRef::kAgl ? "agl" : "amsl"}};
}

AltitudeLimit limit_from_json(const json& j) {
  if (j.contains("unlimited")) return AltitudeLimit::unlimited();
  return {j.at("value_m").get<double>(),
          j.at("ref").get<std::string>() == "agl" ? AltitudeRef::kAgl : AltitudeRef::kAmsl};
}

json meta_to_json(const Airspace& a) {
  const AirspaceInfo& i = a.info();
  json sources = json::array();
  for (const auto& s : i.terrain_sources) {
    sources.push_back({{"name", s.name},
                       {"path", s.path},
                       {"licence", s.licence},
                       {"content_hash", fingerprint_hex(s.content_hash)}});
  }
  json zones = json::array();
  for (const Zone& z : a.zones()) {
    json windows = json::array();
    for (const auto& w : z.windows) windows.push_back(window_to_json(w));
    zones.push_back({{"id", z.id},
                     {"name", z.name},
                     {"kind", zone_kind_name(z.kind)},
                     {"floor", limit_to_json(z.floor)},
                     {"ceiling", limit_to_json(z.ceiling)},
                     {"windows", windows},
                     {"source", z.source},
                     {"geometry_wkt", z.geometry_wkt}});
  }
  json vertiports = json::array();
  for (const Vertiport& v : a.vertiports()) {
    vertiports.push_back({{"name", v.name},
                          {"kind", v.kind},
                          {"lon_deg", v.lon_deg},
                          {"lat_deg", v.lat_deg},
                          {"x_m", v.x_m},
                          {"y_m", v.y_m},
                          {"ground_amsl_m", v.ground_amsl_m},
                          {"pads", v.pads},
                          {"chargers", v.chargers},
                          {"battery_swap", v.battery_swap},
                          {"battery_stock", v.battery_stock},
                          {"opening_hours", v.opening_hours}});
  }
  json airports = json::array();
  for (const Airport& p : a.airports()) {
    airports.push_back({{"ident", p.ident},
                        {"name", p.name},
                        {"type", p.type},
                        {"lon_deg", p.lon_deg},
                        {"lat_deg", p.lat_deg},
                        {"x_m", p.x_m},
                        {"y_m", p.y_m}});
  }
  return json{{"name", i.name},
              {"crs", i.crs},
              {"crs_wkt", i.crs_wkt},
              {"nx", i.nx},
              {"ny", i.ny},
              {"nz", i.nz},
              {"origin_x_m", i.origin_x_m},
              {"origin_y_m", i.origin_y_m},
              {"cell_xy_m", i.cell_xy_m},
              {"cell_z_m", i.cell_z_m},
              {"altitude_min_amsl_m", i.altitude_min_amsl_m},
              {"extent_wgs84", i.extent_wgs84},
              {"utc_offset_s", i.utc_offset_s},
              {"unknown_terrain_margin_m", i.unknown_terrain_margin_m},
              {"terrain_sources", sources},
              {"fallback_terrain", i.fallback_terrain},
              {"builder_version", i.builder_version},
              {"zones", zones},
              {"zone_sets", a.zone_sets()},
              {"vertiports", vertiports},
              {"airports", airports}};
}

void meta_from_json(const json& j, AirspaceInfo& i) {
  i.name = j.at("name");
  i.crs = j.at("crs");
  i.crs_wkt = j.at("crs_wkt");
  i.nx = j.at("nx");
  i.ny = j.at("ny");
  i.nz = j.at("nz");
  i.origin_x_m = j.at("origin_x_m");
  i.origin_y_m = j.at("origin_y_m");
  i.cell_xy_m = j.at("cell_xy_m");
  i.cell_z_m = j.at("cell_z_m");
  i.altitude_min_amsl_m = j.at("altitude_min_amsl_m");
  i.extent_wgs84 = j.at("extent_wgs84");
  i.utc_offset_s = j.at("utc_offset_s");
  i.unknown_terrain_margin_m = j.at("unknown_terrain_margin_m");
  for (const json& s : j.at("terrain_sources")) {
    i.terrain_sources.push_back(
        {s.at("name"), s.at("path"), s.at("licence"),
         std::stoull(s.at("content_hash").get<std::string>(), nullptr, 16)});
  }
  i.fallback_terrain = j.at("fallback_terrain");
  i.builder_version = j.at("builder_version");
}

std::uint64_t align64(std::uint64_t v) { return (v + 63) & ~std::uint64_t{63}; }

template <class T>
std::uint64_t byte_size(const std::vector<T>& v) {
  return static_cast<std::uint64_t>(v.size()) * sizeof(T);
}

}  // namespace

std::string fingerprint_hex(std::uint64_t fingerprint) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fingerprint));
  return buf;
}

Result<void> write_airspace(const Airspace& airspace, const std::string& path) {
  const std::string meta = meta_to_json(airspace).dump();
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kAirspaceFormatVersion;
  h.header_bytes = sizeof(Header);
  h.fingerprint = airspace.info().fingerprint;
  h.nx = static_cast<std::uint32_t>(airspace.nx());
  h.ny = static_cast<std::uint32_t>(airspace.ny());
  const void* data[kSectionCount] = {meta.data(), airspace.raw_ground().data(),
                                     airspace.raw_obstacle_top().data(),
                                     airspace.raw_zone_set().data(), airspace.raw_flags().data()};
  const std::uint64_t sizes[kSectionCount] = {
      meta.size(), byte_size(airspace.raw_ground()), byte_size(airspace.raw_obstacle_top()),
      byte_size(airspace.raw_zone_set()), byte_size(airspace.raw_flags())};
  // The checksum covers every byte after the header, padding included, in file order.
  static const char kZeros[64] = {};
  std::uint64_t offset = align64(sizeof(Header));
  Hasher64 hasher;
  hasher.update(kZeros, offset - sizeof(Header));
  for (int s = 0; s < kSectionCount; ++s) {
    h.sections[s] = {offset, sizes[s]};
    hasher.update(data[s], sizes[s]);
    const std::uint64_t next = align64(offset + sizes[s]);
    hasher.update(kZeros, next - offset - sizes[s]);
    offset = next;
  }
  h.file_bytes = offset;
  h.checksum = hasher.digest();

  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return fail("IO_ERROR", "cannot create " + tmp + ": " + std::strerror(errno));
    }
    out.write(reinterpret_cast<const char*>(&h), sizeof h);
    std::uint64_t pos = sizeof h;
    for (int s = 0; s < kSectionCount; ++s) {
      out.write(kZeros, static_cast<std::streamsize>(h.sections[s].offset - pos));
      out.write(static_cast<const char*>(data[s]), static_cast<std::streamsize>(sizes[s]));
      pos = h.sections[s].offset + sizes[s];
    }
    out.write(kZeros, static_cast<std::streamsize>(h.file_bytes - pos));
    out.flush();
    if (!out) {
      return fail("IO_ERROR", "writing " + tmp + " failed: " + std::strerror(errno));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail("IO_ERROR", "cannot rename " + tmp + " to " + path + ": " + ec.message());
  return {};
}

Result<Airspace> read_airspace(const std::string& path,
                               std::optional<std::uint64_t> expected_fingerprint) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return fail("FILE_NOT_FOUND", "airspace file " + path + " does not exist");
  }
  const std::uint64_t actual_size = std::filesystem::file_size(path, ec);
  if (ec) return fail("IO_ERROR", "cannot stat " + path + ": " + ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("IO_ERROR", "cannot open " + path + ": " + std::strerror(errno));

  Header h{};
  in.read(reinterpret_cast<char*>(&h), sizeof h);
  const auto got = static_cast<std::uint64_t>(in.gcount());
  if (got >= sizeof kMagic && std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) {
    return fail("AIRSPACE_FILE_BAD_MAGIC",
                path + " is not a skylane airspace file (build one with `skylane map build`)");
  }
  if (got < sizeof h) {
    return fail("AIRSPACE_FILE_TRUNCATED", path + " is " + std::to_string(actual_size) +
                                               " bytes, shorter than the 128-byte header");
  }
  if (h.format_version != kAirspaceFormatVersion) {
    return fail("AIRSPACE_FILE_VERSION",
                path + " has format version " + std::to_string(h.format_version) +
                    "; this skylane reads version " + std::to_string(kAirspaceFormatVersion) +
                    " (rebuild the map)");
  }
  if (h.header_bytes != sizeof h) {
    return fail("AIRSPACE_FILE_CORRUPT", path + ": header size field is wrong");
  }
  if (actual_size < h.file_bytes) {
    return fail("AIRSPACE_FILE_TRUNCATED", path + " is " + std::to_string(actual_size) +
                                               " bytes but its header says " +
                                               std::to_string(h.file_bytes));
  }
  if (actual_size > h.file_bytes) {
    return fail("AIRSPACE_FILE_CORRUPT", path + " is " + std::to_string(actual_size) +
                                             " bytes but its header says " +
                                             std::to_string(h.file_bytes));
  }
  const std::uint64_t columns = static_cast<std::uint64_t>(h.nx) * h.ny;
  const std::uint64_t expect[kSectionCount] = {h.sections[0].bytes, columns * 2, columns * 2,
                                               columns * 2, columns};
  for (int s = 0; s < kSectionCount; ++s) {
    const Section& sec = h.sections[s];
    if (sec.bytes != expect[s] || sec.offset < sizeof h || sec.offset > h.file_bytes ||
        sec.bytes > h.file_bytes - sec.offset) {
      return fail("AIRSPACE_FILE_CORRUPT", path + ": section " + std::to_string(s) +
                                               " lies outside the file or has the "
                                               "wrong size for a " +
                                               std::to_string(h.nx) + " x " + std::to_string(h.ny) +
                                               " grid");
    }
  }

  std::string meta(h.sections[0].bytes, '\0');
  std::vector<std::uint16_t> ground(columns), obstacle(columns), zone_set(columns);
  std::vector<std::uint8_t> flags(columns);
  void* dest[kSectionCount] = {meta.data(), ground.data(), obstacle.data(), zone_set.data(),
                               flags.data()};
  Hasher64 hasher;
  std::uint64_t pos = sizeof h;
  char gap[64];
  auto hash_gap = [&](std::uint64_t until) {
    while (pos < until) {
      const auto n = static_cast<std::streamsize>(std::min<std::uint64_t>(sizeof gap, until - pos));
      in.read(gap, n);
      if (in.gcount() != n) return false;
      hasher.update(gap, static_cast<std::size_t>(n));
      pos += static_cast<std::uint64_t>(n);
    }
    return true;
  };
  for (int s = 0; s < kSectionCount; ++s) {
    if (h.sections[s].offset < pos || !hash_gap(h.sections[s].offset)) {
      return fail("AIRSPACE_FILE_CORRUPT", path + ": sections overlap or are out of order");
    }
    in.read(static_cast<char*>(dest[s]), static_cast<std::streamsize>(h.sections[s].bytes));
    if (static_cast<std::uint64_t>(in.gcount()) != h.sections[s].bytes) {
      return fail("IO_ERROR", "short read in " + path);
    }
    hasher.update(dest[s], h.sections[s].bytes);
    pos += h.sections[s].bytes;
  }
  if (!hash_gap(h.file_bytes)) return fail("IO_ERROR", "short read in " + path);
  if (hasher.digest() != h.checksum) {
    return fail("AIRSPACE_FILE_CORRUPT",
                path + ": content does not match its checksum (damaged copy? rebuild the map)");
  }
  if (expected_fingerprint && *expected_fingerprint != h.fingerprint) {
    return fail("GRID_FINGERPRINT_MISMATCH", path + " has fingerprint " +
                                                 fingerprint_hex(h.fingerprint) + ", expected " +
                                                 fingerprint_hex(*expected_fingerprint));
  }

  AirspaceInfo info;
  Airspace a;
  try {
    const json j = json::parse(meta);
    meta_from_json(j, info);
    info.fingerprint = h.fingerprint;
    if (info.nx != static_cast<std::int32_t>(h.nx) || info.ny != static_cast<std::int32_t>(h.ny)) {
      return fail("AIRSPACE_FILE_CORRUPT", path + ": metadata grid size disagrees with header");
    }
    a = Airspace(info);
    for (const json& z : j.at("zones")) {
      Zone zone;
      zone.id = z.at("id");
      zone.name = z.at("name");
      auto kind = parse_zone_kind(z.at("kind").get<std::string>());
      if (!kind) return fail("AIRSPACE_FILE_CORRUPT", path + ": " + kind.error().message);
      zone.kind = *kind;
      zone.floor = limit_from_json(z.at("floor"));
      zone.ceiling = limit_from_json(z.at("ceiling"));
      for (const json& w : z.at("windows")) zone.windows.push_back(window_from_json(w));
      zone.source = z.at("source");
      zone.geometry_wkt = z.at("geometry_wkt");
      if (zone.id != a.zones().size() + 1) {
        return fail("AIRSPACE_FILE_CORRUPT", path + ": zone ids are not 1..n in order");
      }
      a.mutable_zones().push_back(std::move(zone));
    }
    a.mutable_zone_sets() = j.at("zone_sets").get<std::vector<std::vector<std::uint16_t>>>();
    for (const json& v : j.at("vertiports")) {
      Vertiport p;
      p.name = v.at("name");
      p.kind = v.at("kind");
      p.lon_deg = v.at("lon_deg");
      p.lat_deg = v.at("lat_deg");
      p.x_m = v.at("x_m");
      p.y_m = v.at("y_m");
      p.ground_amsl_m = v.at("ground_amsl_m");
      p.pads = v.at("pads");
      p.chargers = v.at("chargers");
      p.battery_swap = v.at("battery_swap");
      p.battery_stock = v.at("battery_stock");
      p.opening_hours = v.at("opening_hours");
      a.mutable_vertiports().push_back(std::move(p));
    }
    for (const json& v : j.at("airports")) {
      a.mutable_airports().push_back({v.at("ident"), v.at("name"), v.at("type"), v.at("lon_deg"),
                                      v.at("lat_deg"), v.at("x_m"), v.at("y_m")});
    }
  } catch (const json::exception& e) {
    return fail("AIRSPACE_FILE_CORRUPT", path + ": metadata is malformed: " + e.what());
  }
  if (a.zone_sets().empty() || !a.zone_sets()[0].empty()) {
    return fail("AIRSPACE_FILE_CORRUPT", path + ": zone set 0 must exist and be empty");
  }
  for (const auto& set : a.zone_sets()) {
    for (std::uint16_t id : set) {
      if (id == 0 || id > a.zones().size()) {
        return fail("AIRSPACE_FILE_CORRUPT",
                    path + ": zone set names zone " + std::to_string(id) + " that does not exist");
      }
    }
  }
  const std::size_t set_count = a.zone_sets().size();
  for (std::uint16_t s : zone_set) {
    if (s >= set_count) {
      return fail("AIRSPACE_FILE_CORRUPT",
                  path + ": a column names zone set " + std::to_string(s) + " that does not exist");
    }
  }
  a.raw_ground() = std::move(ground);
  a.raw_obstacle_top() = std::move(obstacle);
  a.raw_zone_set() = std::move(zone_set);
  a.raw_flags() = std::move(flags);
  return a;
}

}  // namespace skylane::airspace
