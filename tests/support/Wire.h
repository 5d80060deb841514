#pragma once

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace sb::test {

/// A client that speaks bytes, to test what HTTP libraries smooth over.
class Wire {
 public:
  explicit Wire(uint16_t port) : socket_(Poco::Net::SocketAddress("127.0.0.1", port)) {
    socket_.setReceiveTimeout(Poco::Timespan(10, 0));
  }
  void send(const std::string& bytes) { socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size())); }

  struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
  };
  /// Reads one response (Content-Length bodies; none for HEAD).
  Response read(bool head = false) {
    Response response;
    const size_t end = until("\r\n\r\n");
    const std::string text = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    response.status = std::stoi(text.substr(9, 3));
    size_t line = text.find("\r\n");
    while (line != std::string::npos && line + 2 < text.size()) {
      const size_t next = text.find("\r\n", line + 2);
      const std::string field = text.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
      const size_t colon = field.find(':');
      std::string name = field.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers[name] = field.substr(colon + 2);
      line = next;
    }
    if (!head && response.headers.count("content-length")) {
      const size_t length = std::stoul(response.headers["content-length"]);
      while (buffer_.size() < length) fill();
      response.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
    }
    return response;
  }
  /// True when the server closes the connection (after what was sent).
  bool closedByServer() {
    try {
      while (true) {
        char chunk[4096];
        const int got = socket_.receiveBytes(chunk, sizeof chunk);
        if (got <= 0) return true;
      }
    } catch (const Poco::Exception&) {
      return false;  // a timeout: still open
    }
  }
  void setTimeout(int seconds) { socket_.setReceiveTimeout(Poco::Timespan(seconds, 0)); }

 private:
  size_t until(const std::string& marker) {
    size_t at;
    while ((at = buffer_.find(marker)) == std::string::npos) fill();
    return at;
  }
  void fill() {
    char chunk[65536];
    const int got = socket_.receiveBytes(chunk, sizeof chunk);
    if (got <= 0) throw std::runtime_error("connection closed by the server");
    buffer_.append(chunk, static_cast<size_t>(got));
  }

  Poco::Net::StreamSocket socket_;
  std::string buffer_;
};

}  // namespace sb::test
