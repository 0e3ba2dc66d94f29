#include "skylane/service/server.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "convert.hpp"
#include <fcntl.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/dispatch/dispatcher.hpp"
#include "skylane/service/auth.hpp"
#include "skylane/service/metrics.hpp"
#include "skylane/service/sqlite_journal.hpp"
#include "skylane/v1/airspace_service.grpc.pb.h"
#include "skylane/v1/mission_service.grpc.pb.h"
#include "skylane/v1/reference_service.grpc.pb.h"

namespace skylane::service {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

/// %* in a pattern: the message payload, JSON-escaped.
class JsonPayloadFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*tm*/,
              spdlog::memory_buf_t& dest) override {
    const std::string s = json_escape(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(s.data(), s.data() + s.size());
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonPayloadFlag>();
  }
};

/// Plan slots: at most `limit` plans at once; callers queue until their deadline.
class PlanSlots {
 public:
  explicit PlanSlots(int limit) : free_(limit) {}
  bool acquire_until(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_until(lock, deadline, [&] { return free_ > 0; })) return false;
    --free_;
    return true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      ++free_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int free_;
};

grpc::Status to_status(grpc::ServerContext* ctx, const Error& e) {
  ctx->AddTrailingMetadata("skylane-reason", e.reason);
  return {static_cast<grpc::StatusCode>(static_cast<int>(e.code)), e.reason + ": " + e.message};
}

tl::unexpected<Error> role_required(const char* method, const char* role_name) {
  return fail("ROLE_REQUIRED", std::string(method) + " needs the " + role_name + " role");
}

Result<std::int64_t> parse_page_token(const std::string& token) {
  if (token.empty()) return 0;
  std::int64_t v = 0;
  for (const char c : token) {
    if (c < '0' || c > '9' || v > (std::int64_t{1} << 58)) {
      return fail("PAGE_TOKEN_INVALID",
                  "page_token '" + token.substr(0, 64) + "' was not returned by this server");
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

Result<std::size_t> page_size_of(std::int32_t requested, std::size_t fallback) {
  if (requested < 0) {
    return fail("REQUEST_INVALID", "page_size " + std::to_string(requested) + " is negative");
  }
  if (requested == 0) return fallback;
  return std::min<std::size_t>(static_cast<std::size_t>(requested), 1000);
}

Result<void> write_file_0600(const std::string& path, const std::string& content) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail("IO_ERROR", "cannot write '" + path + "': " + std::strerror(errno));
  ::fchmod(fd, 0600);
  const bool ok =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!ok) return fail("IO_ERROR", "cannot write '" + path + "'");
  return {};
}

Result<void> write_port_file(const std::string& path, int grpc_port, int metrics_port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"grpc_port\": " << grpc_port << ", \"metrics_port\": " << metrics_port << "}\n";
    if (!out) return fail("IO_ERROR", "cannot write port file '" + tmp + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail("IO_ERROR", "cannot rename '" + tmp + "': " + ec.message());
  return {};
}

std::string read_pem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
  spdlog::drop("skylaned");
  auto logger = spdlog::stderr_logger_mt("skylaned");
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == "json") {
    formatter->add_flag<JsonPayloadFlag>('*').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"skylaned","msg":"%*"})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l skylaned: %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

// ---------------------------------------------------------------------------------------------

struct Server::Impl {
  ServiceConfig config;
  Metrics metrics;
  std::unique_ptr<TokenTable> tokens;
  std::unique_ptr<airspace::Airspace> airspace;
  std::unique_ptr<vehicle::VehicleCatalogue> catalogue;
  std::unique_ptr<dispatch::Dispatcher> dispatcher;
  std::atomic<dispatch::Dispatcher*> ready{nullptr};
  std::string crs;
  std::unique_ptr<PlanSlots> slots;
  std::unique_ptr<MetricsHttpServer> http;
  std::unique_ptr<grpc::Server> grpc_server;
  std::vector<std::unique_ptr<grpc::Service>> services;
  int grpc_port = 0;

