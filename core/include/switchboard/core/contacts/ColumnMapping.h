#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::core {

/// Which columns of one header fill which contact field. Columns are
/// 0-based indexes into the header.
struct ColumnMapping {
  /// One column, or several (first name, last name) joined with a space.
  std::vector<size_t> name;
  /// In order of preference: a row takes the first that holds a number.
  std::vector<size_t> phone;
  std::optional<size_t> company;
  std::optional<size_t> title;
  std::optional<size_t> email;
  std::optional<size_t> timezone;
  /// Every other named column, kept as the contact's attributes.
  std::vector<size_t> attributes;

  /// field -> the header text of its column(s), as an API answer shows it.
  nlohmann::json toJson(const std::vector<std::string>& header) const;
};

/// The mapping a caller gives: field -> column references, each a header's
/// text (matched case- and punctuation-insensitively when no header is
/// written exactly so) or a 1-based column number ("#3", or 3 in JSON).
/// Fields it leaves out are matched by the synonym table.
struct ColumnChoice {
  std::map<std::string, std::vector<std::string>> fields;

  bool empty() const noexcept { return fields.empty(); }
  /// From the API's `mapping`: {"phone": "Mobile Phone", "name": ["First
  /// Name", "Last Name"], "company": 3}. Throws DomainError(Validation)
  /// naming what is wrong: an unknown field, a wrong type, too many.
  static ColumnChoice fromJson(const nlohmann::json& mapping);
  /// Adds one `field=column` (the CLI's --map); repeating a field adds a
  /// column to it. Throws DomainError(Validation).
  void add(const std::string& assignment);
};

/// The fields an import fills, required first.
const std::vector<std::string>& importFields();
/// The header text as the synonym table compares it: lower case, letters
/// and digits only ("Mobile-Phone #" -> "mobilephone").
std::string headerKey(const std::string& header);
/// The field a header names by the synonym table ("name", "company",
/// "phone", "title", "email", "timezone", or "first_name"/"last_name"),
/// or empty.
std::string fieldForHeader(const std::string& header);

/// Matches `header` (as written, one entry per column) to the contact
/// fields: the caller's `choice` first, the synonym table for the rest.
/// Throws DomainError:
/// - Validation when `choice` names a column the header does not have;
/// - MappingNeeded (422 MAPPING_REQUIRED) when a required field (name,
///   company, phone) has no column, or two columns match it equally well;
///   the details carry the header, the proposal (`mapping`), and what is
///   `missing` and `ambiguous`, so the caller can answer with a mapping;
/// - CsvInvalid when two attribute columns share a name.
ColumnMapping resolveColumns(const std::vector<std::string>& header, const ColumnChoice& choice, int64_t headerLine);

}  // namespace sb::core
