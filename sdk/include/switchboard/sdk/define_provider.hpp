// The one exported entry symbol of a provider plugin and its ABI table.
//
//   SB_PROVIDER(Class, capabilities)
//
// is the form to use in a plugin built with sb_add_provider_plugin(): the
// id, display name and version come from that call (one place), and
// `capabilities` is an sb::sdk::Capabilities (capabilities.hpp). Use it
// once, in one .cpp file of the plugin. `Class` must be constructible from
// (sb::sdk::Host, sb::sdk::Config).
//
//   SB_DEFINE_PROVIDER(Class, id, display_name, version, capabilities)
//
// spells all three out, for a build without sb_add_provider_plugin(); in a
// build with it, they must equal what CMake declared or it does not
// compile. `capabilities` may also be a JSON string literal (SDK 1.0).
#pragma once

#include <switchboard/abi/provider_abi.h>
#include <switchboard/sdk/capabilities.hpp>
#include <switchboard/sdk/detail/abi_io.hpp>
#include <switchboard/sdk/json.hpp>
#include <switchboard/sdk/provider.hpp>

#include <nlohmann/json.hpp>

#include <exception>
#include <memory>
#include <new>
#include <string>

namespace sb::sdk::detail {

// Every exception becomes a status here; nothing propagates into the host.
template <typename Fn>
int32_t guarded(sb_error* error, Fn&& fn) noexcept {
  try {
    fn();
    return SB_STATUS_OK;
  } catch (const ProviderError& e) {
    fillError(error, static_cast<int32_t>(e.status()), e.what(), e.retryAfterMs(), e.providerCode());
    return static_cast<int32_t>(e.status());
  } catch (const nlohmann::json::exception& e) {
    fillError(error, SB_STATUS_INVALID_ARGUMENT, std::string("malformed JSON: ") + e.what());
    return SB_STATUS_INVALID_ARGUMENT;
  } catch (const json::TooDeep& e) {
    fillError(error, SB_STATUS_INVALID_ARGUMENT, e.what());
    return SB_STATUS_INVALID_ARGUMENT;
  } catch (const std::bad_alloc&) {
    fillError(error, SB_STATUS_INTERNAL, "out of memory");
    return SB_STATUS_INTERNAL;
  } catch (const std::exception& e) {
    fillError(error, SB_STATUS_INTERNAL, e.what());
    return SB_STATUS_INTERNAL;
  } catch (...) {
    fillError(error, SB_STATUS_INTERNAL, "unknown exception");
    return SB_STATUS_INTERNAL;
  }
}

inline void writeReply(sb_http_response_sink* reply, const HttpResponse& response) noexcept {
  if (reply == nullptr) {
    return;
  }
  reply->on_status(reply->ctx, response.status);
  for (const auto& [name, value] : response.headers) {
    reply->on_header(reply->ctx, toStr(name), toStr(value));
  }
  if (!response.body.empty()) {
    reply->on_body(reply->ctx, toStr(response.body));
  }
}

inline HttpRequest readRequest(const sb_http_request* raw) {
  HttpRequest request;
  request.method = std::string(fromStr(raw->method));
  request.url = std::string(fromStr(raw->url));
  request.path = std::string(fromStr(raw->path));
  request.query = std::string(fromStr(raw->query));
  request.remoteAddr = std::string(fromStr(raw->remote_addr));
  request.body = std::string(fromStr(raw->body));
  request.timeoutMs = raw->timeout_ms;
  request.headers.reserve(raw->header_count);
  for (size_t i = 0; i < raw->header_count; ++i) {
    request.headers.emplace_back(std::string(fromStr(raw->headers[i].name)),
                                 std::string(fromStr(raw->headers[i].value)));
  }
  return request;
}

/// A plugin built against SDK 1.m runs on a host of ABI 1.n when n >= m.
constexpr bool hostCanRun(uint32_t hostMajor, uint32_t hostMinor) noexcept {
  // Written as "+ 1 >" so that compilers do not flag "minor >= 0" as
  // always true while SB_ABI_MINOR is 0.
  return hostMajor == SB_ABI_MAJOR && uint64_t{hostMinor} + 1 > uint64_t{SB_ABI_MINOR};
}

template <typename P>
struct Trampolines {
  static void* SB_ABI create(const sb_host_api* host, sb_str configJson, sb_error* error) noexcept {
    P* instance = nullptr;
    guarded(error, [&] {
      if (host == nullptr || host->struct_size < sizeof(sb_host_api)) {
        throw ProviderError(Status::InvalidArgument, "host services table is missing or too small");
      }
      nlohmann::json config = configJson.size == 0 ? nlohmann::json::object() : json::parseBounded(fromStr(configJson));
      instance = std::make_unique<P>(Host(host), Config(std::move(config))).release();
    });
    return instance;
  }

  static void SB_ABI destroy(void* self) noexcept {
    try {
      delete static_cast<P*>(self);
    } catch (...) {
      // A destructor that throws is a plugin bug; never let it cross.
    }
  }

