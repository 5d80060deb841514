#include "http/Router.h"

#include <switchboard/sdk/encoding.hpp>

#include <stdexcept>

namespace sb::host {
namespace {

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    size_t end = path.find('/', start);
    if (end == std::string::npos) {
      end = path.size();
    }
    segments.push_back(path.substr(start, end - start));
    start = end;
  }
  return segments;
}

std::string percentDecode(const std::string& text) {
  // Path segments use %XX but not '+' for space.
  std::string withPlus;
  for (char c : text) {
    withPlus += c == '+' ? std::string("%2B") : std::string(1, c);
  }
  return sdk::encoding::formDecode(withPlus);
}

bool matchPattern(const std::vector<std::string>& want, const std::vector<std::string>& have,
                  std::map<std::string, std::string>& params) {
  params.clear();
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string& segment = want[i];
    const bool capture = segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
    if (capture && segment[1] == '*') {
      std::string rest;
      for (size_t j = i; j < have.size(); ++j) {
        rest += (j == i ? "" : "/") + have[j];
      }
      params[segment.substr(2, segment.size() - 3)] = rest;
      return true;
    }
    if (i >= have.size()) {
      return false;
    }
    if (capture) {
      params[segment.substr(1, segment.size() - 2)] = percentDecode(have[i]);
    } else if (segment != have[i]) {
      return false;
    }
  }
  return want.size() == have.size();
}

}  // namespace

Router& Router::add(Route route) {
  if (!route.handler && !route.asyncHandler) {
    throw std::invalid_argument("route " + route.name + " has no handler");
  }
  segments_.push_back(split(route.pattern));
  routes_.push_back(std::move(route));
  return *this;
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
  RouteMatch result;
  std::map<std::string, std::string> params;
  const auto have = split(path);
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    if (!matchPattern(segments_[i], have, params)) {
      continue;
    }
    if (route.method == method || (method == "HEAD" && route.method == "GET")) {
      result.route = &route;
      result.params = params;
      return result;
    }
    result.pathMatchedOtherMethod = true;
    result.allowed.push_back(route.method);
  }
  return result;
}

}  // namespace sb::host
