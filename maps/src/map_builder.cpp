#include "skylane/maps/map_builder.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gdal_internal.hpp"

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/core/hash.hpp"
#include "skylane/core/try.hpp"
#include "skylane/geo/geo_frame.hpp"

namespace skylane::maps {
namespace {

namespace fs = std::filesystem;
using airspace::Airspace;
using airspace::AirspaceInfo;
namespace cf = airspace::column_flag;

constexpr float kNoValue = std::numeric_limits<float>::quiet_NaN();
// Part of every fingerprint: bump it whenever the same inputs would compile differently.
constexpr std::uint32_t kBuilderRevision = 2;

class StageTimer {
 public:
  explicit StageTimer(BuildStats* stats) : stats_(stats), t0_(Clock::now()), start_(t0_) {}
  void lap(const std::string& name) {
    const auto now = Clock::now();
    if (stats_) stats_->stage_seconds.emplace_back(name, seconds(start_, now));
    start_ = now;
  }
  void finish() {
    if (stats_) stats_->total_seconds = seconds(t0_, Clock::now());
  }

 private:
  using Clock = std::chrono::steady_clock;
  static double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  }
  BuildStats* stats_;
  Clock::time_point t0_;
  Clock::time_point start_;
};

void warn(BuildStats* stats, std::string text) {
  if (stats) stats->warnings.push_back(std::move(text));
}

Result<std::uint64_t> hash_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("FILE_NOT_FOUND", path + " does not exist or cannot be opened");
  Hasher64 h;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return h.digest();
}

// The target grid: north-up rasters of nx x ny cells; row r of a raster is grid row ny-1-r.
struct TargetGrid {
  double x0 = 0;  // west
  double y0 = 0;  // south
  double cell = 0;
  int nx = 0;
  int ny = 0;
  std::array<double, 6> gt() const { return {x0, cell, 0, y0 + ny * cell, 0, -cell}; }
  std::size_t col_of_raster(int raster_row, int x) const {
    return static_cast<std::size_t>(ny - 1 - raster_row) * nx + x;
  }
};

struct WarpedRaster {
  std::vector<float> grid;          // row 0 = south; NaN where no valid value
  bool footprint_overlaps = false;  // the raster's own extent intersects the map
};

// Whether the raster's footprint (its corners and edges, reprojected) meets the target grid.
bool footprint_overlaps(GDALDatasetH src, const std::string& declared_crs, const double gt[6],
                        const TargetGrid& g, const std::string& target_crs) {
  OGRSpatialReference src_srs;
  const std::string def = declared_crs.empty() ? GDALGetProjectionRef(src) : declared_crs;
  if (src_srs.SetFromUserInput(def.c_str()) != OGRERR_NONE) return false;
  OGRSpatialReference dst;
  dst.SetFromUserInput(target_crs.c_str());
  src_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(
      OGRCreateCoordinateTransformation(&src_srs, &dst));
  if (!ct) return false;
  const int w = GDALGetRasterXSize(src);
  const int h = GDALGetRasterYSize(src);
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  for (int i = 0; i <= 20; ++i) {
    const double t = i / 20.0;
    const double px[4] = {t * w, t * w, 0, double(w)};
    const double py[4] = {0, double(h), t * h, t * h};
    for (int k = 0; k < 4; ++k) {
      double x = gt[0] + px[k] * gt[1] + py[k] * gt[2];
      double y = gt[3] + px[k] * gt[4] + py[k] * gt[5];
      if (!ct->Transform(1, &x, &y)) continue;
      x0 = std::min(x0, x);
      y0 = std::min(y0, y);
      x1 = std::max(x1, x);
      y1 = std::max(y1, y);
    }
  }
  return x1 > g.x0 && x0 < g.x0 + g.nx * g.cell && y1 > g.y0 && y0 < g.y0 + g.ny * g.cell;
}

