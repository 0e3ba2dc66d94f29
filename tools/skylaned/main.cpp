// `skylaned`: the gRPC dispatch service (serve), its health probe (healthcheck) and token
// helpers. A thin CLI over skylane::service::Server; see docs/service.md.
#include <atomic>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>
#include <pthread.h>
#include <signal.h>

#include "skylane/airspace/airspace_file.hpp"
#include "skylane/core/error.hpp"
#include "skylane/service/auth.hpp"
#include "skylane/service/server.hpp"
#include "skylane/service/service_config.hpp"
#include "skylane/vehicle/vehicle_catalogue.hpp"

namespace {

using skylane::Error;
namespace ec = skylane::exit_code;
namespace svc = skylane::service;

int report(const Error& e) {
  std::cerr << "skylaned: " << e.to_string() << "\n";
  return e.exit_code();
}

struct ServeFlags {
  std::string config_file;
  std::string listen, map, db, catalogue, metrics_listen, log_level, log_format, port_file;
  bool check_config = false;
  bool print_config = false;
};

int run_serve(const ServeFlags& f) {
  // defaults < file < SKYLANED_* environment < flags
  svc::ServiceConfig config = svc::default_config();
  if (!f.config_file.empty()) {
    if (auto r = svc::apply_config_file(config, f.config_file); !r) return report(r.error());
  }
  if (auto r = svc::apply_environment(config, svc::environ_map()); !r) return report(r.error());
  if (!f.listen.empty()) config.listen = f.listen;
  if (!f.map.empty()) config.map = f.map;
  if (!f.db.empty()) config.db = f.db;
  if (!f.catalogue.empty()) config.catalogue = f.catalogue;
  if (!f.metrics_listen.empty())
    config.metrics_listen = f.metrics_listen == "off" ? "" : f.metrics_listen;
  if (!f.log_level.empty()) config.log_level = f.log_level;
  if (!f.log_format.empty()) config.log_format = f.log_format;
  if (!f.port_file.empty()) config.port_file = f.port_file;

  if (f.print_config) {
    std::cout << svc::config_to_toml(config);
    if (!f.check_config) return ec::kOk;
  }
  if (auto r = svc::validate_config(config); !r) return report(r.error());
  if (f.check_config) {
    // The files the server will need, without binding anything.
    std::ifstream map(config.map, std::ios::binary);
    if (!map) return report(skylane::make_error("FILE_NOT_FOUND", "map '" + config.map + "'"));
    auto cat = skylane::vehicle::load_vehicle_catalogue(config.catalogue);
    if (!cat) return report(cat.error());
    std::cout << "skylaned: configuration OK (listen " << config.listen << ", "
              << config.tokens.size() << " tokens, " << cat->size() << " vehicle classes)\n";
    return ec::kOk;
  }

  svc::setup_logging(config.log_level, config.log_format);

  // SIGTERM / SIGINT go to one thread (blocked everywhere else, inherited by gRPC's threads).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  static std::atomic<bool> stop_requested{false};
  static std::atomic<svc::Server*> running{nullptr};
  std::thread([signals] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (stop_requested.exchange(true)) continue;  // already stopping
      if (svc::Server* s = running.load()) s->shutdown();
    }
  }).detach();

  auto server = svc::Server::start(config);
  if (!server) return report(server.error());
  running.store(server->get());
  if (stop_requested.load()) (*server)->shutdown();
  (*server)->wait();
  running.store(nullptr);
  return ec::kOk;
}

int run_healthcheck(const std::string& target, const std::string& ca, const std::string& service,
                    int timeout_ms) {
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (ca.empty()) {
    creds = grpc::InsecureChannelCredentials();
  } else {
    std::ifstream in(ca);
    if (!in) return report(skylane::make_error("FILE_NOT_FOUND", "--ca '" + ca + "'"));
    std::stringstream pem;
    pem << in.rdbuf();
    grpc::SslCredentialsOptions opts;
    opts.pem_root_certs = pem.str();
    creds = grpc::SslCredentials(opts);
  }
  auto channel = grpc::CreateChannel(target, creds);
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  const grpc::Status st = stub->Check(&ctx, req, &resp);
  if (!st.ok()) {
    std::cerr << "skylaned healthcheck: " << target << ": " << st.error_code() << " "
              << st.error_message() << "\n";
    return ec::kUnavailable;
  }
  const std::string name = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
  std::cout << name << "\n";
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? ec::kOk
                                                                         : ec::kUnavailable;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"skylaned: the skylane gRPC dispatch service"};
  app.set_version_flag("--version", std::string("skylaned ") + SKYLANE_VERSION);
  app.require_subcommand(1);
  int status = ec::kOk;

  ServeFlags f;
  auto* serve = app.add_subcommand("serve", "Serve the dispatch API (docs/service.md)");
  serve->add_option("-c,--config", f.config_file, "TOML config file");
  serve->add_option("--listen", f.listen,
                    "gRPC listen address HOST:PORT (default 127.0.0.1:50051)");
  serve->add_option("--map", f.map, "Airspace file (.skya)");
  serve->add_option("--db", f.db, "SQLite journal path");
  serve->add_option("--catalogue", f.catalogue, "Vehicle catalogue TOML");
  serve->add_option("--metrics-listen", f.metrics_listen,
                    "Prometheus /metrics address HOST:PORT, or 'off'");
  serve->add_option("--log-level", f.log_level, "trace, debug, info, warn, error, critical, off");
  serve->add_option("--log-format", f.log_format, "text or json");
  serve->add_option("--port-file", f.port_file,
                    "Write {\"grpc_port\": N, \"metrics_port\": M} here once bound");
  serve->add_flag("--check-config", f.check_config, "Validate the configuration and exit");
  serve->add_flag("--print-config", f.print_config, "Print the effective configuration (TOML)");
  serve->callback([&] { status = run_serve(f); });

  std::string target = "127.0.0.1:50051", ca, service;
  int timeout_ms = 3000;
  auto* health = app.add_subcommand("healthcheck", "Exit 0 if the server reports SERVING");
  health->add_option("--target", target, "HOST:PORT (default 127.0.0.1:50051)");
  health->add_option("--ca", ca, "PEM CA bundle: use TLS");
  health->add_option("--service", service, "Service name (default: the whole server)");
  health->add_option("--timeout-ms", timeout_ms, "Deadline (default 3000)");
  health->callback([&] { status = run_healthcheck(target, ca, service, timeout_ms); });

  auto* hash = app.add_subcommand("hash-token",
                                  "Print the sha256 (for [[tokens]]) of the token read on stdin");
  hash->callback([&] {
    std::string token;
    std::getline(std::cin, token);
    if (token.empty()) {
      status = report(skylane::make_error("USAGE", "no token on stdin"));
      return;
    }
    std::cout << svc::sha256_hex(token) << "\n";
  });
  auto* gen = app.add_subcommand("generate-token",
                                 "Print a new random token and, on the next line, its sha256");
  gen->callback([&] {
    auto t = svc::generate_token();
    if (!t) {
      status = report(t.error());
      return;
    }
    std::cout << *t << "\n" << svc::sha256_hex(*t) << "\n";
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : ec::kUsage;
  }
  return status;
}
