// Event streams under load: opens N Server-Sent Event streams (GET
// /api/v1/events), reads them all from one poll() thread, places calls at a
// steady rate (so that every stream receives each call's events), and
// meanwhile measures the latency of API requests on a keep-alive connection.
//
//   sb_bench_streams PORT KEY STREAMS SECONDS CALLS_PER_SECOND
//
// Prints the API latency percentiles, the streams still open at the end and
// the frames they received. See bench/stream_bench.sh and docs/BENCHMARKS.md.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int connectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("connect: " + std::string(std::strerror(errno)));
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void sendAll(int fd, const std::string& text) {
  size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    sent += static_cast<size_t>(n);
  }
}

/// Reads one response with a Content-Length body; returns the status.
int readResponse(int fd, std::string& buffer) {
  while (true) {
    const auto headEnd = buffer.find("\r\n\r\n");
    if (headEnd != std::string::npos) {
      const auto lengthAt = buffer.find("Content-Length: ");
      const size_t length = lengthAt < headEnd ? std::strtoul(buffer.c_str() + lengthAt + 16, nullptr, 10) : 0;
      if (buffer.size() >= headEnd + 4 + length) {
        const int status = std::atoi(buffer.c_str() + 9);
        buffer.erase(0, headEnd + 4 + length);
        return status;
      }
    }
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) throw std::runtime_error("the API connection closed");
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<size_t>(p / 100.0 * static_cast<double>(values.size() - 1));
  return values[index];
}

size_t countOf(const std::string& text, const char* needle) {
  size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s PORT KEY STREAMS SECONDS CALLS_PER_SECOND\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string key = argv[2];
  const int streams = std::atoi(argv[3]);
  const int seconds = std::atoi(argv[4]);
  const double callsPerSecond = std::atof(argv[5]);

  // Open every stream and wait for its head.
  std::vector<pollfd> fds;
  const std::string streamRequest =
      "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nX-API-Key: " + key + "\r\n\r\n";
  const auto openStarted = Clock::now();
  for (int i = 0; i < streams; ++i) {
    const int fd = connectTo(port);
    sendAll(fd, streamRequest);
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
      char chunk[4096];
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) throw std::runtime_error("stream " + std::to_string(i) + " closed before its head");
      head.append(chunk, static_cast<size_t>(n));
    }
    if (head.compare(0, 12, "HTTP/1.1 200") != 0) {
      std::fprintf(stderr, "stream %d refused: %s\n", i, head.substr(0, head.find('\r')).c_str());
      return 1;
    }
    fds.push_back({fd, POLLIN, 0});
  }
  const double openSeconds = std::chrono::duration<double>(Clock::now() - openStarted).count();

  std::atomic<bool> running{true};
  std::atomic<size_t> frames{0};
  std::atomic<size_t> closedStreams{0};
  std::thread reader([&] {
    std::vector<char> chunk(1 << 16);
    while (running) {
      if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
      for (auto& entry : fds) {
        if (entry.fd < 0 || (entry.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const ssize_t n = ::recv(entry.fd, chunk.data(), chunk.size(), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
          ::close(entry.fd);
          entry.fd = -1;
          ++closedStreams;
          continue;
        }
        if (n > 0) frames += countOf(std::string(chunk.data(), static_cast<size_t>(n)), "event: call");
      }
    }
  });

  // Calls at a steady rate: each one fans its events out to every stream.
  std::atomic<size_t> placed{0};
  std::thread caller([&] {
    if (callsPerSecond <= 0) return;
    const int fd = connectTo(port);
    std::string buffer;
    const auto interval = std::chrono::duration<double>(1.0 / callsPerSecond);
    auto next = Clock::now();
    for (int i = 0; running; ++i) {
      char body[96];
      std::snprintf(body, sizeof body, R"({"to":"+1201555%04d"})", i % 10000);
      sendAll(fd, "POST /api/v1/calls HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-API-Key: " +
                      key + "\r\nContent-Length: " + std::to_string(std::strlen(body)) + "\r\n\r\n" + body);
      if (readResponse(fd, buffer) == 201) ++placed;
      next += std::chrono::duration_cast<Clock::duration>(interval);
      std::this_thread::sleep_until(next);
    }
    ::close(fd);
  });

  // The API meanwhile: a listing that reads the database, back to back.
  std::vector<double> latencies;
  int errors = 0;
  {
    const int fd = connectTo(port);
    std::string buffer;
    const std::string request =
        "GET /api/v1/calls?limit=20 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + key + "\r\n\r\n";
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < deadline) {
      const auto started = Clock::now();
      sendAll(fd, request);
      if (readResponse(fd, buffer) != 200) ++errors;
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::close(fd);
  }
  running = false;
  caller.join();
  reader.join();
  for (auto& entry : fds) {
    if (entry.fd >= 0) ::close(entry.fd);
  }
  std::printf(
      "streams %d (opened in %.2f s), %zu still open at the end; calls placed %zu; call frames received %zu\n"
      "API GET /api/v1/calls: n=%zu errors=%d p50 %.2f ms p90 %.2f ms p99 %.2f ms max %.2f ms\n",
      streams, openSeconds, static_cast<size_t>(streams) - closedStreams.load(), placed.load(), frames.load(),
      latencies.size(), errors, percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99),
      latencies.empty() ? 0.0 : *std::max_element(latencies.begin(), latencies.end()));
  return 0;
}
