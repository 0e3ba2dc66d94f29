#include "skylane/sim/simulator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "skylane/sim/event_queue.hpp"

namespace skylane::sim {

const char* drone_state_name(DroneState s) {
  static constexpr const char* kNames[kDroneStateCount] = {
      "idle",      "waiting_pad", "loading",         "flying",  "ferrying",
      "unloading", "swapping",    "waiting_charger", "charging"};
  return kNames[static_cast<int>(s)];
}

namespace {

enum Kind : std::uint32_t {
  kRelease = 0,  // subject = delivery index
  kRestriction,  // subject = restriction index
  kWaitTimeout,  // subject = delivery index
  kTakeoff,      // subject = drone, tag = packed (job, version, leg)
  kLanding,      // subject = drone, tag = packed (job, version, leg)
  kUnloadDone,   // subject = drone, tag = job
  kServiceDone,  // subject = drone, tag = 1 if a charger is released
  kPackCharged,  // subject = vertiport
  kRetryHome,    // subject = drone
};

std::uint64_t pack(std::size_t job, std::uint64_t version, std::size_t leg) {
  return (static_cast<std::uint64_t>(job) << 32) | ((version & 0xFFFFFF) << 8) | (leg & 0xFF);
}

struct Drone {
  int id = 0;
  const vehicle::VehicleClass* vc = nullptr;
  int home = 0;
  int at = 0;  // vertiport index, -1 when airborne
  DroneState state = DroneState::kIdle;
  std::int64_t since = 0;
  double soc = 1.0;
  int job = -1;     // job in hand
  int serve = -1;   // delivery a ferry is repositioning for
  int pad_at = -1;  // vertiport whose pad it holds
  std::int64_t home_retry_after = 0;
  DroneOutcome out;
};

struct ChargeJob {
  int drone = -1;  // -1 = a swapped-out pack
  double duration_s = 0.0;
  std::int64_t queued = 0;
};

struct Vport {
  VertiportOutcome out;
  int pads_busy = 0;
  std::deque<std::pair<int, std::int64_t>> pad_queue;  // drone, since
  int chargers_busy = 0;
  std::deque<ChargeJob> charger_queue;
  int stock = 0;
  std::int64_t last = 0;
};

struct Job {
  JobOutcome out;
  std::uint64_t version = 0;
  int serves = -1;  // ferry: the delivery it repositions for
  std::int64_t pad_queued = 0;
};

class Model {
 public:
  Model(const Scenario& s, const airspace::Airspace& a, const vehicle::VehicleCatalogue& c,
        const std::vector<MissionRecord>& missions, MissionPort& port, const SimOptions& o)
      : s_(s), airspace_(a), catalogue_(c), port_(port), opt_(o) {
    for (std::size_t i = 0; i < a.vertiports().size(); ++i) {
      const auto& v = a.vertiports()[i];
      index_[v.name] = static_cast<int>(i);
      Vport p;
      p.out.name = v.name;
      p.out.x_m = v.x_m;
      p.out.y_m = v.y_m;
      p.out.lon_deg = v.lon_deg;
      p.out.lat_deg = v.lat_deg;
      p.out.pads = std::max(1, v.pads);
      p.out.chargers = v.chargers;
      p.out.battery_stock = v.battery_stock;
      p.out.battery_swap = v.battery_swap;
      vports_.push_back(p);
    }
    for (const auto& ov : s.vertiports) {
      auto it = index_.find(ov.name);
      if (it == index_.end()) continue;  // checked by the caller
      auto& p = vports_[static_cast<std::size_t>(it->second)].out;
      if (ov.pads) p.pads = *ov.pads;
      if (ov.chargers) p.chargers = *ov.chargers;
      if (ov.battery_stock) p.battery_stock = *ov.battery_stock;
    }
    for (auto& p : vports_) {
      p.stock = p.out.battery_stock;
      p.out.min_stock = p.stock;
    }
    for (const auto& g : s.fleet) {
      for (int i = 0; i < g.count; ++i) {
        Drone d;
        d.id = static_cast<int>(drones_.size());
        d.vc = c.find(g.vehicle_class);
        d.home = d.at = index_.at(g.home);
        d.since = s.start_unix_ms;
        d.out.id = d.id;
        d.out.vehicle_class = g.vehicle_class;
        d.out.home = g.home;
        by_class_[g.vehicle_class].push_back(d.id);
        if (std::find(fleet_classes_.begin(), fleet_classes_.end(), g.vehicle_class) ==
            fleet_classes_.end()) {
          fleet_classes_.push_back(g.vehicle_class);
        }
        drones_.push_back(d);
      }
    }
    idle_ = static_cast<int>(drones_.size());
    // "any" missions: the preference list if given (only those classes), else fleet order.
    class_order_ = s.policy.class_preference.empty() ? fleet_classes_ : s.policy.class_preference;
    for (const auto& m : missions) {
      Job j;
      j.out.record = m;
      jobs_.push_back(std::move(j));
    }
    deliveries_ = jobs_.size();
  }

