#include <switchboard/core/calls/SqliteCallRepository.h>

#include <switchboard/core/DomainError.h>

#include "storage/SqliteStatement.h"

namespace sb::core {
namespace {

using sqlite::Statement;

constexpr const char* kColumns =
    "id, contact_id, agent_id, provider, topology, to_e164, from_e164, conference_name, conference_id, "
    "provider_call_id, agent_leg_id, session_id, status, conference_state, agent_state, contact_muted, "
    "contact_held, agent_muted, agent_held, end_cause, contact_duration_s, talk_seconds, result, outcome, notes, "
    "created_at, ringing_at, answered_at, conference_started_at, agent_joined_at, ended_at, clocks, outcome_at, "
    "outcome_by";

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
  return c;
}

std::optional<std::string> nullIfEmpty(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

/// Binds every column in kColumns order, from parameter 1.
void bindCall(Statement& s, const CallRecord& c) {
  int i = 1;
  s.bind(i++, c.id);
  s.bind(i++, c.contactId);
  s.bind(i++, c.agentId);
  s.bind(i++, c.provider);
  s.bind(i++, c.topology);
  s.bind(i++, c.toE164);
  s.bind(i++, c.fromE164);
  s.bind(i++, c.conferenceName);
  s.bind(i++, nullIfEmpty(c.conferenceId));
  s.bind(i++, nullIfEmpty(c.providerCallId));
  s.bind(i++, nullIfEmpty(c.agentLegId));
  s.bind(i++, c.sessionId);
  s.bind(i++, c.status);
  s.bind(i++, c.conferenceState);
  s.bind(i++, c.agentState);
  s.bind(i++, int64_t{c.contactMuted});
  s.bind(i++, int64_t{c.contactHeld});
  s.bind(i++, int64_t{c.agentMuted});
  s.bind(i++, int64_t{c.agentHeld});
  s.bind(i++, nullIfEmpty(c.endCause));
  s.bind(i++, c.contactDurationS);
  s.bind(i++, c.talkSeconds);
  s.bind(i++, nullIfEmpty(c.result));
  s.bind(i++, c.outcome);
  s.bind(i++, c.notes);
  s.bind(i++, c.createdAt);
  s.bind(i++, c.ringingAt);
  s.bind(i++, c.answeredAt);
  s.bind(i++, c.conferenceStartedAt);
  s.bind(i++, c.agentJoinedAt);
  s.bind(i++, c.endedAt);
  s.bind(i++, c.clocks.dump());
  s.bind(i++, c.outcomeAt);
  s.bind(i++, nullIfEmpty(c.outcomeBy));
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

const std::string kInsertSql = std::string("INSERT INTO calls (") + kColumns +
                               ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
// An UPDATE, never REPLACE: REPLACE deletes the row first, and the delete
// cascades to the call's timeline.
std::string updateSql() {
  std::string sql = "UPDATE calls SET ";
  std::string column;
  int index = 1;
  bool first = true;
  for (const char* p = kColumns;; ++p) {
    if (*p == ',' || *p == '\0') {
      if (index > 1) {  // ?1 is the id, in the WHERE clause
        sql += (first ? "" : ", ") + column + " = ?" + std::to_string(index);
        first = false;
      }
      column.clear();
      ++index;
      if (*p == '\0') break;
    } else if (*p != ' ') {
      column += *p;
    }
  }
  return sql + " WHERE id = ?1";
}
const std::string kSaveSql = updateSql();
const std::string kSelectSql = std::string("SELECT ") + kColumns + " FROM calls ";

/// The calls.* column list with a table prefix, for joins.
std::string prefixedColumns(const std::string& alias) {
  std::string out;
  std::string column;
  for (const char* p = kColumns;; ++p) {
    if (*p == ',' || *p == '\0') {
      out += (out.empty() ? "" : ", ") + alias + "." + column;
      column.clear();
      if (*p == '\0') break;
    } else if (*p != ' ') {
      column += *p;
    }
  }
  return out;
}

}  // namespace

void SqliteCallRepository::transact(const std::function<void()>& work) {
  database_.withConnection([&](sqlite3* db) {
    sqlite::exec(db, "BEGIN IMMEDIATE");
    try {
      work();
      sqlite::exec(db, "COMMIT");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  });
}

void SqliteCallRepository::step(const std::function<void()>& work) {
  database_.withConnection([&](sqlite3* db) {
    sqlite::exec(db, "SAVEPOINT job");
    try {
      work();
      sqlite::exec(db, "RELEASE job");
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK TO job; RELEASE job", nullptr, nullptr, nullptr);
      throw;
    }
  });
}

void SqliteCallRepository::insert(const CallRecord& call) {
  database_.withConnection([&](sqlite3* db) {
    Statement s = cache().get(db, kInsertSql.c_str());
    bindCall(s, call);
    try {
      s.run();
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

void SqliteCallRepository::save(const CallRecord& call) {
  database_.withConnection([&](sqlite3* db) {
    Statement s = cache().get(db, kSaveSql.c_str());
    bindCall(s, call);
    s.run();
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

namespace {
const std::string kById = kSelectSql + "WHERE id = ?";
const std::string kByConferenceId = kSelectSql + "WHERE conference_id = ? ORDER BY created_at DESC LIMIT 1";
const std::string kByConferenceName = kSelectSql + "WHERE conference_name = ?";
const std::string kBySession = kSelectSql + "WHERE session_id = ?";
const std::string kByProviderCall = kSelectSql + "WHERE provider_call_id = ? ORDER BY created_at DESC LIMIT 1";
const std::string kByAgentLeg = kSelectSql + "WHERE agent_leg_id = ? ORDER BY created_at DESC LIMIT 1";
const std::string kActiveFor = kSelectSql + "WHERE agent_id = ? AND ended_at IS NULL";
}  // namespace

std::optional<CallRecord> SqliteCallRepository::find(const std::string& id) {
  return findWhere(kById.c_str(), id);
}

std::optional<CallRecord> SqliteCallRepository::findByReference(const std::string& reference) {
  for (const std::string* sql : {&kById, &kByConferenceId, &kByConferenceName, &kBySession}) {
    if (auto call = findWhere(sql->c_str(), reference)) {
      return call;
    }
  }
  return std::nullopt;
}

std::optional<CallRecord> SqliteCallRepository::resolve(const sdk::CallEvent& event) {
  if (!event.callId.empty()) {
    if (auto call = findWhere(kById.c_str(), event.callId)) return call;
  }
  if (!event.providerCallId.empty()) {
    if (auto call = findWhere(kByProviderCall.c_str(), event.providerCallId)) return call;
    if (auto call = findWhere(kByAgentLeg.c_str(), event.providerCallId)) return call;
  }
  if (!event.conferenceId.empty()) {
    if (auto call = findWhere(kByConferenceId.c_str(), event.conferenceId)) return call;
  }
  return std::nullopt;
}

std::optional<CallRecord> SqliteCallRepository::activeFor(const std::string& agentId) {
  return findWhere(kActiveFor.c_str(), agentId);
}

int64_t SqliteCallRepository::appendEvent(const StoredEvent& event) {
  static const char* const kSql =
      "INSERT INTO call_events (call_id, source, event_key, type, leg, occurred_at, received_at, payload) "
      "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (source, event_key) DO NOTHING RETURNING seq";
  return database_.withConnection([&](sqlite3* db) -> int64_t {
    Statement s = cache().get(db, kSql);
    s.bind(1, event.callId).bind(2, event.source).bind(3, event.eventKey).bind(4, event.type);
    s.bind(5, nullIfEmpty(event.leg)).bind(6, event.occurredAt).bind(7, event.receivedAt).bind(8, event.payload.dump());
    if (!s.step()) return 0;  // no row returned: the key was there already
    const int64_t seq = s.integer(0);
    s.run();
    return seq;
  });
}

void SqliteCallRepository::markContactDialed(int64_t contactId, int64_t nowMs) {
  static const char* const kSql =
      "UPDATE contacts SET status = CASE WHEN status = 'do_not_call' THEN status ELSE 'in_call' END, "
      "last_called_at = ?, updated_at = ? WHERE id = ?";
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
  auto bindAll = [&](Statement& s) {
    if (query.contactId) s.bind(":contact", *query.contactId);
    if (!query.agentId.empty()) s.bind(":agent", query.agentId);
    if (!query.outcome.empty()) s.bind(":outcome", query.outcome);
    if (!query.result.empty()) s.bind(":result", query.result);
    if (!query.status.empty()) s.bind(":status", query.status);
    if (query.fromMs) s.bind(":from", *query.fromMs);
    if (query.toMs) s.bind(":to", *query.toMs);
    if (!query.notesSearch.empty()) s.bind(":notes", query.notesSearch);
  };
  return database_.withConnection([&](sqlite3* db) {
    CallPage page;
    Statement count(db, "SELECT COUNT(*) FROM calls" + where);
    bindAll(count);
    page.total = count.step() ? count.integer(0) : 0;
    Statement s(db, kSelectSql + where + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset");
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
      "COUNT(*), SUM(answered_at IS NOT NULL), COALESCE(SUM(talk_seconds), 0), "
      "AVG(CASE WHEN answered_at IS NOT NULL THEN talk_seconds END)";
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
