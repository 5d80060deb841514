#include "http/HttpConnection.h"

#include "http/ApiError.h"
#include "http/ErrorMapper.h"
#include "http/RequestPipeline.h"
#include "http/WorkerPool.h"

#include <switchboard/core/log/ThrottledLog.h>
#include <switchboard/core/text/Utf8.h>
#include <switchboard/sdk/encoding.hpp>

#include <Poco/URI.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <limits>
#include <mutex>
#include <streambuf>
#include <system_error>
#include <utility>

#include <poll.h>
#include <sys/socket.h>

namespace sb::host {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

constexpr size_t kHeaderLimit = size_t{16} * 1024;
constexpr size_t kMaxDrainBytes = size_t{8} * 1024 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);

/// The Date header's value, formatted once a second per thread.
const std::string& httpDate() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != last) {
    std::tm parts{};
    gmtime_r(&now, &parts);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    text = buffer;
    last = now;
  }
  return text;
}

/// A header value as it may go on the wire: a CR or LF from a handler (a
/// plugin's reply header) must not start a header of its own.
void appendHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ");
  if (value.find_first_of("\r\n") == std::string_view::npos) {
    out.append(value);
  } else {
    for (const char c : value) {
      out.push_back(c == '\r' || c == '\n' ? ' ' : c);
    }
  }
  out.append("\r\n");
}

/// Splits a request target into its path (percent-decoded) and raw query.
/// The plain origin-form targets every client sends take a fast path;
/// anything else (escapes, an absolute URI) goes through Poco::URI.
void splitTarget(const std::string& target, std::string& path, std::string& query) {
  const size_t mark = target.find('?');
  const std::string_view rawPath = std::string_view(target).substr(0, mark);
  const bool plain =
      !rawPath.empty() && rawPath.front() == '/' &&
      std::all_of(rawPath.begin(), rawPath.end(), [](char c) { return c > 0x20 && c < 0x7f && c != '%' && c != '#'; });
  if (plain && target.find('#') == std::string::npos) {
    path.assign(rawPath);
    query = mark == std::string::npos ? std::string() : target.substr(mark + 1);
    return;
  }
  const Poco::URI uri(target);
  path = uri.getPath();
  query = uri.getRawQuery();
}

/// The peer as "host:port" for logs; `client` gets the address alone.
std::string remoteAddress(const asio::ip::tcp::socket& socket, std::string& client) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) {
    client = "-";
    return "-";
  }
  const auto address = endpoint.address();
  client = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return client + ":" + std::to_string(endpoint.port());
}

/// "type/subtype" of a Content-Type value, lower-cased, without parameters.
std::string mediaTypeOf(std::string_view value) {
  const size_t end = value.find(';');
  std::string_view type = value.substr(0, end);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool quietError(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == beast::error::timeout || ec == asio::error::operation_aborted || ec == asio::error::broken_pipe;
}

/// A fault in what the client sent (answered 400), not in the connection.
bool isParseError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

std::string_view view(beast::string_view text) {
  return {text.data(), text.size()};
}

}  // namespace

/// The body of a streaming request as an istream, for the worker thread.
class HttpConnection::BodyStreamBuf final : public std::streambuf {
 public:
  explicit BodyStreamBuf(HttpConnection& connection) : connection_(connection) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) {
      return traits_type::to_int_type(*gptr());
    }
    const size_t got = connection_.readBodyChunk(buffer_.data(), buffer_.size());
    if (got == 0) {
      return traits_type::eof();
    }
    setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  HttpConnection& connection_;
  std::array<char, 65536> buffer_{};
};

HttpConnection::HttpConnection(std::shared_ptr<asio::io_context> context, asio::ip::tcp::socket socket,
                               RequestPipeline& pipeline, WorkerPool& workers,
                               std::shared_ptr<ConnectionRegistry> registry)
    : context_(std::move(context)),
      stream_(std::move(socket)),
      pipeline_(pipeline),
      workers_(workers),
      registry_(std::move(registry)) {}