  Result<SimResult> run() {
    const std::int64_t end_ms = s_.duration_ms;
    for (std::size_t i = 0; i < deliveries_; ++i) {
      engine_.at(jobs_[i].out.record.release_unix_ms - s_.start_unix_ms, kRelease,
                 static_cast<std::uint32_t>(i));
    }
    for (std::size_t i = 0; i < s_.restrictions.size(); ++i) {
      engine_.at(std::max<std::int64_t>(0, s_.restrictions[i].announce_unix_ms - s_.start_unix_ms),
                 kRestriction, static_cast<std::uint32_t>(i));
    }
    std::int64_t last_advance = -1;
    std::int64_t next_progress = 0;
    const std::int64_t horizon = end_ms + opt_.drain_ms;
    auto handler = [&](const Event& e) {
      if (e.time_ms != last_advance) {
        last_advance = e.time_ms;
        core_events_ += port_.advance(now()).size();
      }
      if (opt_.progress && e.time_ms >= next_progress) {
        opt_.progress(std::min(1.0, static_cast<double>(e.time_ms) / static_cast<double>(end_ms)));
        next_progress = e.time_ms + 60'000;
      }
      handle(e);
    };
    engine_.run_until(horizon, handler);
    if (!error_.message.empty()) return tl::unexpected(error_);
    return finish();
  }

 private:
  std::int64_t now() const { return s_.start_unix_ms + engine_.now_ms(); }
  std::int64_t to_sim(std::int64_t unix_ms) const { return unix_ms - s_.start_unix_ms; }

  void handle(const Event& e) {
    switch (e.kind) {
      case kRelease:
        return on_release(e.subject);
      case kRestriction:
        return on_restriction(e.subject);
      case kWaitTimeout:
        return on_timeout(e.subject);
      case kTakeoff:
      case kLanding: {
        const std::size_t job = static_cast<std::size_t>(e.tag >> 32);
        const std::uint64_t version = (e.tag >> 8) & 0xFFFFFF;
        const std::size_t leg = e.tag & 0xFF;
        Drone& d = drones_[e.subject];
        if (d.job != static_cast<int>(job) || (jobs_[job].version & 0xFFFFFF) != version) return;
        return e.kind == kTakeoff ? on_takeoff(d, job, leg) : on_landing(d, job, leg);
      }
      case kUnloadDone:
        return on_unloaded(drones_[e.subject]);
      case kServiceDone:
        return on_service_done(drones_[e.subject], e.tag == 1);
      case kPackCharged:
        return on_pack_charged(static_cast<int>(e.subject));
      case kRetryHome:
        return maybe_return_home(drones_[e.subject]);
      default:
        return;
    }
  }

