#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/CsvImporter.h>
#include <switchboard/core/contacts/CsvReader.h>
#include <switchboard/core/contacts/FirstRowByNumber.h>
#include <switchboard/core/log/Logging.h>
#include <switchboard/core/text/Trim.h>
#include <switchboard/core/text/Utf8.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace sb::core {
namespace {

constexpr const char* kRequired[] = {"name", "company", "phone"};
constexpr const char* kOptional[] = {"title", "email", "timezone"};
constexpr int64_t kProgressEveryRows = 5000;

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

  /// `kind` says what happened to the row, for a report grouped the way a
  /// rep fixes a list: `skipped` (not imported), `merged` (a duplicate,
  /// `merged_into` names the row kept), `unverified`, `do_not_call`.
  void issue(int64_t row, int64_t line, const std::string& severity, const char* kind, const std::string& column,
             const std::string& reason, const std::string& value, std::optional<int64_t> mergedInto = std::nullopt) {
    if (issues_.size() >= maxIssues_) {
      ++truncated_;
      return;
    }
    nlohmann::json entry = {{"row", row},   {"line", line},     {"severity", severity},
                            {"kind", kind}, {"column", column}, {"reason", reason}};
    if (mergedInto) entry["merged_into"] = *mergedInto;
    // A long value is cut for the report (the first 200 bytes identify
    // it), before a character rather than inside one.
    entry["value"] = value.size() > 200 ? truncateUtf8(value, 200) + "..." : value;
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

void cellInto(const CsvRecord& record, const Columns& columns, const char* name, std::string& out) {
  auto it = columns.known.find(name);
  if (it == columns.known.end() || it->second >= record.fields.size()) {
    out.clear();
    return;
  }
  out.assign(trimView(record.fields[it->second]));
}

}  // namespace

namespace {

/// One step of the import in file order: a row to insert, or an issue the
/// producer already found.
struct Item {
  enum class Kind { Row, Issue };
  Kind kind = Kind::Row;
  int64_t record = 0;
  int64_t line = 0;
  Contact contact;
  std::string attributes;
  std::optional<int64_t> duplicateOf;  ///< set by the inserting stage
  std::string severity;
  std::string column;
  std::string reason;
  std::string value;
};

struct ProducerCounts {
  int64_t rows = 0;
  int64_t blank = 0;
  int64_t skipped = 0;
};

/// A bounded hand-off of batches between the two stages; memory stays at a
/// few batches whatever the file size.
class BatchQueue {
 public:
  static constexpr size_t kMaxBatches = 4;

  /// False when the consumer cancelled: the producer stops.
  bool push(std::vector<Item>&& batch) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return batches_.size() < kMaxBatches || cancelled_; });
    if (cancelled_) return false;
    batches_.push_back(std::move(batch));
    ready_.notify_one();
    return true;
  }
  /// False at the end (closed or failed, and drained).
  bool pop(std::vector<Item>& batch) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !batches_.empty() || done_; });
    if (batches_.empty() || failure_) return false;
    batch = std::move(batches_.front());
    batches_.pop_front();
    space_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard lock(mutex_);
    done_ = true;
    ready_.notify_all();
  }
  void fail(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(error);
    done_ = true;
    ready_.notify_all();
  }
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    space_.notify_all();
  }
  /// The consumer hands a processed batch back, so the producer can reuse
  /// its items' strings: no malloc/free crossing threads per row.
  void recycle(std::vector<Item>&& batch) {
    std::lock_guard lock(mutex_);
    if (free_.size() < kMaxBatches + 2) free_.push_back(std::move(batch));
  }
  std::vector<Item> fresh() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return {};
    std::vector<Item> batch = std::move(free_.front());
    free_.pop_front();
    return batch;
  }
  void rethrowIfFailed() {
    std::lock_guard lock(mutex_);
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable space_;
  std::deque<std::vector<Item>> batches_;
  std::deque<std::vector<Item>> free_;
  std::exception_ptr failure_;
  bool done_ = false;
  bool cancelled_ = false;
};