HttpConnection::~HttpConnection() {
  releaseUpload();
  std::lock_guard lock(registry_->mutex);
  if (registry_->open.erase(this) > 0) {
    if (auto it = registry_->perClient.find(clientAddr_); it != registry_->perClient.end() && --it->second == 0) {
      registry_->perClient.erase(it);
    }
  }
}

void HttpConnection::releaseUpload() {
  if (holdsUpload_) {
    holdsUpload_ = false;
    registry_->uploads->release(clientAddr_);
  }
}

void HttpConnection::closeNow() {
  beast::error_code ignored;
  stream_.socket().close(ignored);
  // Their waits would keep this connection (and its io_context) alive.
  if (heartbeat_) {
    heartbeat_->cancel();
  }
  if (flush_) {
    flush_->cancel();
  }
}

void HttpConnection::start() {
  remoteAddr_ = remoteAddress(stream_.socket(), clientAddr_);
  bool admitted = false;
  {
    std::lock_guard lock(registry_->mutex);
    size_t& mine = registry_->perClient[clientAddr_];
    if (mine < registry_->maxConnectionsPerClient) {
      ++mine;
      registry_->open.emplace(this, weak_from_this());
      admitted = true;
    } else if (mine == 0) {
      registry_->perClient.erase(clientAddr_);
    }
  }
  if (!admitted) {
    static core::ThrottledLog log("http");
    log.warn("{} has {} connections open (http.max_connections_per_client): closing a new one", clientAddr_,
             registry_->maxConnectionsPerClient);
    stream_.close();
    return;
  }
  beast::error_code ignored;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  readHeader();
}

void HttpConnection::readHeader() {
  headParser_.emplace();
  headParser_->header_limit(kHeaderLimit);
  headParser_->body_limit(std::numeric_limits<std::uint64_t>::max());  // the route's limit is checked once routed
  bodyParser_.reset();
  streamParser_.reset();
  stream_.expires_after(registry_->idleTimeout);
  http::async_read_header(stream_, buffer_, *headParser_,
                          [self = shared_from_this()](beast::error_code ec, size_t) { self->onHeader(ec); });
}