  // --- bookkeeping --------------------------------------------------------------------------
  void set_state(Drone& d, DroneState st) {
    d.out.ms_in_state[static_cast<int>(d.state)] += now() - d.since;
    if (d.state == DroneState::kIdle) --idle_;
    if (st == DroneState::kIdle) ++idle_;
    d.state = st;
    d.since = now();
  }
  void touch(Vport& v) {
    const std::int64_t dt = now() - v.last;
    if (dt > 0) {
      v.out.pad_busy_ms += dt * v.pads_busy;
      v.out.charger_busy_ms += dt * v.chargers_busy;
      v.out.pad_queue_ms += dt * static_cast<std::int64_t>(v.pad_queue.size());
      v.out.charger_queue_ms += dt * static_cast<std::int64_t>(v.charger_queue.size());
    }
    v.last = now();
  }
  int vport_of(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? -1 : it->second;
  }
  double distance(int a, int b) const {
    const auto& p = vports_[static_cast<std::size_t>(a)].out;
    const auto& q = vports_[static_cast<std::size_t>(b)].out;
    return std::hypot(p.x_m - q.x_m, p.y_m - q.y_m);
  }

  // --- releases and assignment --------------------------------------------------------------
  std::vector<std::string> classes_for(const MissionRecord& r) const {
    std::vector<std::string> out;
    if (r.vehicle_class != "any") {
      if (by_class_.count(r.vehicle_class)) out.push_back(r.vehicle_class);
      return out;
    }
    for (const auto& cls : class_order_) {
      const auto* vc = catalogue_.find(cls);
      if (vc && vc->max_payload_kg >= r.payload_kg && by_class_.count(cls)) out.push_back(cls);
    }
    return out;
  }

  void on_release(std::size_t m) {
    Job& j = jobs_[m];
    if (classes_for(j.out.record).empty()) {
      return reject(m, "NO_CLASS_FOR_PAYLOAD");
    }
    waiting_.insert({-j.out.record.priority, j.out.record.release_unix_ms, m});
    engine_.at(to_sim(now()) + static_cast<std::int64_t>(s_.policy.max_wait_s * 1000.0),
               kWaitTimeout, static_cast<std::uint32_t>(m));
    request_dispatch();
  }

  void on_timeout(std::size_t m) {
    Job& j = jobs_[m];
    auto it = waiting_.find({-j.out.record.priority, j.out.record.release_unix_ms, m});
    if (it == waiting_.end()) return;
    if (now() - j.out.record.release_unix_ms <
        static_cast<std::int64_t>(s_.policy.max_wait_s * 1000.0)) {
      return;  // re-queued after a lost ferry: a later timeout event covers it
    }
    waiting_.erase(it);
    reject(m, "NO_DRONE_AVAILABLE");
  }

  void reject(std::size_t m, const std::string& reason) {
    Job& j = jobs_[m];
    j.out.state = "REJECTED";
    j.out.reason = reason;
  }

  void request_dispatch() {
    if (dispatching_) {
      dirty_ = true;
      return;
    }
    dispatching_ = true;
    do {
      dirty_ = false;
      dispatch_pass();
    } while (dirty_);
    dispatching_ = false;
  }

  void dispatch_pass() {
    if (idle_ == 0 || waiting_.empty()) return;
    const std::vector<std::tuple<int, std::int64_t, std::size_t>> order(waiting_.begin(),
                                                                        waiting_.end());
    for (const auto& key : order) {
      if (idle_ == 0) return;
      if (!waiting_.count(key)) continue;
      const std::size_t m = std::get<2>(key);
      const int d = pick(jobs_[m].out.record);
      if (d < 0) continue;
      waiting_.erase(key);
      assign(m, drones_[static_cast<std::size_t>(d)]);
    }
  }

  int pick(const MissionRecord& r) const {
    const int origin = vport_of(r.origin);
    for (const auto& cls : classes_for(r)) {
      int best = -1;
      double best_d = 0.0;
      for (int id : by_class_.at(cls)) {
        const Drone& d = drones_[static_cast<std::size_t>(id)];
        if (d.state != DroneState::kIdle) continue;
        if (s_.policy.assign == "at_origin" && d.at != origin) continue;
        const double dist = distance(d.at, origin);
        if (best < 0 || dist < best_d) {
          best = id;
          best_d = dist;
        }
      }
      if (best >= 0) return best;
    }
    return -1;
  }

