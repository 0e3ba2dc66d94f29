#include "skylane/dispatch/journal.hpp"

#include <algorithm>

namespace skylane::dispatch {

Result<void> MemoryJournal::commit(std::span<const Mission> missions,
                                   std::span<const RestrictionSpec> restrictions,
                                   std::span<const std::int64_t> removed_restrictions) {
  for (const Mission& m : missions) {
    max_mission_id_ = std::max(max_mission_id_, m.id);
    auto it = std::lower_bound(missions_.begin(), missions_.end(), m.id,
                               [](const Mission& a, std::int64_t id) { return a.id < id; });
    if (it != missions_.end() && it->id == m.id) {
      *it = m;
    } else {
      missions_.insert(it, m);
    }
  }
  for (const RestrictionSpec& r : restrictions) {
    max_restriction_id_ = std::max(max_restriction_id_, r.id);
    auto it = std::find_if(restrictions_.begin(), restrictions_.end(),
                           [&](const RestrictionSpec& x) { return x.id == r.id; });
    if (it != restrictions_.end()) {
      *it = r;
    } else {
      restrictions_.push_back(r);
    }
  }
  for (const std::int64_t id : removed_restrictions) {
    std::erase_if(restrictions_, [&](const RestrictionSpec& x) { return x.id == id; });
  }
  ++commits_;
  return {};
}

Result<JournalState> MemoryJournal::load() {
  JournalState s;
  s.missions = missions_;
  s.restrictions = restrictions_;
  s.next_mission_id = max_mission_id_ + 1;
  s.next_restriction_id = max_restriction_id_ + 1;
  return s;
}

}  // namespace skylane::dispatch
