// GDAL/OGR helpers private to skylane_maps: RAII handles, quiet error capture, and loading a
// vector layer into the working CRS (with GCJ-02 conversion when a layer declares it).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <gdal_utils.h>
#include <ogr_api.h>
#include <ogr_feature.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "skylane/core/error.hpp"
#include "skylane/maps/manifest.hpp"

namespace skylane::maps {

void ensure_gdal_registered();

/// Text of the last GDAL/OGR/PROJ error of this thread ("" if none).
std::string last_gdal_error();

/// Silences GDAL's stderr chatter while alive; errors are read with last_gdal_error().
class QuietGdalErrors {
 public:
  QuietGdalErrors() {
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
  }
  ~QuietGdalErrors() { CPLPopErrorHandler(); }
  QuietGdalErrors(const QuietGdalErrors&) = delete;
  QuietGdalErrors& operator=(const QuietGdalErrors&) = delete;
};

struct GdalDatasetCloser {
  void operator()(void* ds) const {
    if (ds) GDALClose(static_cast<GDALDatasetH>(ds));
  }
};
using GdalDataset = std::unique_ptr<void, GdalDatasetCloser>;

/// A NULL-terminated char** view of strings, for GDAL's option lists.
class CStringList {
 public:
  explicit CStringList(const std::vector<std::string>& items) : items_(items) {
    for (auto& s : items_) ptrs_.push_back(s.data());
    ptrs_.push_back(nullptr);
  }
  char** get() { return ptrs_.data(); }

 private:
  std::vector<std::string> items_;
  std::vector<char*> ptrs_;
};

struct LoadedFeature {
  long long fid = 0;
  std::unique_ptr<OGRGeometry> geometry;  ///< in the working CRS
  OGRFeatureUniquePtr feature;            ///< attributes
};

/// Loads every feature (after the attribute filter) of a vector source, transformed into the
/// target CRS. Errors: FILE_NOT_FOUND, FILE_UNREADABLE, CRS_MISSING, CRS_INVALID, LAYER_EMPTY,
/// GEOMETRY_INVALID (null, empty or invalid geometry, naming the feature), MANIFEST_INVALID_VALUE
/// (bad where clause or layer name). `what` prefixes every message.
Result<std::vector<LoadedFeature>> load_vector(const VectorSource& source,
                                               const OGRSpatialReference& target,
                                               const std::string& what);

}  // namespace skylane::maps