void HttpConnection::onHeader(beast::error_code ec) {
  // Nothing of the previous request may leak into this one's answer or log.
  started_ = std::chrono::steady_clock::now();
  request_ = ApiRequest();
  routeName_ = "-";
  target_.clear();
  isHead_ = false;
  version_ = 11;
  streamError_ = nullptr;
  if (ec) {
    if (ec == http::error::header_limit) {
      refuse(431, "HEADERS_TOO_LARGE", "request head exceeds " + std::to_string(kHeaderLimit) + " bytes");
    } else if (!quietError(ec) && isParseError(ec)) {
      refuse(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message());
    } else {
      stream_.close();
    }
    return;
  }
  const auto& head = headParser_->get();
  request_.requestId = RequestPipeline::requestIdFrom(view(head["X-Request-Id"]));
  request_.method = std::string(head.method_string());
  isHead_ = head.method() == http::verb::head;
  target_ = std::string(head.target());
  version_ = head.version();
  keepAlive_ = head.keep_alive();
  request_.remoteAddr = remoteAddr_;
  request_.clientAddr = clientAddr_;
  request_.headers.reserve(16);
  for (const auto& field : head) {
    request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    // Text from a client is UTF-8 or refused here, at the edge: once
    // stored (an agent id, a list name) it would break every later read.
    if (!core::isValidUtf8(request_.headers.back().second)) {
      refuse(400, "BAD_REQUEST", "header " + request_.headers.back().first + " is not valid UTF-8",
             {{"field", request_.headers.back().first}});
      return;
    }
  }
  if (head.count(http::field::transfer_encoding) > 0 && !headParser_->chunked()) {
    // RFC 9112 6.3: a request whose last transfer coding is not chunked
    // has no knowable length; reading on would frame its body as the next
    // request (a smuggling shape behind a proxy that frames it otherwise).
    refuse(400, "BAD_REQUEST", "Transfer-Encoding must end with chunked");
    return;
  }
  try {
    splitTarget(target_, request_.path, request_.query);
    for (const auto& [name, value] : sdk::encoding::parseForm(request_.query)) {
      request_.queryParams.emplace(name, value);
    }
  } catch (const std::exception& e) {
    refuse(400, "BAD_REQUEST", core::sanitizeUtf8(std::string("malformed request target: ") + e.what()));
    return;
  }
  if (!core::isValidUtf8(request_.path)) {
    refuse(400, "BAD_REQUEST", "the request path is not valid UTF-8 once percent-decoded", {{"field", "path"}});
    return;
  }
  for (const auto& [name, value] : request_.queryParams) {
    if (!core::isValidUtf8(name) || !core::isValidUtf8(value)) {
      refuse(400, "BAD_REQUEST", "query parameter '" + core::sanitizeUtf8(name) + "' is not valid UTF-8",
             {{"field", core::sanitizeUtf8(name)}});
      return;
    }
  }
  match_ = pipeline_.match(request_.method, request_.path);
  if (match_.route != nullptr) {
    routeName_ = match_.route->name;
  }

  const size_t limit = pipeline_.bodyLimit(match_.route);
  const bool hasBody = headParser_->chunked() || headParser_->content_length().value_or(0) > 0;
  bodyRead_ = !hasBody;
  if (hasBody && headParser_->content_length().value_or(0) > limit) {
    refuse(413, "PAYLOAD_TOO_LARGE",
           "request body of " + std::to_string(*headParser_->content_length()) + " bytes exceeds the limit of " +
               std::to_string(limit) + " bytes",
           {{"limit_bytes", limit}});
    return;
  }
  if (match_.route == nullptr || (!hasBody && !match_.route->streamBody)) {
    dispatch();  // an unrouted request is answered without its body, which the close after the answer drops
    return;
  }
  const bool expectsContinue = hasBody && beast::iequals(head[http::field::expect], "100-continue");
  if (match_.route->streamBody) {
    startStreaming(expectsContinue);
    return;
  }
  if (expectsContinue) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(registry_->ioTimeout);
    asio::async_write(stream_, asio::buffer(kContinue), [self = shared_from_this()](beast::error_code error, size_t) {
      if (error) {
        self->stream_.close();
      } else {
        self->readBody();
      }
    });
    return;
  }
  readBody();
}

void HttpConnection::startStreaming(bool sendContinue) {
  streamParser_.emplace(std::move(*headParser_));
  streamParser_->body_limit(std::numeric_limits<std::uint64_t>::max());  // counted as it arrives (readBodyChunk)
  headParser_.reset();
  stream_.expires_never();  // the body's reads set their own
  try {
    pipeline_.precheck(request_, *match_.route);
  } catch (...) {
    respond(ErrorMapper::toResponse(std::current_exception(), request_.requestId));
    return;
  }
  auto self = shared_from_this();
  if (!workers_.post([self, sendContinue] { self->admitThenStream(sendContinue); })) {
    refuse(503, "UNAVAILABLE", "the server is busy; retry shortly");
  }
}

void HttpConnection::admitThenStream(bool sendContinue) {
  if (auto refusal = admitStreaming()) {
    // Answered from the head: the body is not waited for, and a connection
    // with a body pending closes after the answer (lingering on the I/O
    // thread, not on this one).
    respond(std::move(*refusal));
    return;
  }
  if (sendContinue) {
    sendInterimContinue();  // a failure shows as the body's first read failing
  }
  runStreaming();
}

