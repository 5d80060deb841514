#pragma once

#include <switchboard/core/storage/Database.h>
#include <switchboard/core/storage/LeaseRepository.h>

namespace sb::core {

/// LeaseRepository on the leases table (SQLite or PostgreSQL).
class SqlLeaseRepository final : public LeaseRepository {
 public:
  explicit SqlLeaseRepository(Database& database) : database_(database) {}

  bool acquire(const std::string& name, const std::string& holder, int64_t nowMs, int64_t ttlMs) override;
  void release(const std::string& name, const std::string& holder) override;

 private:
  Database& database_;
};

}  // namespace sb::core