struct ProduceContext {
  const PhoneNormalizer& phones;
  const ImportLimits& limits;
  const ImportProgress& progress;
};

constexpr size_t kBatchRows = 1024;

/// The producer stage: reads the data records after the header, validates
/// and normalizes them, and hands them over in batches.
void produce(const ProduceContext& ctx, CsvReader& reader, CsvRecord& record, const Columns& columns, BatchQueue& queue,
             ProducerCounts& counts) {
  std::vector<Item> batch = queue.fresh();
  size_t used = 0;
  // The next slot of the batch, reusing a recycled item (and the capacity
  // of its strings) when there is one.
  auto next = [&]() -> Item& {
    if (used == batch.size()) batch.emplace_back();
    return batch[used++];
  };
  auto issue = [&](const char* severity, const char* column, std::string_view reason, std::string_view value) {
    Item& item = next();
    item.kind = Item::Kind::Issue;
    item.record = record.record;
    item.line = record.line;
    item.severity.assign(severity);
    item.column.assign(column);
    item.reason.assign(reason);
    item.value.assign(value);
  };
  auto flush = [&] {
    if (used == 0) return true;
    batch.resize(used);
    if (!queue.push(std::move(batch))) return false;
    batch = queue.fresh();
    used = 0;
    return true;
  };
  try {
    while (reader.next(record)) {
      if (reader.bytesRead() > ctx.limits.maxBytes) {
        throw DomainError(
            DomainError::Kind::TooLarge,
            "the file is larger than the import limit of " + std::to_string(ctx.limits.maxBytes) + " bytes",
            {{"limit_bytes", ctx.limits.maxBytes}});
      }
      const auto nonEmpty = static_cast<size_t>(std::count_if(
          record.fields.begin(), record.fields.end(), [](const std::string& f) { return !trimView(f).empty(); }));
      if (nonEmpty == 0) {
        ++counts.blank;
        continue;
      }
      if (++counts.rows > ctx.limits.maxRows) {
        throw DomainError(DomainError::Kind::TooLarge,
                          "the file has more than the import limit of " + std::to_string(ctx.limits.maxRows) +
                              " data rows; split it into smaller lists",
                          {{"limit_rows", ctx.limits.maxRows}});
      }
      if (ctx.progress && counts.rows % kProgressEveryRows == 0) {
        ctx.progress(reader.bytesRead(), counts.rows);
      }
      if (record.fields.size() > columns.count && nonEmpty > columns.count) {
        issue("error", "",
              "shifted row: " + std::to_string(nonEmpty) + " filled cells but the header has " +
                  std::to_string(columns.count) + " columns (an unquoted delimiter inside a value?)",
              "");
        ++counts.skipped;
        if (used >= kBatchRows && !flush()) return;
        continue;
      }
      Item& item = next();
      item.kind = Item::Kind::Row;
      item.record = record.record;
      item.line = record.line;
      Contact& contact = item.contact;
      contact.sourceRow = record.record;
      cellInto(record, columns, "name", contact.name);
      cellInto(record, columns, "phone", contact.phoneRaw);
      PhoneProblem problem;
      std::optional<NormalizedPhone> phone;
      if (!contact.name.empty()) {
        phone = ctx.phones.normalize(contact.phoneRaw, &problem);
      }
      if (contact.name.empty() || !phone) {
        --used;  // give the slot back; the issue takes it
        if (contact.name.empty()) {
          issue("error", "name", "name is empty", "");
        } else {
          const std::string raw = contact.phoneRaw;
          issue("error", "phone", problem.reason, raw);
        }
        ++counts.skipped;
        if (used >= kBatchRows && !flush()) return;
        continue;
      }
      cellInto(record, columns, "company", contact.company);
      cellInto(record, columns, "title", contact.title);
      cellInto(record, columns, "email", contact.email);
      cellInto(record, columns, "timezone", contact.timezone);
      contact.phoneE164 = phone->e164;
      contact.phoneExtension = phone->extension;
      contact.lineType = phone->lineType;
      contact.phoneVerified = phone->verified;
      // Attribute columns as a JSON object, written directly: building an
      // nlohmann object per row costs more than the rest of the row.
      std::string& attributes = item.attributes;
      attributes.assign("{");
      for (const auto& extra : columns.extra) {
        if (extra.index < record.fields.size()) {
          const std::string_view value = trimView(record.fields[extra.index]);
          if (value.empty()) continue;
          if (attributes.size() > 1) attributes.push_back(',');
          attributes.append("\"").append(extra.escaped).append("\":\"");
          appendJsonEscaped(attributes, value);
          attributes.push_back('"');
        }
      }
      attributes.push_back('}');
      if (used >= kBatchRows && !flush()) return;
    }
  } catch (const CsvError& e) {
    throw DomainError(DomainError::Kind::CsvInvalid, e.what(), {{"line", e.line()}});
  }
  flush();
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
  ProducerCounts counts;
  int64_t imported = 0;
  int64_t duplicates = 0;
  int64_t unverified = 0;
  FirstRowByNumber firstRows;

  // Two stages on the two cores: this thread inserts; a producer reads,
  // validates and normalizes (libphonenumber is the costly part) a batch
  // ahead. Items keep file order so the report stays in row order.
  BatchQueue queue;
  std::thread producer([&] {
    try {
      produce(ProduceContext{phones_, limits_, progress_}, reader, record, columns, queue, counts);
      queue.close();
    } catch (...) {
      queue.fail(std::current_exception());
    }
  });
  try {
    std::vector<Item> batch;
    std::vector<ImportRow> inserts;
    while (queue.pop(batch)) {
      // The batch's new numbers go in first (a few dozen rows a statement),
      // then its report entries are written in file order.
      inserts.clear();
      for (Item& item : batch) {
        if (item.kind != Item::Kind::Row) continue;
        Contact& contact = item.contact;
        contact.createdAt = list.createdAt;
        contact.updatedAt = list.createdAt;
        item.duplicateOf = firstRows.firstOrRemember(contact.phoneE164, contact.sourceRow);
        if (!item.duplicateOf) inserts.push_back({&contact, item.attributes, false});
      }
      writer->add(inserts);
      auto inserted = inserts.cbegin();
      for (const Item& item : batch) {
        if (item.kind == Item::Kind::Issue) {
          report.issue(item.record, item.line, item.severity, "skipped", item.column, item.reason, item.value);
          continue;
        }
        const Contact& contact = item.contact;
        if (item.duplicateOf) {
          ++duplicates;
          report.issue(item.record, item.line, "warning", "merged", "phone",
                       "duplicate of row " + std::to_string(*item.duplicateOf) + " (same number " + contact.phoneE164 +
                           "); merged into that row",
                       contact.phoneRaw, *item.duplicateOf);
          continue;
        }
        const bool doNotCall = (inserted++)->doNotCall;
        ++imported;
        if (!contact.phoneVerified) {
          ++unverified;
          report.issue(item.record, item.line, "warning", "unverified", "phone",
                       "possible but not a confirmed valid number (imported as unverified)", contact.phoneRaw);
        }
        if (doNotCall) {
          report.issue(item.record, item.line, "warning", "do_not_call", "phone",
                       "on the do-not-call list (imported, will not be dialed)", contact.phoneRaw);
        }
      }
      queue.recycle(std::move(batch));
      batch.clear();
    }
  } catch (...) {
    queue.cancel();
    producer.join();
    throw;
  }
  producer.join();
  queue.rethrowIfFailed();
  const int64_t rows = counts.rows;
  const int64_t blank = counts.blank;
  const int64_t skipped = counts.skipped;
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
