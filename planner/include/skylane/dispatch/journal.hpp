// The dispatch core's durable store, as an interface: the core writes every mission and
// restriction change through it before acknowledging, and recovers from it on start. The
// service plugs in the SQLite journal (planner/service, WAL); the simulator and tests use
// MemoryJournal. Implementations need not be thread-safe: the dispatcher serialises calls.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/dispatch/mission.hpp"

namespace skylane::dispatch {

struct JournalState {
  std::vector<Mission> missions;              ///< every mission ever stored, latest version of each
  std::vector<RestrictionSpec> restrictions;  ///< those not removed
  std::int64_t next_mission_id = 1;
  std::int64_t next_restriction_id = 1;
};

class Journal {
 public:
  virtual ~Journal() = default;
  /// Stores (insert or replace by id) every mission and restriction of one change, atomically
  /// and durably: when it returns ok, the change survives a kill -9 of the process. `removed`
  /// lists restriction ids deleted by the change. Errors: JOURNAL_WRITE_FAILED.
  virtual Result<void> commit(std::span<const Mission> missions,
                              std::span<const RestrictionSpec> restrictions,
                              std::span<const std::int64_t> removed_restrictions) = 0;
  /// Everything stored. Errors: JOURNAL_READ_FAILED, JOURNAL_CORRUPT (naming the row).
  virtual Result<JournalState> load() = 0;
};

/// In-memory journal (simulator, tests): commit never fails; load returns what was committed.
class MemoryJournal final : public Journal {
 public:
  Result<void> commit(std::span<const Mission> missions,
                      std::span<const RestrictionSpec> restrictions,
                      std::span<const std::int64_t> removed_restrictions) override;
  Result<JournalState> load() override;
  [[nodiscard]] std::size_t commits() const { return commits_; }

 private:
  std::vector<Mission> missions_;  ///< by id - 1 (ids are dense)
  std::vector<RestrictionSpec> restrictions_;
  std::size_t commits_ = 0;
  std::int64_t max_mission_id_ = 0;  ///< ids stay unused after a restriction is removed
  std::int64_t max_restriction_id_ = 0;
};

}  // namespace skylane::dispatch