  void assign(std::size_t m, Drone& d) {
    Job& j = jobs_[m];
    j.out.drone = d.id;
    j.out.assigned_unix_ms = now();
    j.out.vehicle_class = d.vc->name;
    j.out.state = "ASSIGNED";
    const int origin = vport_of(j.out.record.origin);
    if (d.at == origin) {
      begin_loading(d, m);
    } else {
      set_state(d, DroneState::kFerrying);  // leaves the idle pool before any callback
      if (!ferry(d, origin, static_cast<int>(m))) {
        reject(m, "REPOSITION_" + jobs_.back().out.reason);
        to_idle(d);
      }
    }
  }

  // A repositioning flight from where the drone stands to `target`. False if not planned.
  bool ferry(Drone& d, int target, int serves) {
    Job f;
    f.out.ferry = true;
    char id[32];
    std::snprintf(id, sizeof id, "F%06zu", ++ferry_count_);
    f.out.record.id = id;
    f.out.record.release_unix_ms = now();
    f.out.record.origin = vports_[static_cast<std::size_t>(d.at)].out.name;
    f.out.record.destination = vports_[static_cast<std::size_t>(target)].out.name;
    f.out.record.payload_kg = s_.policy.ferry_payload_kg;
    f.out.record.deadline_unix_ms = now();
    f.out.record.vehicle_class = d.vc->name;
    f.out.vehicle_class = d.vc->name;
    f.out.drone = d.id;
    f.out.assigned_unix_ms = now();
    f.serves = serves;
    jobs_.push_back(std::move(f));
    const std::size_t fj = jobs_.size() - 1;
    if (!submit(fj, now())) return false;
    set_state(d, DroneState::kFerrying);
    d.job = static_cast<int>(fj);
    d.serve = serves;
    return true;
  }

  void begin_loading(Drone& d, std::size_t m) {
    d.job = static_cast<int>(m);
    Vport& v = vports_[static_cast<std::size_t>(d.at)];
    touch(v);
    if (v.pads_busy < v.out.pads) {
      ++v.pads_busy;
      d.pad_at = d.at;
      v.out.pad_waits_ms.push_back(0);
      return on_pad_granted(d);
    }
    set_state(d, DroneState::kWaitingPad);
    v.pad_queue.emplace_back(d.id, now());
    v.out.pad_queue_max = std::max(v.out.pad_queue_max, static_cast<int>(v.pad_queue.size()));
  }

  void release_pad(Drone& d) {
    if (d.pad_at < 0) return;
    Vport& v = vports_[static_cast<std::size_t>(d.pad_at)];
    d.pad_at = -1;
    touch(v);
    --v.pads_busy;
    while (!v.pad_queue.empty() && v.pads_busy < v.out.pads) {
      const auto [next, since] = v.pad_queue.front();
      v.pad_queue.pop_front();
      ++v.pads_busy;
      Drone& n = drones_[static_cast<std::size_t>(next)];
      n.pad_at = n.at;
      v.out.pad_waits_ms.push_back(now() - since);
      jobs_[static_cast<std::size_t>(n.job)].out.pad_wait_ms += now() - since;
      on_pad_granted(n);
    }
  }

  void on_pad_granted(Drone& d) {
    set_state(d, DroneState::kLoading);
    const std::size_t m = static_cast<std::size_t>(d.job);
    const std::int64_t depart = now() + static_cast<std::int64_t>(s_.policy.loading_s * 1000.0);
    if (!submit(m, depart)) {
      release_pad(d);
      d.job = -1;
      to_idle(d);
    }
  }

