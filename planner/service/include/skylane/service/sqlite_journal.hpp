// The durable mission book of skylaned: dispatch::Journal on an embedded SQLite database in
// WAL mode. One transaction per commit(); with synchronous=FULL (the default) a commit that
// returned survives kill -9 and power loss. Rows hold the JSON of mission_json.hpp.
#pragma once

#include <memory>
#include <string>

#include "skylane/core/error.hpp"
#include "skylane/dispatch/journal.hpp"

namespace skylane::service {

struct SqliteJournalOptions {
  /// true: PRAGMA synchronous=FULL (fsync per commit); false: NORMAL (a power cut may lose the
  /// last commits, a process crash loses nothing).
  bool synchronous_full = true;
  /// Take the database's lock for the process lifetime so a second skylaned on the same file
  /// fails at start instead of interleaving writes.
  bool exclusive = true;
};

/// Schema (version 1): missions(id PK, operator_id, request_id, state, json) with a unique
/// index on (operator_id, request_id) where request_id != ''; restrictions(id PK, json);
/// meta(key PK, value) holding schema_version, next_mission_id, next_restriction_id.
/// Not thread-safe (the dispatcher serialises calls).
class SqliteJournal final : public dispatch::Journal {
 public:
  /// Opens or creates the database (and its parent directory). Errors: JOURNAL_READ_FAILED
  /// naming the path and SQLite's message (unwritable, not a database, locked by another
  /// process), JOURNAL_CORRUPT (unknown schema version).
  [[nodiscard]] static Result<std::unique_ptr<SqliteJournal>> open(
      const std::string& path, SqliteJournalOptions options = {});
  ~SqliteJournal() override;
  SqliteJournal(const SqliteJournal&) = delete;
  SqliteJournal& operator=(const SqliteJournal&) = delete;

  /// Errors: JOURNAL_WRITE_FAILED (also for a second mission with the same non-empty
  /// (operator_id, request_id)); nothing of the change is stored then.
  Result<void> commit(std::span<const dispatch::Mission> missions,
                      std::span<const dispatch::RestrictionSpec> restrictions,
                      std::span<const std::int64_t> removed_restrictions) override;
  Result<dispatch::JournalState> load() override;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::uint64_t commits() const { return commits_; }

 private:
  struct Impl;
  SqliteJournal(std::string path, std::unique_ptr<Impl> impl);
  std::string path_;
  std::unique_ptr<Impl> impl_;
  std::uint64_t commits_ = 0;
};

}  // namespace skylane::service