  static int32_t SB_ABI invoke(void* self, sb_str operation, sb_str requestJson, sb_writer* result,
                               sb_error* error) noexcept {
    return guarded(error, [&] {
      // A request the host sent that is not JSON is the caller's fault
      // (INVALID_ARGUMENT, from guarded)...
      const nlohmann::json request =
          requestJson.size == 0 ? nlohmann::json::object() : json::parseBounded(fromStr(requestJson));
      nlohmann::json answer;
      try {
        answer = static_cast<P*>(self)->invoke(std::string(fromStr(operation)), request);
      } catch (const nlohmann::json::exception& e) {
        // ...but a JSON error inside the plugin is almost always a carrier's
        // reply it could not read, which must not come back to the API
        // caller as their own 400. The typed requests are checked before
        // this (fromJson throws INVALID_ARGUMENT with the field).
        throw ProviderError(Status::Internal, std::string("the provider plugin could not read a JSON document "
                                                          "(a reply from the carrier it did not expect?): ") +
                                                  e.what());
      } catch (const json::TooDeep& e) {
        throw ProviderError(Status::Internal,
                            std::string("the provider plugin met a JSON document nested too deep: ") + e.what());
      }
      writeAll(result, answer.dump());
    });
  }

  static int32_t SB_ABI onWebhook(void* self, const sb_http_request* request, sb_writer* eventsJson,
                                  sb_http_response_sink* reply, sb_error* error) noexcept {
    return guarded(error, [&] {
      if (request == nullptr || request->struct_size < sizeof(sb_http_request)) {
        throw ProviderError(Status::InvalidArgument, "webhook request struct is missing or too small");
      }
      const WebhookResult outcome = static_cast<P*>(self)->onWebhook(readRequest(request));
      nlohmann::json events = nlohmann::json::array();
      for (const auto& event : outcome.events) {
        events.push_back(event.toJson());
      }
      writeAll(eventsJson, events.dump());
      writeReply(reply, outcome.reply);
    });
  }
};

inline std::string capabilitiesText(const char* json) {
  return json;
}
inline std::string capabilitiesText(const Capabilities& capabilities) {
  return capabilities.toJson().dump();
}

/// The table of provider P, built on first use. noexcept: the entry is
/// called from C, so a failure (out of memory) is a NULL table.
template <typename P, typename MakeCapabilities>
const sb_provider_api* providerTable(const char* id, const char* displayName, const char* version,
                                     MakeCapabilities makeCapabilities) noexcept {
  try {
    static const std::string capabilities = makeCapabilities();
    static const sb_provider_api table = {
        sizeof(sb_provider_api),
        SB_ABI_MAJOR,
        SB_ABI_MINOR,
        id,
        displayName,
        version,
        capabilities.c_str(),
        &Trampolines<P>::create,
        &Trampolines<P>::destroy,
        &Trampolines<P>::invoke,
        &Trampolines<P>::onWebhook,
    };
    return &table;
  } catch (...) {
    return nullptr;
  }
}

/// strcmp at compile time, to hold SB_DEFINE_PROVIDER to what CMake declared.
constexpr bool sameText(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

}  // namespace sb::sdk::detail

// sb_add_provider_plugin() defines SB_PLUGIN_ID, SB_PLUGIN_NAME and
// SB_PLUGIN_VERSION from its ID, NAME and VERSION.
#if defined(SB_PLUGIN_ID) && defined(SB_PLUGIN_NAME) && defined(SB_PLUGIN_VERSION)
#define SB_DETAIL_SAME_AS_DECLARED(Id, DisplayName, Version)                                                     \
  static_assert(::sb::sdk::detail::sameText(Id, SB_PLUGIN_ID),                                                   \
                "the id given to SB_DEFINE_PROVIDER differs from sb_add_provider_plugin's ID; use SB_PROVIDER"); \
  static_assert(::sb::sdk::detail::sameText(DisplayName, SB_PLUGIN_NAME),                                        \
                "the name given to SB_DEFINE_PROVIDER differs from sb_add_provider_plugin's NAME; use "          \
                "SB_PROVIDER");                                                                                  \
  static_assert(::sb::sdk::detail::sameText(Version, SB_PLUGIN_VERSION),                                         \
                "the version given to SB_DEFINE_PROVIDER differs from sb_add_provider_plugin's VERSION; use "    \
                "SB_PROVIDER");
#define SB_PROVIDER(Class, ...) SB_DEFINE_PROVIDER(Class, SB_PLUGIN_ID, SB_PLUGIN_NAME, SB_PLUGIN_VERSION, __VA_ARGS__)
#else
#define SB_DETAIL_SAME_AS_DECLARED(Id, DisplayName, Version)
#define SB_PROVIDER(Class, ...)                                                                       \
  static_assert(sizeof(Class) == 0,                                                                   \
                "SB_PROVIDER takes the plugin's id, name and version from sb_add_provider_plugin(); " \
                "build with it, or use SB_DEFINE_PROVIDER")
#endif

#define SB_DEFINE_PROVIDER(Class, Id, DisplayName, Version, ...)                                                     \
  SB_DETAIL_SAME_AS_DECLARED(Id, DisplayName, Version)                                                               \
  extern "C" SB_PLUGIN_EXPORT const sb_provider_api* SB_ABI sb_provider_entry_v1(uint32_t host_major,                \
                                                                                 uint32_t host_minor) {              \
    /* A host of another major, or of an older minor than the SDK we were */                                         \
    /* built with, cannot run us: say so by returning NULL. */                                                       \
    if (!::sb::sdk::detail::hostCanRun(host_major, host_minor)) {                                                    \
      return nullptr;                                                                                                \
    }                                                                                                                \
    return ::sb::sdk::detail::providerTable<Class>(Id, DisplayName, Version,                                         \
                                                   [] { return ::sb::sdk::detail::capabilitiesText(__VA_ARGS__); }); \
  }
