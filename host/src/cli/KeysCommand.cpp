#include "app/ConfigKeys.h"
#include "app/ConfigLoader.h"
#include "cli/Cli.h"

#include <switchboard/core/auth/ApiKeyService.h>
#include <switchboard/core/storage/Database.h>
#include <switchboard/core/storage/SqliteApiKeyRepository.h>
#include <switchboard/core/text/Time.h>

#include <ctime>
#include <iomanip>
#include <iostream>

namespace sb::host::cli {

int keys(const Args& args, char** environment) {
  const core::Settings settings = loadSettings(args.configRequest(environment));
  core::Database database(databaseTarget(settings));
  database.migrate();
  core::SqliteApiKeyRepository repository(database);
  core::ApiKeyService service(repository);

  const std::string action = args.positional.empty() ? "" : args.positional[0];
  if (action == "create") {
    const std::string name = args.option("name");
    if (name.empty()) {
      std::cerr << "switchboard keys create: --name NAME is required\n";
      return 2;
    }
    const core::Role role = core::parseRole(args.option("role", "agent"));
    const auto created = service.create(name, role);
    core::AuditLog(database).record(
        cliAuditEntry("keys", "key.created", created.record.id, {{"name", name}, {"role", created.record.role}}));
    if (args.flag("quiet")) {
      std::cout << created.key << "\n";
    } else {
      std::cout << "Created " << core::roleName(role) << " key '" << name << "' (id " << created.record.id << ")\n"
                << "API key: " << created.key << "\n"
                << "Store it now: it is stored hashed and cannot be shown again.\n";
    }
    return 0;
  }
  if (action == "list") {
    const auto records = service.list();
    if (records.empty()) {
      std::cout << "no API keys; create one with: switchboard keys create --name NAME --role admin\n";
      return 0;
    }
    std::cout << std::left << std::setw(22) << "ID" << std::setw(14) << "PREFIX" << std::setw(7) << "ROLE"
              << std::setw(22) << "CREATED" << std::setw(10) << "STATE"
              << "NAME\n";
    for (const auto& record : records) {
      std::cout << std::left << std::setw(22) << record.id << std::setw(14) << record.prefix << std::setw(7)
                << record.role << std::setw(22) << core::formatUtc(record.createdAt) << std::setw(10)
                << (record.revokedAt ? "revoked" : "active") << record.name << "\n";
    }
    return 0;
  }
  if (action == "revoke") {
    if (args.positional.size() < 2) {
      std::cerr << "switchboard keys revoke: give the key's ID or PREFIX (see 'switchboard keys list')\n";
      return 2;
    }
    if (!service.revoke(args.positional[1])) {
      std::cerr << "switchboard keys revoke: no active key with id or prefix '" << args.positional[1] << "'\n";
      return 1;
    }
    core::AuditLog(database).record(cliAuditEntry("keys", "key.revoked", args.positional[1]));
    std::cout << "revoked " << args.positional[1] << "\n";
    return 0;
  }
  std::cerr << "switchboard keys: expected 'create', 'list' or 'revoke'\n";
  return 2;
}

}  // namespace sb::host::cli