  std::atomic<bool> stopping{false};
  std::atomic<bool> abort_plans{false};
  std::atomic<int> watchers{0};

  std::thread advance_thread;
  std::mutex advance_mutex;
  std::condition_variable advance_cv;
  bool advance_stop = false;

  std::once_flag shutdown_once;
  std::mutex done_mutex;
  std::condition_variable done_cv;
  bool done = false;

  /// The map's working frame for this thread (GeoFrame is not thread-safe).
  Result<const geo::GeoFrame*> frame() const {
    thread_local std::unique_ptr<geo::GeoFrame> cached;
    thread_local std::string cached_crs;
    if (!cached || cached_crs != crs) {
      auto f = geo::GeoFrame::create(crs);
      if (!f) return tl::unexpected(f.error());
      cached = std::make_unique<geo::GeoFrame>(std::move(*f));
      cached_crs = crs;
    }
    return cached.get();
  }

  Result<Principal> authenticate(grpc::ServerContext* ctx) const {
    const auto& md = ctx->client_metadata();
    const auto [first, last] = md.equal_range("authorization");
    if (first == last) return tokens->authenticate(std::nullopt);
    if (std::next(first) != last) {
      return fail("AUTH_MALFORMED", "more than one authorization metadata entry");
    }
    return tokens->authenticate(std::string_view(first->second.data(), first->second.size()));
  }

  /// Runs one unary or streaming handler body: authentication, readiness, error mapping
  /// (never throws), metrics and logs.
  template <class Body>
  grpc::Status handle(grpc::ServerContext* ctx, const char* method, Body&& body) {
    const auto t0 = Clock::now();
    grpc::Status status;
    std::string who = "-";
    try {
      Result<void> r = [&]() -> Result<void> {
        auto principal = authenticate(ctx);
        if (!principal) {
          spdlog::warn("auth_failed method={} peer={} reason={} detail=\"{}\"", method, ctx->peer(),
                       principal.error().reason, principal.error().message);
          return tl::unexpected(principal.error());
        }
        who = principal->operator_id;
        if (stopping.load()) {
          return fail("DISPATCH_SHUTTING_DOWN", "skylaned is shutting down");
        }
        dispatch::Dispatcher* d = ready.load();
        if (!d) return fail("SERVICE_STARTING", "skylaned is still loading the airspace");
        return body(*d, *principal);
      }();
      if (!r) status = to_status(ctx, r.error());
    } catch (const std::exception& e) {
      status = to_status(ctx, make_error("INTERNAL", std::string(method) + ": " + e.what()));
    } catch (...) {
      status = to_status(ctx, make_error("INTERNAL", std::string(method) + ": unknown exception"));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const std::string code(code_name(static_cast<Code>(status.error_code())));
    metrics.record_rpc(method, code, seconds);
    if (status.ok()) {
      spdlog::debug("rpc method={} operator={} code=OK ms={:.1f}", method, who, seconds * 1e3);
    } else if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
               status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
      spdlog::warn("rpc method={} operator={} peer={} code={} ms={:.1f} error=\"{}\"", method, who,
                   ctx->peer(), code, seconds * 1e3, status.error_message());
    } else {
      spdlog::info("rpc method={} operator={} code={} ms={:.1f} error=\"{}\"", method, who, code,
                   seconds * 1e3, status.error_message());
    }
    return status;
  }

