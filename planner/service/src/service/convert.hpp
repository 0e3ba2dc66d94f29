// Dispatch core values <-> skylane.v1 proto messages (private to skylane_service).
#pragma once

#include <string>

#include "skylane/airspace/airspace.hpp"
#include "skylane/core/error.hpp"
#include "skylane/dispatch/mission.hpp"
#include "skylane/geo/geo_frame.hpp"
#include "skylane/v1/airspace_service.pb.h"
#include "skylane/v1/mission_service.pb.h"
#include "skylane/v1/reference_service.pb.h"
#include "skylane/v1/types.pb.h"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace skylane::service {

namespace pb = ::skylane::v1;

[[nodiscard]] pb::MissionState to_proto(dispatch::MissionState state);
/// UNSPECIFIED -> nullopt.
[[nodiscard]] std::optional<dispatch::MissionState> from_proto(pb::MissionState state);
[[nodiscard]] pb::MissionEventKind to_proto(dispatch::EventKind kind);

/// Waypoints are converted to WGS 84 with `frame` (the map's working frame).
[[nodiscard]] Result<void> to_proto(const dispatch::Mission& mission, const geo::GeoFrame& frame,
                                    pb::Mission& out);
void to_proto(const dispatch::MissionEvent& event, pb::MissionEvent& out);
void to_proto(const dispatch::RestrictionSpec& spec, pb::Restriction& out);
void to_proto(const vehicle::CatalogueEntry& entry, pb::VehicleClass& out);
void to_proto(const airspace::Vertiport& vertiport, pb::Vertiport& out);

/// Shape checks only (fields present, sizes bounded); values are the dispatcher's to judge.
/// Errors: REQUEST_INVALID naming the field.
[[nodiscard]] Result<dispatch::MissionRequest> from_proto(const pb::SubmitMissionRequest& request,
                                                          const std::string& operator_id);
[[nodiscard]] Result<dispatch::RestrictionSpec> from_proto(const pb::Restriction& restriction,
                                                           const std::string& created_by);

}  // namespace skylane::service
