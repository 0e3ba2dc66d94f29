#include "skylane/service/metrics.hpp"

#include <cerrno>
#include <cstring>
#include <sstream>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace skylane::service {
namespace {

std::string fmt_double(double v) {
  std::ostringstream os;
  os.precision(9);
  os << v;
  return os.str();
}

void write_histogram(std::ostringstream& os, const std::string& name, const std::string& labels,
                     const Histogram& h) {
  std::uint64_t cumulative = 0;
  const std::string sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < Histogram::kBoundsS.size(); ++i) {
    cumulative += h.buckets[i];
    os << name << "_bucket{" << labels << sep << "le=\"" << fmt_double(Histogram::kBoundsS[i])
       << "\"} " << cumulative << "\n";
  }
  os << name << "_bucket{" << labels << sep << "le=\"+Inf\"} " << h.count << "\n";
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  os << name << "_sum" << braces << " " << fmt_double(h.sum_s) << "\n";
  os << name << "_count" << braces << " " << h.count << "\n";
}

bool send_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

void Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < kBoundsS.size(); ++i) {
    if (seconds <= kBoundsS[i]) {
      ++buckets[i];
      break;
    }
  }
  ++count;
  sum_s += seconds;
}

void Metrics::record_rpc(const std::string& method, const std::string& code, double seconds) {
  std::lock_guard lock(mutex_);
  ++rpc_total_[{method, code}];
  rpc_latency_[method].observe(seconds);
}

void Metrics::record_plan(double seconds) {
  std::lock_guard lock(mutex_);
  plan_time_.observe(seconds);
}

void Metrics::set_gauge_source(std::function<std::string()> source) {
  std::lock_guard lock(mutex_);
  gauges_ = std::move(source);
}

std::string Metrics::render() const {
  std::ostringstream os;
  std::function<std::string()> gauges;
  {
    std::lock_guard lock(mutex_);
    os << "# HELP skylane_rpc_total gRPC calls handled, by method and status code.\n";
    os << "# TYPE skylane_rpc_total counter\n";
    for (const auto& [key, n] : rpc_total_) {
      os << "skylane_rpc_total{method=\"" << key.first << "\",code=\"" << key.second << "\"} " << n
         << "\n";
    }
    os << "# HELP skylane_rpc_duration_seconds gRPC call latency, by method.\n";
    os << "# TYPE skylane_rpc_duration_seconds histogram\n";
    for (const auto& [method, h] : rpc_latency_) {
      write_histogram(os, "skylane_rpc_duration_seconds", "method=\"" + method + "\"", h);
    }
    os << "# HELP skylane_plan_duration_seconds Wall time of mission plans.\n";
    os << "# TYPE skylane_plan_duration_seconds histogram\n";
    write_histogram(os, "skylane_plan_duration_seconds", "", plan_time_);
    gauges = gauges_;
  }
  if (gauges) os << gauges();
  return os.str();
}

Result<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::start(const std::string& listen,
                                                                    const Metrics& metrics) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return fail("CONFIG_INVALID_VALUE", "metrics_listen '" + listen + "': expected HOST:PORT");
  }
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  if (host == "localhost") host = "127.0.0.1";
  if (host.empty()) host = "0.0.0.0";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535 ||
      ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return fail("CONFIG_INVALID_VALUE",
                "metrics_listen '" + listen + "': expected IPV4:PORT or localhost:PORT");
  }
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("SERVER_START_FAILED", std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    const std::string m = std::strerror(errno);
    ::close(fd);
    return fail("SERVER_START_FAILED", "metrics_listen '" + listen + "': " + m);
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(fd, ntohs(addr.sin_port), metrics));
}

MetricsHttpServer::MetricsHttpServer(int fd, int port, const Metrics& metrics)
    : fd_(fd), port_(port), metrics_(metrics) {
  if (::pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
  thread_ = std::thread([this] { run(); });
}

MetricsHttpServer::~MetricsHttpServer() { stop(); }

void MetricsHttpServer::stop() {
  if (stopping_.exchange(true)) return;
  if (wake_[1] >= 0) {
    const char c = 'x';
    (void)!::write(wake_[1], &c, 1);
  }
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
  if (wake_[0] >= 0) ::close(wake_[0]);
  if (wake_[1] >= 0) ::close(wake_[1]);
}

void MetricsHttpServer::run() {
  while (!stopping_.load()) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    const int n = ::poll(fds, wake_[0] >= 0 ? 2 : 1, 1000);
    if (n <= 0 || !(fds[0].revents & POLLIN)) continue;
    const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    timeval tv{2, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::string request;
    char buf[2048];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 8192) {
      const ssize_t r = ::recv(c, buf, sizeof buf, 0);
      if (r <= 0) break;
      request.append(buf, static_cast<std::size_t>(r));
    }
    const auto line_end = request.find("\r\n");
    const std::string line = request.substr(0, line_end);
    std::string response;
    if (line.rfind("GET /metrics ", 0) == 0 || line == "GET /metrics") {
      const std::string body = metrics_.render();
      response =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    } else {
      const std::string body = "only GET /metrics is served here\n";
      response = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }
    send_all(c, response);
    ::close(c);
  }
}

}  // namespace skylane::service