std::optional<ApiResponse> HttpConnection::admitStreaming() {
  const Route& route = *match_.route;
  try {
    pipeline_.admit(request_, match_);
  } catch (...) {
    return ErrorMapper::toResponse(std::current_exception(), request_.requestId);
  }
  if (!route.bodyTypes.empty()) {
    const std::string type = mediaTypeOf(request_.header("Content-Type").value_or(""));
    if (std::find(route.bodyTypes.begin(), route.bodyTypes.end(), type) == route.bodyTypes.end()) {
      std::string accepted;
      for (const auto& each : route.bodyTypes) {
        accepted += (accepted.empty() ? "" : ", ") + each;
      }
      return ErrorMapper::envelope(415, "UNSUPPORTED_MEDIA_TYPE", "send this body as one of: " + accepted,
                                   {{"content_type", type}, {"accepted", route.bodyTypes}});
    }
  }
  const auto slot = registry_->uploads->acquire(clientAddr_);
  if (slot != SlotLimiter::Result::Granted) {
    const bool mine = slot == SlotLimiter::Result::KeyFull;
    ApiResponse busy = mine ? ErrorMapper::envelope(429, "RATE_LIMITED",
                                                    std::to_string(registry_->uploads->perKey()) +
                                                        " uploads from this address are in progress "
                                                        "(http.max_uploads_per_client); retry when one has finished",
                                                    {{"limit", registry_->uploads->perKey()}})
                            : ErrorMapper::envelope(503, "UNAVAILABLE",
                                                    std::to_string(registry_->uploads->total()) +
                                                        " uploads are in progress (http.max_uploads); retry shortly",
                                                    {{"limit", registry_->uploads->total()}});
    busy.headers.emplace_back("Retry-After", "5");
    return busy;
  }
  holdsUpload_ = true;
  streamedBytes_ = 0;
  streamLimit_ = pipeline_.bodyLimit(&route);
  bodyStarted_ = std::chrono::steady_clock::now();
  return std::nullopt;
}

void HttpConnection::sendInterimContinue() {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  const int fd = stream_.socket().native_handle();
  size_t sent = 0;
  while (sent < kContinue.size()) {
    const ssize_t n = ::send(fd, kContinue.data() + sent, kContinue.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      pollfd wanted{fd, POLLOUT, 0};
      if (::poll(&wanted, 1, static_cast<int>(std::chrono::milliseconds(registry_->ioTimeout).count())) > 0) {
        continue;
      }
    }
    return;
  }
}

void HttpConnection::readBody() {
  const size_t limit = pipeline_.bodyLimit(match_.route);
  bodyParser_.emplace(std::move(*headParser_));
  bodyParser_->body_limit(limit);
  headParser_.reset();
  stream_.expires_after(registry_->ioTimeout);
  http::async_read(stream_, buffer_, *bodyParser_, [self = shared_from_this(), limit](beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      self->refuse(413, "PAYLOAD_TOO_LARGE", "request body exceeds the limit of " + std::to_string(limit) + " bytes",
                   {{"limit_bytes", limit}});
      return;
    }
    if (ec) {
      if (!quietError(ec) && isParseError(ec)) {
        self->refuse(400, "BAD_REQUEST", "malformed request body: " + ec.message());
      } else {
        self->stream_.close();
      }
      return;
    }
    self->request_.body = std::move(self->bodyParser_->get().body());
    self->bodyRead_ = true;
    self->dispatch();
  });
}

void HttpConnection::dispatch() {
  stream_.expires_never();  // the route may take its time; the write sets its own
  auto self = shared_from_this();
  if (match_.route != nullptr && match_.route->nonBlocking && match_.route->nonBlocking()) {
    pipeline_.run(request_, match_, [self](ApiResponse response) { self->respond(std::move(response)); });
    return;
  }
  if (!workers_.post([self] {
        self->pipeline_.run(self->request_, self->match_,
                            [self](ApiResponse response) { self->respond(std::move(response)); });
      })) {
    refuse(503, "UNAVAILABLE", "the server is busy; retry shortly");
  }
}

