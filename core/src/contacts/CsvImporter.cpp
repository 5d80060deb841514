#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/CsvImporter.h>
#include <switchboard/core/contacts/CsvReader.h>
#include <switchboard/core/log/Logging.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace sb::core {
namespace {

constexpr const char* kRequired[] = {"name", "company", "phone"};
constexpr const char* kOptional[] = {"title", "email", "timezone"};
constexpr int64_t kProgressEveryRows = 5000;

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) {
    return {};
  }
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::string_view trimView(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) {
    return {};
  }
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string_view(text).substr(begin, end - begin + 1);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string delimiterName(char delimiter) {
  switch (delimiter) {
    case ';': return "semicolon";
    case '\t': return "tab";
    default: return "comma";
  }
}

/// Accumulates counts and (up to a cap) issues for the report.
class Report {
 public:
  explicit Report(size_t maxIssues) : maxIssues_(maxIssues) {}

  void issue(const CsvRecord& record, const std::string& severity, const std::string& column, const std::string& reason,
             const std::string& value) {
    if (issues_.size() >= maxIssues_) {
      ++truncated_;
      return;
    }
    nlohmann::json entry = {
        {"row", record.record}, {"line", record.line}, {"severity", severity}, {"column", column}, {"reason", reason}};
    // A long value is cut for the report; the first 200 bytes identify it.
    entry["value"] = value.size() > 200 ? value.substr(0, 200) + "..." : value;
    issues_.push_back(std::move(entry));
  }

  nlohmann::json toJson() const { return {{"issues", issues_}, {"issues_truncated", truncated_}}; }

 private:
  size_t maxIssues_;
  nlohmann::json issues_ = nlohmann::json::array();
  int64_t truncated_ = 0;
};

struct Columns {
  std::map<std::string, size_t> known;  ///< canonical name -> index
  struct Extra {
    size_t index;
    std::string header;   ///< as written
    std::string escaped;  ///< JSON-escaped, ready to write
  };
  std::vector<Extra> extra;  ///< attribute columns
  size_t count = 0;
};

Columns readHeader(const CsvRecord& header) {
  Columns columns;
  columns.count = header.fields.size();
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string written = trim(header.fields[i]);
    const std::string name = lower(written);
    if (name.empty()) {
      continue;
    }
    if (auto previous = seen.find(name); previous != seen.end()) {
      throw DomainError(DomainError::Kind::CsvInvalid,
                        "column '" + written + "' appears twice in the header (columns " +
                            std::to_string(previous->second + 1) + " and " + std::to_string(i + 1) +
                            "); rename or remove one",
                        {{"line", header.line}, {"column", written}});
    }
    seen.emplace(name, i);
    const bool isKnown = std::find(std::begin(kRequired), std::end(kRequired), name) != std::end(kRequired) ||
                         std::find(std::begin(kOptional), std::end(kOptional), name) != std::end(kOptional);
    if (isKnown) {
      columns.known.emplace(name, i);
    } else {
      columns.extra.push_back({i, written, jsonEscape(written)});
    }
  }
  std::vector<std::string> missing;
  for (const char* required : kRequired) {
    if (columns.known.count(required) == 0) {
      missing.emplace_back(required);
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& name : missing) list += (list.empty() ? "" : ", ") + name;
    std::string found;
    for (const auto& field : header.fields) found += (found.empty() ? "" : ", ") + trim(field);
    throw DomainError(DomainError::Kind::CsvInvalid,
                      "missing required column(s): " + list + " (the header has: " + found +
                          "); the first row must name the columns name, company and phone",
                      {{"missing_columns", missing}, {"line", header.line}});
  }
  return columns;
}

std::string cell(const CsvRecord& record, const Columns& columns, const char* name) {
  auto it = columns.known.find(name);
  if (it == columns.known.end() || it->second >= record.fields.size()) {
    return {};
  }
  return std::string(trimView(record.fields[it->second]));
}

}  // namespace

CsvImporter::CsvImporter(const PhoneNormalizer& phones, ImportLimits limits, ImportProgress progress)
    : phones_(phones), limits_(limits), progress_(std::move(progress)) {}