  /// Steady-clock deadline of a call: the client's, capped by limits.default_deadline_ms.
  [[nodiscard]] Clock::time_point deadline_of(const grpc::ServerContext* ctx) const {
    auto remaining = std::chrono::milliseconds(config.limits.default_deadline_ms);
    const auto client = ctx->deadline();
    if (client != std::chrono::system_clock::time_point::max()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          client - std::chrono::system_clock::now());
      remaining = std::min(remaining, left);
    }
    // Leave a little time to encode and send the answer before the client gives up.
    return Clock::now() + std::max(0ms, remaining - 20ms);
  }

  std::string gauges() const {
    std::ostringstream os;
    dispatch::Dispatcher* d = ready.load();
    os << "# HELP skylane_serving 1 when the airspace is loaded and the service is up.\n"
          "# TYPE skylane_serving gauge\n"
       << "skylane_serving " << (d && !stopping.load() ? 1 : 0) << "\n";
    os << "# HELP skylane_watch_streams Open WatchMissions streams.\n"
          "# TYPE skylane_watch_streams gauge\n"
       << "skylane_watch_streams " << watchers.load() << "\n";
    if (!d) return os.str();
    const auto st = d->stats();
    os << "# HELP skylane_missions Missions by state.\n# TYPE skylane_missions gauge\n";
    for (int s = 0; s < 6; ++s) {
      os << "skylane_missions{state=\""
         << dispatch::mission_state_name(static_cast<dispatch::MissionState>(s)) << "\"} "
         << st.missions_by_state[s] << "\n";
    }
    os << "# HELP skylane_reservation_entries Entries in the reservation table.\n"
          "# TYPE skylane_reservation_entries gauge\n"
       << "skylane_reservation_entries " << st.reservation_entries << "\n"
       << "# HELP skylane_reservation_bytes Memory held by the reservation table.\n"
          "# TYPE skylane_reservation_bytes gauge\n"
       << "skylane_reservation_bytes " << st.reservation_bytes << "\n"
       << "# HELP skylane_restrictions Active runtime restrictions.\n"
          "# TYPE skylane_restrictions gauge\n"
       << "skylane_restrictions " << st.restrictions << "\n"
       << "# HELP skylane_commits_total Journal commits.\n# TYPE skylane_commits_total counter\n"
       << "skylane_commits_total " << st.commits << "\n"
       << "# HELP skylane_commit_retries_total Plans redone after losing a commit race.\n"
          "# TYPE skylane_commit_retries_total counter\n"
       << "skylane_commit_retries_total " << st.commit_retries << "\n"
       << "# HELP skylane_events_total Mission events emitted since start.\n"
          "# TYPE skylane_events_total counter\n"
       << "skylane_events_total " << st.last_event_seq << "\n";
    return os.str();
  }

  void shutdown();
};

// --- services --------------------------------------------------------------------------------

namespace {

using ScopeFn = std::optional<std::string>;

ScopeFn read_scope(const Principal& p) {
  if (p.is_authority) return std::nullopt;  // the airspace authority reads every mission
  return p.operator_id;
}

class MissionServiceImpl final : public pb::MissionService::Service {
 public:
  explicit MissionServiceImpl(Server::Impl& s) : s_(s) {}

  grpc::Status SubmitMission(grpc::ServerContext* ctx, const pb::SubmitMissionRequest* req,
                             pb::Mission* out) override {
    return s_.handle(ctx, "SubmitMission",
                     [&](dispatch::Dispatcher& d, const Principal& p) -> Result<void> {
                       if (!p.is_operator) return role_required("SubmitMission", "operator");
                       auto request = from_proto(*req, p.operator_id);
                       if (!request) return tl::unexpected(request.error());
                       if (request->earliest_departure_unix_ms == 0) {
                         request->earliest_departure_unix_ms = d.now_unix_ms();
                       }
                       const auto deadline = s_.deadline_of(ctx);
                       if (!s_.slots->acquire_until(deadline)) {
                         return fail("PLAN_CAPACITY_EXHAUSTED",
                                     "every plan slot stayed busy until the call's deadline");
                       }
                       search::StopCondition stop;
                       stop.deadline = deadline;
                       stop.cancelled = &s_.abort_plans;
                       auto mission = d.submit(*request, stop);
                       s_.slots->release();
                       if (!mission) return tl::unexpected(mission.error());
                       if (mission->plan && mission->version <= 1) {
                         s_.metrics.record_plan(mission->plan->plan_ms / 1e3);
                       }
                       auto frame = s_.frame();
                       if (!frame) return tl::unexpected(frame.error());
                       return to_proto(*mission, **frame, *out);
                     });
  }

