#pragma once

#include <switchboard/core/contacts/Contact.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sb::core {

/// One row of an import batch: the contact (with its attributes object as
/// JSON), and what inserting it found.
struct ImportRow {
  const Contact* contact = nullptr;
  std::string_view attributesJson;
  bool doNotCall = false;  ///< set by the writer
  /// Set by an append's writer when the list already has this number: the
  /// contact kept (not inserted), and which of its empty fields the row
  /// filled ("company, title"; empty when none).
  int64_t existingContact = 0;
  std::string filled;
};

/// One import in progress: one transaction on a connection of its own.
/// Destroying it without commit() rolls everything back, so an import lands
/// whole or not at all.
class ContactImportWriter {
 public:
  virtual ~ContactImportWriter() = default;
  /// The list's id (new, or the one appended to).
  virtual int64_t listId() const = 0;
  /// Inserts contacts whose numbers the caller has deduplicated. A contact
  /// whose number is on the do-not-call list gets status do_not_call, and
  /// its row's `doNotCall` is set. Appending, a number the list already has
  /// is not inserted: the existing contact's empty fields (and attributes it
  /// lacks) are filled from the row, its status and history untouched, and
  /// the row's `existingContact` and `filled` say so.
  virtual void add(std::span<ImportRow> rows) = 0;
  /// Writes the list's counts and report (a new list), or adds the counts
  /// to the list's and makes this the list's latest report (an append),
  /// then commits.
  virtual void commit(const ContactList& summary) = 0;
};

/// Contact lists and contacts. Implementations: SqliteContactRepository.
class ContactRepository {
 public:
  virtual ~ContactRepository() = default;
  /// Creates the list row (its id is assigned then: see
  /// ContactImportWriter::listId) and opens the import transaction.
  virtual std::unique_ptr<ContactImportWriter> beginImport(const ContactList& list) = 0;
  /// Opens an import into an existing list (nullptr when there is none);
  /// the list's numbers are read once, inside the transaction.
  virtual std::unique_ptr<ContactImportWriter> beginAppend(int64_t listId) = 0;
  virtual std::vector<ContactList> lists() = 0;
  virtual std::optional<ContactList> list(int64_t id) = 0;
  virtual bool deleteList(int64_t id) = 0;
  virtual ContactPage contacts(const ContactQuery& query) = 0;
  virtual std::optional<Contact> contact(int64_t id) = 0;
  virtual std::optional<Contact> updateContact(int64_t id, const ContactPatch& patch, int64_t now) = 0;
  virtual bool deleteContact(int64_t id) = 0;
  /// Sets the status of every contact with this number (do-not-call changes).
  virtual void setStatusByPhone(const std::string& e164, const std::string& status) = 0;
  /// Contacts on the do-not-call list go back to called / not_called.
  virtual void clearDoNotCallStatus(const std::string& e164) = 0;
};

/// The do-not-call list. Implementations: SqliteDncRepository.
class DncRepository {
 public:
  virtual ~DncRepository() = default;
  /// Adds or updates; returns true when the number was not on the list.
  virtual bool add(const DncEntry& entry) = 0;
  virtual bool remove(const std::string& e164) = 0;
  virtual std::optional<DncEntry> find(const std::string& e164) = 0;
  virtual std::vector<DncEntry> list(int64_t offset, int64_t limit, int64_t& total) = 0;
};

}  // namespace sb::core
