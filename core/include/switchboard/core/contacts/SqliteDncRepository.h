#pragma once

#include <switchboard/core/contacts/ContactRepository.h>
#include <switchboard/core/storage/Database.h>

namespace sb::core {

class SqliteDncRepository final : public DncRepository {
 public:
  explicit SqliteDncRepository(Database& database) : database_(database) {}

  bool add(const DncEntry& entry) override;
  bool remove(const std::string& e164) override;
  std::optional<DncEntry> find(const std::string& e164) override;
  std::vector<DncEntry> list(int64_t offset, int64_t limit, int64_t& total) override;

 private:
  Database& database_;
};

}  // namespace sb::core