  grpc::Status GetMission(grpc::ServerContext* ctx, const pb::GetMissionRequest* req,
                          pb::Mission* out) override {
    return s_.handle(ctx, "GetMission",
                     [&](dispatch::Dispatcher& d, const Principal& p) -> Result<void> {
                       auto mission = d.get(req->id(), read_scope(p));
                       if (!mission) return tl::unexpected(mission.error());
                       auto frame = s_.frame();
                       if (!frame) return tl::unexpected(frame.error());
                       return to_proto(*mission, **frame, *out);
                     });
  }

  grpc::Status ListMissions(grpc::ServerContext* ctx, const pb::ListMissionsRequest* req,
                            pb::ListMissionsResponse* out) override {
    return s_.handle(ctx, "ListMissions",
                     [&](dispatch::Dispatcher& d, const Principal& p) -> Result<void> {
                       dispatch::ListQuery q;
                       q.operator_id = read_scope(p);
                       q.state = from_proto(req->state());
                       auto after = parse_page_token(req->page_token());
                       if (!after) return tl::unexpected(after.error());
                       q.after_id = *after;
                       auto size = page_size_of(req->page_size(), 100);
                       if (!size) return tl::unexpected(size.error());
                       q.page_size = *size;
                       const auto page = d.list(q);
                       auto frame = s_.frame();
                       if (!frame) return tl::unexpected(frame.error());
                       for (const auto& m : page.missions) {
                         if (auto r = to_proto(m, **frame, *out->add_missions()); !r) return r;
                       }
                       if (page.next_after_id > 0) {
                         out->set_next_page_token(std::to_string(page.next_after_id));
                       }
                       return {};
                     });
  }

  grpc::Status CancelMission(grpc::ServerContext* ctx, const pb::CancelMissionRequest* req,
                             pb::Mission* out) override {
    return s_.handle(ctx, "CancelMission",
                     [&](dispatch::Dispatcher& d, const Principal& p) -> Result<void> {
                       if (!p.is_operator) return role_required("CancelMission", "operator");
                       // Only the owner cancels: the authority acts through restrictions.
                       auto mission = d.cancel(req->id(), p.operator_id);
                       if (!mission) return tl::unexpected(mission.error());
                       auto frame = s_.frame();
                       if (!frame) return tl::unexpected(frame.error());
                       return to_proto(*mission, **frame, *out);
                     });
  }

  grpc::Status WatchMissions(grpc::ServerContext* ctx, const pb::WatchMissionsRequest* req,
                             grpc::ServerWriter<pb::MissionEvent>* writer) override {
    return s_.handle(
        ctx, "WatchMissions", [&](dispatch::Dispatcher& d, const Principal& p) -> Result<void> {
          if (req->all_operators() && !p.is_authority) {
            return role_required("WatchMissions with all_operators", "airspace_authority");
          }
          if (s_.watchers.fetch_add(1) >= s_.config.limits.max_watchers) {
            s_.watchers.fetch_sub(1);
            return fail("TOO_MANY_WATCHERS", "already " +
                                                 std::to_string(s_.config.limits.max_watchers) +
                                                 " WatchMissions streams open");
          }
          struct Release {
            std::atomic<int>& n;
            ~Release() { n.fetch_sub(1); }
          } release{s_.watchers};
          std::uint64_t cursor = req->has_after_seq() ? req->after_seq() : d.stats().last_event_seq;
          // Headers go out at once so the client knows the stream is open.
          writer->SendInitialMetadata();
          while (!ctx->IsCancelled()) {
            if (s_.stopping.load()) {
              return fail("DISPATCH_SHUTTING_DOWN",
                          "skylaned is shutting down; reconnect with "
                          "after_seq to resume");
            }
            const auto events = d.events_after(cursor, 250ms, 256);
            for (const auto& e : events) {
              cursor = std::max<std::uint64_t>(cursor, e.seq);
              if (!req->all_operators() && e.operator_id != p.operator_id) continue;
              pb::MissionEvent msg;
              to_proto(e, msg);
              if (!writer->Write(msg)) return {};  // the client went away
            }
          }
          return {};
        });
  }

