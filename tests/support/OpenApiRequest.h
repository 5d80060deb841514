#pragma once

// Checks a request against an official OpenAPI description: the path
// matches a templated path with that method, every form or query parameter
// is one the operation declares, values have the declared type and enum,
// and required parameters are present. Used by the provider plugins' tests
// and fakes ("every request valid against the official API description").

#include <switchboard/sdk/encoding.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sb::test {

class OpenApiSpec {
 public:
  /// Loads a description; throws naming the file when it cannot.
  static OpenApiSpec load(const std::string& path);

  /// Problems found (empty when the request is valid). `path` is the
  /// concrete path without the query; `form` the form body (POST) or the
  /// query parameters (GET).
  std::vector<std::string> check(const std::string& method, const std::string& path,
                                 const sdk::encoding::FormFields& form) const;

  /// The same for a JSON body (null for none): the operation must take an
  /// application/json body (or none), the body must satisfy its schema, and
  /// every top-level field must be one the schema declares. `query` holds
  /// the query parameters, checked as for GET.
  std::vector<std::string> checkJson(const std::string& method, const std::string& path, const nlohmann::json& body,
                                     const sdk::encoding::FormFields& query = {}) const;

 private:
  nlohmann::json spec_;
};

}  // namespace sb::test
