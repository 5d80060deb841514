#include <switchboard/core/calls/SqliteCallRepository.h>

#include "storage/Connections.h"

#include <switchboard/core/DomainError.h>
#include <switchboard/sdk/json.hpp>

#include <Poco/Data/AbstractExtractor.h>
#include <Poco/Data/AbstractPreparator.h>
#include <Poco/Data/DataException.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/TypeHandler.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <array>

using namespace Poco::Data::Keywords;
using Poco::Data::AbstractExtractor;
using Poco::Data::AbstractPreparator;

namespace sb::core {
namespace {

/// How one calls column is compared, bound and read, so that an update
/// writes only what changed without building the row, and a select reads
/// into CallRecord in table order.
struct Column {
  const char* name;
  bool (*same)(const CallRecord&, const CallRecord&);
  /// Appends the column's value to `statement`'s bindings (a copy).
  void (*bind)(Poco::Data::Statement& statement, const CallRecord&);
  void (*read)(std::size_t pos, AbstractExtractor::Ptr, CallRecord&);
  void (*prepare)(std::size_t pos, AbstractPreparator::Ptr);
};

template <auto Member>
bool sameField(const CallRecord& a, const CallRecord& b) {
  return a.*Member == b.*Member;
}

std::string readText(std::size_t pos, AbstractExtractor::Ptr extractor) {
  std::string value;
  extractor->extract(pos, value);  // false (value left empty) for NULL
  return value;
}
std::optional<int64_t> readInteger(std::size_t pos, AbstractExtractor::Ptr extractor) {
  Poco::Int64 value = 0;
  return extractor->extract(pos, value) ? std::optional<int64_t>(value) : std::nullopt;
}
void prepareText(std::size_t pos, AbstractPreparator::Ptr preparator) {
  preparator->prepare(pos, std::string());
}
void prepareInteger(std::size_t pos, AbstractPreparator::Ptr preparator) {
  preparator->prepare(pos, Poco::Int64{0});
}

/// TEXT NOT NULL.
template <auto Member>
constexpr Column text(const char* name) {
  return {name, &sameField<Member>, [](Poco::Data::Statement& s, const CallRecord& c) { s, bind(c.*Member); },
          [](std::size_t pos, AbstractExtractor::Ptr e, CallRecord& c) { c.*Member = readText(pos, e); }, &prepareText};
}
/// TEXT, NULL for an empty string.
template <auto Member>
constexpr Column textOrNull(const char* name) {
  return {name, &sameField<Member>,
          [](Poco::Data::Statement& s, const CallRecord& c) {
            const std::string& value = c.*Member;
            s, bind(value.empty() ? Poco::Nullable<std::string>() : Poco::Nullable<std::string>(value));
          },
          [](std::size_t pos, AbstractExtractor::Ptr e, CallRecord& c) { c.*Member = readText(pos, e); }, &prepareText};
}
/// TEXT, NULL for std::nullopt.
template <auto Member>
constexpr Column optionalText(const char* name) {
  return {name, &sameField<Member>,
          [](Poco::Data::Statement& s, const CallRecord& c) {
            const std::optional<std::string>& value = c.*Member;
            s, bind(value ? Poco::Nullable<std::string>(*value) : Poco::Nullable<std::string>());
          },
          [](std::size_t pos, AbstractExtractor::Ptr e, CallRecord& c) {
            std::string value;
            c.*Member = e->extract(pos, value) ? std::optional<std::string>(std::move(value)) : std::nullopt;
          },
          &prepareText};
}
/// INTEGER NOT NULL.
template <auto Member>
constexpr Column integer(const char* name) {
  return {name, &sameField<Member>,
          [](Poco::Data::Statement& s, const CallRecord& c) { s, bind(Poco::Int64{c.*Member}); },
          [](std::size_t pos, AbstractExtractor::Ptr e, CallRecord& c) { c.*Member = readInteger(pos, e).value_or(0); },
          &prepareInteger};
}
/// INTEGER, NULL for std::nullopt.
template <auto Member>
constexpr Column optionalInteger(const char* name) {
  return {name, &sameField<Member>,
          [](Poco::Data::Statement& s, const CallRecord& c) {
            const std::optional<int64_t>& value = c.*Member;
            s, bind(value ? Poco::Nullable<Poco::Int64>(*value) : Poco::Nullable<Poco::Int64>());
          },
          [](std::size_t pos, AbstractExtractor::Ptr e, CallRecord& c) { c.*Member = readInteger(pos, e); },
          &prepareInteger};
}
/// INTEGER 0/1.
template <auto Member>
constexpr Column flag(const char* name) {
  return {name, &sameField<Member>,
          [](Poco::Data::Statement& s, const CallRecord& c) { s, bind(Poco::Int64{c.*Member ? 1 : 0}); },
          [](std::size_t pos, AbstractExtractor::Ptr e, CallRecord& c) {
            c.*Member = readInteger(pos, e).value_or(0) != 0;
          },
          &prepareInteger};
}
/// The internal clocks, a JSON object in TEXT.
constexpr Column clocks(const char* name) {
  return {name, &sameField<&CallRecord::clocks>,
          [](Poco::Data::Statement& s, const CallRecord& c) { s, bind(sdk::json::dump(c.clocks)); },
          [](std::size_t pos, AbstractExtractor::Ptr e, CallRecord& c) {
            c.clocks = nlohmann::json::parse(readText(pos, e), nullptr, false);
            if (!c.clocks.is_object()) c.clocks = nlohmann::json::object();
          },
          &prepareText};
}

constexpr std::array<Column, 38> kColumnTable = {{
    text<&CallRecord::id>("id"),
    optionalInteger<&CallRecord::contactId>("contact_id"),
    text<&CallRecord::agentId>("agent_id"),
    text<&CallRecord::provider>("provider"),
    text<&CallRecord::topology>("topology"),
    text<&CallRecord::toE164>("to_e164"),
    text<&CallRecord::fromE164>("from_e164"),
    text<&CallRecord::conferenceName>("conference_name"),
    textOrNull<&CallRecord::conferenceId>("conference_id"),
    textOrNull<&CallRecord::providerCallId>("provider_call_id"),
    textOrNull<&CallRecord::agentLegId>("agent_leg_id"),
    text<&CallRecord::sessionId>("session_id"),
    text<&CallRecord::status>("status"),
    text<&CallRecord::conferenceState>("conference_state"),
    text<&CallRecord::agentState>("agent_state"),
    flag<&CallRecord::contactMuted>("contact_muted"),
    flag<&CallRecord::contactHeld>("contact_held"),
    flag<&CallRecord::agentMuted>("agent_muted"),
    flag<&CallRecord::agentHeld>("agent_held"),
    textOrNull<&CallRecord::endCause>("end_cause"),
    optionalInteger<&CallRecord::contactDurationS>("contact_duration_s"),
    optionalInteger<&CallRecord::talkSeconds>("talk_seconds"),
    textOrNull<&CallRecord::result>("result"),
    optionalText<&CallRecord::outcome>("outcome"),
    text<&CallRecord::notes>("notes"),
    integer<&CallRecord::createdAt>("created_at"),
    optionalInteger<&CallRecord::ringingAt>("ringing_at"),
    optionalInteger<&CallRecord::answeredAt>("answered_at"),
    optionalInteger<&CallRecord::conferenceStartedAt>("conference_started_at"),
    optionalInteger<&CallRecord::agentJoinedAt>("agent_joined_at"),
    optionalInteger<&CallRecord::endedAt>("ended_at"),
    clocks("clocks"),
    optionalInteger<&CallRecord::outcomeAt>("outcome_at"),
    textOrNull<&CallRecord::outcomeBy>("outcome_by"),
    flag<&CallRecord::agentNamed>("agent_named"),
    text<&CallRecord::contactName>("contact_name"),
    text<&CallRecord::contactCompany>("contact_company"),
    integer<&CallRecord::version>("version"),  // last: save() stamps it when another column changed
}};
constexpr size_t kColumnCount = kColumnTable.size();

constexpr size_t kEventColumnCount = 9;

}  // namespace
}  // namespace sb::core

