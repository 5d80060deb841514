// The host service "sb.state.v1" (ABI 1.1), end to end through the C ABI
// and the SDK's binding, on a real database (both backends), and the leases
// that let one host of several do the sweeps.
#include "storage/Connections.h"
#include "support/TestDatabase.h"

#include <switchboard/core/plugin/HostServices.h>
#include <switchboard/core/storage/Database.h>
#include <switchboard/core/storage/SqlLeaseRepository.h>
#include <switchboard/core/storage/SqlPluginStateRepository.h>
#include <switchboard/sdk/host.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using sb::core::HostServices;

namespace {

struct StateWorld {
  sb::test::TempDir dir;
  sb::test::TestDatabase target{dir, "state.db"};
  sb::core::Database database{target.target()};
  std::shared_ptr<sb::core::SqlPluginStateRepository> repository;

  StateWorld() {
    database.migrate();
    repository = std::make_shared<sb::core::SqlPluginStateRepository>(database);
  }
  std::unique_ptr<HostServices> services(const std::string& pluginId) {
    return std::make_unique<HostServices>(pluginId, nlohmann::json::object(), nullptr, repository);
  }
};

sb::sdk::State stateOf(const HostServices& services) {
  const auto state = sb::sdk::Host(services.table()).state();
  REQUIRE(state);
  return *state;
}

}  // namespace

TEST_CASE("plugin state: put, get, replace, remove - each plugin sees only its own keys", "[plugin-state]") {
  StateWorld world;
  const auto twilio = world.services("twilio");
  const auto telnyx = world.services("telnyx");
  const auto a = stateOf(*twilio);
  const auto b = stateOf(*telnyx);

  CHECK_FALSE(a.get("leg:call_1"));
  a.put("leg:call_1", "CA123", 60s);
  CHECK(a.get("leg:call_1") == std::optional<std::string>("CA123"));
  a.put("leg:call_1", R"({"sid":"CA456","note":"é ✓"})", 60s);
  CHECK(a.get("leg:call_1") == std::optional<std::string>(R"({"sid":"CA456","note":"é ✓"})"));
  CHECK_FALSE(b.get("leg:call_1"));  // another plugin's key
  b.put("leg:call_1", "telnyx's own", 60s);
  CHECK(a.get("leg:call_1") == std::optional<std::string>(R"({"sid":"CA456","note":"é ✓"})"));

  a.remove("leg:call_1");
  CHECK_FALSE(a.get("leg:call_1"));
  CHECK(b.get("leg:call_1") == std::optional<std::string>("telnyx's own"));
  a.remove("never-stored");  // not an error

  // What one host's plugin wrote, another host's reads: two HostServices on
  // one database are two hosts.
  const auto otherHost = world.services("twilio");
  a.put("abandoned:call_2", "1", 60s);
  CHECK(stateOf(*otherHost).get("abandoned:call_2") == std::optional<std::string>("1"));
}

TEST_CASE("plugin state: a value past its time to live reads as absent and is purged", "[plugin-state]") {
  StateWorld world;
  const auto services = world.services("sim");
  const auto state = stateOf(*services);
  state.put("short", "gone soon", 30ms);
  state.put("long", "kept", 60s);
  std::this_thread::sleep_for(80ms);
  CHECK_FALSE(state.get("short"));
  CHECK(state.get("long") == std::optional<std::string>("kept"));

  const int64_t now = services->table()->clock_now_ms(services->table()->ctx);
  CHECK(world.repository->purgeExpired(now) == 1);
  CHECK(world.repository->purgeExpired(now) == 0);
  CHECK(state.get("long") == std::optional<std::string>("kept"));
  // An expired key may be written again.
  state.put("short", "back", 60s);
  CHECK(state.get("short") == std::optional<std::string>("back"));
}

TEST_CASE("plugin state: a claim is won by exactly one of many racing callers", "[plugin-state]") {
  StateWorld world;
  // Four "hosts" (their own HostServices), four threads each.
  std::vector<std::unique_ptr<HostServices>> hosts;
  for (int i = 0; i < 4; ++i) hosts.push_back(world.services("telnyx"));
  std::atomic<int> winners{0};
  std::vector<std::string> seen(16);
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      const std::string mine = "token-" + std::to_string(i);
      const std::string now = stateOf(*hosts[static_cast<size_t>(i % 4)]).claim("creator:call_9", mine, 60s);
      if (now == mine) ++winners;
      seen[static_cast<size_t>(i)] = now;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(winners == 1);
  // Every loser was told who won.
  for (const auto& value : seen) CHECK(value == seen.front());

  // A lapsed claim goes to the next caller.
  const auto state = stateOf(*hosts.front());
  CHECK(state.claim("creator:call_10", "first", 30ms) == "first");
  CHECK(state.claim("creator:call_10", "second", 60s) == "first");
  std::this_thread::sleep_for(80ms);
  CHECK(state.claim("creator:call_10", "third", 60s) == "third");
}

