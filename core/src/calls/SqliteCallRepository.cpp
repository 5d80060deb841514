#include <switchboard/core/calls/SqliteCallRepository.h>

#include <switchboard/core/DomainError.h>
#include <switchboard/sdk/json.hpp>

#include "storage/SqliteStatement.h"

#include <array>

namespace sb::core {
namespace {

using sqlite::Statement;

std::string orEmpty(const std::optional<std::string>& value) {
  return value.value_or(std::string());
}

CallRecord readCall(const Statement& row, int base = 0) {
  CallRecord c;
  int i = base;
  c.id = row.text(i++);
  c.contactId = row.optionalInteger(i++);
  c.agentId = row.text(i++);
  c.provider = row.text(i++);
  c.topology = row.text(i++);
  c.toE164 = row.text(i++);
  c.fromE164 = row.text(i++);
  c.conferenceName = row.text(i++);
  c.conferenceId = orEmpty(row.optionalText(i++));
  c.providerCallId = orEmpty(row.optionalText(i++));
  c.agentLegId = orEmpty(row.optionalText(i++));
  c.sessionId = row.text(i++);
  c.status = row.text(i++);
  c.conferenceState = row.text(i++);
  c.agentState = row.text(i++);
  c.contactMuted = row.integer(i++) != 0;
  c.contactHeld = row.integer(i++) != 0;
  c.agentMuted = row.integer(i++) != 0;
  c.agentHeld = row.integer(i++) != 0;
  c.endCause = orEmpty(row.optionalText(i++));
  c.contactDurationS = row.optionalInteger(i++);
  c.talkSeconds = row.optionalInteger(i++);
  c.result = orEmpty(row.optionalText(i++));
  c.outcome = row.optionalText(i++);
  c.notes = row.text(i++);
  c.createdAt = row.integer(i++);
  c.ringingAt = row.optionalInteger(i++);
  c.answeredAt = row.optionalInteger(i++);
  c.conferenceStartedAt = row.optionalInteger(i++);
  c.agentJoinedAt = row.optionalInteger(i++);
  c.endedAt = row.optionalInteger(i++);
  c.clocks = nlohmann::json::parse(row.text(i++), nullptr, false);
  if (!c.clocks.is_object()) {
    c.clocks = nlohmann::json::object();
  }
  c.outcomeAt = row.optionalInteger(i++);
  c.outcomeBy = orEmpty(row.optionalText(i++));
  c.agentNamed = row.integer(i++) != 0;
  c.contactName = row.text(i++);
  c.contactCompany = row.text(i++);
  c.version = row.integer(i++);
  return c;
}

std::optional<std::string> nullIfEmpty(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

/// The calls columns in kColumns order: how to compare and bind each, so
/// that an update writes only what changed without building the row.
struct Column {
  const char* name;
  bool (*same)(const CallRecord&, const CallRecord&);
  void (*bind)(Statement&, int, const CallRecord&);
};

template <auto Member>
bool sameField(const CallRecord& a, const CallRecord& b) {
  return a.*Member == b.*Member;
}
template <auto Member>
void bindField(Statement& s, int index, const CallRecord& c) {
  s.bind(index, c.*Member);
}
template <auto Member>
void bindTextOrNull(Statement& s, int index, const CallRecord& c) {
  const std::string& value = c.*Member;
  if (value.empty()) {
    s.bindNull(index);
  } else {
    s.bind(index, value);
  }
}
template <auto Member>
void bindFlag(Statement& s, int index, const CallRecord& c) {
  s.bind(index, int64_t{c.*Member ? 1 : 0});
}
void bindClocks(Statement& s, int index, const CallRecord& c) {
  s.bind(index, sdk::json::dump(c.clocks));
}

template <auto Member>
constexpr Column field(const char* name) {
  return {name, &sameField<Member>, &bindField<Member>};
}
template <auto Member>
constexpr Column textOrNull(const char* name) {
  return {name, &sameField<Member>, &bindTextOrNull<Member>};
}
template <auto Member>
constexpr Column flag(const char* name) {
  return {name, &sameField<Member>, &bindFlag<Member>};
}

constexpr std::array<Column, 38> kColumnTable = {{
    field<&CallRecord::id>("id"),
    field<&CallRecord::contactId>("contact_id"),
    field<&CallRecord::agentId>("agent_id"),
    field<&CallRecord::provider>("provider"),
    field<&CallRecord::topology>("topology"),
    field<&CallRecord::toE164>("to_e164"),
    field<&CallRecord::fromE164>("from_e164"),
    field<&CallRecord::conferenceName>("conference_name"),
    textOrNull<&CallRecord::conferenceId>("conference_id"),
    textOrNull<&CallRecord::providerCallId>("provider_call_id"),
    textOrNull<&CallRecord::agentLegId>("agent_leg_id"),
    field<&CallRecord::sessionId>("session_id"),
    field<&CallRecord::status>("status"),
    field<&CallRecord::conferenceState>("conference_state"),
    field<&CallRecord::agentState>("agent_state"),
    flag<&CallRecord::contactMuted>("contact_muted"),
    flag<&CallRecord::contactHeld>("contact_held"),
    flag<&CallRecord::agentMuted>("agent_muted"),
    flag<&CallRecord::agentHeld>("agent_held"),
    textOrNull<&CallRecord::endCause>("end_cause"),
    field<&CallRecord::contactDurationS>("contact_duration_s"),
    field<&CallRecord::talkSeconds>("talk_seconds"),
    textOrNull<&CallRecord::result>("result"),
    field<&CallRecord::outcome>("outcome"),
    field<&CallRecord::notes>("notes"),
    field<&CallRecord::createdAt>("created_at"),
    field<&CallRecord::ringingAt>("ringing_at"),
    field<&CallRecord::answeredAt>("answered_at"),
    field<&CallRecord::conferenceStartedAt>("conference_started_at"),
    field<&CallRecord::agentJoinedAt>("agent_joined_at"),
    field<&CallRecord::endedAt>("ended_at"),
    {"clocks", &sameField<&CallRecord::clocks>, &bindClocks},
    field<&CallRecord::outcomeAt>("outcome_at"),
    textOrNull<&CallRecord::outcomeBy>("outcome_by"),
    flag<&CallRecord::agentNamed>("agent_named"),
    field<&CallRecord::contactName>("contact_name"),
    field<&CallRecord::contactCompany>("contact_company"),
    field<&CallRecord::version>("version"),  // last: save() stamps it when another column changed
}};
constexpr size_t kColumnCount = kColumnTable.size();

/// "id, contact_id, ...", in table order (readCall reads in this order).
const std::string& columnList() {
  static const std::string list = [] {
    std::string out;
    for (const Column& column : kColumnTable) {
      out += (out.empty() ? "" : ", ") + std::string(column.name);
    }
    return out;
  }();
  return list;
}

StoredEvent readEvent(const Statement& row) {
  StoredEvent e;
  e.seq = row.integer(0);
  e.callId = row.text(1);
  e.source = row.text(2);
  e.eventKey = row.text(3);
  e.type = row.text(4);
  e.leg = orEmpty(row.optionalText(5));
  e.occurredAt = row.integer(6);
  e.receivedAt = row.integer(7);
  e.payload = nlohmann::json::parse(row.text(8), nullptr, false);
  return e;
}

constexpr const char* kEventColumns =
    "e.seq, e.call_id, e.source, e.event_key, e.type, e.leg, e.occurred_at, e.received_at, e.payload";

// One statement cache per process is enough: the repository runs on the
// shared connection, under its lock.
sqlite::StatementCache& cache() {
  static sqlite::StatementCache statements;
  return statements;
}

/// The statements built from the column table, once. Their addresses key
/// the statement cache.
struct Queries {
  std::string insert;
  std::string select;
  std::string byId;
  std::string byConferenceId;
  std::string byConferenceName;
  std::string bySession;
  std::string byProviderCall;
  std::string byAgentLeg;
  std::string activeFor;
  std::string activeAll;
  std::string activeOfAgent;
  std::string answeredWithoutAgent;
  std::string answeredWithAgentAway;
};

const Queries& queries() {
  static const Queries q = [] {
    Queries out;
    std::string values = "?";
    for (size_t i = 1; i < kColumnCount; ++i) {
      values += ",?";
    }
    out.insert = "INSERT INTO calls (" + columnList() + ") VALUES (" + values + ")";
    out.select = "SELECT " + columnList() + " FROM calls ";
    out.byId = out.select + "WHERE id = ?";
    out.byConferenceId = out.select + "WHERE conference_id = ? ORDER BY created_at DESC LIMIT 1";
    out.byConferenceName = out.select + "WHERE conference_name = ?";
    out.bySession = out.select + "WHERE session_id = ?";
    out.byProviderCall = out.select + "WHERE provider_call_id = ? ORDER BY created_at DESC LIMIT 1";
    out.byAgentLeg = out.select + "WHERE agent_leg_id = ? ORDER BY created_at DESC LIMIT 1";
    // agent_named = 1 and ended_at IS NULL: the unique index's own condition.
    out.activeFor = out.select + "WHERE agent_id = ? AND ended_at IS NULL AND agent_named = 1";
    out.activeAll = out.select + "WHERE ended_at IS NULL ORDER BY created_at LIMIT ?";
    out.activeOfAgent = out.select + "WHERE ended_at IS NULL AND agent_id = ? ORDER BY created_at LIMIT ?";
    // Scans the live calls only (the calls_active partial index).
    out.answeredWithoutAgent = out.select +
                               "WHERE ended_at IS NULL AND answered_at < ? AND agent_joined_at IS NULL "
                               "ORDER BY answered_at LIMIT ?";
    out.answeredWithAgentAway = out.select +
                                "WHERE ended_at IS NULL AND answered_at IS NOT NULL AND agent_joined_at IS NOT NULL "
                                "AND agent_state <> 'connected' ORDER BY answered_at LIMIT ?";
    return out;
  }();
  return q;
}

/// The calls.* column list with a table prefix, for joins.
std::string prefixedColumns(const std::string& alias) {
  std::string out;
  for (const Column& column : kColumnTable) {
    out += (out.empty() ? "" : ", ") + alias + "." + column.name;
  }
  return out;
}

}  // namespace

// Transaction control runs once or twice per webhook: prepared once.
void SqliteCallRepository::transact(const std::function<void()>& work) {
  database_.withConnection([&](sqlite3* db) {
    cache().get(db, "BEGIN IMMEDIATE").run();
    writtenInStep_.clear();
    try {
      work();
      cache().get(db, "COMMIT").run();
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      records_.clear();  // it may hold writes that were just undone
      throw;
    }
  });
}

void SqliteCallRepository::step(const std::function<void()>& work) {
  database_.withConnection([&](sqlite3* db) {
    cache().get(db, "SAVEPOINT job").run();
    writtenInStep_.clear();
    try {
      work();
      cache().get(db, "RELEASE job").run();
    } catch (...) {
      cache().get(db, "ROLLBACK TO job").run();
      cache().get(db, "RELEASE job").run();
      for (const auto& id : writtenInStep_) {
        records_.erase(id);
      }
      throw;
    }
  });
}

void SqliteCallRepository::insert(const CallRecord& call) {
  database_.withConnection([&](sqlite3* db) {
    Statement s = cache().get(db, queries().insert.c_str());
    for (size_t i = 0; i < kColumnCount; ++i) {
      kColumnTable[i].bind(s, static_cast<int>(i + 1), call);
    }
    try {
      s.run();
      remember(call);
    } catch (const sqlite::SqliteError& e) {
      if ((e.code() & 0xff) == SQLITE_CONSTRAINT && sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE &&
          std::string(sqlite3_errmsg(db)).find("agent_id") != std::string::npos) {
        throw DomainError(DomainError::Kind::AgentBusy, "agent '" + call.agentId + "' already has an active call",
                          {{"agent_id", call.agentId}});
      }
      throw;
    }
  });
}

void SqliteCallRepository::save(const CallRecord& before, CallRecord& after) {
  // Only the columns that changed: an UPDATE that names an indexed column
  // rewrites that index's entry, and most events change one or two
  // unindexed columns. Never REPLACE: it deletes the row first, and the
  // delete cascades to the call's timeline.
  uint64_t mask = 0;
  for (size_t i = 1; i < kColumnCount; ++i) {  // column 0 is the id
    if (!kColumnTable[i].same(before, after)) {
      mask |= uint64_t{1} << i;
    }
  }
  if (mask == 0) {
    return;
  }
  constexpr size_t kVersion = kColumnCount - 1;
  after.version = before.version + 1;
  mask |= uint64_t{1} << kVersion;
  database_.withConnection([&](sqlite3* db) {
    auto [it, added] = updateSql_.try_emplace(mask);
    if (added) {
      std::string sql = "UPDATE calls SET ";
      bool first = true;
      for (size_t i = 1; i < kColumnCount; ++i) {
        if ((mask & (uint64_t{1} << i)) != 0) {
          sql += (first ? "" : ", ") + std::string(kColumnTable[i].name) + " = ?" + std::to_string(i + 1);
          first = false;
        }
      }
      it->second = sql + " WHERE id = ?1";
    }
    Statement s = cache().get(db, it->second.c_str());
    kColumnTable[0].bind(s, 1, after);
    for (size_t i = 1; i < kColumnCount; ++i) {
      if ((mask & (uint64_t{1} << i)) != 0) {
        kColumnTable[i].bind(s, static_cast<int>(i + 1), after);
      }
    }
    s.run();
    remember(after);
  });
}

std::optional<CallRecord> SqliteCallRepository::findWhere(const char* where, const std::string& value) {
  return database_.withConnection([&](sqlite3* db) -> std::optional<CallRecord> {
    Statement s = cache().get(db, where);
    s.bind(1, value);
    if (!s.step()) return std::nullopt;
    return readCall(s);
  });
}

void SqliteCallRepository::remember(const CallRecord& call) {
  // Caller holds the connection lock.
  writtenInStep_.push_back(call.id);
  if (call.ended()) {
    records_.erase(call.id);  // its events are over, bar a straggler or two
    return;
  }
  constexpr size_t kMaxRecords = 4096;
  if (records_.size() >= kMaxRecords && records_.count(call.id) == 0) {
    records_.clear();
  }
  records_.insert_or_assign(call.id, call);
}

std::optional<CallRecord> SqliteCallRepository::find(const std::string& id) {
  return database_.withConnection([&](sqlite3*) -> std::optional<CallRecord> {
    if (auto it = records_.find(id); it != records_.end()) {
      return it->second;
    }
    return findWhere(queries().byId.c_str(), id);
  });
}

std::optional<CallRecord> SqliteCallRepository::findByReference(const std::string& reference) {
  // The database, not the write cache: this serves readers, who should see
  // what other writers (a deleted contact's SET NULL) did too.
  for (const std::string* sql :
       {&queries().byId, &queries().byConferenceId, &queries().byConferenceName, &queries().bySession}) {
    if (auto call = findWhere(sql->c_str(), reference)) {
      return call;
    }
  }
  return std::nullopt;
}

std::optional<CallRecord> SqliteCallRepository::resolve(const sdk::CallEvent& event) {
  if (!event.callId.empty()) {
    if (auto call = find(event.callId)) return call;
  }
  if (!event.providerCallId.empty()) {
    if (auto call = findWhere(queries().byProviderCall.c_str(), event.providerCallId)) return call;
    if (auto call = findWhere(queries().byAgentLeg.c_str(), event.providerCallId)) return call;
  }
  if (!event.conferenceId.empty()) {
    if (auto call = findWhere(queries().byConferenceId.c_str(), event.conferenceId)) return call;
  }
  return std::nullopt;
}

std::optional<CallRecord> SqliteCallRepository::activeFor(const std::string& agentId) {
  return findWhere(queries().activeFor.c_str(), agentId);
}

std::vector<CallRecord> SqliteCallRepository::active(const std::string& agentId, int64_t limit) {
  return database_.withConnection([&](sqlite3* db) {
    Statement s = cache().get(db, agentId.empty() ? queries().activeAll.c_str() : queries().activeOfAgent.c_str());
    int index = 1;
    if (!agentId.empty()) {
      s.bind(index++, agentId);
    }
    s.bind(index, limit);
    std::vector<CallRecord> out;
    while (s.step()) {
      out.push_back(readCall(s));
    }
    return out;
  });
}

std::vector<CallRecord> SqliteCallRepository::answeredWithoutAgent(int64_t answeredBeforeMs, int64_t limit) {
  return database_.withConnection([&](sqlite3* db) {
    Statement s = cache().get(db, queries().answeredWithoutAgent.c_str());
    s.bind(1, answeredBeforeMs);
    s.bind(2, limit);
    std::vector<CallRecord> out;
    while (s.step()) {
      out.push_back(readCall(s));
    }
    return out;
  });
}

std::vector<CallRecord> SqliteCallRepository::answeredWithAgentAway(int64_t limit) {
  return database_.withConnection([&](sqlite3* db) {
    Statement s = cache().get(db, queries().answeredWithAgentAway.c_str());
    s.bind(1, limit);
    std::vector<CallRecord> out;
    while (s.step()) {
      out.push_back(readCall(s));
    }
    return out;
  });
}

int64_t SqliteCallRepository::activeCount() {
  return database_.withConnection([&](sqlite3* db) {
    // Served by the calls_active partial index: as many entries as live calls.
    Statement s = cache().get(db, "SELECT COUNT(*) FROM calls WHERE ended_at IS NULL");
    return s.step() ? s.integer(0) : int64_t{0};
  });
}

int64_t SqliteCallRepository::appendEvent(const StoredEvent& event) {
  static const char* const kSql =
      "INSERT INTO call_events (call_id, source, event_key, type, leg, occurred_at, received_at, payload) "
      "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (call_id, source, event_key) DO NOTHING";
  return database_.withConnection([&](sqlite3* db) -> int64_t {
    Statement s = cache().get(db, kSql);
    s.bind(1, event.callId).bind(2, event.source).bind(3, event.eventKey).bind(4, event.type);
    s.bind(5, nullIfEmpty(event.leg))
        .bind(6, event.occurredAt)
        .bind(7, event.receivedAt)
        .bind(8, sdk::json::dump(event.payload));
    // Not RETURNING: SQLite buffers its rows in a temporary table, which
    // cost more than the insert itself (measured).
    if (s.run() == 0) return 0;  // the key was there already
    return sqlite3_last_insert_rowid(db);
  });
}

void SqliteCallRepository::markContactDialed(int64_t contactId, int64_t nowMs) {
  // A new call has no outcome yet: the contact's last outcome and notes are
  // the new call's, so a call left unlogged reads as unlogged, never as the
  // previous call's outcome (history keeps every call's own).
  static const char* const kSql =
      "UPDATE contacts SET status = CASE WHEN status = 'do_not_call' THEN status ELSE 'in_call' END, "
      "last_outcome = NULL, last_notes = NULL, last_called_at = ?, updated_at = ? WHERE id = ?";
  database_.withConnection([&](sqlite3* db) {
    Statement s = cache().get(db, kSql);
    s.bind(1, nowMs / 1000).bind(2, nowMs / 1000).bind(3, contactId).run();
  });
}

void SqliteCallRepository::markContactCallEnded(int64_t contactId, int64_t nowMs) {
  static const char* const kSql =
      "UPDATE contacts SET status = CASE WHEN status = 'in_call' THEN 'called' ELSE status END, updated_at = ? "
      "WHERE id = ?";
  database_.withConnection([&](sqlite3* db) {
    Statement s = cache().get(db, kSql);
    s.bind(1, nowMs / 1000).bind(2, contactId).run();
  });
}

void SqliteCallRepository::markContactOutcome(int64_t contactId, const std::string& outcome, const std::string& notes,
                                              int64_t nowMs) {
  static const char* const kSql =
      "UPDATE contacts SET last_outcome = ?, last_notes = ?, updated_at = ?, "
      "status = CASE WHEN status IN ('in_call', 'not_called') THEN 'called' ELSE status END WHERE id = ?";
  database_.withConnection([&](sqlite3* db) {
    Statement s = cache().get(db, kSql);
    s.bind(1, outcome).bind(2, notes).bind(3, nowMs / 1000).bind(4, contactId).run();
  });
}

CallPage SqliteCallRepository::history(const CallQuery& query) {
  std::string where = " WHERE 1=1";
  if (query.contactId) where += " AND contact_id = :contact";
  if (!query.agentId.empty()) where += " AND agent_id = :agent";
  if (!query.outcome.empty()) where += " AND outcome = :outcome";
  if (!query.result.empty()) where += " AND result = :result";
  if (!query.status.empty()) where += " AND status = :status";
  if (query.fromMs) where += " AND created_at >= :from";
  if (query.toMs) where += " AND created_at < :to";
  if (!query.notesSearch.empty()) where += " AND instr(lower(notes), lower(:notes)) > 0";
  if (!query.contactSearch.empty()) {
    where +=
        " AND (instr(lower(contact_name), lower(:who)) > 0 OR instr(lower(contact_company), lower(:who)) > 0"
        " OR instr(to_e164, :who) > 0)";
  }
  auto bindAll = [&](Statement& s) {
    if (query.contactId) s.bind(":contact", *query.contactId);
    if (!query.agentId.empty()) s.bind(":agent", query.agentId);
    if (!query.outcome.empty()) s.bind(":outcome", query.outcome);
    if (!query.result.empty()) s.bind(":result", query.result);
    if (!query.status.empty()) s.bind(":status", query.status);
    if (query.fromMs) s.bind(":from", *query.fromMs);
    if (query.toMs) s.bind(":to", *query.toMs);
    if (!query.notesSearch.empty()) s.bind(":notes", query.notesSearch);
    if (!query.contactSearch.empty()) s.bind(":who", query.contactSearch);
  };
  return database_.withConnection([&](sqlite3* db) {
    CallPage page;
    Statement count(db, "SELECT COUNT(*) FROM calls" + where);
    bindAll(count);
    page.total = count.step() ? count.integer(0) : 0;
    Statement s(db, queries().select + where + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset");
    bindAll(s);
    s.bind(":limit", query.perPage).bind(":offset", (query.page - 1) * query.perPage);
    while (s.step()) {
      page.items.push_back(readCall(s));
    }
    return page;
  });
}

std::vector<StoredEvent> SqliteCallRepository::timeline(const std::string& callId) {
  return database_.withConnection([&](sqlite3* db) {
    Statement s(db, std::string("SELECT ") + kEventColumns + " FROM call_events e WHERE e.call_id = ? ORDER BY e.seq");
    s.bind(1, callId);
    std::vector<StoredEvent> out;
    while (s.step()) {
      out.push_back(readEvent(s));
    }
    return out;
  });
}

std::vector<std::pair<StoredEvent, CallRecord>> SqliteCallRepository::eventsAfter(int64_t seq, int64_t limit) {
  return database_.withConnection([&](sqlite3* db) {
    Statement s(db, std::string("SELECT ") + kEventColumns + ", " + prefixedColumns("c") +
                        " FROM call_events e JOIN calls c ON c.id = e.call_id WHERE e.seq > ? ORDER BY e.seq LIMIT ?");
    s.bind(1, seq).bind(2, limit);
    std::vector<std::pair<StoredEvent, CallRecord>> out;
    while (s.step()) {
      out.emplace_back(readEvent(s), readCall(s, 9));
    }
    return out;
  });
}

int64_t SqliteCallRepository::lastEventSeq() {
  return database_.withConnection([&](sqlite3* db) {
    Statement s(db, "SELECT COALESCE(MAX(seq), 0) FROM call_events");
    return s.step() ? s.integer(0) : int64_t{0};
  });
}

nlohmann::json SqliteCallRepository::stats(const CallStatsQuery& query) {
  std::string where = " WHERE 1=1";
  if (query.fromMs) where += " AND created_at >= :from";
  if (query.toMs) where += " AND created_at < :to";
  if (!query.agentId.empty()) where += " AND agent_id = :agent";
  auto bindAll = [&](Statement& s) {
    if (query.fromMs) s.bind(":from", *query.fromMs);
    if (query.toMs) s.bind(":to", *query.toMs);
    if (!query.agentId.empty()) s.bind(":agent", query.agentId);
  };
  // A connect is a call the contact answered.
  const std::string aggregates =
      // An abandoned call was answered, but no agent spoke to anyone: not a connect.
      "COUNT(*), SUM(answered_at IS NOT NULL AND result IS NOT 'abandoned'), COALESCE(SUM(talk_seconds), 0), "
      "AVG(CASE WHEN answered_at IS NOT NULL AND result IS NOT 'abandoned' THEN talk_seconds END)";
  return database_.withConnection([&](sqlite3* db) {
    auto read = [](Statement& s, int base) {
      const int64_t calls = s.integer(base);
      const int64_t connects = s.integer(base + 1);
      const auto average = s.optionalText(base + 3);
      return nlohmann::json{
          {"calls", calls},
          {"connects", connects},
          {"connect_rate", calls > 0 ? static_cast<double>(connects) / static_cast<double>(calls) : 0.0},
          {"talk_seconds", s.integer(base + 2)},
          {"average_talk_seconds", average ? std::stod(*average) : 0.0}};
    };
    nlohmann::json out;
    {
      Statement s(db, "SELECT " + aggregates + " FROM calls" + where);
      bindAll(s);
      out["totals"] = s.step() ? read(s, 0) : nlohmann::json::object();
    }
    auto grouped = [&](const std::string& key, const std::string& expression) {
      Statement s(db, "SELECT " + expression + ", " + aggregates + " FROM calls" + where + " GROUP BY 1 ORDER BY 1");
      bindAll(s);
      nlohmann::json rows = nlohmann::json::array();
      while (s.step()) {
        nlohmann::json row = read(s, 1);
        row[key] = s.text(0);
        rows.push_back(row);
      }
      return rows;
    };
    out["per_day"] = grouped("day", "strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')");
    out["per_agent"] = grouped("agent_id", "agent_id");
    auto counts = [&](const std::string& column) {
      Statement s(db, "SELECT " + column + ", COUNT(*) FROM calls" + where + " AND " + column +
                          " IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1");
      bindAll(s);
      nlohmann::json j = nlohmann::json::object();
      while (s.step()) {
        j[s.text(0)] = s.integer(1);
      }
      return j;
    };
    out["outcomes"] = counts("outcome");
    out["results"] = counts("result");
    return out;
  });
}

}  // namespace sb::core