namespace Poco::Data {

/// A calls row, read in kColumnTable's order: `into(std::vector<CallRecord>)`.
template <>
class TypeHandler<sb::core::CallRecord> {
 public:
  static std::size_t size() { return sb::core::kColumnCount; }
  static void extract(std::size_t pos, sb::core::CallRecord& call, const sb::core::CallRecord&,
                      AbstractExtractor::Ptr extractor) {
    for (const sb::core::Column& column : sb::core::kColumnTable) column.read(pos++, extractor, call);
  }
  static void prepare(std::size_t pos, const sb::core::CallRecord&, AbstractPreparator::Ptr preparator) {
    for (const sb::core::Column& column : sb::core::kColumnTable) column.prepare(pos++, preparator);
  }
};

/// A call_events row (kEventColumns' order).
template <>
class TypeHandler<sb::core::StoredEvent> {
 public:
  static std::size_t size() { return sb::core::kEventColumnCount; }
  static void extract(std::size_t pos, sb::core::StoredEvent& e, const sb::core::StoredEvent&,
                      AbstractExtractor::Ptr extractor) {
    Poco::Int64 number = 0;
    extractor->extract(pos++, number);
    e.seq = number;
    extractor->extract(pos++, e.callId);
    extractor->extract(pos++, e.source);
    extractor->extract(pos++, e.eventKey);
    extractor->extract(pos++, e.type);
    extractor->extract(pos++, e.leg);  // NULL: left empty
    number = 0;
    extractor->extract(pos++, number);
    e.occurredAt = number;
    number = 0;
    extractor->extract(pos++, number);
    e.receivedAt = number;
    std::string payload;
    extractor->extract(pos++, payload);
    e.payload = nlohmann::json::parse(payload, nullptr, false);
  }
  static void prepare(std::size_t pos, const sb::core::StoredEvent&, AbstractPreparator::Ptr preparator) {
    preparator->prepare(pos++, Poco::Int64{0});
    for (int i = 0; i < 5; ++i) preparator->prepare(pos++, std::string());
    preparator->prepare(pos++, Poco::Int64{0});
    preparator->prepare(pos++, Poco::Int64{0});
    preparator->prepare(pos++, std::string());
  }
};

}  // namespace Poco::Data

