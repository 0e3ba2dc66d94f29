// Prometheus metrics of skylaned (text exposition format 0.0.4) and a minimal HTTP server for
// GET /metrics over a POSIX socket (prometheus-cpp is not packaged in Debian 12).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "skylane/core/error.hpp"

namespace skylane::service {

/// Cumulative histogram with fixed bucket bounds in seconds.
struct Histogram {
  static constexpr std::array<double, 14> kBoundsS = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0};
  std::array<std::uint64_t, kBoundsS.size()> buckets{};  ///< non-cumulative counts per bound
  std::uint64_t count = 0;
  double sum_s = 0.0;
  void observe(double seconds);
};

/// Thread-safe (one mutex; a few hundred ns per RPC).
class Metrics {
 public:
  /// One finished RPC: counts skylane_rpc_total{method,code} and the latency histogram.
  void record_rpc(const std::string& method, const std::string& code, double seconds);
  /// One mission plan (submit or replan) wall time.
  void record_plan(double seconds);
  /// Text appended to every scrape (gauges computed on demand, e.g. missions by state).
  void set_gauge_source(std::function<std::string()> source);
  /// The whole exposition text.
  [[nodiscard]] std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> rpc_total_;
  std::map<std::string, Histogram> rpc_latency_;
  Histogram plan_time_;
  std::function<std::string()> gauges_;
};

/// Serves GET /metrics (and 404 for anything else) on its own thread, one connection at a time
/// with a 2 s I/O timeout per client, so a slow scraper cannot block the service.
class MetricsHttpServer {
 public:
  /// listen = "HOST:PORT" (IPv4 literal or localhost; port 0 picks one). Errors:
  /// CONFIG_INVALID_VALUE (unparsable address), SERVER_START_FAILED (bind / listen).
  [[nodiscard]] static Result<std::unique_ptr<MetricsHttpServer>> start(const std::string& listen,
                                                                        const Metrics& metrics);
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  /// Stops accepting and joins the thread (also done by the destructor).
  void stop();

 private:
  MetricsHttpServer(int fd, int port, const Metrics& metrics);
  void run();
  int fd_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};
  const Metrics& metrics_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace skylane::service
