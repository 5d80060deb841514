// The capabilities document of a provider table
// (sdk/schema/capabilities.schema.json), written with a typed builder so
// that a misspelt key or operation does not compile:
//
//   SB_PROVIDER(MyProvider, sb::sdk::Capabilities(sb::sdk::Topology::Bridge)
//                               .operations(sb::sdk::kAllOperations)
//                               .mute()
//                               .hold()
//                               .clientCredential("acme")
//                               .webhookSignature("hmac-sha256"))
#pragma once

#include <switchboard/sdk/model.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <initializer_list>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace sb::sdk {

/// How the two legs meet: in a provider bridge (conference), or dialled
/// straight to each other.
enum class Topology { Bridge, Direct };

/// The operations of invoke (the `op` names) as a type.
enum class Operation { CallStart, CallEnd, CallStatus, ParticipantUpdate, ClientCredentialIssue };

constexpr const char* name(Topology topology) {
  return topology == Topology::Bridge ? "bridge" : "direct";
}
constexpr const char* name(Operation operation) {
  switch (operation) {
    case Operation::CallStart: return op::kCallStart;
    case Operation::CallEnd: return op::kCallEnd;
    case Operation::CallStatus: return op::kCallStatus;
    case Operation::ParticipantUpdate: return op::kParticipantUpdate;
    case Operation::ClientCredentialIssue: return op::kClientCredentialIssue;
  }
  return "";
}

/// Every operation of SDK 1.x, for a provider that implements them all.
inline constexpr std::array<Operation, 5> kAllOperations = {Operation::CallStart, Operation::CallEnd,
                                                            Operation::CallStatus, Operation::ParticipantUpdate,
                                                            Operation::ClientCredentialIssue};

class Capabilities {
 public:
  explicit Capabilities(Topology topology) : topology_(topology) {}

  /// The operations invoke answers; the others answer UNSUPPORTED.
  Capabilities& operations(std::initializer_list<Operation> operations) {
    operations_.assign(operations.begin(), operations.end());
    return *this;
  }
  template <typename Range>
  Capabilities& operations(const Range& operations) {
    operations_.assign(std::begin(operations), std::end(operations));
    return *this;
  }
  Capabilities& mute(bool supported = true) {
    mute_ = supported;
    return *this;
  }
  Capabilities& hold(bool supported = true) {
    hold_ = supported;
    return *this;
  }
  /// The kind of credential client_credential.issue returns, which tells
  /// the page which browser SDK to load ("twilio.access_token", ...).
  Capabilities& clientCredential(std::string kind) {
    clientCredential_ = std::move(kind);
    return *this;
  }
  /// How webhooks are signed ("hmac-sha256", "ed25519", ...), for people.
  Capabilities& webhookSignature(std::string scheme) {
    webhookSignature_ = std::move(scheme);
    return *this;
  }
  /// on_webhook never blocks or waits (no http_send, no sleep, no lock
  /// held across I/O), so the host may run it on its I/O thread. The host
  /// times it and moves a plugin that blocks anyway to its workers.
  Capabilities& webhooksNonblocking(bool nonblocking = true) {
    webhooksNonblocking_ = nonblocking;
    return *this;
  }

  [[nodiscard]] nlohmann::json toJson() const {
    nlohmann::json operations = nlohmann::json::array();
    for (const Operation operation : operations_) {
      operations.push_back(name(operation));
    }
    nlohmann::json document = {{"topology", name(topology_)},
                               {"operations", std::move(operations)},
                               {"supports_mute", mute_},
                               {"supports_hold", hold_}};
    if (!clientCredential_.empty()) {
      document["client_credential"] = clientCredential_;
    }
    if (!webhookSignature_.empty()) {
      document["webhook_signature"] = webhookSignature_;
    }
    if (webhooksNonblocking_) {
      document["webhooks_nonblocking"] = true;
    }
    return document;
  }

 private:
  Topology topology_;
  std::vector<Operation> operations_;
  bool mute_ = false;
  bool hold_ = false;
  std::string clientCredential_;
  std::string webhookSignature_;
  bool webhooksNonblocking_ = false;
};

}  // namespace sb::sdk
