#include "support/Processes.h"

#include <Poco/Net/ServerSocket.h>

#include <fstream>
#include <sstream>

namespace sb::test {

uint16_t freePort() {
  Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
  return probe.address().port();
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sb::test
