#include <switchboard/core/DomainError.h>
#include <switchboard/core/contacts/ContactImporter.h>
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

constexpr int64_t kProgressEveryRows = 5000;
constexpr size_t kPreviewRows = 5;

/// Accumulates counts and (up to a cap) issues for the report.
class Report {
 public:
  explicit Report(size_t maxIssues) : maxIssues_(maxIssues) {}

  /// `kind` says what happened to the row, for a report grouped the way a
  /// rep fixes a list: `skipped` (not imported), `merged` (a duplicate,
  /// `merged_into` names the row kept), `unverified`, `do_not_call`.
  void issue(int64_t row, int64_t line, const std::string& severity, const char* kind, const std::string& column,
             const std::string& reason, const std::string& value, std::optional<int64_t> mergedInto = std::nullopt,
             const std::string& code = {}) {
    if (issues_.size() >= maxIssues_) {
      ++truncated_;
      return;
    }
    nlohmann::json entry = {{"row", row},   {"line", line},     {"severity", severity},
                            {"kind", kind}, {"column", column}, {"reason", reason}};
    if (mergedInto) entry["merged_into"] = *mergedInto;
    if (!code.empty()) entry["code"] = code;
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

/// The mapping with what the rows need at hand: each attribute's name
/// escaped once, not per row.
struct Columns {
  std::vector<std::string> header;  ///< as written, trimmed
  ColumnMapping mapping;
  struct Extra {
    size_t index;
    std::string escaped;  ///< JSON-escaped header, ready to write
  };
  std::vector<Extra> extra;        ///< attribute columns
  std::vector<Extra> otherPhones;  ///< phone columns, kept as attributes when not the one used
  std::vector<Extra> nameParts;    ///< first/last name columns, kept too when joined
  size_t count = 0;

  Columns() = default;
  Columns(const CsvRecord& headerRecord, const ColumnChoice& choice) : count(headerRecord.fields.size()) {
    for (const auto& field : headerRecord.fields) header.push_back(trim(field));
    if (headerRecord.tooLongField >= 0) {
      throw DomainError(DomainError::Kind::CsvInvalid,
                        "line " + std::to_string(headerRecord.line) + ": header column " +
                            std::to_string(headerRecord.tooLongField + 1) + " is longer than the field limit",
                        {{"line", headerRecord.line}, {"code", "field_too_long"}});
    }
    mapping = resolveColumns(header, choice, headerRecord.line);
    for (size_t index : mapping.attributes) extra.push_back({index, jsonEscape(header[index])});
    if (mapping.phone.size() > 1) {
      for (size_t index : mapping.phone) otherPhones.push_back({index, jsonEscape(label(index))});
    }
    if (mapping.name.size() > 1) {
      for (size_t index : mapping.name) nameParts.push_back({index, jsonEscape(label(index))});
    }
  }

  std::string label(size_t index) const {
    return header[index].empty() ? "column " + std::to_string(index + 1) : header[index];
  }
};

std::string_view cell(const CsvRecord& record, size_t index) {
  return index < record.fields.size() ? trimView(record.fields[index]) : std::string_view();
}

void cellInto(const CsvRecord& record, const std::optional<size_t>& column, std::string& out) {
  if (column) {
    out.assign(cell(record, *column));
  } else {
    out.clear();
  }
}

/// The name column, or the first and last name joined with a space.
void nameInto(const CsvRecord& record, const std::vector<size_t>& columns, std::string& out) {
  out.clear();
  for (size_t column : columns) {
    const std::string_view part = cell(record, column);
    if (part.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out.append(part);
  }
}

void appendAttribute(std::string& attributes, const std::string& escapedName, std::string_view value) {
  if (attributes.size() > 1) attributes.push_back(',');
  attributes.append("\"").append(escapedName).append("\":\"");
  appendJsonEscaped(attributes, value);
  attributes.push_back('"');
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
  const char* issueKind = "skipped";   ///< the report's kind for an issue
  std::string severity;
  std::string column;
  std::string reason;
  std::string value;
  std::string code;
};

struct ProducerCounts {
  int64_t rows = 0;
  int64_t blank = 0;
  int64_t skipped = 0;
  std::vector<int64_t> phoneColumnUsed;  ///< per mapped phone column: rows whose number came from it
};

/// A bounded hand-off of batches between the two stages; memory stays at a
/// few batches whatever the file size.
class BatchQueue {
 public:
  static constexpr size_t kMaxBatches = 4;
  static constexpr size_t kKeptCapacity = 1024;

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
    // A slot keeps its strings' room for the next row, but not a long
    // field's: a workbook can repeat one 64 KiB shared text in every row,
    // and thousands of slots each holding that much would be gigabytes.
    for (Item& item : batch) {
      for (std::string* text :
           {&item.contact.name, &item.contact.company, &item.contact.title, &item.contact.email, &item.contact.timezone,
            &item.contact.phoneRaw, &item.attributes, &item.value, &item.reason}) {
        if (text->capacity() > kKeptCapacity) std::string().swap(*text);
      }
    }
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
/// A batch is handed over at this many bytes of text too: memory in flight
/// stays a few batches' worth however long the rows are.
constexpr size_t kBatchBytes = size_t{8} << 20;

/// The producer stage: reads the data records after the header, validates
/// and normalizes them, and hands them over in batches.
void produce(const ProduceContext& ctx, RowReader& reader, CsvRecord& record, const Columns& columns, BatchQueue& queue,
             ProducerCounts& counts) {
  std::vector<Item> batch = queue.fresh();
  size_t used = 0;
  // The next slot of the batch, reusing a recycled item (and the capacity
  // of its strings) when there is one.
  auto next = [&]() -> Item& {
    if (used == batch.size()) batch.emplace_back();
    return batch[used++];
  };
  // Adds a batch slot: a reference from next() must not be used after it.
  auto issue = [&](const char* severity, const char* column, std::string_view reason, std::string_view value,
                   std::string_view code = {}, const char* kind = "skipped") {
    Item& item = next();
    item.kind = Item::Kind::Issue;
    item.issueKind = kind;
    item.record = record.record;
    item.line = record.line;
    item.severity.assign(severity);
    item.column.assign(column);
    item.reason.assign(reason);
    item.value.assign(value);
    item.code.assign(code);
  };
  counts.phoneColumnUsed.assign(columns.mapping.phone.size(), 0);
  std::string firstProblemValue;
  size_t bytes = 0;  // the text of the rows in this batch
  auto flush = [&] {
    if (used == 0) return true;
    batch.resize(used);
    if (!queue.push(std::move(batch))) return false;
    batch = queue.fresh();
    used = 0;
    bytes = 0;
    return true;
  };
  auto full = [&] { return used >= kBatchRows || bytes >= kBatchBytes; };
  try {
    while (reader.next(record)) {
      size_t nonEmpty = 0;
      for (const auto& field : record.fields) {
        bytes += field.size();
        nonEmpty += trimView(field).empty() ? 0 : 1;
      }
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
        if (full() && !flush()) return;
        continue;
      }
      if (record.tooLongField >= 0) {
        const auto column = static_cast<size_t>(record.tooLongField);
        const std::string label =
            column < columns.count ? columns.label(column) : "column " + std::to_string(column + 1);
        issue("error", "",
              "field_too_long: '" + label + "' is longer than " + std::to_string(ctx.limits.maxFieldBytes) +
                  " bytes (line " + std::to_string(record.line) + "); the row is skipped",
              "", "field_too_long");
        ++counts.skipped;
        if (full() && !flush()) return;
        continue;
      }
      Item& item = next();
      item.kind = Item::Kind::Row;
      item.record = record.record;
      item.line = record.line;
      Contact& contact = item.contact;
      contact.sourceRow = record.record;
      nameInto(record, columns.mapping.name, contact.name);
      // The first phone column with a number wins; the first non-empty
      // one's problem is what a row without any number reports.
      PhoneProblem problem;
      PhoneProblem firstProblem;
      std::optional<NormalizedPhone> phone;
      std::optional<size_t> firstFilled;
      size_t usedPhone = 0;
      if (!contact.name.empty()) {
        for (size_t k = 0; k < columns.mapping.phone.size() && !phone; ++k) {
          const std::string_view raw = cell(record, columns.mapping.phone[k]);
          if (raw.empty()) continue;
          contact.phoneRaw.assign(raw);
          phone = ctx.phones.normalize(contact.phoneRaw, &problem);
          if (phone) {
            usedPhone = k;
          } else if (!firstFilled) {
            firstFilled = k;
            firstProblem = problem;
            firstProblemValue.assign(raw);
          }
        }
      }
      if (contact.name.empty() || !phone) {
        --used;  // give the slot back; the issue takes it
        if (contact.name.empty()) {
          issue("error", "name", "name is empty", "");
        } else if (firstFilled) {
          issue("error", "phone", firstProblem.reason, firstProblemValue);
        } else {
          issue("error", "phone", "phone is empty", "");
        }
        ++counts.skipped;
        if (full() && !flush()) return;
        continue;
      }
      ++counts.phoneColumnUsed[usedPhone];
      cellInto(record, columns.mapping.company, contact.company);
      cellInto(record, columns.mapping.title, contact.title);
      cellInto(record, columns.mapping.email, contact.email);
      cellInto(record, columns.mapping.timezone, contact.timezone);
      contact.phoneE164 = phone->e164;
      contact.phoneExtension = phone->extension;
      contact.lineType = phone->lineType;
      contact.phoneVerified = phone->verified;
      // Attribute columns as a JSON object, written directly: building an
      // nlohmann object per row costs more than the rest of the row.
      std::string& attributes = item.attributes;
      attributes.assign("{");
      for (const auto& extra : columns.extra) {
        const std::string_view value = cell(record, extra.index);
        if (!value.empty()) appendAttribute(attributes, extra.escaped, value);
      }
      // The phone columns not used, and the name's parts, are kept too.
      for (size_t k = 0; k < columns.otherPhones.size(); ++k) {
        const std::string_view value = cell(record, columns.otherPhones[k].index);
        if (k != usedPhone && !value.empty()) appendAttribute(attributes, columns.otherPhones[k].escaped, value);
      }
      for (const auto& part : columns.nameParts) {
        const std::string_view value = cell(record, part.index);
        if (!value.empty()) appendAttribute(attributes, part.escaped, value);
      }
      attributes.push_back('}');
      if (firstFilled) {
        issue("warning", "phone",
              "'" + columns.label(columns.mapping.phone[*firstFilled]) + "' is not usable (" + firstProblem.reason +
                  "); the number in '" + columns.label(columns.mapping.phone[usedPhone]) + "' is used",
              firstProblemValue, {}, "phone_column");
      }
      if (full() && !flush()) return;
    }
  } catch (const CsvError& e) {
    throw DomainError(DomainError::Kind::CsvInvalid, e.what(), {{"line", e.line()}});
  }
  flush();
}

}  // namespace

ContactImporter::ContactImporter(const PhoneNormalizer& phones, ImportLimits limits, ImportProgress progress)
    : phones_(phones), limits_(limits), progress_(std::move(progress)) {}

ContactList ContactImporter::run(RowReader& reader, ContactList list, ContactRepository& repository,
                                 const ColumnChoice& choice, int64_t appendTo) const {
  CsvRecord record;
  auto isBlank = [](const CsvRecord& r) {
    return std::all_of(r.fields.begin(), r.fields.end(), [](const std::string& f) { return trimView(f).empty(); });
  };

  Columns columns;
  try {
    // The header is the first record that is not blank.
    bool haveHeader = false;
    while (reader.next(record)) {
      if (!isBlank(record)) {
        haveHeader = true;
        break;
      }
    }
    if (!haveHeader) {
      throw DomainError(DomainError::Kind::CsvInvalid, "the file is empty (no header row)");
    }
    try {
      columns = Columns(record, choice);
    } catch (const DomainError& e) {
      if (e.kind() != DomainError::Kind::MappingNeeded) throw;
      // The answer shows the first rows under the header, so a person can
      // see which column holds what before choosing.
      nlohmann::json details = e.details();
      nlohmann::json preview = nlohmann::json::array();
      while (preview.size() < kPreviewRows && reader.next(record)) {
        if (isBlank(record)) continue;
        nlohmann::json row = nlohmann::json::array();
        for (const auto& field : record.fields) row.push_back(truncateUtf8(trimView(field), 200));
        preview.push_back(std::move(row));
      }
      details["preview"] = std::move(preview);
      throw DomainError(e.kind(), e.what(), std::move(details));
    }
  } catch (const CsvError& e) {
    throw DomainError(DomainError::Kind::CsvInvalid, e.what(), {{"line", e.line()}});
  }

  std::unique_ptr<ContactImportWriter> writer;
  if (appendTo > 0) {
    writer = repository.beginAppend(appendTo);
    if (!writer) {
      throw DomainError(DomainError::Kind::NotFound, "contact list " + std::to_string(appendTo) + " not found",
                        {{"list_id", appendTo}});
    }
  } else {
    writer = repository.beginImport(list);
  }
  list.id = writer->listId();
  int64_t alreadyInList = 0;
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
        if (!item.duplicateOf) inserts.push_back({&contact, item.attributes, false, 0, {}});
      }
      writer->add(inserts);
      auto inserted = inserts.cbegin();
      for (const Item& item : batch) {
        if (item.kind == Item::Kind::Issue) {
          report.issue(item.record, item.line, item.severity, item.issueKind, item.column, item.reason, item.value,
                       std::nullopt, item.code);
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
        const ImportRow& written = *inserted++;
        if (written.existingContact != 0) {
          ++alreadyInList;
          report.issue(item.record, item.line, "warning", "merged", "phone",
                       "already in the list (same number " + contact.phoneE164 + ", contact " +
                           std::to_string(written.existingContact) + "); " +
                           (written.filled.empty()
                                ? "the contact is kept as it is"
                                : "the contact is kept, its empty " + written.filled + " filled from this row"),
                       contact.phoneRaw);
          continue;
        }
        const bool doNotCall = written.doNotCall;
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
  summary.update(reader.describe());
  summary["rows"] = rows;
  summary["blank_rows"] = blank;
  summary["imported"] = imported;
  summary["skipped"] = skipped;
  summary["duplicates"] = duplicates + alreadyInList;
  if (appendTo > 0) summary["already_in_list"] = alreadyInList;
  summary["unverified"] = unverified;
  summary["default_region"] = phones_.defaultRegion();
  nlohmann::json attributeColumns = nlohmann::json::array();
  for (const auto& extra : columns.extra) attributeColumns.push_back(columns.header[extra.index]);
  summary["attribute_columns"] = attributeColumns;
  summary["columns"] = columns.mapping.toJson(columns.header);
  nlohmann::json phoneColumns = nlohmann::json::array();
  for (size_t k = 0; k < columns.mapping.phone.size(); ++k) {
    phoneColumns.push_back({{"column", columns.label(columns.mapping.phone[k])}, {"rows", counts.phoneColumnUsed[k]}});
  }
  summary["phone_columns"] = phoneColumns;

  if (rows == 0) {
    throw DomainError(DomainError::Kind::CsvInvalid, "the file has a header but no data rows", summary);
  }
  if (imported + alreadyInList == 0) {
    throw DomainError(DomainError::Kind::CsvInvalid, "No valid contacts found: every row was skipped (see report)",
                      summary);
  }
  list.rowsTotal = rows;
  list.importedCount = imported;
  list.skippedCount = skipped;
  list.duplicateCount = duplicates + alreadyInList;
  list.unverifiedCount = unverified;
  list.contactCount = imported;
  list.report = summary;
  writer->commit(list);
  return list;
}

}  // namespace sb::core
