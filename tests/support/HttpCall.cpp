#include "support/HttpCall.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

namespace sb::test {

sdk::HttpResponse httpCall(uint16_t port, const std::string& method, const std::string& target,
                           const sdk::Headers& headers, const std::string& body) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) {
    request.set(name, value);
  }
  if (!body.empty() || method == "POST") {
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  sdk::HttpResponse out;
  out.status = static_cast<int32_t>(response.getStatus());
  for (const auto& [name, value] : response) {
    out.headers.emplace_back(name, value);
  }
  Poco::StreamCopier::copyToString(in, out.body);
  return out;
}

}  // namespace sb::test