TEST_CASE("plugin state: what a plugin passes is bounded before it is stored", "[plugin-state]") {
  StateWorld world;
  const auto services = world.services("sim");
  const sb_host_api* api = services->table();
  const auto* table = static_cast<const sb_state_v1*>(api->get_extension(api->ctx, SB_EXTENSION_STATE_V1));
  REQUIRE(table != nullptr);
  REQUIRE(table->struct_size == sizeof(sb_state_v1));
  auto str = [](const std::string& s) { return sb_str{s.data(), s.size()}; };
  const std::string ok = "k";
  const std::string value = "v";

  CHECK(table->put(api->ctx, str(""), str(value), 1000) == SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->put(api->ctx, str(std::string(SB_STATE_MAX_KEY + 1, 'k')), str(value), 1000) ==
        SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->put(api->ctx, str(std::string(SB_STATE_MAX_KEY, 'k')), str(value), 1000) == SB_STATUS_OK);
  CHECK(table->put(api->ctx, str(ok), str(std::string(SB_STATE_MAX_VALUE + 1, 'v')), 1000) ==
        SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->put(api->ctx, str(ok), str(std::string(SB_STATE_MAX_VALUE, 'v')), 1000) == SB_STATUS_OK);
  CHECK(table->put(api->ctx, str(ok), str(std::string("a\0b", 3)), 1000) == SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->put(api->ctx, str(ok), str("\xff\xfe"), 1000) == SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->put(api->ctx, str("\xc0\xaf"), str(value), 1000) == SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->put(api->ctx, str(ok), str(value), 0) == SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->put(api->ctx, str(ok), str(value), -5) == SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->put(api->ctx, str(ok), str(value), int64_t{SB_STATE_MAX_TTL_MS} + 1) == SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->claim(api->ctx, str(""), str(value), 1000, nullptr) == SB_STATUS_INVALID_ARGUMENT);
  CHECK(table->remove(api->ctx, str("")) == SB_STATUS_INVALID_ARGUMENT);
  // The refusals stored nothing: the last good value stands.
  CHECK(stateOf(*services).get(ok) == std::optional<std::string>(std::string(SB_STATE_MAX_VALUE, 'v')));
}

TEST_CASE("plugin state: a host without a store does not offer the extension", "[plugin-state][no-db]") {
  HostServices services("sim", nlohmann::json::object(), nullptr);
  CHECK_FALSE(sb::sdk::Host(services.table()).state());
  CHECK(services.table()->abi_minor == SB_ABI_MINOR);
  CHECK(SB_ABI_MINOR >= 1);  // the minor that added sb.state.v1
}

TEST_CASE("plugin state: a database that is gone is UNAVAILABLE, not a crash", "[plugin-state][sqlite]") {
  sb::test::TempDir dir;
  auto database = std::make_unique<sb::core::Database>((dir.path() / "gone.db").string());
  database->migrate();
  auto repository = std::make_shared<sb::core::SqlPluginStateRepository>(*database);
  HostServices services("sim", nlohmann::json::object(), nullptr, repository);
  database->connections().withSession(
      [](Poco::Data::Session& session) { session << "DROP TABLE plugin_state", Poco::Data::Keywords::now; });
  const auto state = stateOf(services);
  try {
    state.put("k", "v", 60s);
    FAIL("a put on a missing table succeeded");
  } catch (const sb::sdk::ProviderError& e) {
    CHECK(e.status() == sb::sdk::Status::Unavailable);
  }
}

TEST_CASE("leases: one holder at a time, renewed by it, taken over once lapsed, handed over on release", "[leases]") {
  sb::test::TempDir dir;
  sb::test::TestDatabase target(dir, "leases.db");
  sb::core::Database database(target.target());
  database.migrate();
  sb::core::SqlLeaseRepository leases(database);

  CHECK(leases.acquire("sweep", "host-a", 1000, 5000));
  CHECK(leases.acquire("sweep", "host-a", 2000, 5000));  // renewed: until 7000
  CHECK_FALSE(leases.acquire("sweep", "host-b", 6999, 5000));
  CHECK(leases.acquire("other", "host-b", 6999, 5000));  // another lease is another matter
  CHECK(leases.acquire("sweep", "host-b", 7000, 5000));  // lapsed: host A died
  CHECK_FALSE(leases.acquire("sweep", "host-a", 8000, 5000));
  leases.release("sweep", "host-a");  // not its lease any more: nothing happens
  CHECK_FALSE(leases.acquire("sweep", "host-a", 8000, 5000));
  leases.release("sweep", "host-b");
  CHECK(leases.acquire("sweep", "host-a", 8000, 5000));

  // Racing hosts: exactly one wins a free lease.
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (leases.acquire("race", "host-" + std::to_string(i), 10000, 5000)) ++winners;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(winners == 1);
}