// Reprojects and resamples a raster onto the target grid; NaN where there is no valid value.
Result<WarpedRaster> warp_raster(const std::string& path, const std::string& declared_crs,
                                 std::optional<double> nodata, const std::string& resampling,
                                 double min_valid, double max_valid, const TargetGrid& g,
                                 const std::string& target_crs, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return fail("FILE_NOT_FOUND", what + ": " + path + " does not exist");
  GdalDataset src(
      GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  if (!src) {
    return fail("FILE_UNREADABLE",
                what + ": " + path + " is not a raster GDAL can read (" + last_gdal_error() + ")");
  }
  if (GDALGetRasterCount(src.get()) < 1) {
    return fail("FILE_UNREADABLE", what + ": " + path + " has no raster band");
  }
  const char* own_crs = GDALGetProjectionRef(src.get());
  if (declared_crs.empty() && (!own_crs || !*own_crs)) {
    return fail("CRS_MISSING", what + ": " + path +
                                   " has no CRS and the manifest declares none (add crs = "
                                   "\"EPSG:4326\" or similar)");
  }
  double src_gt[6];
  if (GDALGetGeoTransform(src.get(), src_gt) != CE_None) {
    return fail("CRS_MISSING", what + ": " + path + " has no geotransform (not georeferenced)");
  }
  std::vector<std::string> args = {"-of",
                                   "MEM",
                                   "-t_srs",
                                   target_crs,
                                   "-te",
                                   std::to_string(g.x0),
                                   std::to_string(g.y0),
                                   std::to_string(g.x0 + g.nx * g.cell),
                                   std::to_string(g.y0 + g.ny * g.cell),
                                   "-ts",
                                   std::to_string(g.nx),
                                   std::to_string(g.ny),
                                   "-r",
                                   resampling,
                                   "-ot",
                                   "Float32",
                                   "-dstnodata",
                                   "nan",
                                   "-wm",
                                   "512"};
  if (!declared_crs.empty()) {
    args.insert(args.end(), {"-s_srs", declared_crs});
  }
  if (nodata) args.insert(args.end(), {"-srcnodata", std::to_string(*nodata)});
  CStringList argv(args);
  GDALWarpAppOptions* opts = GDALWarpAppOptionsNew(argv.get(), nullptr);
  if (!opts) return fail("INTERNAL", what + ": bad warp options: " + last_gdal_error());
  int usage_error = 0;
  GDALDatasetH src_h = src.get();
  GdalDataset out(GDALWarp("", nullptr, 1, &src_h, opts, &usage_error));
  GDALWarpAppOptionsFree(opts);
  if (!out) {
    const std::string msg = last_gdal_error();
    if (msg.find("crs") != std::string::npos || msg.find("SRS") != std::string::npos ||
        msg.find("projection") != std::string::npos) {
      return fail("CRS_INVALID", what + ": cannot reproject " + path + ": " + msg);
    }
    return fail("FILE_UNREADABLE", what + ": cannot warp " + path + ": " + msg);
  }
  std::vector<float> raster(static_cast<std::size_t>(g.nx) * g.ny);
  if (GDALRasterIO(GDALGetRasterBand(out.get(), 1), GF_Read, 0, 0, g.nx, g.ny, raster.data(), g.nx,
                   g.ny, GDT_Float32, 0, 0) != CE_None) {
    return fail("FILE_UNREADABLE", what + ": reading warped " + path + ": " + last_gdal_error());
  }
  // Flip to grid order (row 0 south) and drop out-of-range values.
  WarpedRaster result;
  result.footprint_overlaps = footprint_overlaps(src.get(), declared_crs, src_gt, g, target_crs);
  std::vector<float>& grid = result.grid;
  grid.resize(raster.size());
  for (int r = 0; r < g.ny; ++r) {
    for (int x = 0; x < g.nx; ++x) {
      const float v = raster[static_cast<std::size_t>(r) * g.nx + x];
      grid[g.col_of_raster(r, x)] =
          (std::isfinite(v) && v >= min_valid && v <= max_valid) ? v : kNoValue;
    }
  }
  return result;
}

// Burns geometries (already in the working CRS) into a byte mask over a window of the grid.
// Returns the window and the mask (raster order); an empty window if the geometry misses it.
struct Window {
  int col0 = 0;
  int row0 = 0;  // raster row (north-up)
  int w = 0;
  int h = 0;
};

Window window_of(const OGREnvelope& env, const TargetGrid& g) {
  const double top = g.y0 + g.ny * g.cell;
  Window win;
  const int c0 = std::max(0, static_cast<int>(std::floor((env.MinX - g.x0) / g.cell)) - 1);
  const int c1 = std::min(g.nx, static_cast<int>(std::ceil((env.MaxX - g.x0) / g.cell)) + 1);
  const int r0 = std::max(0, static_cast<int>(std::floor((top - env.MaxY) / g.cell)) - 1);
  const int r1 = std::min(g.ny, static_cast<int>(std::ceil((top - env.MinY) / g.cell)) + 1);
  if (c1 <= c0 || r1 <= r0) return win;
  win.col0 = c0;
  win.row0 = r0;
  win.w = c1 - c0;
  win.h = r1 - r0;
  return win;
}

Result<std::vector<std::uint8_t>> rasterize_mask(const std::vector<OGRGeometry*>& geoms,
                                                 const Window& win, const TargetGrid& g,
                                                 const OGRSpatialReference& srs, bool all_touched) {
  GDALDriverH mem = GDALGetDriverByName("MEM");
  GdalDataset ds(GDALCreate(mem, "", win.w, win.h, 1, GDT_Byte, nullptr));
  if (!ds) return fail("INTERNAL", "cannot create an in-memory raster: " + last_gdal_error());
  const double top = g.y0 + g.ny * g.cell;
  double gt[6] = {g.x0 + win.col0 * g.cell, g.cell, 0, top - win.row0 * g.cell, 0, -g.cell};
  GDALSetGeoTransform(ds.get(), gt);
  GDALSetSpatialRef(ds.get(),
                    OGRSpatialReference::ToHandle(const_cast<OGRSpatialReference*>(&srs)));
  std::vector<OGRGeometryH> handles;
  std::vector<double> burn;
  for (OGRGeometry* geom : geoms) {
    handles.push_back(OGRGeometry::ToHandle(geom));
    burn.push_back(1.0);
  }
  int band = 1;
  CStringList opts(all_touched ? std::vector<std::string>{"ALL_TOUCHED=TRUE"}
                               : std::vector<std::string>{});
  if (GDALRasterizeGeometries(ds.get(), 1, &band, static_cast<int>(handles.size()), handles.data(),
                              nullptr, nullptr, burn.data(), opts.get(), nullptr,
                              nullptr) != CE_None) {
    return fail("INTERNAL", "rasterising failed: " + last_gdal_error());
  }
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(win.w) * win.h);
  if (GDALRasterIO(GDALGetRasterBand(ds.get(), 1), GF_Read, 0, 0, win.w, win.h, mask.data(), win.w,
                   win.h, GDT_Byte, 0, 0) != CE_None) {
    return fail("INTERNAL", "reading a rasterised mask failed: " + last_gdal_error());
  }
  return mask;
}