 private:
  Server::Impl& s_;
};

class AirspaceServiceImpl final : public pb::AirspaceService::Service {
 public:
  explicit AirspaceServiceImpl(Server::Impl& s) : s_(s) {}

  grpc::Status AddRestriction(grpc::ServerContext* ctx, const pb::AddRestrictionRequest* req,
                              pb::AddRestrictionResponse* out) override {
    return s_.handle(
        ctx, "AddRestriction", [&](dispatch::Dispatcher& d, const Principal& p) -> Result<void> {
          if (!p.is_authority) return role_required("AddRestriction", "airspace_authority");
          if (!req->has_restriction()) return fail("REQUEST_INVALID", "restriction is missing");
          auto spec = from_proto(req->restriction(), p.operator_id);
          if (!spec) return tl::unexpected(spec.error());
          auto change = d.add_restriction(std::move(*spec));
          if (!change) return tl::unexpected(change.error());
          to_proto(change->restriction, *out->mutable_restriction());
          for (const auto& m : change->affected) {
            if (m.state == dispatch::MissionState::kPlanned) {
              out->add_replanned_mission_ids(m.id);
              if (m.plan) s_.metrics.record_plan(m.plan->plan_ms / 1e3);
            } else {
              out->add_rejected_mission_ids(m.id);
            }
          }
          for (const auto id : change->airborne_affected) out->add_airborne_mission_ids(id);
          spdlog::info("restriction_added id={} by={} replanned={} rejected={} airborne={}",
                       change->restriction.id, p.operator_id, out->replanned_mission_ids_size(),
                       out->rejected_mission_ids_size(), out->airborne_mission_ids_size());
          return {};
        });
  }

  grpc::Status RemoveRestriction(grpc::ServerContext* ctx, const pb::RemoveRestrictionRequest* req,
                                 pb::Restriction* out) override {
    return s_.handle(ctx, "RemoveRestriction",
                     [&](dispatch::Dispatcher& d, const Principal& p) -> Result<void> {
                       if (!p.is_authority) {
                         return role_required("RemoveRestriction", "airspace_authority");
                       }
                       auto removed = d.remove_restriction(req->id());
                       if (!removed) return tl::unexpected(removed.error());
                       to_proto(*removed, *out);
                       spdlog::info("restriction_removed id={} by={}", req->id(), p.operator_id);
                       return {};
                     });
  }

  grpc::Status ListRestrictions(grpc::ServerContext* ctx, const pb::ListRestrictionsRequest* req,
                                pb::ListRestrictionsResponse* out) override {
    return s_.handle(
        ctx, "ListRestrictions", [&](dispatch::Dispatcher& d, const Principal&) -> Result<void> {
          auto after = parse_page_token(req->page_token());
          if (!after) return tl::unexpected(after.error());
          auto size = page_size_of(req->page_size(), 100);
          if (!size) return tl::unexpected(size.error());
          auto all = d.restrictions();
          std::sort(all.begin(), all.end(),
                    [](const auto& a, const auto& b) { return a.id < b.id; });
          std::size_t n = 0;
          for (const auto& r : all) {
            if (r.id <= *after) continue;
            if (n == *size) {
              out->set_next_page_token(
                  std::to_string(out->restrictions(out->restrictions_size() - 1).id()));
              break;
            }
            to_proto(r, *out->add_restrictions());
            ++n;
          }
          return {};
        });
  }