namespace sb::core {
namespace {

constexpr const char* kEventColumns =
    "e.seq, e.call_id, e.source, e.event_key, e.type, e.leg, e.occurred_at, e.received_at, e.payload";

/// "id, contact_id, ...", in table order, each with `prefix` ("c.") before it.
std::string columnList(const std::string& prefix = "") {
  std::string out;
  for (const Column& column : kColumnTable) {
    out += (out.empty() ? "" : ", ") + prefix + column.name;
  }
  return out;
}

/// The statements built from the column table, once.
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
  std::string latestPerAgent;
  std::string answeredWithoutAgent;
  std::string answeredWithAgentAway;
  std::string eventsAfter;
};

const Queries& queries() {
  static const Queries q = [] {
    Queries out;
    std::string values;
    for (size_t i = 1; i <= kColumnCount; ++i) {
      values += (i == 1 ? "$" : ", $") + std::to_string(i);
    }
    out.insert = "INSERT INTO calls (" + columnList() + ") VALUES (" + values + ")";
    out.select = "SELECT " + columnList() + " FROM calls ";
    out.byId = out.select + "WHERE id = $1";
    out.byConferenceId = out.select + "WHERE conference_id = $1 ORDER BY created_at DESC LIMIT 1";
    out.byConferenceName = out.select + "WHERE conference_name = $1";
    out.bySession = out.select + "WHERE session_id = $1";
    out.byProviderCall = out.select + "WHERE provider_call_id = $1 ORDER BY created_at DESC LIMIT 1";
    out.byAgentLeg = out.select + "WHERE agent_leg_id = $1 ORDER BY created_at DESC LIMIT 1";
    // agent_named = 1 and ended_at IS NULL: the unique index's own condition.
    out.activeFor = out.select + "WHERE agent_id = $1 AND ended_at IS NULL AND agent_named = 1";
    out.activeAll = out.select + "WHERE ended_at IS NULL ORDER BY created_at LIMIT $1";
    out.activeOfAgent = out.select + "WHERE ended_at IS NULL AND agent_id = $1 ORDER BY created_at LIMIT $2";
    // Today's calls (calls_by_created) and the live ones (calls_active: a
    // call placed before midnight may still be going), numbered per agent
    // newest first. A named agent's live call is its newest: it can place
    // no other while it lasts.
    out.latestPerAgent = out.select +
                         "WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY agent_id "
                         "ORDER BY created_at DESC, id DESC) AS n FROM calls WHERE (created_at >= $1 OR "
                         "ended_at IS NULL) AND agent_named = 1) latest WHERE n = 1) ORDER BY agent_id LIMIT $2";
    // Scans the live calls only (the calls_active partial index).
    out.answeredWithoutAgent = out.select +
                               "WHERE ended_at IS NULL AND answered_at < $1 AND agent_joined_at IS NULL "
                               "ORDER BY answered_at LIMIT $2";
    out.answeredWithAgentAway = out.select +
                                "WHERE ended_at IS NULL AND answered_at IS NOT NULL AND agent_joined_at IS NOT NULL "
                                "AND agent_state <> 'connected' ORDER BY answered_at LIMIT $1";
    out.eventsAfter = std::string("SELECT ") + kEventColumns + ", " + columnList("c.") +
                      " FROM call_events e JOIN calls c ON c.id = e.call_id WHERE e.seq > $1 ORDER BY e.seq LIMIT $2";
    return out;
  }();
  return q;
}

/// A WHERE clause built filter by filter: each condition takes the next
/// parameter number, and bindAll() binds the values in the same order.
class Filters {
 public:
  template <typename T>
  std::string parameter(T value) {
    binders_.emplace_back([value](Poco::Data::Statement& s) { s, bind(value); });
    return "$" + std::to_string(binders_.size());
  }
  void add(const std::string& condition) { where_ += " AND " + condition; }
  const std::string& where() const { return where_; }
  void bindAll(Poco::Data::Statement& statement, size_t count) const {
    for (size_t i = 0; i < count && i < binders_.size(); ++i) binders_[i](statement);
  }
  size_t size() const { return binders_.size(); }