  // Plans job j through the core; false (job REJECTED with the reason) if it was not planned.
  bool submit(std::size_t j, std::int64_t earliest_departure_unix_ms) {
    Job& job = jobs_[j];
    dispatch::MissionRequest r;
    r.operator_id = "sim";
    r.request_id = job.out.record.id;
    r.origin.vertiport = job.out.record.origin;
    r.destination.vertiport = job.out.record.destination;
    r.payload_kg = job.out.record.payload_kg;
    r.vehicle_class = job.out.vehicle_class;
    r.earliest_departure_unix_ms = earliest_departure_unix_ms;
    r.priority = job.out.record.priority;
    const auto t0 = std::chrono::steady_clock::now();
    auto res = port_.submit(r);
    job.out.submit_wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!res) {
      job.out.state = "REJECTED";
      job.out.reason = res.error().reason;
      job.out.reason_text = res.error().message;
      return false;
    }
    job.out.dispatch_id = res->id;
    by_dispatch_id_[res->id] = j;
    if (res->state != dispatch::MissionState::kPlanned || !res->plan || res->plan->legs.empty()) {
      job.out.state = "REJECTED";
      job.out.reason = res->reason.empty() ? "NOT_PLANNED" : res->reason;
      job.out.reason_text = res->reason_text;
      return false;
    }
    job.out.state = "PLANNED";
    take_plan(j, *res->plan);
    return true;
  }

  void take_plan(std::size_t j, const dispatch::MissionPlan& plan) {
    Job& job = jobs_[j];
    job.out.legs = plan.legs;
    job.out.stops = plan.stops;
    job.out.departure_unix_ms = plan.departure_unix_ms;
    job.out.arrival_unix_ms = plan.arrival_unix_ms;
    job.out.distance_m = plan.distance_m;
    job.out.energy_wh = plan.energy_wh;
    ++job.version;
    const auto drone = static_cast<std::uint32_t>(job.out.drone);
    for (std::size_t i = 0; i < plan.legs.size(); ++i) {
      engine_.at(to_sim(plan.legs[i].departure_unix_ms), kTakeoff, drone, pack(j, job.version, i));
      engine_.at(to_sim(plan.legs[i].arrival_unix_ms), kLanding, drone, pack(j, job.version, i));
    }
  }

  // --- flight -------------------------------------------------------------------------------
  void on_takeoff(Drone& d, std::size_t j, std::size_t leg) {
    Job& job = jobs_[j];
    if (leg == 0) job.out.state = "FLYING";
    release_pad(d);
    if (d.at >= 0) {
      Vport& v = vports_[static_cast<std::size_t>(d.at)];
      ++v.out.departures;
    }
    d.at = -1;
    if (!job.out.ferry) set_state(d, DroneState::kFlying);
  }

  void on_landing(Drone& d, std::size_t j, std::size_t leg) {
    Job& job = jobs_[j];
    const auto& l = job.out.legs[leg];
    const int vp = vport_of(l.to);
    d.at = vp >= 0 ? vp : d.home;  // legs end at vertiports (the simulator submits no points)
    Vport& v = vports_[static_cast<std::size_t>(d.at)];
    ++v.out.arrivals;
    d.soc = l.battery_fraction_at_landing;
    d.out.energy_wh += l.energy_wh;
    const bool last = leg + 1 == job.out.legs.size();
    if (!last) {
      take_pad_on_landing(d, v);
      if (leg < job.out.stops.size() && job.out.stops[leg].service == "swap") {
        swap_pack(v, d.soc);
        d.soc = 1.0;
      }
      return;
    }
    if (job.out.ferry) {
      job.out.state = "COMPLETED";
      job.out.completed_unix_ms = now();
      ++d.out.ferries;
      d.job = -1;
      return recharge(d);
    }
    take_pad_on_landing(d, v);
    set_state(d, DroneState::kUnloading);
    engine_.at(to_sim(now()) + static_cast<std::int64_t>(s_.policy.unloading_s * 1000.0),
               kUnloadDone, static_cast<std::uint32_t>(d.id), j);
  }

