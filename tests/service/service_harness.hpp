// Test / benchmark harness: runs the real skylaned binary as a child process on a free loopback
// port with a temporary config and database, and gives C++ gRPC stubs with bearer tokens.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skylane/service/auth.hpp"
#include "skylane/v1/airspace_service.grpc.pb.h"
#include "skylane/v1/mission_service.grpc.pb.h"
#include "skylane/v1/reference_service.grpc.pb.h"

namespace skylane::testing {

namespace pb = ::skylane::v1;

/// Tokens of the test config: two operators and one airspace authority.
struct TestTokens {
  std::string alpha = "alpha-token-0123456789abcdef0123456789";
  std::string beta = "beta-token-0123456789abcdef0123456789ab";
  std::string authority = "authority-token-0123456789abcdef012345";
};

class ServerProcess {
 public:
  /// A fresh temporary directory holding skylaned.toml and the database.
  explicit ServerProcess(std::string extra_toml = "", std::string dir = "")
      : extra_toml_(std::move(extra_toml)) {
    if (dir.empty()) {
      char tmpl[] = "/tmp/skylaned-test-XXXXXX";
      dir = ::mkdtemp(tmpl);
    }
    dir_ = dir;
  }
  ~ServerProcess() { kill(SIGKILL); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] std::string db() const { return dir_ + "/skylaned.db"; }
  [[nodiscard]] std::string log() const { return dir_ + "/skylaned.log"; }
  [[nodiscard]] std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int metrics_port() const { return metrics_port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const TestTokens& tokens() const { return tokens_; }

  /// Writes the config and starts skylaned; returns once health says SERVING (or "" on
  /// success, else an explanation with the log's tail).
  std::string start(std::chrono::seconds timeout = std::chrono::seconds(240)) {
    write_config();
    const std::string port_file = dir_ + "/ports.json";
    std::filesystem::remove(port_file);
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 2);
      ::dup2(fd, 1);
      const std::string bin = std::string(SKYLANE_BINARY_DIR) + "/bin/skylaned";
      const std::string config = dir_ + "/skylaned.toml";
      ::execl(bin.c_str(), bin.c_str(), "serve", "-c", config.c_str(), "--port-file",
              port_file.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "skylaned exited early (status " + std::to_string(status) + "):\n" + log_tail();
      }
      if (port_ == 0 || std::filesystem::exists(port_file)) read_ports(port_file);
      if (port_ != 0 && serving()) return "";
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return "skylaned not SERVING within the timeout:\n" + log_tail();
  }

  /// Sends `sig` and reaps the process; returns its wait status (-1 if none ran).
  int kill(int sig) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    port_ = 0;
    return status;
  }

  [[nodiscard]] bool serving() const {
    auto stub = grpc::health::v1::Health::NewStub(channel());
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    return stub->Check(&ctx, req, &resp).ok() &&
           resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  }

  [[nodiscard]] std::shared_ptr<grpc::Channel> channel() const {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    args.SetMaxSendMessageSize(64 << 20);
    return grpc::CreateCustomChannel(target(), grpc::InsecureChannelCredentials(), args);
  }

  [[nodiscard]] std::string log_tail() const {
    std::ifstream in(log());
    std::stringstream s;
    s << in.rdbuf();
    const std::string all = s.str();
    return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
  }