  grpc::Status QueryAirspace(grpc::ServerContext* ctx, const pb::QueryAirspaceRequest* req,
                             pb::QueryAirspaceResponse* out) override {
    return s_.handle(
        ctx, "QueryAirspace", [&](dispatch::Dispatcher& d, const Principal& p) -> Result<void> {
          const double v[] = {req->min_lon_deg(), req->min_lat_deg(), req->max_lon_deg(),
                              req->max_lat_deg()};
          for (const double x : v) {
            if (!std::isfinite(x)) return fail("REQUEST_INVALID", "box corner is not finite");
          }
          if (!(req->min_lon_deg() < req->max_lon_deg()) ||
              !(req->min_lat_deg() < req->max_lat_deg()) || req->min_lat_deg() < -90 ||
              req->max_lat_deg() > 90 || req->min_lon_deg() < -180 || req->max_lon_deg() > 180) {
            return fail("REQUEST_INVALID",
                        "box must have min < max, longitudes in [-180, 180], latitudes in "
                        "[-90, 90]");
          }
          if (req->to_unix_ms() < req->from_unix_ms()) {
            return fail("REQUEST_INVALID", "to_unix_ms is before from_unix_ms");
          }
          dispatch::AirspaceQuery q;
          q.min_lon_deg = req->min_lon_deg();
          q.min_lat_deg = req->min_lat_deg();
          q.max_lon_deg = req->max_lon_deg();
          q.max_lat_deg = req->max_lat_deg();
          if (req->has_floor_amsl_m()) q.floor_amsl_m = req->floor_amsl_m();
          if (req->has_ceiling_amsl_m()) q.ceiling_amsl_m = req->ceiling_amsl_m();
          q.from_unix_ms = req->from_unix_ms();
          q.to_unix_ms = req->to_unix_ms();
          q.operator_id = read_scope(p);
          for (const auto& hit : d.query_airspace(q)) {
            auto* r = out->add_reservations();
            r->set_mission_id(hit.mission_id);
            r->set_operator_id(hit.operator_id);
            r->set_vehicle_class(hit.vehicle_class);
            r->set_enter_unix_ms(hit.enter_unix_ms);
            r->set_exit_unix_ms(hit.exit_unix_ms);
          }
          return {};
        });
  }

 private:
  Server::Impl& s_;
};

class ReferenceServiceImpl final : public pb::ReferenceService::Service {
 public:
  explicit ReferenceServiceImpl(Server::Impl& s) : s_(s) {}

  grpc::Status ListVehicleClasses(grpc::ServerContext* ctx, const pb::ListVehicleClassesRequest*,
                                  pb::ListVehicleClassesResponse* out) override {
    return s_.handle(ctx, "ListVehicleClasses",
                     [&](dispatch::Dispatcher& d, const Principal&) -> Result<void> {
                       for (const auto& e : d.catalogue().entries()) {
                         to_proto(e, *out->add_vehicle_classes());
                       }
                       return {};
                     });
  }

  grpc::Status ListVertiports(grpc::ServerContext* ctx, const pb::ListVertiportsRequest* req,
                              pb::ListVertiportsResponse* out) override {
    return s_.handle(ctx, "ListVertiports",
                     [&](dispatch::Dispatcher& d, const Principal&) -> Result<void> {
                       const auto& all = d.airspace().vertiports();
                       auto start = parse_page_token(req->page_token());
                       if (!start) return tl::unexpected(start.error());
                       auto size = page_size_of(req->page_size(), all.size());
                       if (!size) return tl::unexpected(size.error());
                       std::size_t i = static_cast<std::size_t>(*start);
                       for (std::size_t n = 0; i < all.size() && n < *size; ++i, ++n) {
                         to_proto(all[i], *out->add_vertiports());
                       }
                       if (i < all.size()) out->set_next_page_token(std::to_string(i));
                       return {};
                     });
  }

 private:
  Server::Impl& s_;
};

}  // namespace

// --- lifecycle -------------------------------------------------------------------------------