// Zone sets are interned: a column's set plus one zone maps to another set, cached.
class ZoneSetTable {
 public:
  explicit ZoneSetTable(std::vector<std::vector<std::uint16_t>>& sets) : sets_(sets) {
    index_[{}] = 0;
  }
  Result<std::uint16_t> add(std::uint16_t set, std::uint16_t zone) {
    const std::uint32_t key = (static_cast<std::uint32_t>(set) << 16) | zone;
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::vector<std::uint16_t> members = sets_[set];
    if (std::find(members.begin(), members.end(), zone) == members.end()) {
      members.push_back(zone);
      std::sort(members.begin(), members.end());
    }
    std::uint16_t id = 0;
    if (auto it = index_.find(members); it != index_.end()) {
      id = it->second;
    } else {
      if (sets_.size() >= 65535) {
        return fail("GRID_TOO_LARGE", "more than 65535 distinct overlapping zone combinations");
      }
      id = static_cast<std::uint16_t>(sets_.size());
      sets_.push_back(members);
      index_[members] = id;
    }
    cache_[key] = id;
    return id;
  }

 private:
  std::vector<std::vector<std::uint16_t>>& sets_;
  std::map<std::vector<std::uint16_t>, std::uint16_t> index_;
  std::map<std::uint32_t, std::uint16_t> cache_;
};

std::string feature_label(const LoadedFeature& f, const std::string& name_field) {
  std::string label = "feature " + std::to_string(f.fid);
  if (!name_field.empty() && f.feature) {
    const int idx = f.feature->GetFieldIndex(name_field.c_str());
    if (idx >= 0 && f.feature->IsFieldSetAndNotNull(idx)) {
      label += " ('" + std::string(f.feature->GetFieldAsString(idx)) + "')";
    }
  }
  return label;
}

