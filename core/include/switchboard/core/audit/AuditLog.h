#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb::core {

class Database;

/// One thing someone did.
struct AuditEntry {
  int64_t id = 0;
  int64_t at = 0;         ///< Unix ms
  std::string actor;      ///< a user id, a key id, "cli" or "-" (nobody known)
  std::string actorName;  ///< in words: an email, a key's name, "switchboard users"
  std::string action;     ///< e.g. "session.sign_in", "user.disabled" (docs/TEAM.md lists them)
  std::string target;     ///< what it was done to: a user's email, a key's id, a phone number
  std::string client;     ///< the client address, for requests
  nlohmann::json details = nlohmann::json::object();

  nlohmann::json toJson() const;
};

struct AuditQuery {
  std::string action;  ///< exact, or a prefix ending in '.' ("user.")
  std::string actor;   ///< the actor's id or name, exact
  std::optional<int64_t> fromMs, toMs;
  int64_t page = 1;
  int64_t perPage = 50;
};

struct AuditPage {
  std::vector<AuditEntry> items;  ///< newest first
  int64_t total = 0;
};

/// The audit log in the database (table `audit_log`, both backends): rows
/// are only ever added. record() never throws: a failed write is logged
/// as an error and the action it describes goes on.
/// THREADING: thread-safe.
class AuditLog {
 public:
  using Clock = std::function<int64_t()>;  ///< Unix ms

  explicit AuditLog(Database& database, Clock clock = {});

  void record(AuditEntry entry) noexcept;
  AuditPage query(const AuditQuery& query);

  static constexpr int64_t kMaxPerPage = 500;

 private:
  Database& database_;
  Clock clock_;
};

}  // namespace sb::core