void Server::Impl::shutdown() {
  std::call_once(shutdown_once, [this] {
    spdlog::info("shutdown: health NOT_SERVING, draining for up to {} ms",
                 config.limits.shutdown_grace_ms);
    stopping.store(true);
    if (grpc_server) grpc_server->GetHealthCheckService()->SetServingStatus(false);
    {
      std::lock_guard lock(advance_mutex);
      advance_stop = true;
    }
    advance_cv.notify_all();
    if (advance_thread.joinable()) advance_thread.join();
    if (grpc_server) {
      // Plans still running at the end of the grace period are cancelled through their stop
      // condition, so Shutdown() below cannot hang on a long search.
      std::mutex m;
      std::condition_variable cv;
      bool finished = false;
      std::thread watchdog([&] {
        std::unique_lock lock(m);
        if (!cv.wait_for(lock, std::chrono::milliseconds(config.limits.shutdown_grace_ms),
                         [&] { return finished; })) {
          abort_plans.store(true);
        }
      });
      grpc_server->Shutdown(std::chrono::system_clock::now() +
                            std::chrono::milliseconds(config.limits.shutdown_grace_ms));
      grpc_server->Wait();
      {
        std::lock_guard lock(m);
        finished = true;
      }
      cv.notify_all();
      watchdog.join();
    }
    if (dispatcher) dispatcher->shutdown();
    if (http) http->stop();
    ready.store(nullptr);
    dispatcher.reset();  // closes the journal
    spdlog::info("shutdown complete");
    {
      std::lock_guard lock(done_mutex);
      done = true;
    }
    done_cv.notify_all();
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_) impl_->shutdown();
}

int Server::grpc_port() const { return impl_->grpc_port; }
int Server::metrics_port() const { return impl_->http ? impl_->http->port() : 0; }
void Server::shutdown() { impl_->shutdown(); }
void Server::wait() {
  std::unique_lock lock(impl_->done_mutex);
  impl_->done_cv.wait(lock, [&] { return impl_->done; });
}

Result<std::unique_ptr<Server>> Server::start(ServiceConfig config) {
  if (auto v = validate_config(config); !v) return tl::unexpected(v.error());
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  Impl& s = *impl;
  const auto& c = s.config;

  // Tokens: the configured hashes, or one local token for a loopback-only server.
  std::vector<TokenEntry> tokens = c.tokens;
  if (tokens.empty()) {
    std::string token;
    {
      std::ifstream in(c.token_file);
      std::getline(in, token);
    }
    if (token.size() < 32) {
      auto t = generate_token();
      if (!t) return tl::unexpected(t.error());
      token = *t;
      if (auto w = write_file_0600(c.token_file, token + "\n"); !w) {
        return tl::unexpected(w.error());
      }
    }
    tokens.push_back(
        TokenEntry{"local", sha256_hex(token), {role::kOperator, role::kAirspaceAuthority}});
    spdlog::warn(
        "no [[tokens]] configured: operator 'local' (operator + airspace_authority) "
        "authenticates with the token in {} (loopback only)",
        c.token_file);
  }
  s.tokens = std::make_unique<TokenTable>(std::move(tokens));
  int plans = c.limits.max_concurrent_plans;
  if (plans <= 0) plans = std::max(1u, std::thread::hardware_concurrency());
  s.slots = std::make_unique<PlanSlots>(plans);

  // gRPC first, NOT_SERVING, so orchestrators see the process come up while the map loads.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (!c.tls.cert.empty()) {
    grpc::SslServerCredentialsOptions opts(
        c.tls.client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                : (c.tls.require_client_cert
                                       ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                       : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY));
    opts.pem_key_cert_pairs.push_back({read_pem(c.tls.key), read_pem(c.tls.cert)});
    if (!c.tls.client_ca.empty()) opts.pem_root_certs = read_pem(c.tls.client_ca);
    creds = grpc::SslServerCredentials(opts);
  } else {
    creds = grpc::InsecureServerCredentials();
  }
  builder.AddListeningPort(c.listen, creds, &s.grpc_port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(c.limits.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(c.limits.max_message_bytes));
  grpc::ResourceQuota quota("skylaned");
  quota.SetMaxThreads(c.limits.max_watchers + 4 * plans + 32);
  builder.SetResourceQuota(quota);
  s.services.push_back(std::make_unique<MissionServiceImpl>(s));
  s.services.push_back(std::make_unique<AirspaceServiceImpl>(s));
  s.services.push_back(std::make_unique<ReferenceServiceImpl>(s));
  for (auto& svc : s.services) builder.RegisterService(svc.get());
  s.grpc_server = builder.BuildAndStart();
  if (!s.grpc_server || s.grpc_port == 0) {
    return fail("SERVER_START_FAILED",
                "cannot listen on '" + c.listen + "' (address in use, or bad TLS key/cert)");
  }
  s.grpc_server->GetHealthCheckService()->SetServingStatus(false);
  spdlog::info("listening on {} (grpc port {}, {}), health NOT_SERVING while loading", c.listen,
               s.grpc_port, c.tls.cert.empty() ? "plaintext" : "TLS");

  Server::Impl* raw = &s;
  s.metrics.set_gauge_source([raw] { return raw->gauges(); });
  if (!c.metrics_listen.empty()) {
    auto http = MetricsHttpServer::start(c.metrics_listen, s.metrics);
    if (!http) {
      s.shutdown();
      return tl::unexpected(http.error());
    }
    s.http = std::move(*http);
    spdlog::info("metrics on http://{}:{}/metrics",
                 c.metrics_listen.substr(0, c.metrics_listen.rfind(':')), s.http->port());
  }
  if (!c.port_file.empty()) {
    if (auto w = write_port_file(c.port_file, s.grpc_port, s.http ? s.http->port() : 0); !w) {
      s.shutdown();
      return tl::unexpected(w.error());
    }
  }

  auto fail_start = [&](const Error& e) {
    s.shutdown();
    return tl::unexpected(e);
  };
  const auto t0 = Clock::now();
  auto airspace = airspace::read_airspace(c.map);
  if (!airspace) return fail_start(airspace.error());
  s.airspace = std::make_unique<airspace::Airspace>(std::move(*airspace));
  s.crs = s.airspace->info().crs.empty() ? s.airspace->info().crs_wkt : s.airspace->info().crs;
  auto catalogue = vehicle::load_vehicle_catalogue(c.catalogue);
  if (!catalogue) return fail_start(catalogue.error());
  s.catalogue = std::make_unique<vehicle::VehicleCatalogue>(std::move(*catalogue));
  auto journal = SqliteJournal::open(c.db, {c.journal_synchronous == "full", true});
  if (!journal) return fail_start(journal.error());
  dispatch::DispatcherOptions options;
  options.plan_budget = std::chrono::milliseconds(c.limits.plan_budget_ms);
  auto dispatcher =
      dispatch::Dispatcher::create(*s.airspace, *s.catalogue, std::move(*journal), options);
  if (!dispatcher) return fail_start(dispatcher.error());
  s.dispatcher = std::move(*dispatcher);
  const auto st = s.dispatcher->stats();
  std::size_t missions = 0;
  for (const auto n : st.missions_by_state) missions += n;
  spdlog::info(
      "loaded map {} ({} vertiports), {} vehicle classes, journal {} ({} missions, {} "
      "restrictions) in {:.1f} s",
      c.map, s.airspace->vertiports().size(), s.catalogue->size(), c.db, missions, st.restrictions,
      std::chrono::duration<double>(Clock::now() - t0).count());

  s.ready.store(s.dispatcher.get());
  s.advance_thread = std::thread([raw] {
    std::unique_lock lock(raw->advance_mutex);
    while (!raw->advance_cv.wait_for(lock, 1s, [raw] { return raw->advance_stop; })) {
      lock.unlock();
      const auto events = raw->dispatcher->advance();
      if (!events.empty()) spdlog::debug("advance: {} events", events.size());
      lock.lock();
    }
  });
  s.grpc_server->GetHealthCheckService()->SetServingStatus(true);
  spdlog::info("health SERVING");
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

}  // namespace skylane::service