void HttpConnection::runStreaming() {
  BodyStreamBuf buffer(*this);
  std::istream body(&buffer);
  // A body cut short (the client left, a read timed out) must reach the
  // handler as the error it is, not as an early end: an import would
  // otherwise commit a truncated list.
  body.exceptions(std::ios::badbit);
  request_.bodyStream = &body;
  std::optional<ApiResponse> answer;
  pipeline_.run(request_, match_, [&answer](ApiResponse response) { answer = std::move(response); });
  request_.bodyStream = nullptr;
  if (!answer) {
    answer = ErrorMapper::envelope(500, "INTERNAL_ERROR", "the route gave no answer");
  }
  if (!answer->stream) {
    // What the handler did not read would be parsed as the next request.
    // A refused body is not read on (that would hold this thread for a
    // client that may be trickling it): the connection closes after the
    // answer instead, lingering on the I/O thread.
    bodyRead_ = answer->status < 400 && drainStreamingBody();
  }
  releaseUpload();
  respond(std::move(*answer));
}

void HttpConnection::respond(ApiResponse response) {
  std::shared_lock gate(registry_->gate);
  if (!registry_->answering) {
    return;  // the server stopped; the connection closes as it goes
  }
  auto self = shared_from_this();
  asio::post(stream_.get_executor(),
             [self, response = std::move(response)]() mutable { self->writeResponse(std::move(response)); });
}

void HttpConnection::writeResponse(ApiResponse response) {
  if (response.stream) {
    startEventStream(std::move(response));
    return;
  }
  const bool keep = keepAlive_ && bodyRead_;
  const auto status = static_cast<http::status>(response.status);
  auto head = std::make_shared<std::string>();
  head->reserve(256 + response.body.size());
  head->append(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(response.status)).append(" ");
  const auto reason = http::obsolete_reason(status);
  head->append(reason.empty() ? "Unknown" : std::string_view(reason.data(), reason.size())).append("\r\n");
  appendHeader(*head, "Server", "switchboard");
  appendHeader(*head, "Date", httpDate());
  appendHeader(*head, "Content-Type", response.contentType);
  appendHeader(*head, "X-Request-Id", request_.requestId);
  appendHeader(*head, "Cache-Control", "no-store");
  appendHeader(*head, "X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : response.headers) {
    appendHeader(*head, name, value);
  }
  appendHeader(*head, "Content-Length", std::to_string(response.body.size()));
  if (!keep) {
    appendHeader(*head, "Connection", "close");
  } else if (version_ == 10) {
    appendHeader(*head, "Connection", "Keep-Alive");
  }
  head->append("\r\n");
  if (!isHead_) {
    head->append(response.body);  // one buffer, one write
  }
  pipeline_.finished(request_, target_, routeName_, response.status, response.body.size(), started_);
  stream_.expires_after(registry_->ioTimeout);
  asio::async_write(stream_, asio::buffer(*head),
                    [self = shared_from_this(), head, keep](beast::error_code ec, size_t) {
                      if (ec) {
                        self->stream_.close();
                      } else if (keep) {
                        self->readHeader();
                      } else {
                        self->lingerClose();
                      }
                    });
}

void HttpConnection::refuse(int status, const std::string& code, const std::string& message,
                            const nlohmann::json& details) {
  refuseWith(ErrorMapper::envelope(status, code, message, details));
}

void HttpConnection::refuseWith(ApiResponse response) {
  if (request_.requestId.empty()) {
    request_.requestId = RequestPipeline::requestIdFrom("");
  }
  if (request_.method.empty()) {
    request_.method = "-";  // not even a request line
  }
  keepAlive_ = false;
  writeResponse(std::move(response));
}

void HttpConnection::lingerClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  drainThenClose();
}

void HttpConnection::drainThenClose() {
  stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->stream_.close();
    } else {
      self->drainThenClose();
    }
  });
}

