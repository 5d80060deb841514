#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace sb::host {

/// The body of a response written as it comes (Server-Sent Events), served
/// by the connection on its own I/O thread like any other response: the
/// connection writes the head, then whatever take() gives, a heartbeat
/// comment when nothing was written for heartbeat(), and notices a client
/// that left by the read that completes. No thread waits on a stream.
/// THREADING: take() and closed() run on the connection's I/O thread; the
/// wake function given to bind() may be called from any thread.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  /// Once, before the first take(): `wake` asks the connection to call
  /// take() again soon (cheap; calls while one is pending are merged).
  virtual void bind(std::function<void()> wake) = 0;
  /// Appends what is ready to `out`; false when the stream is over (the
  /// connection writes `out`, then closes).
  virtual bool take(std::string& out) = 0;
  /// The connection is gone (the client left, a write failed, the server
  /// stopped); called once, after which take() is never called again.
  virtual void closed() = 0;
  virtual std::chrono::milliseconds heartbeat() const = 0;
  /// Under load, frames that come within this window of the last write
  /// share the next one (the first after a quiet spell is not delayed).
  virtual std::chrono::milliseconds batchWindow() const = 0;
};

}  // namespace sb::host