  void take_pad_on_landing(Drone& d, Vport& v) {
    touch(v);
    if (v.pads_busy >= v.out.pads) ++v.out.pad_overflows;
    ++v.pads_busy;
    d.pad_at = d.at;
  }

  void on_unloaded(Drone& d) {
    if (d.job < 0) return;
    Job& job = jobs_[static_cast<std::size_t>(d.job)];
    job.out.state = "COMPLETED";
    job.out.completed_unix_ms = now();
    ++d.out.deliveries;
    d.job = -1;
    release_pad(d);
    recharge(d);
  }

  // --- energy -------------------------------------------------------------------------------
  void swap_pack(Vport& v, double soc) {
    ++v.out.swaps;
    if (v.stock > 0) {
      --v.stock;
      v.out.min_stock = std::min(v.out.min_stock, v.stock);
    } else {
      ++v.out.stockouts;
    }
    request_charger(v, ChargeJob{-1, charge_s(soc), now()});
  }

  double charge_s(double soc) const {
    // Every class in the catalogue shares the default charge time; use the slowest so a
    // pack of any class is covered.
    double t = 0.0;
    for (const auto& e : catalogue_.entries()) t = std::max(t, e.vehicle.charge_time_s);
    return std::max(0.0, 1.0 - soc) * t;
  }

  void recharge(Drone& d) {
    if (d.soc >= 0.98) return after_recharge(d);
    Vport& v = vports_[static_cast<std::size_t>(d.at)];
    if (v.out.battery_swap && v.stock > 0) {
      swap_pack(v, d.soc);
      set_state(d, DroneState::kSwapping);
      engine_.at(to_sim(now()) + static_cast<std::int64_t>(d.vc->swap_time_s * 1000.0),
                 kServiceDone, static_cast<std::uint32_t>(d.id), 0);
      return;
    }
    if (v.out.battery_swap) ++v.out.stockouts;
    const double dur = std::max(0.0, 1.0 - d.soc) * d.vc->charge_time_s;
    if (v.out.chargers == 0) {  // no charger: charged in place on a plug of the pad area
      set_state(d, DroneState::kCharging);
      engine_.at(to_sim(now()) + static_cast<std::int64_t>(dur * 1000.0), kServiceDone,
                 static_cast<std::uint32_t>(d.id), 0);
      return;
    }
    set_state(d, DroneState::kWaitingCharger);
    request_charger(v, ChargeJob{d.id, dur, now()});
  }

  void request_charger(Vport& v, ChargeJob job) {
    touch(v);
    if (v.out.chargers == 0) {  // packs charged off-site
      const int vi = static_cast<int>(&v - vports_.data());
      engine_.at(to_sim(now()) + static_cast<std::int64_t>(job.duration_s * 1000.0), kPackCharged,
                 static_cast<std::uint32_t>(vi), 0);
      ++v.chargers_busy;  // balanced by on_pack_charged
      return;
    }
    if (v.chargers_busy < v.out.chargers) {
      ++v.chargers_busy;
      return start_charge(v, job);
    }
    v.charger_queue.push_back(job);
    v.out.charger_queue_max =
        std::max(v.out.charger_queue_max, static_cast<int>(v.charger_queue.size()));
  }

  void start_charge(Vport& v, const ChargeJob& job) {
    v.out.charger_waits_ms.push_back(now() - job.queued);
    const std::int64_t done = to_sim(now()) + static_cast<std::int64_t>(job.duration_s * 1000.0);
    if (job.drone < 0) {
      const int vi = static_cast<int>(&v - vports_.data());
      engine_.at(done, kPackCharged, static_cast<std::uint32_t>(vi), 0);
    } else {
      Drone& d = drones_[static_cast<std::size_t>(job.drone)];
      set_state(d, DroneState::kCharging);
      engine_.at(done, kServiceDone, static_cast<std::uint32_t>(d.id), 1);
    }
  }