size_t HttpConnection::readBodyChunk(char* out, size_t capacity) {
  // The worker reads the socket itself: no operation is pending on it and no
  // timer runs (startStreaming() cleared it), and a round trip through the I/O
  // thread per chunk cost two wake-ups (an upload's time went to them).
  if (streamError_) {
    std::rethrow_exception(streamError_);  // the parser is past use
  }
  auto& parser = *streamParser_;
  const int fd = stream_.socket().native_handle();
  const auto failWith = [this](int status, const std::string& code, const std::string& why) -> size_t {
    streamError_ = std::make_exception_ptr(ApiError(status, code, "the request body could not be read whole: " + why));
    std::rethrow_exception(streamError_);
  };
  const auto fail = [&failWith](const std::string& why) -> size_t { return failWith(400, "BAD_REQUEST", why); };
  while (!parser.is_done()) {
    if (buffer_.size() > 0) {
      parser.get().body().data = out;
      parser.get().body().size = capacity;
      beast::error_code ec;
      const size_t used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      const size_t got = capacity - parser.get().body().size;
      if (ec && ec != http::error::need_buffer && ec != http::error::need_more) {
        return fail(ec.message());
      }
      if (got > 0) {
        // Chunked bodies declare no length: every framing counts here.
        streamedBytes_ += got;
        if (streamedBytes_ > streamLimit_) {
          return failWith(413, "PAYLOAD_TOO_LARGE",
                          "it exceeds the limit of " + std::to_string(streamLimit_) + " bytes");
        }
        return got;
      }
      if (used > 0 && ec != http::error::need_more) {
        continue;  // a chunk header or the last chunk: parse on
      }
    }
    // A body must keep an average rate once its grace is over: by `due`
    // the bytes so far would have arrived at the minimum rate. A per-read
    // timeout alone let a byte every few seconds hold this thread forever.
    const auto now = std::chrono::steady_clock::now();
    const auto due =
        bodyStarted_ +
        std::max<std::chrono::steady_clock::duration>(
            registry_->bodyGrace,
            std::chrono::milliseconds(streamedBytes_ * 1000 / std::max<size_t>(1, registry_->bodyMinBytesPerSecond)));
    const auto tooSlow = [&] {
      return failWith(408, "REQUEST_TIMEOUT",
                      "it arrived slower than " + std::to_string(registry_->bodyMinBytesPerSecond) +
                          " bytes/s (http.body_min_bytes_per_s)");
    };
    if (now >= due) {
      return tooSlow();
    }
    pollfd wanted{fd, POLLIN, 0};
    const auto wait = std::min<std::chrono::steady_clock::duration>(registry_->ioTimeout, due - now);
    const int timeoutMs = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
    const int ready = ::poll(&wanted, 1, timeoutMs);
    if (ready == 0) {
      return std::chrono::steady_clock::now() >= due ? tooSlow() : fail("timed out");
    }
    if (ready < 0 && errno != EINTR) {
      return fail(std::system_category().message(errno));
    }
    const auto space = buffer_.prepare(65536);
    const ssize_t n = ::recv(fd, space.data(), space.size(), 0);
    if (n == 0) {
      return fail("the client closed the connection mid-body");
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        continue;
      }
      return fail(std::system_category().message(errno));
    }
    buffer_.commit(static_cast<size_t>(n));
  }
  return 0;
}

bool HttpConnection::drainStreamingBody() {
  size_t drained = 0;
  try {
    while (drained <= kMaxDrainBytes) {
      const size_t got = readBodyChunk(discard_.data(), discard_.size());
      if (got == 0) {
        return true;
      }
      drained += got;
    }
  } catch (const std::exception&) {
    // the client is gone or too slow: close after the answer
  }
  return false;
}

