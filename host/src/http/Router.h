#pragma once

#include "http/ApiTypes.h"

#include <switchboard/core/auth/ApiKeyService.h>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::host {

using Handler = std::function<ApiResponse(const ApiRequest&)>;
/// Sends a route's response; callable once, from any thread.
using Responder = std::function<void(ApiResponse)>;
/// A handler that answers later, through `respond`, instead of holding a
/// thread until it can (a webhook answered once its batch commits). The
/// request stays valid until `respond` is called; an exception thrown
/// before that is answered as a sync handler's would be.
using AsyncHandler = std::function<void(const ApiRequest&, Responder respond)>;

/// Who may call a route.
enum class Access {
  Public,      ///< no key (health, readiness)
  Signed,      ///< no key; the handler verifies a provider signature (webhooks)
  Agent,       ///< any valid key or session
  Supervisor,  ///< a supervisor or an admin (the team's calls and stats)
  Admin,       ///< an admin key or session
};

struct Route {
  std::string method;
  std::string pattern;  ///< "/api/v1/calls/{id}"; a last segment "{*rest}" takes the remainder
  std::string name;     ///< stable name for rate limits, logs and metrics ("calls.get")
  Access access = Access::Agent;
  int ratePerMinute = 0;    ///< 0 = the configured default
  size_t maxBodyBytes = 0;  ///< 0 = the configured default
  Handler handler;
  /// The handler reads the body itself from ApiRequest::bodyStream (large
  /// uploads, kept out of memory); maxBodyBytes still bounds Content-Length.
  bool streamBody = false;
  /// Media types ("text/csv") a streaming body may have; checked from the
  /// head, before any of it is read (415). Empty: any.
  std::vector<std::string> bodyTypes{};
  /// Set instead of `handler` on routes that answer asynchronously.
  AsyncHandler asyncHandler = nullptr;
  /// Asked per request: true when the route, as things stand, neither
  /// blocks nor waits before it returns (a webhook of a provider that says
  /// so). The server then runs it on the I/O thread that read the request,
  /// sparing the hand-off to a worker thread and its wake-up; a route that
  /// blocked there would stall every connection of that thread.
  std::function<bool()> nonBlocking = nullptr;
};

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  bool pathMatchedOtherMethod = false;  ///< for 405 with Allow
  std::vector<std::string> allowed;
};

/// Matches method + path to a route. Patterns are literal segments and
/// {name} captures; captures are percent-decoded.
class Router {
 public:
  Router& add(Route route);
  RouteMatch match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const noexcept { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  ///< each route's pattern, split once
};

}  // namespace sb::host