  void release_charger(Vport& v) {
    touch(v);
    --v.chargers_busy;
    if (!v.charger_queue.empty() && v.chargers_busy < v.out.chargers) {
      const ChargeJob next = v.charger_queue.front();
      v.charger_queue.pop_front();
      ++v.chargers_busy;
      start_charge(v, next);
    }
  }

  void on_pack_charged(int vi) {
    Vport& v = vports_[static_cast<std::size_t>(vi)];
    ++v.stock;
    release_charger(v);
  }

  void on_service_done(Drone& d, bool charger) {
    d.soc = 1.0;
    if (charger) release_charger(vports_[static_cast<std::size_t>(d.at)]);
    after_recharge(d);
  }

  void after_recharge(Drone& d) {
    if (d.serve >= 0) {
      const std::size_t m = static_cast<std::size_t>(d.serve);
      d.serve = -1;
      if (jobs_[m].out.state == "ASSIGNED" && jobs_[m].out.drone == d.id) {
        return begin_loading(d, m);
      }
    }
    to_idle(d);
  }

  void to_idle(Drone& d) {
    d.job = -1;
    set_state(d, DroneState::kIdle);
    request_dispatch();
    maybe_return_home(d);
  }

  void maybe_return_home(Drone& d) {
    if (d.state != DroneState::kIdle || s_.policy.after_delivery != "return_home") return;
    if (d.at == d.home || d.at < 0 || now() < d.home_retry_after) return;
    if (now() >= s_.end_unix_ms()) return;  // after the end: no new repositioning
    set_state(d, DroneState::kFerrying);
    if (!ferry(d, d.home, -1)) {
      d.home_retry_after = now() + 15 * 60'000;
      engine_.at(to_sim(d.home_retry_after), kRetryHome, static_cast<std::uint32_t>(d.id), 0);
      d.job = -1;
      set_state(d, DroneState::kIdle);
      request_dispatch();
    }
  }

  // --- restrictions -------------------------------------------------------------------------
  void on_restriction(std::size_t i) {
    const RestrictionEvent& e = s_.restrictions[i];
    RestrictionOutcome out;
    out.name = e.name;
    out.announce_unix_ms = now();
    dispatch::RestrictionSpec spec;
    spec.name = e.name;
    spec.ring_lonlat = e.polygon_lonlat;
    spec.floor_m = e.floor_m;
    spec.ceiling_m = e.ceiling_m;
    spec.floor_agl = spec.ceiling_agl = e.agl;
    spec.active_from_unix_ms = e.from_unix_ms;
    spec.active_to_unix_ms = e.to_unix_ms;
    spec.created_by = "sim";
    auto change = port_.add_restriction(spec);
    if (!change) {
      out.error = change.error().to_string();
      restrictions_.push_back(out);
      return;
    }
    out.airborne_affected = static_cast<int>(change->airborne_affected.size());
    for (const auto& m : change->affected) {
      ++out.affected;
      auto it = by_dispatch_id_.find(m.id);
      if (it == by_dispatch_id_.end()) continue;
      const std::size_t j = it->second;
      Job& job = jobs_[j];
      if (m.state == dispatch::MissionState::kPlanned && m.plan && !m.plan->legs.empty()) {
        ++out.replanned;
        ++job.out.replans;
        take_plan(j, *m.plan);
        continue;
      }
      ++out.rejected;
      job.out.state = "REJECTED";
      job.out.reason = m.reason.empty() ? "RESTRICTION_CONFLICT" : m.reason;
      ++job.version;  // its take-off / landing events are now stale
      if (job.out.drone < 0) continue;
      Drone& d = drones_[static_cast<std::size_t>(job.out.drone)];
      if (d.job != static_cast<int>(j)) continue;
      const int served = d.serve;
      d.serve = -1;
      release_pad(d);
      if (job.out.ferry && served >= 0) {  // the delivery waits for another drone
        Job& del = jobs_[static_cast<std::size_t>(served)];
        del.out.state = "WAITING";
        del.out.drone = -1;
        waiting_.insert({-del.out.record.priority, del.out.record.release_unix_ms,
                         static_cast<std::size_t>(served)});
        engine_.at(to_sim(now()) + static_cast<std::int64_t>(s_.policy.max_wait_s * 1000.0),
                   kWaitTimeout, static_cast<std::uint32_t>(served));
      }
      to_idle(d);
    }
    restrictions_.push_back(out);
  }

