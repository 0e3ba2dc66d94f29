// skylaned: the gRPC dispatch service over dispatch::Dispatcher (missions, airspace, reference
// data), with the standard health service, reflection, bearer-token auth, Prometheus /metrics
// and graceful shutdown. No gRPC type appears here; tools/skylaned is a thin CLI over it.
#pragma once

#include <memory>
#include <string>

#include "skylane/core/error.hpp"
#include "skylane/service/service_config.hpp"

namespace skylane::service {

/// Configures the process-wide spdlog logger on stderr: level and "text" / "json" lines (UTC).
void setup_logging(const std::string& level, const std::string& format);

class Server {
 public:
  /// Binds the gRPC port (health NOT_SERVING) and /metrics, writes the port file, then loads
  /// the map, the catalogue and the journal and builds the dispatcher; health turns SERVING
  /// when this returns. Without configured tokens it generates a local token (loopback only;
  /// validate_config refuses otherwise) and writes it to config.token_file (mode 0600).
  /// Errors: CONFIG_INVALID_VALUE, SERVER_START_FAILED (port in use, bad TLS files), those of
  /// read_airspace, load_vehicle_catalogue, SqliteJournal::open and Dispatcher::create.
  [[nodiscard]] static Result<std::unique_ptr<Server>> start(ServiceConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  [[nodiscard]] int grpc_port() const;
  [[nodiscard]] int metrics_port() const;  ///< 0 when /metrics is disabled

  /// Graceful stop, callable from any thread, idempotent: health NOT_SERVING, stop accepting,
  /// open streams end, in-flight RPCs get limits.shutdown_grace_ms to finish (then plans are
  /// cancelled), the background thread stops and the journal is closed.
  void shutdown();
  /// Blocks until shutdown() has completed.
  void wait();

  struct Impl;  ///< opaque (public so the service implementations in server.cpp can name it)

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace skylane::service
