#pragma once

#include <switchboard/core/contacts/ContactRepository.h>
#include <switchboard/core/storage/Database.h>

namespace sb::core {

class SqliteContactRepository final : public ContactRepository {
 public:
  explicit SqliteContactRepository(Database& database) : database_(database) {}

  std::unique_ptr<ContactImportWriter> beginImport(const ContactList& list) override;
  std::unique_ptr<ContactImportWriter> beginAppend(int64_t listId) override;
  std::vector<ContactList> lists() override;
  std::optional<ContactList> list(int64_t id) override;
  bool deleteList(int64_t id) override;
  ContactPage contacts(const ContactQuery& query) override;
  std::optional<Contact> contact(int64_t id) override;
  std::optional<Contact> updateContact(int64_t id, const ContactPatch& patch, int64_t now) override;
  bool deleteContact(int64_t id) override;
  void setStatusByPhone(const std::string& e164, const std::string& status) override;
  void clearDoNotCallStatus(const std::string& e164) override;

 private:
  Database& database_;
};

}  // namespace sb::core
