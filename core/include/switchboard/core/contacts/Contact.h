#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::core {

/// Contact status (product.md 2.2).
namespace contact_status {
inline constexpr const char* kNotCalled = "not_called";
inline constexpr const char* kInCall = "in_call";
inline constexpr const char* kCalled = "called";
inline constexpr const char* kDoNotCall = "do_not_call";
bool isValid(const std::string& status);
}  // namespace contact_status

struct Contact {
  int64_t id = 0;
  int64_t listId = 0;
  int64_t sourceRow = 0;
  std::string name;
  std::string company;
  std::string title;
  std::string email;
  std::string timezone;
  std::string phoneRaw;
  std::string phoneE164;
  std::string phoneExtension;
  std::string lineType = "unknown";
  bool phoneVerified = false;
  std::string status = contact_status::kNotCalled;
  std::optional<std::string> lastOutcome;
  std::optional<std::string> lastNotes;
  std::optional<int64_t> lastCalledAt;
  nlohmann::json attributes = nlohmann::json::object();
  int64_t createdAt = 0;
  int64_t updatedAt = 0;

  nlohmann::json toJson() const;
};

struct ContactList {
  int64_t id = 0;
  std::string name;
  std::string source = "csv";
  std::string filename;
  std::string createdBy;
  int64_t createdAt = 0;
  int64_t rowsTotal = 0;
  int64_t importedCount = 0;
  int64_t skippedCount = 0;
  int64_t duplicateCount = 0;
  int64_t unverifiedCount = 0;
  int64_t contactCount = 0;  ///< contacts in the list now
  nlohmann::json report = nlohmann::json::object();

  /// Without the report unless asked (it can hold a thousand issues).
  nlohmann::json toJson(bool withReport) const;
};

struct ContactQuery {
  std::optional<int64_t> listId;
  std::string status;
  std::string search;  ///< name, company or phone
  int64_t page = 1;
  int64_t perPage = 50;
};

struct ContactPage {
  std::vector<Contact> items;
  int64_t total = 0;
};

/// Fields an update may change; unset fields stay.
struct ContactPatch {
  std::optional<std::string> name;
  std::optional<std::string> company;
  std::optional<std::string> title;
  std::optional<std::string> email;
  std::optional<std::string> timezone;
  std::optional<std::string> status;
  std::optional<std::string> lastNotes;
  std::optional<nlohmann::json> attributes;
};

struct DncEntry {
  std::string phoneE164;
  std::string reason;
  std::string source;
  std::string createdBy;
  int64_t createdAt = 0;
  nlohmann::json toJson() const;
};

}  // namespace sb::core