void HttpConnection::startEventStream(ApiResponse response) {
  // The head as for any response, but no length: the body runs until one
  // side closes.
  std::string head = (version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ") + std::to_string(response.status) + " OK\r\n";
  appendHeader(head, "Server", "switchboard");
  appendHeader(head, "Date", httpDate());
  appendHeader(head, "Content-Type", response.contentType);
  appendHeader(head, "X-Request-Id", request_.requestId);
  appendHeader(head, "Cache-Control", "no-store");
  appendHeader(head, "X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : response.headers) {
    appendHeader(head, name, value);
  }
  appendHeader(head, "Connection", "close");
  head.append("\r\n");
  pipeline_.finished(request_, target_, routeName_, response.status, 0, started_);

  eventStream_ = std::move(response.stream);
  streamOut_ = std::move(head);
  streamHeartbeat_ = eventStream_->heartbeat();
  streamBatch_ = eventStream_->batchWindow();
  heartbeat_.emplace(stream_.get_executor());
  flush_.emplace(stream_.get_executor());
  stream_.expires_never();  // a stream lives as long as both sides want it
  std::weak_ptr<HttpConnection> weak = weak_from_this();
  eventStream_->bind([weak] {
    auto self = weak.lock();
    if (self && !self->wakePosted_.exchange(true)) {
      asio::post(self->stream_.get_executor(), [self] { self->onStreamWake(); });
    }
  });
  watchForClose();
  armHeartbeat();
  pumpEventStream();
}

void HttpConnection::onStreamWake() {
  // Throttled: the first frame after a quiet spell goes at once; under
  // load a stream gets at most one write per batch window, carrying every
  // frame that came meanwhile (one send instead of one per event keeps the
  // shared I/O thread free for requests).
  if (streamEnded_) {
    return;
  }
  if (streamWriting_) {
    wakeDuringWrite_ = true;
    wakePosted_ = false;
    return;
  }
  const auto since = std::chrono::steady_clock::now() - lastStreamWrite_;
  if (since >= streamBatch_) {
    wakePosted_ = false;
    pumpEventStream();
    return;
  }
  flush_->expires_after(streamBatch_ - since);
  flush_->async_wait([self = shared_from_this()](beast::error_code ec) {
    self->wakePosted_ = false;
    if (!ec) {
      self->pumpEventStream();
    }
  });
}

void HttpConnection::pumpEventStream() {
  if (streamWriting_ || streamEnded_) {
    return;
  }
  std::string out = std::move(streamOut_);
  streamOut_.clear();
  const bool more = eventStream_->take(out);
  if (out.empty()) {
    if (!more) {
      endEventStream();
    }
    return;
  }
  streamWriting_ = true;
  lastStreamWrite_ = std::chrono::steady_clock::now();
  auto buffer = std::make_shared<std::string>(std::move(out));
  asio::async_write(stream_, asio::buffer(*buffer),
                    [self = shared_from_this(), buffer, more](beast::error_code ec, size_t) {
                      self->streamWriting_ = false;
                      if (ec || !more) {
                        self->endEventStream();
                      } else if (self->wakeDuringWrite_) {
                        self->wakeDuringWrite_ = false;
                        self->wakePosted_ = true;
                        self->onStreamWake();
                      }
                    });
}

void HttpConnection::watchForClose() {
  // A stream's client sends nothing after its request: the read completes
  // only when it leaves (or sends something, which is dropped).
  stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->endEventStream();
    } else if (!self->streamEnded_) {
      self->watchForClose();
    }
  });
}

void HttpConnection::armHeartbeat() {
  heartbeat_->expires_after(streamHeartbeat_);
  heartbeat_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->streamEnded_) {
      return;
    }
    if (!self->streamWriting_ && std::chrono::steady_clock::now() - self->lastStreamWrite_ >= self->streamHeartbeat_) {
      self->streamOut_ += ": heartbeat\n\n";
      self->pumpEventStream();
    }
    self->armHeartbeat();
  });
}

void HttpConnection::endEventStream() {
  if (streamEnded_) {
    return;
  }
  streamEnded_ = true;
  heartbeat_->cancel();
  flush_->cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  eventStream_->closed();
}

}  // namespace sb::host
