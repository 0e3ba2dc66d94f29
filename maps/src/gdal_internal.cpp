#include "gdal_internal.hpp"

#include <filesystem>
#include <mutex>

#include "skylane/geo/geo_frame.hpp"

namespace skylane::maps {

void ensure_gdal_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    // GeoJSON files carry RFC 7946 lon/lat order; keep OGR from guessing otherwise.
    CPLSetConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", "0");
  });
}

std::string last_gdal_error() {
  const char* msg = CPLGetLastErrorMsg();
  return msg && *msg ? std::string(msg) : std::string("no detail from GDAL");
}

namespace {

void gcj02_to_wgs84_in_place(OGRGeometry& g) {
  struct Visitor : public OGRDefaultGeometryVisitor {
    using OGRDefaultGeometryVisitor::visit;
    void visit(OGRPoint* p) override {
      const geo::LonLat w = geo::gcj02_to_wgs84({p->getX(), p->getY()});
      p->setX(w.lon_deg);
      p->setY(w.lat_deg);
    }
    void visit(OGRLineString* l) override {
      for (int i = 0; i < l->getNumPoints(); ++i) {
        const geo::LonLat w = geo::gcj02_to_wgs84({l->getX(i), l->getY(i)});
        l->setPoint(i, w.lon_deg, w.lat_deg);
      }
    }
    void visit(OGRLinearRing* l) override { visit(static_cast<OGRLineString*>(l)); }
  } visitor;
  g.accept(&visitor);
}

}  // namespace

Result<std::vector<LoadedFeature>> load_vector(const VectorSource& source,
                                               const OGRSpatialReference& target,
                                               const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::exists(source.path, ec)) {
    return fail("FILE_NOT_FOUND", what + ": " + source.path + " does not exist");
  }
  GdalDataset ds(GDALOpenEx(source.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                            nullptr, nullptr));
  if (!ds) {
    return fail("FILE_UNREADABLE", what + ": " + source.path +
                                       " is not a vector file OGR can read (" + last_gdal_error() +
                                       ")");
  }
  auto* dataset = GDALDataset::FromHandle(ds.get());
  OGRLayer* layer =
      source.layer.empty() ? dataset->GetLayer(0) : dataset->GetLayerByName(source.layer.c_str());
  if (!layer) {
    return fail(source.layer.empty() ? "LAYER_EMPTY" : "MANIFEST_INVALID_VALUE",
                what + ": " + source.path + " has no layer" +
                    (source.layer.empty() ? "" : " named '" + source.layer + "'"));
  }
  if (!source.where.empty() && layer->SetAttributeFilter(source.where.c_str()) != OGRERR_NONE) {
    return fail("MANIFEST_INVALID_VALUE", what + ": where clause '" + source.where +
                                              "' is not valid for " + source.path + " (" +
                                              last_gdal_error() + ")");
  }
  const bool gcj02 = source.crs == kGcj02;
  OGRSpatialReference src_srs;
  if (gcj02) {
    src_srs.importFromEPSG(4326);
  } else if (!source.crs.empty()) {
    if (src_srs.SetFromUserInput(source.crs.c_str()) != OGRERR_NONE) {
      return fail("CRS_INVALID", what + ": crs '" + source.crs + "' is not a valid CRS");
    }
  } else if (const OGRSpatialReference* own = layer->GetSpatialRef()) {
    src_srs = *own;
  } else {
    return fail("CRS_MISSING", what + ": " + source.path +
                                   " has no CRS and the manifest declares none (add crs = "
                                   "\"EPSG:4326\", or \"GCJ-02\" for Chinese web-map data)");
  }
  src_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(
      OGRCreateCoordinateTransformation(&src_srs, &target));
  if (!ct) {
    return fail("CRS_INVALID", what + ": no transformation from the CRS of " + source.path +
                                   " to the working CRS (" + last_gdal_error() + ")");
  }
  std::vector<LoadedFeature> out;
  layer->ResetReading();
  for (auto& feature : *layer) {
    LoadedFeature f;
    f.fid = feature->GetFID();
    OGRGeometry* geom = feature->GetGeometryRef();
    const std::string label = what + ": " + source.path + " feature " + std::to_string(f.fid);
    if (!geom || geom->IsEmpty()) {
      return fail("GEOMETRY_INVALID", label + " has no geometry");
    }
    std::unique_ptr<OGRGeometry> g(geom->clone());
    if (gcj02) gcj02_to_wgs84_in_place(*g);
    if (g->transform(ct.get()) != OGRERR_NONE) {
      return fail("GEOMETRY_INVALID", label + " cannot be transformed to the working CRS");
    }
    const auto type = wkbFlatten(g->getGeometryType());
    if ((type == wkbPolygon || type == wkbMultiPolygon) && !g->IsValid()) {
      return fail("GEOMETRY_INVALID", label +
                                          " is not a valid polygon (self-intersecting or "
                                          "badly nested rings): " +
                                          last_gdal_error());
    }
    f.geometry = std::move(g);
    f.feature.reset(feature.release());
    out.push_back(std::move(f));
  }
  if (out.empty()) {
    return fail("LAYER_EMPTY",
                what + ": " + source.path + " has no features" +
                    (source.where.empty() ? "" : " matching '" + source.where + "'"));
  }
  return out;
}

}  // namespace skylane::maps