 private:
  void write_config() const {
    std::ofstream out(dir_ + "/skylaned.toml");
    out << "listen = \"127.0.0.1:0\"\n"
        << "metrics_listen = \"127.0.0.1:0\"\n"
        << "map = \"" << SKYLANE_BINARY_DIR << "/shenzhen-boluo.skya\"\n"
        << "db = \"" << db() << "\"\n"
        << "log_level = \"info\"\n"
        << extra_toml_ << "\n"
        << "[[tokens]]\noperator = \"alpha\"\nsha256 = \"" << service::sha256_hex(tokens_.alpha)
        << "\"\nroles = [\"operator\"]\n"
        << "[[tokens]]\noperator = \"beta\"\nsha256 = \"" << service::sha256_hex(tokens_.beta)
        << "\"\nroles = [\"operator\"]\n"
        << "[[tokens]]\noperator = \"caac\"\nsha256 = \"" << service::sha256_hex(tokens_.authority)
        << "\"\nroles = [\"airspace_authority\"]\n";
  }
  void read_ports(const std::string& port_file) {
    std::ifstream in(port_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto num_after = [&](const std::string& key) {
      const auto p = text.find(key);
      return p == std::string::npos ? 0 : std::atoi(text.c_str() + p + key.size() + 3);
    };
    port_ = num_after("grpc_port");
    metrics_port_ = num_after("metrics_port");
  }

  std::string dir_;
  std::string extra_toml_;
  TestTokens tokens_;
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
};

/// A client context carrying `token` (nullptr: none) and a deadline.
inline std::unique_ptr<grpc::ClientContext> context_with(
    const std::string* token, std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (token) ctx->AddMetadata("authorization", "Bearer " + *token);
  ctx->set_deadline(std::chrono::system_clock::now() + deadline);
  return ctx;
}

/// The skylane-reason trailing metadata of a finished call ("" if absent).
inline std::string reason_of(const grpc::ClientContext& ctx) {
  const auto& md = ctx.GetServerTrailingMetadata();
  const auto it = md.find("skylane-reason");
  return it == md.end() ? "" : std::string(it->second.data(), it->second.size());
}

inline pb::SubmitMissionRequest submit_request(const std::string& from, const std::string& to,
                                               double payload_kg, std::int64_t depart_unix_ms,
                                               const std::string& request_id = "") {
  pb::SubmitMissionRequest r;
  r.set_request_id(request_id);
  r.mutable_mission()->mutable_origin()->set_vertiport(from);
  r.mutable_mission()->mutable_destination()->set_vertiport(to);
  r.mutable_mission()->set_payload_kg(payload_kg);
  r.mutable_mission()->set_earliest_departure_unix_ms(depart_unix_ms);
  return r;
}

inline std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace skylane::testing

#include "skylane/conflict/conflict_checker.hpp"
#include "skylane/geo/geo_frame.hpp"

namespace skylane::testing {

struct ConflictAudit {
  int planned = 0;  ///< PLANNED or ACTIVE missions fetched
  int legs = 0;
  int violations = -1;  ///< -1 when the audit could not run
  std::string error;
};

/// Fetches every mission through ListMissions (`token` should be the authority's), converts
/// the WGS 84 waypoints back to UTM 50N (the default map's CRS) and runs the independent
/// conflict checker over all PLANNED / ACTIVE plans.
inline ConflictAudit audit_conflicts(pb::MissionService::Stub& stub,
                                     pb::ReferenceService::Stub& reference,
                                     const std::string& token) {
  ConflictAudit a;
  auto frame = geo::GeoFrame::create("EPSG:32650");
  if (!frame) {
    a.error = frame.error().to_string();
    return a;
  }
  std::map<std::string, traj::SeparationEnvelope> envelopes;
  {
    pb::ListVehicleClassesResponse classes;
    auto ctx = context_with(&token);
    if (!reference.ListVehicleClasses(ctx.get(), {}, &classes).ok()) {
      a.error = "ListVehicleClasses failed";
      return a;
    }
    for (const auto& c : classes.vehicle_classes()) {
      traj::SeparationEnvelope e;
      e.horizontal_m = c.horizontal_separation_m();
      e.vertical_m = c.vertical_separation_m();
      envelopes[c.name()] = e;
    }
  }
  std::vector<traj::Trajectory4D> trajectories;
  std::vector<traj::SeparationEnvelope> env;
  std::int64_t t_ref = -1;
  pb::ListMissionsRequest lr;
  lr.set_page_size(1000);
  for (;;) {
    pb::ListMissionsResponse page;
    auto ctx = context_with(&token, std::chrono::seconds(120));
    if (auto st = stub.ListMissions(ctx.get(), lr, &page); !st.ok()) {
      a.error = "ListMissions: " + st.error_message();
      return a;
    }
    for (const auto& m : page.missions()) {
      if (m.state() != pb::MISSION_STATE_PLANNED && m.state() != pb::MISSION_STATE_ACTIVE) {
        continue;
      }
      ++a.planned;
      for (const auto& leg : m.plan().legs()) {
        traj::Trajectory4D t;
        t.id = m.id();
        for (const auto& w : leg.waypoints()) {
          if (t_ref < 0) t_ref = w.t_unix_ms();
          auto p = frame->to_plane({w.lon_deg(), w.lat_deg()});
          if (!p) {
            a.error = p.error().to_string();
            return a;
          }
          t.points.push_back({p->x_m, p->y_m, w.alt_amsl_m(), traj::Millis(w.t_unix_ms() - t_ref)});
        }
        trajectories.push_back(std::move(t));
        env.push_back(envelopes[m.plan().vehicle_class()]);
        ++a.legs;
      }
    }
    if (page.next_page_token().empty()) break;
    lr.set_page_token(page.next_page_token());
  }
  std::vector<conflict::FlightRef> refs;
  for (std::size_t i = 0; i < trajectories.size(); ++i) refs.push_back({&trajectories[i], env[i]});
  auto report = conflict::check_all(refs);
  if (!report) {
    a.error = report.error().to_string();
    return a;
  }
  a.violations = static_cast<int>(report->violations.size());
  return a;
}

}  // namespace skylane::testing
