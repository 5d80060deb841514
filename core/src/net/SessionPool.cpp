#include "net/SessionPool.h"

#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/Socket.h>
#include <Poco/Timespan.h>

namespace sb::core {

SessionPool::SessionPool(size_t maxIdlePerHost, std::chrono::milliseconds idleTimeout, Poco::Net::Context::Ptr tls)
    : maxIdlePerHost_(maxIdlePerHost), idleTimeout_(idleTimeout), tls_(std::move(tls)) {}

bool SessionPool::stillOpen(Poco::Net::HTTPClientSession& session) {
  if (!session.connected()) {
    return false;
  }
  try {
    // An idle connection has nothing to read: readable means the server
    // closed it (EOF, a TLS close_notify) or sent something unasked for.
    return !session.socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
  } catch (const Poco::Exception&) {
    return false;
  }
}

SessionPool::Lease SessionPool::acquire(const std::string& scheme, const std::string& host, uint16_t port) {
  Lease lease;
  lease.key = scheme + "://" + host + ":" + std::to_string(port);
  std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> stale;  // closed outside the lock
  {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(lease.key);
    const auto now = std::chrono::steady_clock::now();
    while (it != idle_.end() && !it->second.empty()) {
      Idle candidate = std::move(it->second.back());
      it->second.pop_back();
      if (now - candidate.since <= idleTimeout_ && stillOpen(*candidate.session)) {
        lease.session = std::move(candidate.session);
        lease.reused = true;
        break;
      }
      stale.push_back(std::move(candidate.session));
    }
  }
  if (!lease.session) {
    if (scheme == "https") {
      lease.session = std::make_unique<Poco::Net::HTTPSClientSession>(host, port, tls_);
    } else {
      lease.session = std::make_unique<Poco::Net::HTTPClientSession>(host, port);
    }
    lease.session->setKeepAlive(true);
    lease.session->setKeepAliveTimeout(
        Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(idleTimeout_.count()) * 1000));
  }
  return lease;
}

void SessionPool::release(Lease lease) {
  if (!lease.session || maxIdlePerHost_ == 0 || !lease.session->connected()) {
    return;
  }
  std::lock_guard lock(mutex_);
  auto& slot = idle_[lease.key];
  if (slot.size() >= maxIdlePerHost_) {
    slot.erase(slot.begin());  // the oldest goes; the newest is the likeliest to live
  }
  slot.push_back({std::move(lease.session), std::chrono::steady_clock::now()});
}

size_t SessionPool::idleCount() {
  std::lock_guard lock(mutex_);
  size_t count = 0;
  for (const auto& [key, sessions] : idle_) {
    count += sessions.size();
  }
  return count;
}

}  // namespace sb::core