  // --- end ----------------------------------------------------------------------------------
  Result<SimResult> finish() {
    SimResult r;
    r.start_unix_ms = s_.start_unix_ms;
    r.end_unix_ms = s_.end_unix_ms();
    r.finished_unix_ms = now();
    r.events = engine_.processed();
    r.core_events = core_events_;
    r.port_kind = port_.kind();
    for (auto& d : drones_) {
      d.out.ms_in_state[static_cast<int>(d.state)] += now() - d.since;
      d.out.final_vertiport = d.at >= 0 ? vports_[static_cast<std::size_t>(d.at)].out.name : "";
      r.drones.push_back(d.out);
    }
    for (auto& v : vports_) {
      touch(v);
      r.vertiports.push_back(v.out);
    }
    for (auto& j : jobs_) {
      if (j.out.state != "COMPLETED" && j.out.state != "REJECTED") j.out.state = "UNFINISHED";
      // The core's version of each flown plan is authoritative (audits read it).
      if (j.out.dispatch_id > 0 && j.out.state != "REJECTED") {
        auto m = port_.get(j.out.dispatch_id);
        if (m && m->plan) {
          j.out.legs = m->plan->legs;
          j.out.stops = m->plan->stops;
        }
      }
      r.jobs.push_back(std::move(j.out));
    }
    r.deliveries = deliveries_;
    r.restrictions = restrictions_;
    return r;
  }

  const Scenario& s_;
  const airspace::Airspace& airspace_;
  const vehicle::VehicleCatalogue& catalogue_;
  MissionPort& port_;
  SimOptions opt_;
  Engine engine_;
  std::unordered_map<std::string, int> index_;
  std::vector<Vport> vports_;
  std::vector<Drone> drones_;
  std::map<std::string, std::vector<int>> by_class_;
  std::vector<std::string> fleet_classes_;
  std::vector<std::string> class_order_;
  std::vector<Job> jobs_;
  std::size_t deliveries_ = 0;
  std::size_t ferry_count_ = 0;
  std::set<std::tuple<int, std::int64_t, std::size_t>> waiting_;
  std::unordered_map<std::int64_t, std::size_t> by_dispatch_id_;
  std::vector<RestrictionOutcome> restrictions_;
  int idle_ = 0;
  bool dispatching_ = false;
  bool dirty_ = false;
  std::uint64_t core_events_ = 0;
  Error error_{Code::kOk, "", ""};
};

}  // namespace

Result<SimResult> simulate(const Scenario& scenario, const airspace::Airspace& airspace,
                           const vehicle::VehicleCatalogue& catalogue,
                           const std::vector<MissionRecord>& missions, MissionPort& port,
                           const SimOptions& options) {
  for (const auto& g : scenario.fleet) {
    if (!catalogue.find(g.vehicle_class)) {
      return fail("VEHICLE_CLASS_UNKNOWN", scenario.source + ": fleet." + g.name + ".class '" +
                                               g.vehicle_class + "' is not in the catalogue");
    }
    bool found = false;
    for (const auto& v : airspace.vertiports()) found = found || v.name == g.home;
    if (!found) {
      return fail("VERTIPORT_UNKNOWN", scenario.source + ": fleet." + g.name + ".home '" + g.home +
                                           "' is not a vertiport of the map");
    }
  }
  Model model(scenario, airspace, catalogue, missions, port, options);
  return model.run();
}

}  // namespace skylane::sim
