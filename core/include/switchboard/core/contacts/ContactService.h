#pragma once

#include <switchboard/core/contacts/ContactImporter.h>
#include <switchboard/core/contacts/ContactRepository.h>
#include <switchboard/core/contacts/PhoneNormalizer.h>

#include <filesystem>
#include <functional>
#include <istream>
#include <string>

namespace sb::core {

struct ContactServiceOptions {
  std::string defaultRegion = "US";
  ImportLimits limits;
  /// Where an upload is copied before its import opens the database's write
  /// transaction (the system's temporary directory when empty).
  std::filesystem::path spoolDir;
  std::function<int64_t()> clock;  ///< Unix seconds; defaults to the system clock
};

struct DncPage {
  std::vector<DncEntry> items;
  int64_t total = 0;
};

/// Contacts, lists, their import (CSV, .xlsx) and the do-not-call list. Validates its
/// inputs and throws DomainError with a message for the user.
/// THREADING: thread-safe (repositories serialize their connections).
class ContactService {
 public:
  static constexpr int64_t kDefaultPerPage = 50;
  static constexpr int64_t kMaxPerPage = 200;

  ContactService(ContactRepository& contacts, DncRepository& dnc, ContactServiceOptions options);

  /// Imports a contact file (CSV, or an .xlsx workbook's sheet: told apart
  /// by its first bytes) into a new list named `listName` (a name from the
  /// filename or the date when empty). The input is first read whole into a
  /// spool file, and only then is the database written: a slow sender never
  /// holds the write lock that calls and webhooks need.
  /// Columns are matched by the synonym table unless `options.columns` says
  /// which holds what.
  ContactList importList(std::istream& in, std::string listName, const std::string& filename,
                         const std::string& createdBy, ImportProgress progress = {}, const ImportOptions& options = {});

  /// Imports a file into the existing list `listId` the same way, merging
  /// a number the list already has into its contact (its empty fields
  /// filled, its history untouched). Returns the list with this import's
  /// counts and report; the list itself keeps the totals.
  ContactList appendToList(int64_t listId, std::istream& in, const std::string& filename, const std::string& createdBy,
                           ImportProgress progress = {}, const ImportOptions& options = {});

  std::vector<ContactList> lists();
  ContactList list(int64_t id);
  void deleteList(int64_t id);

  ContactPage contacts(ContactQuery query);
  Contact contact(int64_t id);
  Contact updateContact(int64_t id, const ContactPatch& patch);
  void deleteContact(int64_t id);

  /// Adds a number (any format the normalizer reads) to the do-not-call list
  /// and marks every contact with it do_not_call.
  DncEntry addDoNotCall(const std::string& phone, const std::string& reason, const std::string& createdBy);
  void removeDoNotCall(const std::string& phone);
  DncPage doNotCallList(int64_t page, int64_t perPage);
  /// The check dialing calls before placing a call.
  bool isDoNotCall(const std::string& e164);

  const PhoneNormalizer& phones() const noexcept { return phones_; }

 private:
  std::string normalizeOrThrow(const std::string& phone) const;
  int64_t now() const;

  ContactRepository& contacts_;
  DncRepository& dnc_;
  ContactServiceOptions options_;
  PhoneNormalizer phones_;
};

}  // namespace sb::core
