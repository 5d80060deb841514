#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/ContactService.h>

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/text/Time.h>
#include <switchboard/core/text/Utf8.h>

#include "contacts/ImportSpool.h"
#include "contacts/XlsxReader.h"

#include <switchboard/core/contacts/CsvReader.h>

#include <array>
#include <chrono>
#include <string_view>

#include <ctime>

namespace sb::core {
namespace {

void checkPaging(int64_t page, int64_t perPage) {
  if (page < 1) {
    throw DomainError(DomainError::Kind::Validation, "page must be 1 or more", {{"field", "page"}});
  }
  if (perPage < 1 || perPage > ContactService::kMaxPerPage) {
    throw DomainError(DomainError::Kind::Validation,
                      "per_page must be between 1 and " + std::to_string(ContactService::kMaxPerPage),
                      {{"field", "per_page"}});
  }
}

std::string defaultListName(const std::string& filename, int64_t now) {
  if (!filename.empty()) {
    const auto slash = filename.find_last_of("/\\");
    std::string base = slash == std::string::npos ? filename : filename.substr(slash + 1);
    if (const auto dot = base.rfind('.'); dot != std::string::npos && dot > 0) base = base.substr(0, dot);
    if (!base.empty()) return base;
  }
  return formatUtc(now, "Import %Y-%m-%d %H:%M UTC");
}

/// The rows of the spooled file: a workbook when it starts like a zip (an
/// .xlsx is one), else CSV.
std::unique_ptr<RowReader> openRows(std::istream& file, const ImportLimits& limits, const std::string& sheet) {
  std::array<char, 4> head{};
  file.read(head.data(), head.size());
  const bool zip = file.gcount() == 4 && std::string_view(head.data(), 4) == std::string_view("PK\x03\x04", 4);
  file.clear();
  file.seekg(0);
  if (zip) {
    XlsxReader::Options options;
    options.sheet = sheet;
    options.maxFieldBytes = limits.maxFieldBytes;
    return std::make_unique<XlsxReader>(file, options);
  }
  if (!sheet.empty()) {
    throw DomainError(DomainError::Kind::Validation, "sheet is only for Excel workbooks (.xlsx); this file is CSV",
                      {{"field", "sheet"}});
  }
  CsvReader::Options options;
  options.maxFieldBytes = limits.maxFieldBytes;
  return std::make_unique<CsvReader>(file, options);
}

ContactList runImport(const PhoneNormalizer& phones, const ImportLimits& limits, ImportProgress progress,
                      std::istream& file, ContactList list, ContactRepository& repository, const ImportOptions& options,
                      int64_t appendTo) {
  std::unique_ptr<RowReader> rows;
  try {
    rows = openRows(file, limits, options.sheet);
  } catch (const CsvError& e) {
    throw DomainError(DomainError::Kind::CsvInvalid, e.what(), {{"line", e.line()}});
  }
  ContactImporter importer(phones, limits, std::move(progress));
  return importer.run(*rows, std::move(list), repository, options.columns, appendTo);
}

}  // namespace

ContactService::ContactService(ContactRepository& contacts, DncRepository& dnc, ContactServiceOptions options)
    : contacts_(contacts), dnc_(dnc), options_(std::move(options)), phones_(options_.defaultRegion) {}

int64_t ContactService::now() const {
  return options_.clock ? options_.clock() : static_cast<int64_t>(std::time(nullptr));
}

ContactList ContactService::importList(std::istream& in, std::string listName, const std::string& filename,
                                       const std::string& createdBy, ImportProgress progress,
                                       const ImportOptions& options) {
  // Stored text is valid UTF-8 or never stored: one bad byte in a list name
  // would break the lists for every user.
  if (!isValidUtf8(listName)) {
    throw DomainError(DomainError::Kind::Validation, "list name is not valid UTF-8", {{"field", "name"}});
  }
  if (listName.size() > 200) {
    throw DomainError(DomainError::Kind::Validation, "list name must be at most 200 characters", {{"field", "name"}});
  }
  if (!isValidUtf8(filename)) {
    throw DomainError(DomainError::Kind::Validation, "file name is not valid UTF-8", {{"field", "filename"}});
  }
  if (filename.size() > 255) {
    throw DomainError(DomainError::Kind::Validation, "file name must be at most 255 bytes", {{"field", "filename"}});
  }
  ContactList list;
  list.createdAt = now();
  list.name = listName.empty() ? defaultListName(filename, list.createdAt) : std::move(listName);
  list.filename = filename;
  list.createdBy = createdBy;
  const auto spoolStarted = std::chrono::steady_clock::now();
  ImportSpool spool(in, options_.limits.maxBytes, options_.spoolDir);
  // For an upload this is mostly the client's sending time; for a local
  // file, what the spool costs the import.
  logger("contacts")
      ->debug("import '{}': {} bytes spooled in {} ms", list.name, spool.size(),
              std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - spoolStarted)
                  .count());
  return runImport(phones_, options_.limits, std::move(progress), spool.stream(), std::move(list), contacts_, options,
                   0);
}