 private:
  std::string where_ = " WHERE 1=1";
  std::vector<std::function<void(Poco::Data::Statement&)>> binders_;
};

}  // namespace

namespace {

/// Runs a statement without parameters, prepared on first use.
void run(std::unique_ptr<Poco::Data::Statement>& statement, Poco::Data::Session& session, const char* sql) {
  // Kept between runs: constructing a Poco statement costs more than
  // running one of these (measured with callgrind on sb_bench_journal).
  if (!statement) {
    statement = std::make_unique<Poco::Data::Statement>(session);
    *statement << sql;
  }
  try {
    statement->execute();
  } catch (...) {
    statement.reset();  // a Poco statement that threw is not run again
    throw;
  }
}

}  // namespace

struct SqliteCallRepository::KeptStatements {
  struct Control {
    std::unique_ptr<Poco::Data::Statement> begin, commit, savepoint, release, rollbackTo;
  } control;
  /// The event insert, bound to these fields.
  struct EventRow {
    std::string callId, source, eventKey, type, payload;
    Poco::Nullable<std::string> leg;
    Poco::Int64 occurredAt = 0, receivedAt = 0, seq = 0;
    std::vector<Poco::Int64> returned;  // PostgreSQL: the new row's seq (RETURNING), none on a conflict
    std::unique_ptr<Poco::Data::Statement> insert, lastId;
  } eventRow;
};

SqliteCallRepository::SqliteCallRepository(Database& database)
    : database_(database), kept_(std::make_unique<KeptStatements>()) {}

SqliteCallRepository::~SqliteCallRepository() = default;

void SqliteCallRepository::forgetStaleStatements() {
  if (database_.connections().connectionGeneration() == statementsGeneration_) {
    return;
  }
  kept_->control = {};
  kept_->eventRow.insert.reset();
  kept_->eventRow.lastId.reset();
  statementsGeneration_ = database_.connections().connectionGeneration();
}

void SqliteCallRepository::transact(const std::function<void()>& work) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    forgetStaleStatements();
    // SQLite: statements kept between transactions (cheaper than
    // Connections::beginWrite's new one each time); PostgreSQL: Poco's own
    // transaction control (Connections::beginWrite says why).
    if (database_.isPostgresql()) {
      database_.connections().beginWrite(session);
    } else {
      run(kept_->control.begin, session, "BEGIN IMMEDIATE");
    }
    writtenInStep_.clear();
    eventsInTransaction_ = false;
    try {
      database_.connections().lockCallWriters(session);
      work();
      if (database_.isPostgresql()) {
        if (eventsInTransaction_) database_.connections().notify(session, kEventsChannel);
        database_.connections().commit(session);
      } else {
        run(kept_->control.commit, session, "COMMIT");
      }
    } catch (...) {
      database_.connections().rollback(session);
      records_.clear();  // it may hold writes that were just undone
      throw;
    }
  });
}