Result<std::unique_ptr<OGRGeometry>> runway_rectangle(const OGRGeometry& g, double lateral,
                                                      double beyond, const std::string& what) {
  const OGRLineString* line = nullptr;
  if (wkbFlatten(g.getGeometryType()) == wkbLineString) {
    line = g.toLineString();
  } else if (wkbFlatten(g.getGeometryType()) == wkbMultiLineString &&
             g.toMultiLineString()->getNumGeometries() == 1) {
    line = g.toMultiLineString()->getGeometryRef(0);
  }
  if (!line || line->getNumPoints() < 2) {
    return fail("GEOMETRY_INVALID", what +
                                        ": derive = runway needs a line from one runway "
                                        "threshold to the other");
  }
  const double ax = line->getX(0);
  const double ay = line->getY(0);
  const double bx = line->getX(line->getNumPoints() - 1);
  const double by = line->getY(line->getNumPoints() - 1);
  const double len = std::hypot(bx - ax, by - ay);
  if (!(len > 1.0)) return fail("GEOMETRY_INVALID", what + ": runway line has zero length");
  const double ux = (bx - ax) / len;
  const double uy = (by - ay) / len;
  const double nx = -uy;
  const double ny = ux;
  auto ring = std::make_unique<OGRLinearRing>();
  const double sx = ax - ux * beyond;
  const double sy = ay - uy * beyond;
  const double ex = bx + ux * beyond;
  const double ey = by + uy * beyond;
  ring->addPoint(sx + nx * lateral, sy + ny * lateral);
  ring->addPoint(ex + nx * lateral, ey + ny * lateral);
  ring->addPoint(ex - nx * lateral, ey - ny * lateral);
  ring->addPoint(sx - nx * lateral, sy - ny * lateral);
  ring->closeRings();
  auto poly = std::make_unique<OGRPolygon>();
  poly->addRingDirectly(ring.release());
  return std::unique_ptr<OGRGeometry>(std::move(poly));
}

bool is_polygonal(const OGRGeometry& g) {
  const auto t = wkbFlatten(g.getGeometryType());
  return t == wkbPolygon || t == wkbMultiPolygon;
}

