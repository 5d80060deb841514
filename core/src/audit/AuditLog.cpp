#include <switchboard/core/audit/AuditLog.h>

#include "storage/Connections.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/text/Time.h>
#include <switchboard/core/text/Utf8.h>
#include <switchboard/sdk/json.hpp>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include <chrono>

using namespace Poco::Data::Keywords;

namespace sb::core {
namespace {

/// Texts an entry carries are bounded: a failed sign-in records the email
/// as typed, which is anyone's input.
constexpr size_t kMaxText = 256;

std::string bounded(const std::string& text) {
  return sanitizeUtf8(truncateUtf8(text, kMaxText));
}

}  // namespace

nlohmann::json AuditEntry::toJson() const {
  return {{"id", id},         {"at", formatUtc(at / 1000)}, {"at_ms", at},
          {"actor", actor},   {"actor_name", actorName},    {"action", action},
          {"target", target}, {"client", client},           {"details", details}};
}

AuditLog::AuditLog(Database& database, Clock clock) : database_(database), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = unixNowMs;
  }
}

void AuditLog::record(AuditEntry entry) noexcept {
  try {
    Poco::Int64 at = entry.at != 0 ? entry.at : clock_();
    std::string actor = bounded(entry.actor), actorName = bounded(entry.actorName), action = bounded(entry.action),
                target = bounded(entry.target), client = bounded(entry.client),
                details = sdk::json::dump(entry.details);
    database_.connections().withSession([&](Poco::Data::Session& session) {
      session << database_.sql(
          "INSERT INTO audit_log (at, actor, actor_name, action, target, client, details) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7)"),
          use(at), use(actor), use(actorName), use(action), use(target), use(client), use(details), now;
    });
  } catch (const std::exception& e) {
    logger("audit")->error("could not record '{}' by {} in the audit log: {}", entry.action, entry.actor, e.what());
  }
}

AuditPage AuditLog::query(const AuditQuery& query) {
  std::string where = " WHERE 1=1";
  std::vector<std::string> texts;
  std::vector<Poco::Int64> numbers;
  std::vector<std::function<void(Poco::Data::Statement&)>> binders;
  int parameter = 0;
  auto next = [&] { return "$" + std::to_string(++parameter); };
  if (!query.action.empty()) {
    if (query.action.back() == '.') {
      where += " AND substr(action, 1, " + std::to_string(query.action.size()) + ") = " + next();
    } else {
      where += " AND action = " + next();
    }
    texts.push_back(query.action);
  }
  if (!query.actor.empty()) {
    const std::string p = next();
    where += " AND (actor = " + p + " OR actor_name = " + p + ")";
    texts.push_back(query.actor);
  }
  if (query.fromMs) {
    where += " AND at >= " + next();
    numbers.push_back(*query.fromMs);
  }
  if (query.toMs) {
    where += " AND at < " + next();
    numbers.push_back(*query.toMs);
  }
  const int64_t perPage = std::clamp<int64_t>(query.perPage, 1, kMaxPerPage);
  const int64_t offset = (std::max<int64_t>(query.page, 1) - 1) * perPage;
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    auto bindAll = [&](Poco::Data::Statement& statement) {
      for (auto& text : texts) statement, useRef(text);
      for (auto& number : numbers) statement, useRef(number);
    };
    AuditPage page;
    Poco::Int64 total = 0;
    Poco::Data::Statement count(session);
    count << database_.sql("SELECT COUNT(*) FROM audit_log" + where), into(total);
    bindAll(count);
    count.execute();
    page.total = total;
    Poco::Data::Statement select(session);
    select << database_.sql("SELECT id, at, actor, actor_name, action, target, client, details FROM audit_log" + where +
                            " ORDER BY id DESC LIMIT " + std::to_string(perPage) + " OFFSET " + std::to_string(offset));
    bindAll(select);
    select.execute();
    Poco::Data::RecordSet rows(select);
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
      AuditEntry entry;
      entry.id = rows.value(0).convert<Poco::Int64>();
      entry.at = rows.value(1).convert<Poco::Int64>();
      entry.actor = rows.value(2).convert<std::string>();
      entry.actorName = rows.value(3).convert<std::string>();
      entry.action = rows.value(4).convert<std::string>();
      entry.target = rows.value(5).convert<std::string>();
      entry.client = rows.value(6).convert<std::string>();
      entry.details = nlohmann::json::parse(rows.value(7).convert<std::string>(), nullptr, false);
      if (entry.details.is_discarded()) entry.details = nlohmann::json::object();
      page.items.push_back(std::move(entry));
    }
    return page;
  });
}

}  // namespace sb::core