void SqliteCallRepository::step(const std::function<void()>& work) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    forgetStaleStatements();
    run(kept_->control.savepoint, session, "SAVEPOINT job");
    writtenInStep_.clear();
    try {
      work();
      run(kept_->control.release, session, "RELEASE job");
    } catch (...) {
      run(kept_->control.rollbackTo, session, "ROLLBACK TO job");
      run(kept_->control.release, session, "RELEASE job");
      for (const auto& id : writtenInStep_) {
        records_.erase(id);
      }
      throw;
    }
  });
}

void SqliteCallRepository::insert(const CallRecord& call) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    Poco::Data::Statement statement(session);
    statement << database_.sql(queries().insert);
    for (const Column& column : kColumnTable) column.bind(statement, call);
    try {
      statement.execute();
      remember(call);
    } catch (const Poco::Data::DataException& e) {
      // SQLite names the column ("UNIQUE constraint failed: calls.agent_id"),
      // PostgreSQL the index (calls_one_active_per_agent).
      const std::string message = e.displayText();
      if (message.find("calls.agent_id") != std::string::npos ||
          message.find("calls_one_active_per_agent") != std::string::npos) {
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
  database_.connections().withSession([&](Poco::Data::Session& session) {
    auto [it, added] = updateSql_.try_emplace(mask);
    if (added) {
      std::string sql = "UPDATE calls SET ";
      int parameter = 0;
      for (size_t i = 1; i < kColumnCount; ++i) {
        if ((mask & (uint64_t{1} << i)) != 0) {
          sql += (parameter == 0 ? "" : ", ") + std::string(kColumnTable[i].name) + " = $";
          sql += std::to_string(++parameter);
        }
      }
      it->second = database_.sql(sql + " WHERE id = $" + std::to_string(parameter + 1));
    }
    Poco::Data::Statement statement(session);
    statement << it->second;
    for (size_t i = 1; i < kColumnCount; ++i) {
      if ((mask & (uint64_t{1} << i)) != 0) {
        kColumnTable[i].bind(statement, after);
      }
    }
    kColumnTable[0].bind(statement, after);
    statement.execute();
    remember(after);
  });
}

std::optional<CallRecord> SqliteCallRepository::findWhere(const std::string& sql, const std::string& value) {
  return database_.connections().withSession([&](Poco::Data::Session& session) -> std::optional<CallRecord> {
    std::vector<CallRecord> rows;
    session << database_.sql(sql), useRef(value), into(rows), now;
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  });
}

void SqliteCallRepository::remember(const CallRecord& call) {
  // Caller holds the connection lock.
  if (database_.isPostgresql()) {
    return;  // another host may write this call next: read it back each time
  }
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
  return database_.connections().withSession([&](Poco::Data::Session&) -> std::optional<CallRecord> {
    if (auto it = records_.find(id); it != records_.end()) {
      return it->second;
    }
    return findWhere(queries().byId, id);
  });
}

std::optional<CallRecord> SqliteCallRepository::findByReference(const std::string& reference) {
  // The database, not the write cache: this serves readers, who should see
  // what other writers (a deleted contact's SET NULL) did too.
  for (const std::string* sql :
       {&queries().byId, &queries().byConferenceId, &queries().byConferenceName, &queries().bySession}) {
    if (auto call = findWhere(*sql, reference)) {
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
    if (auto call = findWhere(queries().byProviderCall, event.providerCallId)) return call;
    if (auto call = findWhere(queries().byAgentLeg, event.providerCallId)) return call;
  }
  if (!event.conferenceId.empty()) {
    if (auto call = findWhere(queries().byConferenceId, event.conferenceId)) return call;
  }
  return std::nullopt;
}

std::optional<CallRecord> SqliteCallRepository::activeFor(const std::string& agentId) {
  return findWhere(queries().activeFor, agentId);
}

std::vector<CallRecord> SqliteCallRepository::active(const std::string& agentId, int64_t limit) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    std::vector<CallRecord> out;
    const Poco::Int64 most = limit;
    if (agentId.empty()) {
      session << database_.sql(queries().activeAll), useRef(most), into(out), now;
    } else {
      session << database_.sql(queries().activeOfAgent), useRef(agentId), useRef(most), into(out), now;
    }
    return out;
  });
}