ContactList CsvImporter::run(std::istream& in, ContactList list, ContactRepository& repository) const {
  CsvReader reader(in);
  CsvRecord record;
  auto tooLarge = [&] {
    if (reader.bytesRead() > limits_.maxBytes) {
      throw DomainError(DomainError::Kind::TooLarge,
                        "the file is larger than the import limit of " + std::to_string(limits_.maxBytes) + " bytes",
                        {{"limit_bytes", limits_.maxBytes}});
    }
  };
  auto isBlank = [](const CsvRecord& r) {
    return std::all_of(r.fields.begin(), r.fields.end(), [](const std::string& f) { return trimView(f).empty(); });
  };

  Columns columns;
  try {
    // The header is the first record that is not blank.
    bool haveHeader = false;
    while (reader.next(record)) {
      tooLarge();
      if (!isBlank(record)) {
        haveHeader = true;
        break;
      }
    }
    if (!haveHeader) {
      throw DomainError(DomainError::Kind::CsvInvalid, "CSV file is empty");
    }
    columns = readHeader(record);
  } catch (const CsvError& e) {
    throw DomainError(DomainError::Kind::CsvInvalid, e.what(), {{"line", e.line()}});
  }

  auto writer = repository.beginImport(list);
  list.id = writer->listId();
  Report report(limits_.maxIssues);
  int64_t rows = 0;
  int64_t blank = 0;
  int64_t imported = 0;
  int64_t skipped = 0;
  int64_t duplicates = 0;
  int64_t unverified = 0;
  std::string attributes;
  try {
    while (reader.next(record)) {
      tooLarge();
      if (isBlank(record)) {
        ++blank;
        continue;
      }
      if (++rows > limits_.maxRows) {
        throw DomainError(DomainError::Kind::TooLarge,
                          "the file has more than the import limit of " + std::to_string(limits_.maxRows) +
                              " data rows; split it into smaller lists",
                          {{"limit_rows", limits_.maxRows}});
      }
      if (progress_ && rows % kProgressEveryRows == 0) {
        progress_(reader.bytesRead(), rows);
      }
      const auto nonEmpty = static_cast<size_t>(std::count_if(
          record.fields.begin(), record.fields.end(), [](const std::string& f) { return !trimView(f).empty(); }));
      if (record.fields.size() > columns.count && nonEmpty > columns.count) {
        report.issue(record, "error", "",
                     "shifted row: " + std::to_string(nonEmpty) + " filled cells but the header has " +
                         std::to_string(columns.count) + " columns (an unquoted delimiter inside a value?)",
                     "");
        ++skipped;
        continue;
      }
      Contact contact;
      contact.sourceRow = record.record;
      contact.name = cell(record, columns, "name");
      contact.company = cell(record, columns, "company");
      contact.title = cell(record, columns, "title");
      contact.email = cell(record, columns, "email");
      contact.timezone = cell(record, columns, "timezone");
      contact.phoneRaw = cell(record, columns, "phone");
      if (contact.name.empty()) {
        report.issue(record, "error", "name", "name is empty", "");
        ++skipped;
        continue;
      }
      PhoneProblem problem;
      const auto phone = phones_.normalize(contact.phoneRaw, &problem);
      if (!phone) {
        report.issue(record, "error", "phone", problem.reason, contact.phoneRaw);
        ++skipped;
        continue;
      }
      contact.phoneE164 = phone->e164;
      contact.phoneExtension = phone->extension;
      contact.lineType = phone->lineType;
      contact.phoneVerified = phone->verified;
      // Attribute columns as a JSON object, written directly: building an
      // nlohmann object per row costs more than the rest of the row.
      attributes.assign("{");
      for (const auto& extra : columns.extra) {
        if (extra.index < record.fields.size()) {
          const std::string_view value = trimView(record.fields[extra.index]);
          if (value.empty()) continue;
          if (attributes.size() > 1) attributes.push_back(',');
          attributes.append("\"").append(extra.escaped).append("\":\"").append(jsonEscape(std::string(value)));
          attributes.push_back('"');
        }
      }
      attributes.push_back('}');
      contact.createdAt = list.createdAt;
      contact.updatedAt = list.createdAt;
      const ImportInsert insert = writer->add(contact, attributes);
      if (!insert.inserted) {
        ++duplicates;
        report.issue(record, "warning", "phone",
                     "duplicate of row " + std::to_string(insert.duplicateOfRow) + " (same number " +
                         contact.phoneE164 + "); merged into that row",
                     contact.phoneRaw);
        continue;
      }
      ++imported;
      if (!phone->verified) {
        ++unverified;
        report.issue(record, "warning", "phone", "possible but not a confirmed valid number (imported as unverified)",
                     contact.phoneRaw);
      }
      if (insert.doNotCall) {
        report.issue(record, "warning", "phone", "on the do-not-call list (imported, will not be dialed)",
                     contact.phoneRaw);
      }
    }
  } catch (const CsvError& e) {
    throw DomainError(DomainError::Kind::CsvInvalid, e.what(), {{"line", e.line()}});
  }
  if (progress_) {
    progress_(reader.bytesRead(), rows);
  }

  nlohmann::json summary = report.toJson();
  summary["delimiter"] = delimiterName(reader.delimiter());
  summary["rows"] = rows;
  summary["blank_rows"] = blank;
  summary["imported"] = imported;
  summary["skipped"] = skipped;
  summary["duplicates"] = duplicates;
  summary["unverified"] = unverified;
  summary["default_region"] = phones_.defaultRegion();
  nlohmann::json attributeColumns = nlohmann::json::array();
  for (const auto& extra : columns.extra) attributeColumns.push_back(extra.header);
  summary["attribute_columns"] = attributeColumns;

  if (rows == 0) {
    throw DomainError(DomainError::Kind::CsvInvalid, "the file has a header but no data rows", summary);
  }
  if (imported == 0) {
    throw DomainError(DomainError::Kind::CsvInvalid, "No valid contacts found: every row was skipped (see report)",
                      summary);
  }
  list.rowsTotal = rows;
  list.importedCount = imported;
  list.skippedCount = skipped;
  list.duplicateCount = duplicates;
  list.unverifiedCount = unverified;
  list.contactCount = imported;
  list.report = summary;
  writer->commit(list);
  return list;
}

}  // namespace sb::core
