#pragma once

#include "http/ApiTypes.h"
#include "http/Router.h"
#include "http/SlotLimiter.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace sb::host {

class RequestPipeline;
class WorkerPool;

class HttpConnection;

/// What the server's connections share: their limits, the open ones (so
/// that stop() can close them), and whether responses may still be sent.
struct ConnectionRegistry {
  size_t maxConnections = 4096;
  size_t maxConnectionsPerClient = 256;
  std::chrono::seconds idleTimeout{5};  ///< waiting for (the head of) the next request
  std::chrono::seconds ioTimeout{30};   ///< reading a body, writing a response
  size_t bodyMinBytesPerSecond = 1024;
  std::chrono::seconds bodyGrace{10};

  /// Held shared by respond() while it hands a response to an I/O thread;
  /// stop() takes it to end that, so that a late answer (a webhook whose
  /// batch commits after the server stopped) is dropped, not queued on an
  /// io_context no thread runs.
  std::shared_mutex gate;
  bool answering = true;

  std::mutex mutex;
  std::unordered_map<const HttpConnection*, std::weak_ptr<HttpConnection>> open;

  /// Open connections and streaming bodies per client address (no port).
  std::unordered_map<std::string, size_t> perClient;

  size_t count() {
    std::lock_guard lock(mutex);
    return open.size();
  }

  /// Streaming bodies in flight, in all and per client address.
  std::unique_ptr<SlotLimiter> uploads = std::make_unique<SlotLimiter>(8, 2);
};

/// One client connection of the HTTP server: reads requests (HTTP/1.1,
/// keep-alive, pipelined, chunked, Expect: 100-continue) on its I/O
/// thread, hands each to the worker pool, and writes the response when it
/// comes, from whichever thread produced it. A route that answers later
/// (a webhook, once its batch commits) holds no thread meanwhile.
/// Streaming routes read their body on the worker through an istream that
/// reads the socket directly (with the I/O timeout), while the I/O thread
/// leaves the connection alone.
/// THREADING: everything but respond() and the body stream runs on the
/// connection's I/O thread (one thread per io_context).
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  /// `context` is the io_context the socket belongs to: the connection
  /// keeps it alive, since a route answering late may hold the connection
  /// after the server stopped.
  HttpConnection(std::shared_ptr<boost::asio::io_context> context, boost::asio::ip::tcp::socket socket,
                 RequestPipeline& pipeline, WorkerPool& workers, std::shared_ptr<ConnectionRegistry> registry);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void start();
  /// Closes the socket; only while no I/O thread runs (ApiServer::stop()).
  void closeNow();

 private:
  class BodyStreamBuf;

  void readHeader();
  void onHeader(boost::beast::error_code ec);
  /// I/O thread: hands a streaming request to a worker, which admits it
  /// before any of its body is read (the key check may read the database,
  /// which the I/O thread must never wait on).
  void startStreaming(bool sendContinue);
  /// Worker: admission, then `100 Continue` if asked, then the route.
  void admitThenStream(bool sendContinue);
  /// Worker: the key, role, rate, content type and an upload slot; the
  /// refusal, or nothing when the body may be read.
  std::optional<ApiResponse> admitStreaming();
  /// Worker: writes `100 Continue` on the socket the worker now reads.
  void sendInterimContinue();
  void releaseUpload();
  void readBody();
  void dispatch();
  void runStreaming();
  /// Any thread: the response goes back to the I/O thread to be written.
  void respond(ApiResponse response);
  void writeResponse(ApiResponse response);
  /// An error found on the wire, before any route ran; the connection
  /// closes after it.
  void refuse(int status, const std::string& code, const std::string& message,
              const nlohmann::json& details = nlohmann::json::object());
  void refuseWith(ApiResponse response);
  /// Closes the way a server must when the client may still be sending:
  /// stop writing, read and drop what arrives for a moment, then close
  /// (closing with unread data would reset the connection and could
  /// destroy the response before the client reads it).
  void lingerClose();
  void drainThenClose();
  /// Worker thread: the next body bytes of a streaming request; 0 at its
  /// end. Throws when the body cannot be read.
  size_t readBodyChunk(char* out, size_t capacity);
  /// Worker thread: reads and drops the rest of a streaming body.
  bool drainStreamingBody();
  /// I/O thread: an event stream's head, then its frames as they come,
  /// heartbeats when idle, until either side ends it.
  void startEventStream(ApiResponse response);
  void onStreamWake();
  void pumpEventStream();
  void watchForClose();
  void armHeartbeat();
  void endEventStream();

  std::shared_ptr<boost::asio::io_context> context_;  // first: it outlives the socket
  boost::beast::tcp_stream stream_;
  RequestPipeline& pipeline_;
  WorkerPool& workers_;
  std::shared_ptr<ConnectionRegistry> registry_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> headParser_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> bodyParser_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::buffer_body>> streamParser_;
  std::array<char, 16384> discard_{};
  std::string remoteAddr_;    ///< the peer, "host:port", read once
  std::string clientAddr_;    ///< the peer's address alone (limits per client)
  bool holdsUpload_ = false;  ///< this request holds an upload slot
  size_t streamedBytes_ = 0;  ///< body bytes of the streaming request so far
  size_t streamLimit_ = 0;    ///< the most it may send, however it is framed
  std::chrono::steady_clock::time_point bodyStarted_;

  // The request in flight (one at a time: pipelined requests wait in buffer_).
  ApiRequest request_;
  RouteMatch match_;
  std::string target_;
  std::string routeName_;
  std::chrono::steady_clock::time_point started_;
  unsigned version_ = 11;
  bool keepAlive_ = true;
  bool bodyRead_ = false;  ///< the whole request body is consumed
  // An event stream (after its head, this connection serves nothing else).
  std::shared_ptr<ResponseStream> eventStream_;
  std::string streamOut_;  ///< written before the next take()
  std::optional<boost::asio::steady_timer> heartbeat_;
  std::optional<boost::asio::steady_timer> flush_;  ///< the end of the batch window
  std::chrono::milliseconds streamHeartbeat_{15000};
  std::chrono::milliseconds streamBatch_{0};
  std::chrono::steady_clock::time_point lastStreamWrite_ = std::chrono::steady_clock::now();
  bool streamWriting_ = false;
  bool streamEnded_ = false;
  bool wakeDuringWrite_ = false;
  std::atomic<bool> wakePosted_{false};
  bool isHead_ = false;
  /// Why a streaming body's read failed (worker thread): every later read
  /// fails the same way, so a reader that swallowed the first error (a
  /// multipart part) still ends with the true cause (413, 408).
  std::exception_ptr streamError_;
};

}  // namespace sb::host