std::vector<CallRecord> SqliteCallRepository::latestPerAgent(int64_t sinceMs, int64_t limit) {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    std::vector<CallRecord> out;
    const Poco::Int64 since = sinceMs;
    const Poco::Int64 most = limit;
    session << database_.sql(queries().latestPerAgent), useRef(since), useRef(most), into(out), now;
    return out;
  });
}

std::vector<CallRecord> SqliteCallRepository::answeredWithoutAgent(int64_t answeredBeforeMs, int64_t limit) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    std::vector<CallRecord> out;
    const Poco::Int64 before = answeredBeforeMs;
    const Poco::Int64 most = limit;
    session << database_.sql(queries().answeredWithoutAgent), useRef(before), useRef(most), into(out), now;
    return out;
  });
}

std::vector<CallRecord> SqliteCallRepository::answeredWithAgentAway(int64_t limit) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    std::vector<CallRecord> out;
    const Poco::Int64 most = limit;
    session << database_.sql(queries().answeredWithAgentAway), useRef(most), into(out), now;
    return out;
  });
}

int64_t SqliteCallRepository::activeCount() {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    // Served by the calls_active partial index: as many entries as live calls.
    Poco::Int64 count = 0;
    session << "SELECT COUNT(*) FROM calls WHERE ended_at IS NULL", into(count), now;
    return count;
  });
}

int64_t SqliteCallRepository::appendEvent(const StoredEvent& event) {
  return database_.connections().withSession([&](Poco::Data::Session& session) -> int64_t {
    forgetStaleStatements();
    auto& row = kept_->eventRow;
    row.callId = event.callId;
    row.source = event.source;
    row.eventKey = event.eventKey;
    row.type = event.type;
    row.leg = event.leg.empty() ? Poco::Nullable<std::string>() : Poco::Nullable<std::string>(event.leg);
    row.occurredAt = event.occurredAt;
    row.receivedAt = event.receivedAt;
    row.payload = sdk::json::dump(event.payload);
    if (!row.insert) {
      row.insert = std::make_unique<Poco::Data::Statement>(session);
      const std::string insert =
          "INSERT INTO call_events (call_id, source, event_key, type, leg, occurred_at, "
          "received_at, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
          "ON CONFLICT (call_id, source, event_key) DO NOTHING";
      *row.insert << database_.sql(insert + (database_.isPostgresql() ? " RETURNING seq" : "")), use(row.callId),
          use(row.source), use(row.eventKey), use(row.type), use(row.leg), use(row.occurredAt), use(row.receivedAt),
          use(row.payload);
      if (database_.isPostgresql()) {
        *row.insert, into(row.returned);
      } else {
        row.lastId = std::make_unique<Poco::Data::Statement>(session);
        *row.lastId << "SELECT last_insert_rowid()", into(row.seq);
      }
    }
    try {
      if (database_.isPostgresql()) {
        // No row back: the key was there already.
        row.returned.clear();
        row.insert->execute();
        if (row.returned.empty()) return 0;
        eventsInTransaction_ = true;
        return row.returned.front();
      }
      if (row.insert->execute() == 0) return 0;  // the key was there already
      // Not RETURNING on SQLite: it buffers the rows in a temporary table,
      // which cost more than the insert itself (measured).
      row.lastId->execute();
    } catch (...) {
      row.insert.reset();  // a Poco statement that threw is not run again
      row.lastId.reset();
      throw;
    }
    return row.seq;
  });
}

void SqliteCallRepository::markContactDialed(int64_t contactId, int64_t nowMs) {
  // A new call has no outcome yet: the contact's last outcome and notes are
  // the new call's, so a call left unlogged reads as unlogged, never as the
  // previous call's outcome (history keeps every call's own).
  database_.connections().withSession([&](Poco::Data::Session& session) {
    const Poco::Int64 seconds = nowMs / 1000;
    const Poco::Int64 id = contactId;
    session << database_.sql(
        "UPDATE contacts SET status = CASE WHEN status = 'do_not_call' THEN status ELSE "
        "'in_call' END, last_outcome = NULL, last_notes = NULL, last_called_at = $1, "
        "updated_at = $1 WHERE id = $2"),
        useRef(seconds), useRef(id), now;
  });
}

