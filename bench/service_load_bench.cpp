// Load benchmark of skylaned (issue 5 §7): N concurrent client threads, each with its own gRPC
// channel, submit missions over loopback to a real skylaned child process on the default map
// for a fixed time. Reports accepted submits per second, p50 / p99 latency, accepted vs
// rejected, and the conflicts the independent checker finds among all accepted plans (must be
// 0). Target on the 2-core CI machine: >= 500 accepted/s with 8 clients, p99 < 100 ms.
//   service_load_bench [--skylane_clients=8] [--skylane_seconds=10] [--skylane_mode=plan|resubmit]
#include <algorithm>
#include <atomic>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>

#include "service_harness.hpp"
#include <benchmark/benchmark.h>

namespace {

using namespace skylane::testing;

int g_clients = 8;
double g_seconds = 10.0;
// "plan": every submit is a new mission (the real load). "resubmit": each client repeats one
// request_id, so skylaned answers from the mission book without planning: the cost of gRPC,
// auth, idempotency lookup and encoding alone, i.e. the service's ceiling.
std::string g_mode = "plan";

// Short and long legs among hubs and relays (all open 24 h), departures spread over the day.
const std::vector<std::pair<std::string, std::string>> kPairs = {
    {"Huaqiangbei hub (SEG Plaza)", "Buji relay"},
    {"Buji relay", "Pinghu relay"},
    {"Pinghu relay", "Huaqiangbei hub (SEG Plaza)"},
    {"Buji relay", "Huaqiangbei hub (SEG Plaza)"},
    {"Pinghu relay", "Buji relay"},
    {"Huaqiangbei hub (SEG Plaza)", "Pinghu relay"},
    {"Qingxi relay", "Xiegang relay"},
    {"Xiegang relay", "Qingxi relay"},
    {"Huaqiangbei hub (SEG Plaza)", "Boluo county hub (Luoyang)"},
};

void BM_ServiceLoad(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  ServerProcess server("[limits]\ndefault_deadline_ms = 30000\n");
  const std::string err = server.start();
  if (!err.empty()) {
    state.SkipWithError(err.c_str());
    return;
  }
  const TestTokens tok = server.tokens();
  std::vector<double> latencies_ms;
  std::atomic<std::int64_t> accepted{0}, rejected{0}, errors{0};
  std::mutex mu;
  double wall_s = 0;
  for (auto _ : state) {
    const auto t_depart = now_unix_ms() + 10 * 60'000;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < clients; ++k) {
      threads.emplace_back([&, k] {
        auto stub = pb::MissionService::NewStub(server.channel());
        const std::string& token = k % 2 ? tok.beta : tok.alpha;
        std::vector<double> local;
        const bool resubmit = g_mode == "resubmit";
        const std::string rid = "bench-" + std::to_string(k);
        for (int i = 0; !stop.load(); ++i) {
          const auto& pr = kPairs[(k * 7 + (resubmit ? 0 : i)) % kPairs.size()];
          // Departures spread over 12 h so the pads are not the bottleneck.
          const auto depart = t_depart + ((k * 1009 + i * 97) % 720) * 60'000;
          auto ctx = context_with(&token, std::chrono::seconds(60));
          pb::Mission m;
          const auto s0 = std::chrono::steady_clock::now();
          const auto st = stub->SubmitMission(
              ctx.get(), submit_request(pr.first, pr.second, 1.0, depart, resubmit ? rid : ""), &m);
          local.push_back(
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s0)
                  .count());
          if (!st.ok()) {
            ++errors;
          } else if (m.state() == pb::MISSION_STATE_PLANNED) {
            ++accepted;
          } else {
            ++rejected;
          }
        }
        std::lock_guard lock(mu);
        latencies_ms.insert(latencies_ms.end(), local.begin(), local.end());
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(g_seconds));
    stop.store(true);
    for (auto& t : threads) t.join();
    wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    if (latencies_ms.empty()) return 0.0;
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<std::size_t>(p * latencies_ms.size()))];
  };
  auto stub = pb::MissionService::NewStub(server.channel());
  auto reference = pb::ReferenceService::NewStub(server.channel());
  const ConflictAudit audit = audit_conflicts(*stub, *reference, tok.authority);
  if (!audit.error.empty()) state.SkipWithError(audit.error.c_str());
  if (g_mode == "plan") {
    state.counters["accepted_per_s"] = accepted.load() / wall_s;
  }
  state.counters["submits_per_s"] = (accepted + rejected + errors) / wall_s;
  state.counters["accepted"] = static_cast<double>(accepted.load());
  state.counters["rejected"] = static_cast<double>(rejected.load());
  state.counters["errors"] = static_cast<double>(errors.load());
  state.counters["p50_ms"] = pct(0.50);
  state.counters["p99_ms"] = pct(0.99);
  state.counters["conflicts"] = audit.violations;
  state.counters["audited_plans"] = audit.planned;
  if (audit.violations > 0) state.SkipWithError("accepted plans conflict");
  server.kill(SIGTERM);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--skylane_clients=", 18) == 0) {
      g_clients = std::atoi(argv[i] + 18);
    } else if (std::strncmp(argv[i], "--skylane_mode=", 15) == 0) {
      g_mode = argv[i] + 15;
    } else if (std::strncmp(argv[i], "--skylane_seconds=", 18) == 0) {
      g_seconds = std::atof(argv[i] + 18);
    } else {
      rest.push_back(argv[i]);
    }
  }
  benchmark::RegisterBenchmark(("ServiceLoad/" + g_mode + "/clients").c_str(), BM_ServiceLoad)
      ->Arg(g_clients)
      ->Iterations(1)
      ->Unit(benchmark::kSecond)
      ->UseRealTime();
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
