#include "skylane/service/sqlite_journal.hpp"

#include <algorithm>
#include <filesystem>

#include <sqlite3.h>

#include "skylane/dispatch/mission_json.hpp"

namespace skylane::service {
namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS missions(
  id INTEGER PRIMARY KEY,
  operator_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  state TEXT NOT NULL,
  json TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS missions_by_request
  ON missions(operator_id, request_id) WHERE request_id != '';
CREATE TABLE IF NOT EXISTS restrictions(id INTEGER PRIMARY KEY, json TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', 1);
INSERT OR IGNORE INTO meta(key, value) VALUES ('next_mission_id', 1);
INSERT OR IGNORE INTO meta(key, value) VALUES ('next_restriction_id', 1);
)sql";

struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s); }
};

}  // namespace

struct SqliteJournal::Impl {
  sqlite3* db = nullptr;
  Stmt upsert_mission, upsert_restriction, delete_restriction, bump_meta;
  ~Impl() {
    // Statements must be finalized before the connection closes (members die after this body).
    for (Stmt* st : {&upsert_mission, &upsert_restriction, &delete_restriction, &bump_meta}) {
      sqlite3_finalize(st->s);
      st->s = nullptr;
    }
    if (db) sqlite3_close(db);
  }

  [[nodiscard]] std::string errmsg() const { return db ? sqlite3_errmsg(db) : "out of memory"; }

  Result<void> exec(const char* sql, const char* reason, const std::string& what) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : errmsg();
      sqlite3_free(err);
      return fail(reason, what + ": " + m);
    }
    return {};
  }

  Result<void> prepare(Stmt& st, const char* sql, const std::string& path) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st.s, nullptr) != SQLITE_OK) {
      return fail("JOURNAL_READ_FAILED", path + ": cannot prepare statement: " + errmsg());
    }
    return {};
  }
};

SqliteJournal::SqliteJournal(std::string path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}

SqliteJournal::~SqliteJournal() = default;

Result<std::unique_ptr<SqliteJournal>> SqliteJournal::open(const std::string& path,
                                                           SqliteJournalOptions options) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return fail("JOURNAL_READ_FAILED",
                path + ": cannot create directory '" + parent.string() + "': " + ec.message());
  }
  auto impl = std::make_unique<Impl>();
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
    return fail("JOURNAL_READ_FAILED", path + ": " + impl->errmsg());
  }
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, 2000);
  const std::string what = path;
  // WAL: readers never block the writer and a commit is one append + fsync of the log.
  {
    Stmt st;
    if (sqlite3_prepare_v2(impl->db, "PRAGMA journal_mode=WAL", -1, &st.s, nullptr) != SQLITE_OK ||
        sqlite3_step(st.s) != SQLITE_ROW) {
      return fail("JOURNAL_READ_FAILED", path + ": cannot enable WAL: " + impl->errmsg());
    }
    const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    if (!mode || std::string(mode) != "wal") {
      return fail("JOURNAL_READ_FAILED",
                  path + ": journal_mode is '" + (mode ? mode : "?") + "', not wal");
    }
  }
  if (auto r = impl->exec(
          options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
          "JOURNAL_READ_FAILED", what);
      !r) {
    return tl::unexpected(r.error());
  }
  if (options.exclusive) {
    if (auto r = impl->exec("PRAGMA locking_mode=EXCLUSIVE", "JOURNAL_READ_FAILED", what); !r) {
      return tl::unexpected(r.error());
    }
  }
  // BEGIN IMMEDIATE takes the write lock now: a second server on the same file fails here.
  if (auto r = impl->exec("BEGIN IMMEDIATE", "JOURNAL_READ_FAILED",
                          what + " (is another skylaned using it?)");
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = impl->exec(kSchema, "JOURNAL_READ_FAILED", what + ": creating the schema"); !r) {
    (void)impl->exec("ROLLBACK", "JOURNAL_READ_FAILED", what);
    return tl::unexpected(r.error());
  }
  if (auto r = impl->exec("COMMIT", "JOURNAL_READ_FAILED", what); !r) {
    return tl::unexpected(r.error());
  }
  {
    Stmt st;
    if (sqlite3_prepare_v2(impl->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &st.s,
                           nullptr) != SQLITE_OK ||
        sqlite3_step(st.s) != SQLITE_ROW) {
      return fail("JOURNAL_READ_FAILED", path + ": " + impl->errmsg());
    }
    const auto v = sqlite3_column_int64(st.s, 0);
    if (v != kSchemaVersion) {
      return fail("JOURNAL_CORRUPT", path + ": schema_version " + std::to_string(v) +
                                         ", this skylaned reads version " +
                                         std::to_string(kSchemaVersion));
    }
  }
  if (auto r = impl->prepare(impl->upsert_mission,
                             "INSERT INTO missions(id, operator_id, request_id, state, json) "
                             "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET "
                             "operator_id=?2, request_id=?3, state=?4, json=?5",
                             path);
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = impl->prepare(impl->upsert_restriction,
                             "INSERT INTO restrictions(id, json) VALUES (?1, ?2) "
                             "ON CONFLICT(id) DO UPDATE SET json=?2",
                             path);
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto r =
          impl->prepare(impl->delete_restriction, "DELETE FROM restrictions WHERE id=?1", path);
      !r) {
    return tl::unexpected(r.error());
  }
  if (auto r =
          impl->prepare(impl->bump_meta, "UPDATE meta SET value=max(value, ?2) WHERE key=?1", path);
      !r) {
    return tl::unexpected(r.error());
  }
  return std::unique_ptr<SqliteJournal>(new SqliteJournal(path, std::move(impl)));
}