void SqliteCallRepository::markContactCallEnded(int64_t contactId, int64_t nowMs) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    const Poco::Int64 seconds = nowMs / 1000;
    const Poco::Int64 id = contactId;
    session << database_.sql(
        "UPDATE contacts SET status = CASE WHEN status = 'in_call' THEN 'called' ELSE status "
        "END, updated_at = $1 WHERE id = $2"),
        useRef(seconds), useRef(id), now;
  });
}

void SqliteCallRepository::markContactOutcome(int64_t contactId, const std::string& outcome, const std::string& notes,
                                              int64_t nowMs) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    const Poco::Int64 seconds = nowMs / 1000;
    const Poco::Int64 id = contactId;
    session << database_.sql(
        "UPDATE contacts SET last_outcome = $1, last_notes = $2, updated_at = $3, status = CASE "
        "WHEN status IN ('in_call', 'not_called') THEN 'called' ELSE status END WHERE id = $4"),
        useRef(outcome), useRef(notes), useRef(seconds), useRef(id), now;
  });
}

CallPage SqliteCallRepository::history(const CallQuery& query) {
  Filters filters;
  if (query.contactId) filters.add("contact_id = " + filters.parameter(Poco::Int64{*query.contactId}));
  if (!query.agentId.empty()) filters.add("agent_id = " + filters.parameter(query.agentId));
  if (!query.outcome.empty()) filters.add("outcome = " + filters.parameter(query.outcome));
  if (!query.result.empty()) filters.add("result = " + filters.parameter(query.result));
  if (!query.status.empty()) filters.add("status = " + filters.parameter(query.status));
  if (query.fromMs) filters.add("created_at >= " + filters.parameter(Poco::Int64{*query.fromMs}));
  if (query.toMs) filters.add("created_at < " + filters.parameter(Poco::Int64{*query.toMs}));
  // Substring matches without LIKE's wildcards: the text is the user's.
  if (!query.notesSearch.empty()) {
    filters.add(database_.contains("lower(notes)", "lower(" + filters.parameter(query.notesSearch) + ")"));
  }
  if (!query.contactSearch.empty()) {
    const std::string who = filters.parameter(query.contactSearch);
    filters.add("(" + database_.contains("lower(contact_name)", "lower(" + who + ")") + " OR " +
                database_.contains("lower(contact_company)", "lower(" + who + ")") + " OR " +
                database_.contains("to_e164", who) + ")");
  }
  const size_t filterCount = filters.size();
  const std::string limit = filters.parameter(Poco::Int64{query.perPage});
  const std::string offset = filters.parameter(Poco::Int64{(query.page - 1) * query.perPage});
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    CallPage page;
    Poco::Data::Statement count(session);
    count << database_.sql("SELECT COUNT(*) FROM calls" + filters.where()), into(page.total);
    filters.bindAll(count, filterCount);
    count.execute();
    Poco::Data::Statement select(session);
    select << database_.sql(queries().select + filters.where() + " ORDER BY created_at DESC, id DESC LIMIT " + limit +
                            " OFFSET " + offset),
        into(page.items);
    filters.bindAll(select, filters.size());
    select.execute();
    return page;
  });
}

std::vector<StoredEvent> SqliteCallRepository::timeline(const std::string& callId) {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    std::vector<StoredEvent> out;
    session << database_.sql(std::string("SELECT ") + kEventColumns +
                             " FROM call_events e WHERE e.call_id = $1 ORDER BY e.seq"),
        useRef(callId), into(out), now;
    return out;
  });
}

std::vector<std::pair<StoredEvent, CallRecord>> SqliteCallRepository::eventsAfter(int64_t seq, int64_t limit) {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    std::vector<StoredEvent> events;
    std::vector<CallRecord> calls;
    const Poco::Int64 after = seq;
    const Poco::Int64 most = limit;
    session << database_.sql(queries().eventsAfter), useRef(after), useRef(most), into(events), into(calls), now;
    std::vector<std::pair<StoredEvent, CallRecord>> out;
    out.reserve(events.size());
    for (size_t i = 0; i < events.size() && i < calls.size(); ++i) {
      out.emplace_back(std::move(events[i]), std::move(calls[i]));
    }
    return out;
  });
}

