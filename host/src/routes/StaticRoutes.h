#pragma once

#include "app/HostContext.h"
#include "http/Router.h"

namespace sb::host {

/// The dialer page: "/" is its index.html, "/ui/..." its other files (the
/// page's scripts, styles and the vendored provider SDK bundles), read from
/// HostContext::webRoot(). Public: the page holds no data; it asks for an
/// API key and sends it with every API call.
void addStaticRoutes(Router& router, HostContext& context);

}  // namespace sb::host