ContactList ContactService::appendToList(int64_t listId, std::istream& in, const std::string& filename,
                                         const std::string& createdBy, ImportProgress progress,
                                         const ImportOptions& options) {
  if (!isValidUtf8(filename) || filename.size() > 255) {
    throw DomainError(DomainError::Kind::Validation, "file name must be UTF-8 of at most 255 bytes",
                      {{"field", "filename"}});
  }
  // Said before the body is read, so a mistyped id costs no upload.
  ContactList list = this->list(listId);
  list.filename = filename;
  list.createdBy = createdBy;
  list.createdAt = now();
  ImportSpool spool(in, options_.limits.maxBytes, options_.spoolDir);
  return runImport(phones_, options_.limits, std::move(progress), spool.stream(), std::move(list), contacts_, options,
                   listId);
}

std::vector<ContactList> ContactService::lists() {
  return contacts_.lists();
}

ContactList ContactService::list(int64_t id) {
  auto found = contacts_.list(id);
  if (!found) {
    throw DomainError(DomainError::Kind::NotFound, "no contact list " + std::to_string(id));
  }
  return *found;
}

void ContactService::deleteList(int64_t id) {
  if (!contacts_.deleteList(id)) {
    throw DomainError(DomainError::Kind::NotFound, "no contact list " + std::to_string(id));
  }
}

ContactPage ContactService::contacts(ContactQuery query) {
  checkPaging(query.page, query.perPage);
  if (!query.status.empty() && !contact_status::isValid(query.status)) {
    throw DomainError(DomainError::Kind::Validation, "status must be one of not_called, in_call, called, do_not_call",
                      {{"field", "status"}});
  }
  if (query.search.size() > 200) {
    throw DomainError(DomainError::Kind::Validation, "q must be at most 200 characters", {{"field", "q"}});
  }
  return contacts_.contacts(query);
}

Contact ContactService::contact(int64_t id) {
  auto found = contacts_.contact(id);
  if (!found) {
    throw DomainError(DomainError::Kind::NotFound, "no contact " + std::to_string(id));
  }
  return *found;
}

Contact ContactService::updateContact(int64_t id, const ContactPatch& patch) {
  if (patch.name && patch.name->empty()) {
    throw DomainError(DomainError::Kind::Validation, "name cannot be empty", {{"field", "name"}});
  }
  if (patch.status && !contact_status::isValid(*patch.status)) {
    throw DomainError(DomainError::Kind::Validation, "status must be one of not_called, in_call, called, do_not_call",
                      {{"field", "status"}});
  }
  if (patch.attributes && !patch.attributes->is_object()) {
    throw DomainError(DomainError::Kind::Validation, "attributes must be a JSON object", {{"field", "attributes"}});
  }
  auto updated = contacts_.updateContact(id, patch, now());
  if (!updated) {
    throw DomainError(DomainError::Kind::NotFound, "no contact " + std::to_string(id));
  }
  return *updated;
}

void ContactService::deleteContact(int64_t id) {
  if (!contacts_.deleteContact(id)) {
    throw DomainError(DomainError::Kind::NotFound, "no contact " + std::to_string(id));
  }
}

std::string ContactService::normalizeOrThrow(const std::string& phone) const {
  PhoneProblem problem;
  const auto normalized = phones_.normalize(phone, &problem);
  if (!normalized) {
    throw DomainError(DomainError::Kind::Validation, problem.reason,
                      {{"field", "phone"},
                       {"phone", phone},
                       {"expected_format", "+[country code][number]"},
                       {"example", "+15551234567"}});
  }
  return normalized->e164;
}

DncEntry ContactService::addDoNotCall(const std::string& phone, const std::string& reason,
                                      const std::string& createdBy) {
  if (reason.size() > 500) {
    throw DomainError(DomainError::Kind::Validation, "reason must be at most 500 characters", {{"field", "reason"}});
  }
  DncEntry entry{normalizeOrThrow(phone), reason, "manual", createdBy, now()};
  dnc_.add(entry);
  contacts_.setStatusByPhone(entry.phoneE164, contact_status::kDoNotCall);
  return *dnc_.find(entry.phoneE164);
}

void ContactService::removeDoNotCall(const std::string& phone) {
  const std::string e164 = normalizeOrThrow(phone);
  if (!dnc_.remove(e164)) {
    throw DomainError(DomainError::Kind::NotFound, e164 + " is not on the do-not-call list");
  }
  contacts_.clearDoNotCallStatus(e164);
}

DncPage ContactService::doNotCallList(int64_t page, int64_t perPage) {
  checkPaging(page, perPage);
  DncPage out;
  out.items = dnc_.list((page - 1) * perPage, perPage, out.total);
  return out;
}

bool ContactService::isDoNotCall(const std::string& e164) {
  return dnc_.find(e164).has_value();
}

}  // namespace sb::core