std::unique_ptr<DatabaseListener> SqliteCallRepository::listenForEvents() {
  return database_.listen(kEventsChannel);
}

int64_t SqliteCallRepository::lastEventSeq() {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    Poco::Int64 seq = 0;
    session << "SELECT COALESCE(MAX(seq), 0) FROM call_events", into(seq), now;
    return seq;
  });
}

nlohmann::json SqliteCallRepository::stats(const CallStatsQuery& query) {
  Filters filters;
  if (query.fromMs) filters.add("created_at >= " + filters.parameter(Poco::Int64{*query.fromMs}));
  if (query.toMs) filters.add("created_at < " + filters.parameter(Poco::Int64{*query.toMs}));
  if (!query.agentId.empty()) filters.add("agent_id = " + filters.parameter(query.agentId));
  // A connect is a call the contact answered; an abandoned call was
  // answered, but no agent spoke to anyone: not a connect.
  const std::string connected = "answered_at IS NOT NULL AND (result IS NULL OR result <> 'abandoned')";
  const std::string aggregates = "COUNT(*), COUNT(CASE WHEN " + connected +
                                 " THEN 1 END), COALESCE(SUM(talk_seconds), 0), AVG(CASE WHEN " + connected +
                                 " THEN talk_seconds END)";
  using Totals = Poco::Tuple<Poco::Int64, Poco::Int64, Poco::Int64, Poco::Nullable<double>>;
  using Grouped = Poco::Tuple<std::string, Poco::Int64, Poco::Int64, Poco::Int64, Poco::Nullable<double>>;
  auto toJson = [](Poco::Int64 calls, Poco::Int64 connects, Poco::Int64 talk, const Poco::Nullable<double>& average) {
    return nlohmann::json{
        {"calls", calls},
        {"connects", connects},
        {"connect_rate", calls > 0 ? static_cast<double>(connects) / static_cast<double>(calls) : 0.0},
        {"talk_seconds", talk},
        {"average_talk_seconds", average.isNull() ? 0.0 : average.value()}};
  };
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    nlohmann::json out;
    {
      std::vector<Totals> rows;
      Poco::Data::Statement s(session);
      s << database_.sql("SELECT " + aggregates + " FROM calls" + filters.where()), into(rows);
      filters.bindAll(s, filters.size());
      s.execute();
      out["totals"] = rows.empty() ? nlohmann::json::object()
                                   : toJson(rows[0].get<0>(), rows[0].get<1>(), rows[0].get<2>(), rows[0].get<3>());
    }
    auto grouped = [&](const std::string& key, const std::string& expression) {
      std::vector<Grouped> rows;
      Poco::Data::Statement s(session);
      s << database_.sql("SELECT " + expression + ", " + aggregates + " FROM calls" + filters.where() +
                         " GROUP BY 1 ORDER BY 1"),
          into(rows);
      filters.bindAll(s, filters.size());
      s.execute();
      nlohmann::json list = nlohmann::json::array();
      for (const Grouped& row : rows) {
        nlohmann::json j = toJson(row.get<1>(), row.get<2>(), row.get<3>(), row.get<4>());
        j[key] = row.get<0>();
        list.push_back(std::move(j));
      }
      return list;
    };
    out["per_day"] = grouped("day", database_.utcDay("created_at"));
    out["per_agent"] = grouped("agent_id", "agent_id");
    auto counts = [&](const std::string& column) {
      std::vector<Poco::Tuple<std::string, Poco::Int64>> rows;
      Poco::Data::Statement s(session);
      s << database_.sql("SELECT " + column + ", COUNT(*) FROM calls" + filters.where() + " AND " + column +
                         " IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"),
          into(rows);
      filters.bindAll(s, filters.size());
      s.execute();
      nlohmann::json j = nlohmann::json::object();
      for (const auto& row : rows) j[row.get<0>()] = row.get<1>();
      return j;
    };
    out["outcomes"] = counts("outcome");
    out["results"] = counts("result");
    return out;
  });
}

}  // namespace sb::core
