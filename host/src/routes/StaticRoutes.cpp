#include "routes/StaticRoutes.h"

#include "http/ApiError.h"
#include "routes/WebPath.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/text/Utf8.h>

#include <fstream>
#include <map>
#include <sstream>

namespace sb::host {
namespace {

constexpr size_t kMaxFileBytes = size_t{16} * 1024 * 1024;

std::string contentTypeOf(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes = {{".html", "text/html; charset=utf-8"},
                                                            {".js", "text/javascript; charset=utf-8"},
                                                            {".mjs", "text/javascript; charset=utf-8"},
                                                            {".css", "text/css; charset=utf-8"},
                                                            {".json", "application/json"},
                                                            {".svg", "image/svg+xml"},
                                                            {".png", "image/png"},
                                                            {".ico", "image/x-icon"},
                                                            {".mp3", "audio/mpeg"},
                                                            {".wav", "audio/wav"},
                                                            {".csv", "text/csv; charset=utf-8"},
                                                            {".map", "application/json"},
                                                            {".txt", "text/plain; charset=utf-8"}};
  auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

ApiResponse serveFile(const std::filesystem::path& root, const std::string& relative) {
  const auto file = resolveWebPath(root, relative);
  std::error_code error;
  if (!file || !std::filesystem::is_regular_file(*file, error) ||
      std::filesystem::file_size(*file, error) > kMaxFileBytes) {
    throw ApiError::notFound("no page file '" + core::sanitizeUtf8(relative) + "'");
  }
  std::ifstream in(*file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  ApiResponse response;
  response.contentType = contentTypeOf(*file);
  response.body = body.str();
  // The page and its scripts change with the host: always revalidate.
  response.headers = {
      {"Cache-Control", "no-cache"}, {"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}};
  if (file->extension() == ".html") {
    // Scripts only from this host; the providers' SDKs reach their own
    // signalling and media servers (wss/https), never a CDN for code.
    response.headers.emplace_back("Content-Security-Policy",
                                  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                  "media-src 'self' blob: data: https:; connect-src 'self' https: wss:; "
                                  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    response.headers.emplace_back("X-Frame-Options", "DENY");
  }
  return response;
}

}  // namespace

void addStaticRoutes(Router& router, HostContext& context) {
  // Canonical once: the resolver compares components against it and
  // refuses links below it (web.root itself may be a link).
  std::error_code error;
  std::filesystem::path root = std::filesystem::weakly_canonical(context.webRoot(), error);
  if (error) {
    root = std::filesystem::absolute(context.webRoot()).lexically_normal();
  }
  if (!std::filesystem::is_regular_file(root / "index.html")) {
    core::logger("host")->warn("the dialer page is not at {} (set web.root); / will answer 404", root.string());
  }
  router.add({"GET", "/", "page.index", Access::Public, 0, 0,
              [root](const ApiRequest&) { return serveFile(root, "index.html"); }});
  router.add({"GET", "/ui/{*rest}", "page.file", Access::Public, 0, 0,
              [root](const ApiRequest& request) { return serveFile(root, request.params.at("rest")); }});
}

}  // namespace sb::host
