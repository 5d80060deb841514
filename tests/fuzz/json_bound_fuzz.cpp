// libFuzzer target: every JSON the host takes from outside (API bodies,
// plugin results and events, manifests, webhook bodies the sim parses) goes
// through sdk::json::parseBounded and is then copied, compared and dumped,
// which recurse. Whatever the bytes: no crash, no document deeper than the
// bound gets through, and the safe dump never throws and round-trips.
#include <switchboard/sdk/json.hpp>
#include <switchboard/sdk/model.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

size_t depthOf(const nlohmann::json& value) {
  if (!value.is_structured()) return 0;
  size_t deepest = 0;
  for (const auto& item : value) deepest = std::max(deepest, depthOf(item));
  return deepest + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr size_t kDepth = 16;
  nlohmann::json value;
  try {
    value = sb::sdk::json::parseBounded(text, kDepth);
  } catch (const sb::sdk::json::TooDeep&) {
    return 0;
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  if (depthOf(value) > kDepth) std::abort();
  const nlohmann::json copy = value;  // what routes do with attributes
  if (copy != value) std::abort();
  const std::string dumped = sb::sdk::json::dump(copy);
  if (sb::sdk::json::parseBounded(dumped, kDepth) != value) std::abort();
  // A webhook body the sim turns into an event: refusal by exception only.
  try {
    (void)sb::sdk::CallEvent::fromJson(value);
  } catch (const std::exception&) {
  }
  return 0;
}
