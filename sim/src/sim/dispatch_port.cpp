// The real dispatch core behind the simulator's MissionPort.
#include "skylane/dispatch/journal.hpp"
#include "skylane/sim/mission_port.hpp"

namespace skylane::sim {
namespace {

class DispatchPort final : public MissionPort {
 public:
  explicit DispatchPort(std::unique_ptr<dispatch::Dispatcher> d) : d_(std::move(d)) {}
  Result<dispatch::Mission> submit(const dispatch::MissionRequest& request) override {
    return d_->submit(request);
  }
  Result<dispatch::RestrictionChange> add_restriction(dispatch::RestrictionSpec spec) override {
    return d_->add_restriction(std::move(spec));
  }
  std::vector<dispatch::MissionEvent> advance(std::int64_t now_unix_ms) override {
    return d_->advance(now_unix_ms);
  }
  Result<dispatch::Mission> get(std::int64_t id) const override {
    return d_->get(id, std::nullopt);
  }
  [[nodiscard]] std::int64_t epoch_unix_ms() const override { return d_->epoch_unix_ms(); }
  [[nodiscard]] const char* kind() const override { return "dispatch"; }

 private:
  std::unique_ptr<dispatch::Dispatcher> d_;
};

}  // namespace

Result<std::unique_ptr<MissionPort>> make_dispatch_port(const airspace::Airspace& airspace,
                                                        const vehicle::VehicleCatalogue& catalogue,
                                                        const PortOptions& options) {
  dispatch::DispatcherOptions o;
  o.epoch_unix_ms = options.epoch_unix_ms;
  o.clock = options.clock;
  o.plan_budget = std::chrono::milliseconds(options.plan_budget_ms);
  // The simulator submits a mission when its drone is loaded, so "now" is never far behind.
  auto d = dispatch::Dispatcher::create(airspace, catalogue,
                                        std::make_unique<dispatch::MemoryJournal>(), o);
  if (!d) return tl::unexpected(d.error());
  return std::unique_ptr<MissionPort>(std::make_unique<DispatchPort>(std::move(*d)));
}

}  // namespace skylane::sim
