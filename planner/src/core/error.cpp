#include "skylane/core/error.hpp"

#include <array>

namespace skylane {
namespace {

using C = Code;
namespace ec = exit_code;

// The catalogue is append-only: reasons are part of the public contract (logs, gRPC status
// details, CLI exit codes). Never rename or remove a row; add new ones at the end of a block.
constexpr std::array kCatalogue = {
    // General.
    ErrorSpec{"USAGE", C::kInvalidArgument, ec::kUsage, "command line is malformed"},
    ErrorSpec{"INTERNAL", C::kInternal, ec::kSoftware, "a bug: an invariant did not hold"},
    ErrorSpec{"FILE_NOT_FOUND", C::kNotFound, ec::kNoInput, "an input file does not exist"},
    ErrorSpec{"FILE_UNREADABLE", C::kInvalidArgument, ec::kDataErr,
              "an input file exists but cannot be read or parsed"},
    ErrorSpec{"IO_ERROR", C::kUnavailable, ec::kIoErr, "reading or writing a file failed"},
    ErrorSpec{"INVALID_ARGUMENT", C::kInvalidArgument, ec::kUsage, "an argument is out of range"},

    // Map manifest and GIS ingest.
    ErrorSpec{"MANIFEST_PARSE_ERROR", C::kInvalidArgument, ec::kConfig, "manifest is not TOML"},
    ErrorSpec{"MANIFEST_UNKNOWN_KEY", C::kInvalidArgument, ec::kConfig,
              "manifest has a key skylane does not know"},
    ErrorSpec{"MANIFEST_MISSING_FIELD", C::kInvalidArgument, ec::kConfig,
              "manifest lacks a required field"},
    ErrorSpec{"MANIFEST_INVALID_VALUE", C::kInvalidArgument, ec::kConfig,
              "manifest field has a value of the wrong type or range"},
    ErrorSpec{"CELL_SIZE_INVALID", C::kInvalidArgument, ec::kConfig, "cell size is absurd"},
    ErrorSpec{"GRID_TOO_LARGE", C::kResourceExhausted, ec::kConfig,
              "extent and cell size give more cells than skylane can hold"},
    ErrorSpec{"CRS_MISSING", C::kInvalidArgument, ec::kDataErr,
              "a layer has no CRS and the manifest declares none"},
    ErrorSpec{"CRS_INVALID", C::kInvalidArgument, ec::kConfig, "a CRS definition is not valid"},
    ErrorSpec{"EXTENT_OUTSIDE_LAYERS", C::kInvalidArgument, ec::kDataErr,
              "the map extent does not intersect any terrain layer"},
    ErrorSpec{"LAYER_EMPTY", C::kInvalidArgument, ec::kDataErr, "a vector layer has no features"},
    ErrorSpec{"GEOMETRY_INVALID", C::kInvalidArgument, ec::kDataErr,
              "a geometry is invalid (self-intersecting, empty, wrong type)"},
    ErrorSpec{"RASTER_NO_DATA", C::kInvalidArgument, ec::kDataErr,
              "a raster holds no valid value over the extent"},
    ErrorSpec{"FIELD_MISSING", C::kInvalidArgument, ec::kDataErr,
              "a feature lacks an attribute the layer kind needs"},
    ErrorSpec{"VALUE_INVALID", C::kInvalidArgument, ec::kDataErr,
              "an attribute value is NaN, negative or out of range"},

    // Airspace file.
    ErrorSpec{"AIRSPACE_FILE_BAD_MAGIC", C::kInvalidArgument, ec::kDataErr,
              "file is not a skylane airspace file"},
    ErrorSpec{"AIRSPACE_FILE_VERSION", C::kFailedPrecondition, ec::kDataErr,
              "airspace file format version is not supported"},
    ErrorSpec{"AIRSPACE_FILE_TRUNCATED", C::kDataLoss, ec::kDataErr,
              "airspace file is shorter than its header says"},
    ErrorSpec{"AIRSPACE_FILE_CORRUPT", C::kDataLoss, ec::kDataErr,
              "airspace file content does not match its checksum"},
    ErrorSpec{"GRID_FINGERPRINT_MISMATCH", C::kFailedPrecondition, ec::kDataErr,
              "airspace file was built from other inputs than expected"},

    // Trajectories and conflict checking.
    ErrorSpec{"TRAJECTORY_INVALID", C::kInvalidArgument, ec::kDataErr,
              "a trajectory is empty, has a non-finite coordinate, decreasing times or a jump"},
    // Reservations and SIPP (issue 3).
    ErrorSpec{"SIPP_VOXEL_OUTSIDE_GRID", C::kInvalidArgument, ec::kDataErr,
              "a start, goal or pad voxel lies outside the grid"},
    ErrorSpec{"SIPP_DEPARTURE_WINDOW_INVALID", C::kInvalidArgument, ec::kDataErr,
              "the departure window is inverted or out of range"},
    ErrorSpec{"SIPP_TIME_INVALID", C::kInvalidArgument, ec::kDataErr,
              "an arrival deadline or goal dwell is negative or before the departure window"},
    ErrorSpec{"SIPP_MOTION_MODEL_INVALID", C::kInvalidArgument, ec::kDataErr,
              "a speed or rate is NaN, infinite, zero or negative"},
    ErrorSpec{"SIPP_TABLE_MISMATCH", C::kFailedPrecondition, ec::kSoftware,
              "the reservation table was built for a grid of other dimensions"},
    ErrorSpec{"SEPARATION_INVALID", C::kInvalidArgument, ec::kDataErr,
              "a separation minimum or time buffer is NaN, negative or absurd"},
    ErrorSpec{"RESERVATION_INTERVAL_INVALID", C::kInvalidArgument, ec::kDataErr,
              "a reserved time interval is empty, inverted or out of range"},
    // Moving AI 3D voxel benchmark files (.3dmap, .3dscen) and grid searches (A*).
    ErrorSpec{"MOVINGAI_PARSE_ERROR", C::kInvalidArgument, ec::kDataErr,
              "a Moving AI map or scenario file is malformed (header, number, line)"},
    ErrorSpec{"MOVINGAI_OUT_OF_RANGE", C::kOutOfRange, ec::kDataErr,
              "a Moving AI coordinate or size lies outside what the file declares or allows"},
    ErrorSpec{"SEARCH_OPTIONS_INVALID", C::kInvalidArgument, ec::kUsage,
              "a search option is NaN, non-positive or otherwise out of range"},
    ErrorSpec{"SEARCH_START_OUTSIDE_GRID", C::kInvalidArgument, ec::kDataErr,
              "the start voxel lies outside the grid"},
    ErrorSpec{"SEARCH_GOAL_OUTSIDE_GRID", C::kInvalidArgument, ec::kDataErr,
              "the goal voxel lies outside the grid"},
    ErrorSpec{"SEARCH_START_BLOCKED", C::kInvalidArgument, ec::kDataErr,
              "the start voxel is not free"},
    ErrorSpec{"SEARCH_GOAL_BLOCKED", C::kInvalidArgument, ec::kDataErr,
              "the goal voxel is not free"},
    ErrorSpec{"SEARCH_GRID_TOO_LARGE", C::kResourceExhausted, ec::kDataErr,
              "the grid has more voxels than the search can index"},
    // Vehicle class catalogue (issue 4).
    ErrorSpec{"VEHICLE_CATALOGUE_PARSE_ERROR", C::kInvalidArgument, ec::kConfig,
              "the vehicle catalogue is not TOML"},
    ErrorSpec{"VEHICLE_CATALOGUE_UNKNOWN_KEY", C::kInvalidArgument, ec::kConfig,
              "the vehicle catalogue has a key skylane does not know"},
    ErrorSpec{"VEHICLE_CATALOGUE_MISSING_FIELD", C::kInvalidArgument, ec::kConfig,
              "a vehicle class lacks a required field"},
    ErrorSpec{"VEHICLE_CATALOGUE_INVALID_VALUE", C::kInvalidArgument, ec::kConfig,
              "a vehicle class field has the wrong type, is NaN, negative, zero or out of range"},
    ErrorSpec{"VEHICLE_CATALOGUE_INCONSISTENT", C::kInvalidArgument, ec::kConfig,
              "vehicle class fields contradict each other (masses, category, ceiling, "
              "calibration, duplicate name)"},
    // Vertiport network and multi-leg routing (issue 4).
    ErrorSpec{"VERTIPORT_NOT_FOUND", C::kNotFound, ec::kUsage,
              "no vertiport of that name (or the name is ambiguous)"},
    ErrorSpec{"OPENING_HOURS_INVALID", C::kInvalidArgument, ec::kDataErr,
              "a vertiport's opening hours cannot be parsed"},
    ErrorSpec{"VEHICLE_CLASS_NOT_FOUND", C::kNotFound, ec::kUsage,
              "no vehicle class of that name in the catalogue"},
    ErrorSpec{"MISSION_REQUEST_INVALID", C::kInvalidArgument, ec::kUsage,
              "a mission request has a NaN or negative payload, equal endpoints or bad times"},

    // Airspace planner (issue 3 §2, §4, §6-§8): SIPP options, plan requests, vehicle classes,
    // vertiport names. Infeasible plans are outcomes (START_IN_ZONE, ...), not errors.
    ErrorSpec{"SIPP_OPTIONS_INVALID", C::kInvalidArgument, ec::kUsage,
              "a SIPP search option (heuristic weight) is NaN or out of range"},
    ErrorSpec{"PLAN_POINT_INVALID", C::kInvalidArgument, ec::kUsage,
              "a start or goal coordinate or pad altitude is NaN or infinite"},
    ErrorSpec{
        "PLAN_POINT_OUTSIDE_MAP", C::kOutOfRange, ec::kDataErr,
        "a start or goal point lies outside the airspace map (or its pad outside the layers)"},
    ErrorSpec{
        "PLAN_WINDOW_INVALID", C::kInvalidArgument, ec::kUsage,
        "the departure window is inverted, the deadline precedes it or the dwell is negative"},
    ErrorSpec{"PLAN_OPTIONS_INVALID", C::kInvalidArgument, ec::kUsage,
              "a planner option (corridor width, weight, horizon) is out of range"},
    // Deprecated, no longer emitted: VEHICLE_CLASS_NOT_FOUND and VERTIPORT_NOT_FOUND above
    // replace them (kept because the catalogue is append-only).
    ErrorSpec{"VEHICLE_CLASS_UNKNOWN", C::kNotFound, ec::kUsage,
              "no vehicle class of that name is known (deprecated: VEHICLE_CLASS_NOT_FOUND)"},
    ErrorSpec{"VERTIPORT_UNKNOWN", C::kNotFound, ec::kUsage,
              "the map has no vertiport of that name (deprecated: VERTIPORT_NOT_FOUND)"},

    // Dispatch core (issue 5 §2).
    ErrorSpec{"MISSION_NOT_FOUND", C::kNotFound, ec::kUsage,
              "no mission of that id (or it belongs to another operator)"},
    ErrorSpec{"MISSION_FINAL", C::kFailedPrecondition, ec::kUsage,
              "the mission is already completed, rejected or cancelled"},
    ErrorSpec{"JOURNAL_WRITE_FAILED", C::kUnavailable, ec::kIoErr,
              "the mission journal could not store a change durably; nothing was acknowledged"},
    ErrorSpec{"JOURNAL_READ_FAILED", C::kUnavailable, ec::kIoErr,
              "the mission journal could not be opened or read"},
    ErrorSpec{"JOURNAL_CORRUPT", C::kDataLoss, ec::kDataErr,
              "a journal row cannot be decoded (the message names the row and field)"},
    ErrorSpec{"DISPATCH_RECOVERY_FAILED", C::kDataLoss, ec::kDataErr,
              "a stored plan could not be restored into the reservation table"},
    ErrorSpec{"RESTRICTION_NOT_FOUND", C::kNotFound, ec::kUsage, "no restriction of that id"},
    ErrorSpec{"DISPATCH_SHUTTING_DOWN", C::kUnavailable, ec::kUnavailable,
              "the dispatcher is shutting down and accepts no new work"},

    // Run-time airspace restrictions (plan/restriction.hpp).
    ErrorSpec{"RESTRICTION_INVALID", C::kInvalidArgument, ec::kUsage,
              "a restriction's ring, floor / ceiling or active window is malformed"},
    ErrorSpec{"RESTRICTION_OUTSIDE_MAP", C::kOutOfRange, ec::kDataErr,
              "a restriction's polygon covers no column of the airspace map"},
    ErrorSpec{"RESTRICTION_ALREADY_EXISTS", C::kAlreadyExists, ec::kUsage,
              "a restriction with that id is already in force"},
    ErrorSpec{"RESTRICTION_MAP_MISMATCH", C::kFailedPrecondition, ec::kSoftware,
              "a restriction or restriction set belongs to another airspace (or to none)"},

    // Multi-leg missions in 4D (issue 4, `skylane plan --from-vertiport --to-vertiport`).
    ErrorSpec{"PAYLOAD_ABOVE_CLASS_LIMIT", C::kInvalidArgument, ec::kUsage,
              "the payload exceeds the vehicle class's max_payload_kg (or every class's)"},
    // Reservation table storage (issue 3, compact store).
    ErrorSpec{"RESERVATION_TIME_OUT_OF_RANGE", C::kOutOfRange, ec::kDataErr,
              "a reservation lies outside the table's ~49-day time span (prune_before moves it)"},
    ErrorSpec{"RESERVATION_COLUMN_FULL", C::kResourceExhausted, ec::kUnavailable,
              "a grid column would hold more reservation entries than the table allows"},
    // Dispatch service skylaned (issue 5 §1, §3, §4).
    ErrorSpec{"CONFIG_PARSE_ERROR", C::kInvalidArgument, ec::kConfig,
              "the skylaned config file is not valid TOML"},
    ErrorSpec{"CONFIG_UNKNOWN_KEY", C::kInvalidArgument, ec::kConfig,
              "a config key or SKYLANED_* variable that skylaned does not know"},
    ErrorSpec{"CONFIG_INVALID_VALUE", C::kInvalidArgument, ec::kConfig,
              "a config value of the wrong type or out of range"},
    ErrorSpec{"AUTH_MISSING", C::kUnauthenticated, ec::kUsage,
              "no 'authorization: Bearer <token>' metadata"},
    ErrorSpec{"AUTH_MALFORMED", C::kUnauthenticated, ec::kUsage,
              "the authorization metadata is not a well-formed bearer token"},
    ErrorSpec{"AUTH_INVALID_TOKEN", C::kUnauthenticated, ec::kUsage,
              "the bearer token matches no configured token hash"},
    ErrorSpec{"ROLE_REQUIRED", C::kPermissionDenied, ec::kUsage,
              "the caller's token lacks the role this call needs"},
    ErrorSpec{"SERVICE_STARTING", C::kUnavailable, ec::kUnavailable,
              "skylaned is still loading the airspace; retry shortly"},
    ErrorSpec{"PLAN_CAPACITY_EXHAUSTED", C::kResourceExhausted, ec::kUnavailable,
              "every concurrent plan slot stayed busy until the call's deadline"},
    ErrorSpec{"TOO_MANY_WATCHERS", C::kResourceExhausted, ec::kUnavailable,
              "the limit of concurrent WatchMissions streams is reached"},
    ErrorSpec{"SERVER_START_FAILED", C::kUnavailable, ec::kUnavailable,
              "skylaned could not listen on its address (in use, or bad TLS files)"},
    ErrorSpec{"PAGE_TOKEN_INVALID", C::kInvalidArgument, ec::kUsage,
              "a page_token that this server did not return"},
    ErrorSpec{"REQUEST_INVALID", C::kInvalidArgument, ec::kUsage,
              "a required request field is missing or too large"},
    // Simulator (issue 6).
    ErrorSpec{"SCENARIO_PARSE_ERROR", C::kInvalidArgument, ec::kConfig,
              "a simulation scenario file is not valid TOML"},
    ErrorSpec{"SCENARIO_UNKNOWN_KEY", C::kInvalidArgument, ec::kConfig,
              "a scenario key (in the file or a --set override) is not in the schema"},
    ErrorSpec{"SCENARIO_MISSING_FIELD", C::kInvalidArgument, ec::kConfig,
              "a required scenario key is missing"},
    ErrorSpec{"SCENARIO_INVALID_VALUE", C::kInvalidArgument, ec::kConfig,
              "a scenario value has the wrong type or is out of range (e.g. a fleet of zero)"},
    ErrorSpec{"MISSION_LOG_INVALID", C::kInvalidArgument, ec::kDataErr,
              "a mission log row is malformed or names an unknown vertiport or class"},
};

}  // namespace

const ErrorSpec* find_error_spec(std::string_view reason) {
  for (const auto& spec : kCatalogue) {
    if (spec.reason == reason) return &spec;
  }
  return nullptr;
}

std::pair<const ErrorSpec*, std::size_t> error_catalogue() {
  return {kCatalogue.data(), kCatalogue.size()};
}

Error make_error(std::string_view reason, std::string message) {
  const ErrorSpec* spec = find_error_spec(reason);
  return Error{spec ? spec->code : Code::kInternal, std::string(reason), std::move(message)};
}

int Error::exit_code() const {
  const ErrorSpec* spec = find_error_spec(reason);
  return spec ? spec->exit_code : exit_code::kSoftware;
}

std::string Error::to_string() const { return reason + ": " + message; }

std::string_view code_name(Code code) {
  switch (code) {
    case C::kOk:
      return "OK";
    case C::kCancelled:
      return "CANCELLED";
    case C::kUnknown:
      return "UNKNOWN";
    case C::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case C::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case C::kNotFound:
      return "NOT_FOUND";
    case C::kAlreadyExists:
      return "ALREADY_EXISTS";
    case C::kPermissionDenied:
      return "PERMISSION_DENIED";
    case C::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case C::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case C::kAborted:
      return "ABORTED";
    case C::kOutOfRange:
      return "OUT_OF_RANGE";
    case C::kUnimplemented:
      return "UNIMPLEMENTED";
    case C::kInternal:
      return "INTERNAL";
    case C::kUnavailable:
      return "UNAVAILABLE";
    case C::kDataLoss:
      return "DATA_LOSS";
    case C::kUnauthenticated:
      return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

}  // namespace skylane