Result<void> SqliteJournal::commit(std::span<const dispatch::Mission> missions,
                                   std::span<const dispatch::RestrictionSpec> restrictions,
                                   std::span<const std::int64_t> removed_restrictions) {
  Impl& d = *impl_;
  auto failed = [&](const std::string& what) {
    const std::string m = path_ + ": " + what + ": " + d.errmsg();
    // Leaves nothing of the change behind; sqlite may have rolled back already.
    if (!sqlite3_get_autocommit(d.db)) sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    return fail("JOURNAL_WRITE_FAILED", m);
  };
  if (sqlite3_exec(d.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return failed("BEGIN");
  }
  std::int64_t max_mission = 0;
  for (const auto& m : missions) {
    const std::string json = dispatch::mission_to_json(m);
    sqlite3_stmt* s = d.upsert_mission.s;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, m.id);
    sqlite3_bind_text(s, 2, m.request.operator_id.data(),
                      static_cast<int>(m.request.operator_id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, m.request.request_id.data(),
                      static_cast<int>(m.request.request_id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, dispatch::mission_state_name(m.state), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, json.data(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        const std::string m2 = path_ + ": mission " + std::to_string(m.id) + ": operator '" +
                               m.request.operator_id + "' already has a mission with request_id '" +
                               m.request.request_id + "'";
        sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
        return fail("JOURNAL_WRITE_FAILED", m2);
      }
      return failed("storing mission " + std::to_string(m.id));
    }
    max_mission = std::max(max_mission, m.id);
  }
  std::int64_t max_restriction = 0;
  for (const auto& r : restrictions) {
    const std::string json = dispatch::restriction_to_json(r);
    sqlite3_stmt* s = d.upsert_restriction.s;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, r.id);
    sqlite3_bind_text(s, 2, json.data(), static_cast<int>(json.size()), SQLITE_TRANSIENT);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return failed("storing restriction " + std::to_string(r.id));
    max_restriction = std::max(max_restriction, r.id);
  }
  for (const std::int64_t id : removed_restrictions) {
    sqlite3_stmt* s = d.delete_restriction.s;
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, id);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return failed("removing restriction " + std::to_string(id));
    max_restriction = std::max(max_restriction, id);
  }
  // Ids are never reused, even those of removed restrictions: next ids only grow.
  const std::pair<const char*, std::int64_t> bumps[] = {
      {"next_mission_id", max_mission + 1}, {"next_restriction_id", max_restriction + 1}};
  for (const auto& [key, value] : bumps) {
    if (value <= 1) continue;
    sqlite3_stmt* s = d.bump_meta.s;
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, value);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return failed(std::string("updating ") + key);
  }
  if (sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return failed("COMMIT");
  }
  ++commits_;
  return {};
}

Result<dispatch::JournalState> SqliteJournal::load() {
  Impl& d = *impl_;
  dispatch::JournalState state;
  auto read_failed = [&](const std::string& what) {
    return fail("JOURNAL_READ_FAILED", path_ + ": " + what + ": " + d.errmsg());
  };
  {
    Stmt st;
    if (sqlite3_prepare_v2(d.db, "SELECT id, json FROM missions ORDER BY id", -1, &st.s, nullptr) !=
        SQLITE_OK) {
      return read_failed("reading missions");
    }
    int rc;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
      const auto id = sqlite3_column_int64(st.s, 0);
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 1));
      const int n = sqlite3_column_bytes(st.s, 1);
      auto m = dispatch::mission_from_json(std::string_view(text ? text : "", n));
      if (!m) {
        return fail("JOURNAL_CORRUPT",
                    path_ + ": missions row id " + std::to_string(id) + ": " + m.error().message);
      }
      if (m->id != id) {
        return fail("JOURNAL_CORRUPT", path_ + ": missions row id " + std::to_string(id) +
                                           " holds mission " + std::to_string(m->id));
      }
      state.next_mission_id = std::max<std::int64_t>(state.next_mission_id, id + 1);
      state.missions.push_back(std::move(*m));
    }
    if (rc != SQLITE_DONE) return read_failed("reading missions");
  }
  {
    Stmt st;
    if (sqlite3_prepare_v2(d.db, "SELECT id, json FROM restrictions ORDER BY id", -1, &st.s,
                           nullptr) != SQLITE_OK) {
      return read_failed("reading restrictions");
    }
    int rc;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
      const auto id = sqlite3_column_int64(st.s, 0);
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 1));
      const int n = sqlite3_column_bytes(st.s, 1);
      auto r = dispatch::restriction_from_json(std::string_view(text ? text : "", n));
      if (!r) {
        return fail("JOURNAL_CORRUPT", path_ + ": restrictions row id " + std::to_string(id) +
                                           ": " + r.error().message);
      }
      state.next_restriction_id = std::max<std::int64_t>(state.next_restriction_id, id + 1);
      state.restrictions.push_back(std::move(*r));
    }
    if (rc != SQLITE_DONE) return read_failed("reading restrictions");
  }
  {
    Stmt st;
    if (sqlite3_prepare_v2(d.db, "SELECT key, value FROM meta", -1, &st.s, nullptr) != SQLITE_OK) {
      return read_failed("reading meta");
    }
    while (sqlite3_step(st.s) == SQLITE_ROW) {
      const std::string key = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
      const auto v = sqlite3_column_int64(st.s, 1);
      if (key == "next_mission_id")
        state.next_mission_id = std::max<std::int64_t>(state.next_mission_id, v);
      if (key == "next_restriction_id") {
        state.next_restriction_id = std::max<std::int64_t>(state.next_restriction_id, v);
      }
    }
  }
  return state;
}

}  // namespace skylane::service
