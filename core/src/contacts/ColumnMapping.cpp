#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/ColumnMapping.h>
#include <switchboard/core/text/Trim.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>

namespace sb::core {
namespace {

constexpr size_t kMaxNameColumns = 4;
constexpr size_t kMaxPhoneColumns = 10;

/// How well a header names a field: its own name beats a synonym, so
/// "Phone" and "Mobile" are not a tie for a single-column field.
enum Strength { kNone = 0, kSynonym = 1, kExact = 2 };

struct Match {
  std::string field;
  Strength strength = kNone;
};

/// The synonym table (docs/HTTP_API.md lists it): header key -> field.
const std::unordered_map<std::string, std::string>& synonyms() {
  static const std::unordered_map<std::string, std::string> table = [] {
    std::unordered_map<std::string, std::string> out;
    auto add = [&](const char* field, std::initializer_list<const char*> keys) {
      for (const char* key : keys) out.emplace(key, field);
    };
    add("name", {"fullname", "contact", "contactname", "leadname", "person", "customername", "prospect", "prospectname",
                 "namefull"});
    add("first_name", {"firstname", "first", "givenname", "forename", "fname"});
    add("last_name", {"lastname", "last", "surname", "familyname", "lname"});
    add("company", {"companyname", "organization", "organisation", "org", "account", "accountname", "business",
                    "businessname", "employer", "firm"});
    add("phone", {"phonenumber",   "mobile",          "mobilephone", "mobilenumber", "cell",
                  "cellphone",     "cellnumber",      "directdial",  "directphone",  "directline",
                  "telephone",     "telephonenumber", "tel",         "workphone",    "officephone",
                  "businessphone", "mainphone",       "homephone",   "phoneno",      "contactnumber"});
    add("title", {"jobtitle", "position", "role", "designation", "jobrole"});
    add("email", {"emailaddress", "mail", "workemail", "businessemail", "emailid"});
    add("timezone", {"tz", "timezonename", "localtimezone"});
    return out;
  }();
  return table;
}

Match matchHeader(const std::string& header) {
  const std::string key = headerKey(header);
  if (key.empty()) return {};
  const auto& fields = importFields();
  if (std::find(fields.begin(), fields.end(), key) != fields.end()) return {key, kExact};
  const auto& table = synonyms();
  if (auto it = table.find(key); it != table.end()) return {it->second, kSynonym};
  // "Phone 2", "Mobile1": numbered phone columns are phone columns too.
  const auto digits = key.find_last_not_of("0123456789");
  if (digits != std::string::npos && digits + 1 < key.size()) {
    const std::string stem = key.substr(0, digits + 1);
    if (stem == "phone") return {"phone", kSynonym};
    if (auto it = table.find(stem); it != table.end() && it->second == "phone") return {"phone", kSynonym};
  }
  return {};
}

bool isRequired(const std::string& field) {
  return field == "name" || field == "company" || field == "phone";
}

/// How the answer names a column: its text when that is unique and not
/// empty, else "#N", so a proposal can be sent back as it is.
std::string columnLabel(const std::vector<std::string>& header, size_t index) {
  std::string text = trim(header[index]);
  const auto same = std::count_if(header.begin(), header.end(), [&](const std::string& h) { return trim(h) == text; });
  if (text.empty() || same > 1) return "#" + std::to_string(index + 1);
  return text;
}

std::string headerList(const std::vector<std::string>& header) {
  std::string out;
  for (size_t i = 0; i < header.size(); ++i) out += (i == 0 ? "" : ", ") + columnLabel(header, i);
  return out;
}

size_t findColumn(const std::vector<std::string>& header, const std::string& field, const std::string& reference) {
  const std::string wanted = trim(reference);
  for (size_t i = 0; i < header.size(); ++i) {
    if (trim(header[i]) == wanted) return i;
  }
  if (wanted.size() > 1 && wanted[0] == '#' && wanted.find_first_not_of("0123456789", 1) == std::string::npos &&
      wanted.size() < 8) {
    const size_t number = std::stoul(wanted.substr(1));
    if (number >= 1 && number <= header.size()) return number - 1;
  }
  const std::string key = headerKey(wanted);
  std::optional<size_t> found;
  for (size_t i = 0; i < header.size() && !key.empty(); ++i) {
    if (headerKey(header[i]) != key) continue;
    if (found) {
      throw DomainError(DomainError::Kind::Validation,
                        "mapping for " + field + ": '" + wanted +
                            "' matches more than one column; name it by number (#" + std::to_string(*found + 1) +
                            " or #" + std::to_string(i + 1) + ")",
                        {{"field", "mapping"}, {"mapping_field", field}});
    }
    found = i;
  }
  if (!found) {
    throw DomainError(DomainError::Kind::Validation,
                      "mapping for " + field + ": the file has no column '" + wanted +
                          "' (its header has: " + headerList(header) + ")",
                      {{"field", "mapping"}, {"mapping_field", field}, {"header", header}});
  }
  return *found;
}

}  // namespace

const std::vector<std::string>& importFields() {
  static const std::vector<std::string> fields = {"name", "company", "phone", "title", "email", "timezone"};
  return fields;
}

std::string headerKey(const std::string& header) {
  std::string key;
  for (unsigned char c : header) {
    if (std::isalnum(c)) key.push_back(static_cast<char>(std::tolower(c)));
  }
  return key;
}

std::string fieldForHeader(const std::string& header) {
  return matchHeader(header).field;
}

nlohmann::json ColumnMapping::toJson(const std::vector<std::string>& header) const {
  auto many = [&](const std::vector<size_t>& columns) -> nlohmann::json {
    if (columns.empty()) return nullptr;
    if (columns.size() == 1) return columnLabel(header, columns[0]);
    nlohmann::json out = nlohmann::json::array();
    for (size_t column : columns) out.push_back(columnLabel(header, column));
    return out;
  };
  auto one = [&](const std::optional<size_t>& column) -> nlohmann::json {
    return column ? nlohmann::json(columnLabel(header, *column)) : nlohmann::json(nullptr);
  };
  return {{"name", many(name)},  {"company", one(company)}, {"phone", many(phone)},
          {"title", one(title)}, {"email", one(email)},     {"timezone", one(timezone)}};
}

ColumnChoice ColumnChoice::fromJson(const nlohmann::json& mapping) {
  auto invalid = [](const std::string& message) {
    return DomainError(DomainError::Kind::Validation, message, {{"field", "mapping"}});
  };
  if (!mapping.is_object()) throw invalid("mapping must be a JSON object: field -> column");
  ColumnChoice choice;
  const auto& fields = importFields();
  for (auto it = mapping.begin(); it != mapping.end(); ++it) {
    if (std::find(fields.begin(), fields.end(), it.key()) == fields.end()) {
      throw invalid("mapping names an unknown field '" + it.key() +
                    "'; the fields are name, company, phone, title, email and timezone");
    }
    auto& columns = choice.fields[it.key()];
    const nlohmann::json& value = it.value();
    const nlohmann::json list = value.is_array() ? value : nlohmann::json::array({value});
    for (const auto& column : list) {
      if (column.is_null()) continue;
      if (column.is_string() && column.get_ref<const std::string&>().size() <= 256) {
        columns.push_back(column.get<std::string>());
      } else if (column.is_number_unsigned() && column.get<uint64_t>() >= 1 && column.get<uint64_t>() <= 100000) {
        columns.push_back("#" + std::to_string(column.get<uint64_t>()));
      } else {
        throw invalid("mapping for " + it.key() +
                      ": a column is its header text (at most 256 bytes) or its number from 1");
      }
    }
  }
  return choice;
}

void ColumnChoice::add(const std::string& assignment) {
  const auto equals = assignment.find('=');
  const std::string field = trim(assignment.substr(0, equals));
  const auto& known = importFields();
  if (equals == std::string::npos || std::find(known.begin(), known.end(), field) == known.end()) {
    throw DomainError(DomainError::Kind::Validation,
                      "--map takes field=column (e.g. phone=\"Mobile Phone\" or phone=#3); the fields are name, "
                      "company, phone, title, email and timezone, not '" +
                          field + "'");
  }
  std::string column = trim(assignment.substr(equals + 1));
  if (column.size() >= 2 && column.front() == '"' && column.back() == '"') column = column.substr(1, column.size() - 2);
  if (column.empty()) {
    throw DomainError(DomainError::Kind::Validation, "--map " + field + "= names no column");
  }
  fields[field].push_back(column);
}

ColumnMapping resolveColumns(const std::vector<std::string>& header, const ColumnChoice& choice, int64_t headerLine) {
  ColumnMapping mapping;
  std::vector<bool> used(header.size(), false);
  auto take = [&](const std::string& field, size_t column) {
    if (used[column]) {
      throw DomainError(
          DomainError::Kind::Validation,
          "mapping: column '" + columnLabel(header, column) + "' is given to two fields (one is " + field + ")",
          {{"field", "mapping"}, {"mapping_field", field}});
    }
    used[column] = true;
    return column;
  };

  // 1. The caller's choices.
  for (const auto& [field, references] : choice.fields) {
    const size_t limit = field == "name" ? kMaxNameColumns : field == "phone" ? kMaxPhoneColumns : 1;
    if (references.size() > limit) {
      throw DomainError(DomainError::Kind::Validation,
                        "mapping for " + field + ": at most " + std::to_string(limit) + " column(s)",
                        {{"field", "mapping"}, {"mapping_field", field}});
    }
    std::vector<size_t> columns;
    for (const auto& reference : references) columns.push_back(take(field, findColumn(header, field, reference)));
    if (field == "name") {
      mapping.name = columns;
    } else if (field == "phone") {
      mapping.phone = columns;
    } else if (!columns.empty()) {
      std::optional<size_t>& slot = field == "company" ? mapping.company
                                    : field == "title" ? mapping.title
                                    : field == "email" ? mapping.email
                                                       : mapping.timezone;
      slot = columns[0];
    }
  }

  // 2. The synonym table for the fields the caller did not name.
  std::vector<Match> matches(header.size());
  for (size_t i = 0; i < header.size(); ++i) {
    if (!used[i]) matches[i] = matchHeader(header[i]);
  }
  auto candidates = [&](const std::string& field) {
    std::vector<size_t> out;
    Strength best = kNone;
    for (size_t i = 0; i < header.size(); ++i) {
      if (used[i] || matches[i].field != field) continue;
      if (matches[i].strength > best) {
        best = matches[i].strength;
        out.clear();
      }
      if (matches[i].strength == best) out.push_back(i);
    }
    return out;
  };
  nlohmann::json ambiguous = nlohmann::json::object();
  auto single = [&](const std::string& field, std::optional<size_t>& slot) {
    if (choice.fields.count(field) != 0) return;
    const auto found = candidates(field);
    if (found.empty()) return;
    if (found.size() > 1 && isRequired(field)) {
      for (size_t column : found) ambiguous[field].push_back(columnLabel(header, column));
      return;
    }
    // An optional field takes the first; the others stay attributes.
    slot = take(field, found[0]);
  };
  if (choice.fields.count("name") == 0) {
    const auto names = candidates("name");
    if (names.size() > 1) {
      for (size_t column : names) ambiguous["name"].push_back(columnLabel(header, column));
    } else if (names.size() == 1) {
      mapping.name = {take("name", names[0])};
    } else {
      // "First Name" + "Last Name", joined.
      const auto first = candidates("first_name");
      const auto last = candidates("last_name");
      if (!first.empty()) mapping.name.push_back(take("name", first[0]));
      if (!last.empty()) mapping.name.push_back(take("name", last[0]));
    }
  }
  single("company", mapping.company);
  single("title", mapping.title);
  single("email", mapping.email);
  single("timezone", mapping.timezone);
  if (choice.fields.count("phone") == 0) {
    // Every phone column, left to right: a row takes the first with a number.
    for (size_t i = 0; i < header.size() && mapping.phone.size() < kMaxPhoneColumns; ++i) {
      if (!used[i] && matches[i].field == "phone") mapping.phone.push_back(take("phone", i));
    }
  }

  std::vector<std::string> missing;
  if (mapping.name.empty() && !ambiguous.contains("name")) missing.emplace_back("name");
  if (!mapping.company && !ambiguous.contains("company")) missing.emplace_back("company");
  if (mapping.phone.empty()) missing.emplace_back("phone");
  if (!missing.empty() || !ambiguous.empty()) {
    nlohmann::json unmatched = nlohmann::json::array();
    for (size_t i = 0; i < header.size(); ++i) {
      if (!used[i] && !trim(header[i]).empty()) unmatched.push_back(columnLabel(header, i));
    }
    std::string message;
    if (!missing.empty()) {
      std::string list;
      for (const auto& field : missing) list += (list.empty() ? "" : ", ") + field;
      message = "no column found for " + list;
    }
    for (auto it = ambiguous.begin(); it != ambiguous.end(); ++it) {
      std::string columns;
      for (const auto& column : it.value())
        columns += (columns.empty() ? "'" : " or '") + column.get<std::string>() + "'";
      message += (message.empty() ? "" : "; ") + it.key() + " could be " + columns;
    }
    throw DomainError(DomainError::Kind::MappingNeeded,
                      message + " (the header has: " + headerList(header) +
                          "); say which column holds each field with a mapping, e.g. {\"phone\": \"Mobile Phone\"}",
                      {{"header", header},
                       {"line", headerLine},
                       {"mapping", mapping.toJson(header)},
                       {"missing", missing},
                       {"missing_columns", missing},
                       {"ambiguous", ambiguous},
                       {"unmatched_columns", unmatched}});
  }

  // 3. Every other named column is an attribute; two of the same name
  // would overwrite each other.
  std::map<std::string, size_t> attributeNames;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string written = trim(header[i]);
    if (used[i] || written.empty()) continue;
    std::string lowered = written;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
    if (auto previous = attributeNames.find(lowered); previous != attributeNames.end()) {
      throw DomainError(DomainError::Kind::CsvInvalid,
                        "column '" + written + "' appears twice in the header (columns " +
                            std::to_string(previous->second + 1) + " and " + std::to_string(i + 1) +
                            "); rename or remove one",
                        {{"line", headerLine}, {"column", written}});
    }
    attributeNames.emplace(lowered, i);
    mapping.attributes.push_back(i);
  }
  return mapping;
}

}  // namespace sb::core