Result<int> int_field(const LoadedFeature& f, const char* name, int def, int lo, int hi,
                      const std::string& what) {
  const int idx = f.feature->GetFieldIndex(name);
  if (idx < 0 || !f.feature->IsFieldSetAndNotNull(idx)) return def;
  const double v = f.feature->GetFieldAsDouble(idx);
  if (!std::isfinite(v) || v < lo || v > hi || v != std::floor(v)) {
    return fail("VALUE_INVALID",
                what + ": field '" + name + "' = " + f.feature->GetFieldAsString(idx) +
                    " is not a whole number in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return static_cast<int>(v);
}

std::string string_field(const LoadedFeature& f, const char* name, const std::string& def) {
  const int idx = f.feature->GetFieldIndex(name);
  if (idx < 0 || !f.feature->IsFieldSetAndNotNull(idx)) return def;
  return f.feature->GetFieldAsString(idx);
}

}  // namespace

Result<Airspace> compile_airspace(const MapManifest& m, BuildStats* stats) {
  ensure_gdal_registered();
  QuietGdalErrors quiet;
  SKY_CHECK(validate_manifest(m));
  StageTimer timer(stats);

  // Working frame and grid.
  SKY_TRY(frame, geo::GeoFrame::create(m.crs));
  OGRSpatialReference target_srs;
  if (target_srs.SetFromUserInput(m.crs.c_str()) != OGRERR_NONE) {
    return fail("CRS_INVALID", m.manifest_path + ": [map] crs '" + m.crs + "' is not valid");
  }
  target_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  SKY_TRY(bounds, frame.plane_bounds(m.extent_wgs84));
  const auto [bx0, by0, bx1, by1] = bounds;
  const auto& e = m.extent_wgs84;
  TargetGrid g;
  g.cell = m.cell_xy_m;
  g.x0 = std::floor(bx0 / g.cell) * g.cell;
  g.y0 = std::floor(by0 / g.cell) * g.cell;
  const double nxd = std::ceil((bx1 - g.x0) / g.cell);
  const double nyd = std::ceil((by1 - g.y0) / g.cell);
  // Peak memory is dominated by a few float rasters per column during the terrain mosaic.
  if (nxd * nyd > 400e6 || nxd > 65535 || nyd > 65535) {
    return fail("GRID_TOO_LARGE",
                m.manifest_path + ": extent at cell_xy_m " + std::to_string(m.cell_xy_m) +
                    " gives " + std::to_string(static_cast<long long>(nxd)) + " x " +
                    std::to_string(static_cast<long long>(nyd)) + " columns (at most 400 million)");
  }
  g.nx = static_cast<int>(nxd);
  g.ny = static_cast<int>(nyd);

  AirspaceInfo info;
  info.name = m.name;
  info.crs = m.crs;
  info.crs_wkt = frame.wkt();
  info.nx = g.nx;
  info.ny = g.ny;
  info.nz = static_cast<std::int32_t>(
      std::ceil((m.altitude_max_amsl_m - m.altitude_min_amsl_m) / m.cell_z_m - 1e-9));
  info.origin_x_m = g.x0;
  info.origin_y_m = g.y0;
  info.cell_xy_m = m.cell_xy_m;
  info.cell_z_m = m.cell_z_m;
  info.altitude_min_amsl_m = m.altitude_min_amsl_m;
  info.extent_wgs84 = m.extent_wgs84;
  info.utc_offset_s = m.utc_offset_s();
  info.unknown_terrain_margin_m = m.fallback ? m.fallback->margin_m : 0.0;
  info.builder_version =
      "skylane map build (format " + std::to_string(airspace::kAirspaceFormatVersion) + ")";
  Hasher64 fp;
  fp.update(std::string_view("skylane-airspace"));
  fp.update_value(kBuilderRevision);
  fp.update_value(airspace::kAirspaceFormatVersion);
  fp.update(m.canonical);
  fp.update_value(m.cell_xy_m);  // overrides (e.g. --cell-size) are not in the manifest text
  fp.update_value(m.cell_z_m);
  timer.lap("grid");

  // Terrain mosaic: layers in priority order; the first valid value wins.
  const std::size_t n = static_cast<std::size_t>(g.nx) * g.ny;
  std::vector<float> ground(n, kNoValue);
  std::vector<std::uint8_t> source(n, 0);
  std::uint64_t real_valid = 0;
  for (std::size_t li = 0; li < m.terrain.size(); ++li) {
    const TerrainLayer& layer = m.terrain[li];
    const std::string what = m.manifest_path + " [[terrain]] '" + layer.name + "'";
    SKY_TRY(content, hash_file(layer.path));
    fp.update(layer.name);
    fp.update_value(content);
    SKY_TRY(warped, warp_raster(layer.path, layer.crs, layer.nodata, layer.resampling,
                                layer.min_valid_m, layer.max_valid_m, g, m.crs, what));
    std::uint64_t contributed = 0;
    std::uint64_t valid = 0;
    for (std::size_t c = 0; c < n; ++c) {
      if (std::isnan(warped.grid[c])) continue;
      ++valid;
      if (std::isnan(ground[c])) {
        ground[c] = warped.grid[c];
        source[c] = static_cast<std::uint8_t>(std::min<std::size_t>(li + 1, 15));
        ++contributed;
      }
    }
    if (valid == 0 && warped.footprint_overlaps) {
      return fail("RASTER_NO_DATA", what + ": " + layer.path +
                                        " covers part of the map but holds no valid height "
                                        "there (all nodata, NaN or outside [" +
                                        std::to_string(layer.min_valid_m) + ", " +
                                        std::to_string(layer.max_valid_m) + "] m)");
    }
    if (valid == 0) {
      warn(stats, what + ": " + layer.path + " lies outside the map extent");
    } else if (contributed == 0) {
      warn(stats, what + ": every cell is already covered by a higher-priority layer");
    }
    real_valid += contributed;
    info.terrain_sources.push_back({layer.name, layer.path, layer.licence, content});
  }
  if (real_valid == 0) {
    return fail("EXTENT_OUTSIDE_LAYERS", m.manifest_path + ": the extent [" + std::to_string(e[0]) +
                                             ", " + std::to_string(e[1]) + ", " +
                                             std::to_string(e[2]) + ", " + std::to_string(e[3]) +
                                             "] holds no valid cell of any [[terrain]] layer");
  }
  std::vector<float> fallback;
  if (m.fallback) {
    const std::string what = m.manifest_path + " [fallback_terrain]";
    SKY_TRY(content, hash_file(m.fallback->path));
    fp.update_value(content);
    SKY_TRY(warped, warp_raster(m.fallback->path, m.fallback->crs, std::nullopt, "bilinear", -500.0,
                                9000.0, g, m.crs, what));
    fallback = std::move(warped.grid);
    info.fallback_terrain = m.fallback->path;
  }
  timer.lap("terrain");

  // Land mask (cell centre inside a land polygon).
  std::vector<std::uint8_t> land(n, 1);
  if (m.land) {
    const std::string what = m.manifest_path + " [land]";
    SKY_TRY(content, hash_file(m.land->path));
    fp.update_value(content);
    SKY_TRY(features, load_vector(*m.land, target_srs, what));
    std::vector<OGRGeometry*> geoms;
    for (auto& f : features) {
      if (!is_polygonal(*f.geometry)) {
        return fail("GEOMETRY_INVALID", what + ": " + feature_label(f, "") + " is not a polygon");
      }
      geoms.push_back(f.geometry.get());
    }
    const Window full{0, 0, g.nx, g.ny};
    SKY_TRY(mask, rasterize_mask(geoms, full, g, target_srs, false));
    for (int r = 0; r < g.ny; ++r) {
      for (int x = 0; x < g.nx; ++x) land[g.col_of_raster(r, x)] = mask[std::size_t(r) * g.nx + x];
    }
  }
  timer.lap("land");

  // Sea: water connected to the map's edge through water. Holes in the land polygons (lakes,
  // reservoirs, rivers) are water too, but a DEM void over them is not known to be at sea level.
  std::vector<std::uint8_t> sea(n, 0);
  {
    std::vector<std::size_t> stack;
    auto seed = [&](std::size_t c) {
      if (!land[c] && !sea[c]) {
        sea[c] = 1;
        stack.push_back(c);
      }
    };
    for (int x = 0; x < g.nx; ++x) {
      seed(static_cast<std::size_t>(x));
      seed(static_cast<std::size_t>(g.ny - 1) * g.nx + x);
    }
    for (int y = 0; y < g.ny; ++y) {
      seed(static_cast<std::size_t>(y) * g.nx);
      seed(static_cast<std::size_t>(y) * g.nx + g.nx - 1);
    }
    while (!stack.empty()) {
      const std::size_t c = stack.back();
      stack.pop_back();
      const std::size_t x = c % g.nx;
      if (x > 0) seed(c - 1);
      if (x + 1 < static_cast<std::size_t>(g.nx)) seed(c + 1);
      if (c >= static_cast<std::size_t>(g.nx)) seed(c - g.nx);
      if (c + g.nx < n) seed(c + g.nx);
    }
  }

  Airspace a(info);
  std::uint64_t unknown = 0;
  std::uint64_t water = 0;
  const double margin = m.fallback ? m.fallback->margin_m : 0.0;
  for (std::size_t c = 0; c < n; ++c) {
    std::uint8_t flags = static_cast<std::uint8_t>(source[c] << cf::kTerrainSourceShift);
    if (!land[c]) {
      flags |= cf::kWater;
      ++water;
    }
    double gnd = 0.0;
    double floor_m = 0.0;
    if (!std::isnan(ground[c])) {
      gnd = ground[c];
      floor_m = gnd;
    } else if (sea[c]) {
      gnd = 0.0;  // a void over the sea: sea level
      floor_m = 0.0;
    } else {
      const double fb = (!fallback.empty() && !std::isnan(fallback[c])) ? fallback[c] : 0.0;
      gnd = std::max(0.0, fb);
      floor_m = gnd + margin;
      flags |= cf::kUnknownTerrain;
      ++unknown;
    }
    a.set_ground_amsl_m(c, gnd);
    a.set_obstacle_top_amsl_m(c, floor_m);
    a.set_flags(c, flags);
  }
  ground = {};
  fallback = {};
  timer.lap("mosaic");

  // Obstacles: polygons with a height, or points with a height or floor count.
  std::uint64_t structures = 0;
  for (const ObstacleLayer& layer : m.obstacles) {
    const std::string what = m.manifest_path + " [[obstacles]] '" + layer.name + "'";
    SKY_TRY(content, hash_file(layer.source.path));
    fp.update_value(content);
    SKY_TRY(features, load_vector(layer.source, target_srs, what));
    const std::string& field = layer.height_field.empty() ? layer.floors_field : layer.height_field;
    const double scale = layer.height_field.empty() ? layer.metres_per_floor : 1.0;
    for (auto& f : features) {
      const int idx = f.feature->GetFieldIndex(field.c_str());
      if (idx < 0) {
        return fail("FIELD_MISSING",
                    what + ": " + layer.source.path + " has no field '" + field + "'");
      }
      if (!f.feature->IsFieldSetAndNotNull(idx)) continue;  // unknown height: skip, counted
      const double v = f.feature->GetFieldAsDouble(idx);
      if (!std::isfinite(v) || v < 0 || v * scale > 1000.0) {
        return fail("VALUE_INVALID", what + ": " + feature_label(f, "") + " has " + field + " = " +
                                         f.feature->GetFieldAsString(idx) +
                                         " (must be a number >= 0, height <= 1000 m)");
      }
      const double height = v * scale;
      if (height <= 0) continue;
      std::vector<OGRGeometry*> one;
      std::unique_ptr<OGRGeometry> buffered;
      if (wkbFlatten(f.geometry->getGeometryType()) == wkbPoint) {
        buffered.reset(f.geometry->Buffer(layer.footprint_radius_m, 8));
        one.push_back(buffered.get());
      } else if (is_polygonal(*f.geometry)) {
        one.push_back(f.geometry.get());
      } else {
        return fail("GEOMETRY_INVALID",
                    what + ": " + feature_label(f, "") + " is neither a point nor a polygon");
      }
      OGREnvelope env;
      one[0]->getEnvelope(&env);
      const Window win = window_of(env, g);
      if (win.w == 0) continue;
      SKY_TRY(mask, rasterize_mask(one, win, g, target_srs, true));
      for (int r = 0; r < win.h; ++r) {
        for (int x = 0; x < win.w; ++x) {
          if (!mask[std::size_t(r) * win.w + x]) continue;
          const std::size_t c = g.col_of_raster(win.row0 + r, win.col0 + x);
          const double top = a.ground_amsl_m(c) + height;
          if (top > a.obstacle_top_amsl_m(c)) a.set_obstacle_top_amsl_m(c, top);
          if (!(a.flags(c) & cf::kStructure)) {
            a.set_flags(c, a.flags(c) | cf::kStructure);
            ++structures;
          }
        }
      }
    }
  }
  timer.lap("obstacles");

  // Zones.
  ZoneSetTable sets(a.mutable_zone_sets());
  for (const ZoneLayer& layer : m.zones) {
    const std::string what = m.manifest_path + " [[zones]] '" + layer.name + "'";
    SKY_TRY(content, hash_file(layer.source.path));
    fp.update_value(content);
    SKY_TRY(features, load_vector(layer.source, target_srs, what));
    std::vector<std::pair<std::string, std::unique_ptr<OGRGeometry>>> shapes;
    for (auto& f : features) {
      const std::string label = feature_label(f, layer.name_field);
      std::unique_ptr<OGRGeometry> shape;
      switch (layer.derive) {
        case ZoneDerive::kAsIs:
          if (!is_polygonal(*f.geometry)) {
            return fail("GEOMETRY_INVALID", what + ": " + label +
                                                " is not a polygon (use derive = \"buffer\" for "
                                                "points and lines)");
          }
          shape = std::move(f.geometry);
          break;
        case ZoneDerive::kBuffer:
          shape.reset(f.geometry->Buffer(layer.buffer_m, 16));
          break;
        case ZoneDerive::kRunway: {
          SKY_TRY(rect, runway_rectangle(*f.geometry, layer.runway_lateral_m,
                                         layer.runway_beyond_end_m, what + ": " + label));
          shape = std::move(rect);
          break;
        }
      }
      if (!shape || shape->IsEmpty()) {
        return fail("GEOMETRY_INVALID", what + ": " + label + " gives an empty zone");
      }
      std::string name = layer.name;
      if (!layer.name_field.empty()) {
        const int idx = f.feature->GetFieldIndex(layer.name_field.c_str());
        if (idx < 0) {
          return fail("FIELD_MISSING",
                      what + ": " + layer.source.path + " has no field '" + layer.name_field + "'");
        }
        if (f.feature->IsFieldSetAndNotNull(idx)) {
          name += ": " + std::string(f.feature->GetFieldAsString(idx));
        } else {
          name += " #" + std::to_string(f.fid);
        }
      } else if (!layer.merge && features.size() > 1) {
        name += " #" + std::to_string(f.fid);
      }
      shapes.emplace_back(name, std::move(shape));
    }
    if (layer.merge && shapes.size() > 1) {
      auto multi = std::make_unique<OGRMultiPolygon>();
      for (auto& [name, s] : shapes) {
        if (wkbFlatten(s->getGeometryType()) == wkbPolygon) {
          multi->addGeometry(s.get());
        } else {
          for (const auto* part : *s->toMultiPolygon()) multi->addGeometry(part);
        }
      }
      std::unique_ptr<OGRGeometry> merged(multi->UnionCascaded());
      shapes.clear();
      if (!merged) return fail("GEOMETRY_INVALID", what + ": cannot merge the layer's polygons");
      shapes.emplace_back(layer.name, std::move(merged));
    }
    int on_map = 0;
    for (auto& [name, shape] : shapes) {
      OGREnvelope env;
      shape->getEnvelope(&env);
      const Window win = window_of(env, g);
      if (win.w == 0) continue;
      if (a.zones().size() >= 65535) {
        return fail("GRID_TOO_LARGE", what + ": more than 65535 zones");
      }
      airspace::Zone zone;
      zone.id = static_cast<std::uint16_t>(a.zones().size() + 1);
      zone.name = name;
      zone.kind = layer.kind;
      zone.floor = layer.floor;
      zone.ceiling = layer.ceiling;
      zone.windows = layer.windows;
      zone.source = layer.name;
      char* wkt = nullptr;
      shape->exportToWkt(&wkt);
      zone.geometry_wkt = wkt ? wkt : "";
      CPLFree(wkt);
      SKY_TRY(mask, rasterize_mask({shape.get()}, win, g, target_srs, true));
      bool touched = false;
      for (int r = 0; r < win.h; ++r) {
        for (int x = 0; x < win.w; ++x) {
          if (!mask[std::size_t(r) * win.w + x]) continue;
          const std::size_t c = g.col_of_raster(win.row0 + r, win.col0 + x);
          SKY_TRY(set, sets.add(a.zone_set(c), zone.id));
          a.set_zone_set(c, set);
          touched = true;
        }
      }
      if (!touched) continue;
      a.mutable_zones().push_back(std::move(zone));
      ++on_map;
    }
    if (on_map == 0) warn(stats, what + ": no zone of this layer touches the map extent");
  }
  timer.lap("zones");

  // Vertiports.
  if (m.vertiports) {
    const std::string what = m.manifest_path + " [vertiports]";
    SKY_TRY(content, hash_file(m.vertiports->path));
    fp.update_value(content);
    SKY_TRY(features, load_vector(*m.vertiports, target_srs, what));
    for (auto& f : features) {
      if (wkbFlatten(f.geometry->getGeometryType()) != wkbPoint) {
        return fail("GEOMETRY_INVALID", what + ": " + feature_label(f, "name") + " is not a point");
      }
      const std::string label = what + ": " + feature_label(f, "name");
      airspace::Vertiport v;
      v.name = string_field(f, "name", "");
      if (v.name.empty()) return fail("FIELD_MISSING", label + " has no 'name'");
      for (const auto& other : a.vertiports()) {
        if (other.name == v.name) {
          return fail("VALUE_INVALID", label + ": the name '" + v.name + "' is used twice");
        }
      }
      const OGRPoint* p = f.geometry->toPoint();
      v.x_m = p->getX();
      v.y_m = p->getY();
      std::int32_t cx = 0;
      std::int32_t cy = 0;
      if (!a.column_at(v.x_m, v.y_m, cx, cy)) {
        return fail("VALUE_INVALID", label + " lies outside the map extent");
      }
      SKY_TRY(ll, frame.to_lonlat({v.x_m, v.y_m}));
      v.lon_deg = ll.lon_deg;
      v.lat_deg = ll.lat_deg;
      v.ground_amsl_m = a.ground_amsl_m(a.column(cx, cy));
      v.kind = string_field(f, "kind", "dock");
      SKY_TRY(pads, int_field(f, "pads", 1, 1, 1000, label));
      SKY_TRY(chargers, int_field(f, "chargers", 0, 0, 10000, label));
      SKY_TRY(swap, int_field(f, "battery_swap", 0, 0, 1, label));
      SKY_TRY(stock, int_field(f, "battery_stock", 0, 0, 100000, label));
      v.pads = pads;
      v.chargers = chargers;
      v.battery_swap = swap != 0;
      v.battery_stock = stock;
      v.opening_hours = string_field(f, "opening_hours", "00:00-24:00");
      a.mutable_vertiports().push_back(std::move(v));
    }
  }
  for (const VectorSource& src : m.airports) {
    const std::string what = m.manifest_path + " [[airports]]";
    SKY_TRY(content, hash_file(src.path));
    fp.update_value(content);
    SKY_TRY(features, load_vector(src, target_srs, what));
    for (auto& f : features) {
      if (wkbFlatten(f.geometry->getGeometryType()) != wkbPoint) continue;
      const OGRPoint* p = f.geometry->toPoint();
      // Airports up to 30 km outside the map still shape it (protection zones): keep them.
      constexpr double kAirportMarginM = 30000.0;
      if (p->getX() < g.x0 - kAirportMarginM ||
          p->getX() > g.x0 + g.nx * g.cell + kAirportMarginM ||
          p->getY() < g.y0 - kAirportMarginM ||
          p->getY() > g.y0 + g.ny * g.cell + kAirportMarginM) {
        continue;
      }
      SKY_TRY(ll, frame.to_lonlat({p->getX(), p->getY()}));
      a.mutable_airports().push_back({string_field(f, "ident", ""), string_field(f, "name", ""),
                                      string_field(f, "type", ""), ll.lon_deg, ll.lat_deg,
                                      p->getX(), p->getY()});
    }
  }
  timer.lap("vertiports");

  a.mutable_info().fingerprint = fp.digest();
  if (stats) {
    stats->unknown_terrain_columns = unknown;
    stats->water_columns = water;
    stats->structure_columns = structures;
  }
  timer.finish();
  return a;
}

Result<BuildStats> build_map(const std::string& manifest_path, const std::string& out_path) {
  SKY_TRY(manifest, load_manifest(manifest_path));
  BuildStats stats;
  SKY_TRY(a, compile_airspace(manifest, &stats));
  SKY_CHECK(airspace::write_airspace(a, out_path));
  return stats;
}

}  // namespace skylane::maps
