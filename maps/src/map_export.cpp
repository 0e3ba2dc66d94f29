#include "skylane/maps/map_export.hpp"

#include <cmath>
#include <filesystem>

#include "gdal_internal.hpp"

#include "skylane/core/try.hpp"

namespace skylane::maps {
namespace {

namespace cf = airspace::column_flag;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

bool is_raster_path(const std::string& p) { return ends_with(p, ".tif") || ends_with(p, ".tiff"); }
bool is_vector_path(const std::string& p) {
  return ends_with(p, ".geojson") || ends_with(p, ".json");
}

OGRSpatialReference working_srs(const airspace::Airspace& a) {
  OGRSpatialReference srs;
  srs.SetFromUserInput(a.info().crs_wkt.empty() ? a.info().crs.c_str() : a.info().crs_wkt.c_str());
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

// Creates a north-up raster in memory with the map's georeference.
Result<GdalDataset> make_raster(const airspace::Airspace& a, GDALDataType type) {
  GdalDataset ds(GDALCreate(GDALGetDriverByName("MEM"), "", a.nx(), a.ny(), 1, type, nullptr));
  if (!ds) return fail("INTERNAL", "cannot create an in-memory raster: " + last_gdal_error());
  auto gt = a.info().geotransform();
  GDALSetGeoTransform(ds.get(), gt.data());
  OGRSpatialReference srs = working_srs(a);
  GDALSetSpatialRef(ds.get(), OGRSpatialReference::ToHandle(&srs));
  return ds;
}

template <class T>
Result<void> write_band(GdalDataset& ds, const airspace::Airspace& a, const std::vector<T>& grid,
                        GDALDataType type) {
  // grid is row 0 = south; GDAL wants row 0 = north.
  std::vector<T> raster(grid.size());
  const std::size_t nx = static_cast<std::size_t>(a.nx());
  for (std::int32_t y = 0; y < a.ny(); ++y) {
    std::copy_n(grid.begin() + static_cast<std::ptrdiff_t>(y * nx), nx,
                raster.begin() + static_cast<std::ptrdiff_t>((a.ny() - 1 - y) * nx));
  }
  if (GDALRasterIO(GDALGetRasterBand(ds.get(), 1), GF_Write, 0, 0, a.nx(), a.ny(), raster.data(),
                   a.nx(), a.ny(), type, 0, 0) != CE_None) {
    return fail("INTERNAL", "writing a raster band failed: " + last_gdal_error());
  }
  return {};
}

Result<void> save_geotiff(GdalDataset& mem, const std::string& out) {
  CStringList opts({"COMPRESS=DEFLATE", "TILED=YES", "PREDICTOR=2"});
  GdalDataset tif(GDALCreateCopy(GDALGetDriverByName("GTiff"), out.c_str(), mem.get(), FALSE,
                                 opts.get(), nullptr, nullptr));
  if (!tif) return fail("IO_ERROR", "cannot write " + out + ": " + last_gdal_error());
  return {};
}

struct GeoJsonWriter {
  GdalDataset ds;
  OGRLayer* layer = nullptr;
  std::unique_ptr<OGRCoordinateTransformation> to_wgs84;
};

Result<GeoJsonWriter> open_geojson(const airspace::Airspace& a, const std::string& out,
                                   OGRwkbGeometryType type, const std::string& layer_name) {
  std::error_code ec;
  std::filesystem::remove(out, ec);  // the GeoJSON driver refuses to overwrite
  GeoJsonWriter w;
  w.ds.reset(
      GDALCreate(GDALGetDriverByName("GeoJSON"), out.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!w.ds) return fail("IO_ERROR", "cannot create " + out + ": " + last_gdal_error());
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference srs = working_srs(a);
  w.to_wgs84.reset(OGRCreateCoordinateTransformation(&srs, &wgs84));
  CStringList opts({"RFC7946=YES", "COORDINATE_PRECISION=7"});
  w.layer = GDALDataset::FromHandle(w.ds.get())
                ->CreateLayer(layer_name.c_str(), &wgs84, type, opts.get());
  if (!w.layer || !w.to_wgs84) {
    return fail("IO_ERROR", "cannot create a GeoJSON layer in " + out + ": " + last_gdal_error());
  }
  return w;
}

void add_field(OGRLayer* layer, const char* name, OGRFieldType type) {
  OGRFieldDefn def(name, type);
  layer->CreateField(&def);
}

std::string limit_text(const airspace::AltitudeLimit& l) {
  if (std::isinf(l.value_m)) return "unlimited";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f m %s", l.value_m,
                l.ref == airspace::AltitudeRef::kAgl ? "AGL" : "AMSL");
  return buf;
}

Result<void> export_zones(const airspace::Airspace& a, const std::string& out) {
  SKY_TRY(w, open_geojson(a, out, wkbMultiPolygon, "zones"));
  add_field(w.layer, "id", OFTInteger);
  add_field(w.layer, "name", OFTString);
  add_field(w.layer, "kind", OFTString);
  add_field(w.layer, "floor", OFTString);
  add_field(w.layer, "ceiling", OFTString);
  add_field(w.layer, "windows", OFTString);
  add_field(w.layer, "source", OFTString);
  for (const airspace::Zone& z : a.zones()) {
    OGRGeometry* g = nullptr;
    if (OGRGeometryFactory::createFromWkt(z.geometry_wkt.c_str(), nullptr, &g) != OGRERR_NONE) {
      return fail("INTERNAL", "zone " + std::to_string(z.id) + " has unreadable geometry");
    }
    std::unique_ptr<OGRGeometry> geom(g);
    geom->transform(w.to_wgs84.get());
    OGRFeature f(w.layer->GetLayerDefn());
    f.SetField("id", z.id);
    f.SetField("name", z.name.c_str());
    f.SetField("kind", std::string(airspace::zone_kind_name(z.kind)).c_str());
    f.SetField("floor", limit_text(z.floor).c_str());
    f.SetField("ceiling", limit_text(z.ceiling).c_str());
    std::string windows;
    for (const auto& win : z.windows) {
      windows += (windows.empty() ? "" : "; ") +
                 airspace::format_activity_window(win, a.info().utc_offset_s);
    }
    f.SetField("windows", windows.empty() ? "always" : windows.c_str());
    f.SetField("source", z.source.c_str());
    f.SetGeometryDirectly(geom.release());
    if (w.layer->CreateFeature(&f) != OGRERR_NONE) {
      return fail("IO_ERROR", "writing " + out + " failed: " + last_gdal_error());
    }
  }
  return {};
}

Result<void> export_vertiports(const airspace::Airspace& a, const std::string& out) {
  SKY_TRY(w, open_geojson(a, out, wkbPoint, "vertiports"));
  for (const char* name : {"name", "kind", "opening_hours"}) add_field(w.layer, name, OFTString);
  for (const char* name : {"pads", "chargers", "battery_swap", "battery_stock"}) {
    add_field(w.layer, name, OFTInteger);
  }
  add_field(w.layer, "ground_amsl_m", OFTReal);
  for (const airspace::Vertiport& v : a.vertiports()) {
    OGRFeature f(w.layer->GetLayerDefn());
    f.SetField("name", v.name.c_str());
    f.SetField("kind", v.kind.c_str());
    f.SetField("opening_hours", v.opening_hours.c_str());
    f.SetField("pads", v.pads);
    f.SetField("chargers", v.chargers);
    f.SetField("battery_swap", v.battery_swap ? 1 : 0);
    f.SetField("battery_stock", v.battery_stock);
    f.SetField("ground_amsl_m", v.ground_amsl_m);
    f.SetGeometryDirectly(new OGRPoint(v.lon_deg, v.lat_deg));
    if (w.layer->CreateFeature(&f) != OGRERR_NONE) {
      return fail("IO_ERROR", "writing " + out + " failed: " + last_gdal_error());
    }
  }
  return {};
}

Result<void> export_blocked_polygons(const airspace::Airspace& a, double alt_agl_m,
                                     const std::string& out) {
  std::vector<std::uint8_t> blocked = free_mask_at(a, alt_agl_m);
  for (auto& v : blocked) v = v ? 0 : 1;
  SKY_TRY(mem, make_raster(a, GDT_Byte));
  SKY_CHECK(write_band(mem, a, blocked, GDT_Byte));
  // Polygonise in the working CRS, then write WGS 84 features.
  GdalDataset vmem(GDALCreate(GDALGetDriverByName("Memory"), "", 0, 0, 0, GDT_Unknown, nullptr));
  OGRSpatialReference srs = working_srs(a);
  OGRLayer* tmp = GDALDataset::FromHandle(vmem.get())->CreateLayer("blocked", &srs, wkbPolygon);
  add_field(tmp, "blocked", OFTInteger);
  GDALRasterBandH band = GDALGetRasterBand(mem.get(), 1);
  if (GDALPolygonize(band, band, OGRLayer::ToHandle(tmp), 0, nullptr, nullptr, nullptr) !=
      CE_None) {
    return fail("INTERNAL", "polygonising failed: " + last_gdal_error());
  }
  SKY_TRY(w, open_geojson(a, out, wkbPolygon, "blocked"));
  add_field(w.layer, "alt_agl_m", OFTReal);
  tmp->ResetReading();
  for (auto& f : *tmp) {
    if (f->GetFieldAsInteger(0) != 1) continue;
    std::unique_ptr<OGRGeometry> g(f->GetGeometryRef()->clone());
    g->transform(w.to_wgs84.get());
    OGRFeature o(w.layer->GetLayerDefn());
    o.SetField("alt_agl_m", alt_agl_m);
    o.SetGeometryDirectly(g.release());
    if (w.layer->CreateFeature(&o) != OGRERR_NONE) {
      return fail("IO_ERROR", "writing " + out + " failed: " + last_gdal_error());
    }
  }
  return {};
}

}  // namespace

Result<ExportLayer> parse_export_layer(const std::string& name) {
  if (name == "ground") return ExportLayer::kGround;
  if (name == "obstacles") return ExportLayer::kObstacles;
  if (name == "free-at") return ExportLayer::kFreeAt;
  if (name == "terrain-source") return ExportLayer::kTerrainSource;
  if (name == "zones") return ExportLayer::kZones;
  if (name == "vertiports") return ExportLayer::kVertiports;
  return fail("USAGE", "--layer '" + name +
                           "' is not one of ground, obstacles, free-at, terrain-source, zones, "
                           "vertiports");
}

std::vector<std::uint8_t> free_mask_at(const airspace::Airspace& a, double alt_agl_m) {
  std::vector<std::vector<const airspace::Zone*>> active(a.zone_sets().size());
  for (std::size_t s = 0; s < a.zone_sets().size(); ++s) {
    for (std::uint16_t id : a.zone_sets()[s]) {
      if (a.zone(id).always_active()) active[s].push_back(&a.zone(id));
    }
  }
  std::vector<std::uint8_t> free(a.column_count());
  for (std::size_t c = 0; c < free.size(); ++c) {
    const double g = a.ground_amsl_m(c);
    const double alt = g + alt_agl_m;
    bool ok = alt >= a.obstacle_top_amsl_m(c);
    for (const airspace::Zone* z : active[a.zone_set(c)]) {
      if (!ok) break;
      ok = !(alt >= z->floor.amsl_m(g) && alt < z->ceiling.amsl_m(g));
    }
    free[c] = ok ? 1 : 0;
  }
  return free;
}

Result<void> export_layer(const airspace::Airspace& a, const ExportOptions& o) {
  ensure_gdal_registered();
  QuietGdalErrors quiet;
  const bool vector_layer = o.layer == ExportLayer::kZones || o.layer == ExportLayer::kVertiports;
  if (vector_layer && !is_vector_path(o.out)) {
    return fail("USAGE", "--out " + o.out + ": this layer is vector data; write a .geojson");
  }
  if (!vector_layer && !is_raster_path(o.out) &&
      !(o.layer == ExportLayer::kFreeAt && is_vector_path(o.out))) {
    return fail("USAGE", "--out " + o.out + ": write a .tif" +
                             (o.layer == ExportLayer::kFreeAt ? " or .geojson" : ""));
  }
  if (o.layer == ExportLayer::kFreeAt && !std::isfinite(o.alt_agl_m)) {
    return fail("INVALID_ARGUMENT", "--alt-agl must be a finite number of metres");
  }
  switch (o.layer) {
    case ExportLayer::kZones:
      return export_zones(a, o.out);
    case ExportLayer::kVertiports:
      return export_vertiports(a, o.out);
    case ExportLayer::kFreeAt:
      if (is_vector_path(o.out)) return export_blocked_polygons(a, o.alt_agl_m, o.out);
      break;
    default:
      break;
  }
  const bool is_float = o.layer == ExportLayer::kGround || o.layer == ExportLayer::kObstacles;
  SKY_TRY(mem, make_raster(a, is_float ? GDT_Float32 : GDT_Byte));
  GDALRasterBandH band = GDALGetRasterBand(mem.get(), 1);
  if (is_float) {
    std::vector<float> grid(a.column_count());
    for (std::size_t c = 0; c < grid.size(); ++c) {
      grid[c] = static_cast<float>(o.layer == ExportLayer::kGround ? a.ground_amsl_m(c)
                                                                   : a.obstacle_top_amsl_m(c));
    }
    GDALSetDescription(band,
                       o.layer == ExportLayer::kGround ? "ground_amsl_m" : "obstacle_top_amsl_m");
    GDALSetRasterUnitType(band, "m");
    SKY_CHECK(write_band(mem, a, grid, GDT_Float32));
  } else if (o.layer == ExportLayer::kFreeAt) {
    GDALSetDescription(band, ("free_at_" + std::to_string(o.alt_agl_m) + "_m_agl").c_str());
    SKY_CHECK(write_band(mem, a, free_mask_at(a, o.alt_agl_m), GDT_Byte));
  } else {
    std::vector<std::uint8_t> grid(a.column_count());
    for (std::size_t c = 0; c < grid.size(); ++c) {
      grid[c] =
          (a.flags(c) & cf::kUnknownTerrain) ? 255 : static_cast<std::uint8_t>(a.terrain_source(c));
    }
    GDALSetDescription(band, "terrain_source");
    SKY_CHECK(write_band(mem, a, grid, GDT_Byte));
  }
  return save_geotiff(mem, o.out);
}

}  // namespace skylane::maps
