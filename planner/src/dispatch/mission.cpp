#include "skylane/dispatch/mission.hpp"

#include <array>
#include <string_view>

namespace skylane::dispatch {

namespace {
constexpr std::array<const char*, 6> kStateNames = {"PENDING",   "PLANNED",  "ACTIVE",
                                                    "COMPLETED", "REJECTED", "CANCELLED"};
constexpr std::array<const char*, 6> kEventNames = {"PLANNED",   "REPLANNED", "REJECTED",
                                                    "CANCELLED", "STARTED",   "COMPLETED"};
}  // namespace

const char* mission_state_name(MissionState state) {
  const auto i = static_cast<std::size_t>(state);
  return i < kStateNames.size() ? kStateNames[i] : "UNKNOWN";
}

std::optional<MissionState> parse_mission_state(std::string_view name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (name == kStateNames[i]) return static_cast<MissionState>(i);
  }
  return std::nullopt;
}

bool is_final(MissionState state) {
  return state == MissionState::kCompleted || state == MissionState::kRejected ||
         state == MissionState::kCancelled;
}

const char* event_kind_name(EventKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kEventNames.size() ? kEventNames[i] : "UNKNOWN";
}

}  // namespace skylane::dispatch
