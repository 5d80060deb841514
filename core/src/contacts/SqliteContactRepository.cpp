#include <switchboard/core/contacts/SqliteContactRepository.h>

#include <switchboard/core/contacts/FirstRowByNumber.h>

#include <switchboard/sdk/json.hpp>
#include "storage/Connections.h"

#include "storage/Postgresql.h"

#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>
#include <Poco/Tuple.h>

#include <array>
#include <unordered_set>

using namespace Poco::Data::Keywords;

namespace sb::core {
namespace {

/// One contact as an import writes it: the contact, its list and what the
/// writer decided (status, the attributes as JSON).
struct ContactInsert {
  const Contact* contact = nullptr;
  Poco::Int64 listId = 0;
  const std::string* status = nullptr;
  std::string attributes;
};

/// Bound by reference: PostgreSQL's binder reads the values at execution.
const int kVerified = 1;
const int kUnverified = 0;

/// Rows per INSERT statement: one statement run per row costs SQLite more
/// (cursors opened, the table's end found, the program started) than the
/// row itself (1M rows: 5.1-5.6 s -> 3.2-3.9 s at 32; 64 no better).
constexpr size_t kRowsPerInsert = 32;
constexpr size_t kParametersPerRow = 16;

/// kRows contacts bound as one VALUES list: bound as a vector of these,
/// Poco runs the statement once per element. Every value is bound by
/// reference (no temporaries): a binder may read it only at execution.
template <size_t kRows>
struct ContactInserts {
  std::array<ContactInsert, kRows> rows;
};

}  // namespace
}  // namespace sb::core

namespace Poco::Data {

template <size_t kRows>
class TypeHandler<sb::core::ContactInserts<kRows>> {
 public:
  static std::size_t size() { return kRows * sb::core::kParametersPerRow; }
  static void bind(std::size_t pos, const sb::core::ContactInserts<kRows>& block, AbstractBinder::Ptr binder,
                   AbstractBinder::Direction dir) {
    for (const sb::core::ContactInsert& row : block.rows) {
      const sb::core::Contact& c = *row.contact;
      binder->bind(pos++, row.listId, dir);
      binder->bind(pos++, c.sourceRow, dir);
      for (const std::string* text : {&c.name, &c.company, &c.title, &c.email, &c.timezone, &c.phoneRaw, &c.phoneE164,
                                      &c.phoneExtension, &c.lineType}) {
        binder->bind(pos++, *text, dir);
      }
      binder->bind(pos++, c.phoneVerified ? sb::core::kVerified : sb::core::kUnverified, dir);
      binder->bind(pos++, *row.status, dir);
      binder->bind(pos++, row.attributes, dir);
      binder->bind(pos++, c.createdAt, dir);
      binder->bind(pos++, c.createdAt, dir);  // updated_at
    }
  }
};

}  // namespace Poco::Data

namespace sb::core {
namespace {

template <typename T>
std::optional<T> toOptional(const Poco::Nullable<T>& value) {
  return value.isNull() ? std::nullopt : std::optional<T>(value.value());
}

constexpr const char* kContactColumns =
    "SELECT id, list_id, source_row, name, company, title, email, timezone, phone_raw, phone_e164, phone_ext, "
    "line_type, phone_verified, status, last_outcome, last_notes, last_called_at, attributes, created_at, updated_at "
    "FROM contacts";

using ContactRow =
    Poco::Tuple<Poco::Int64, Poco::Int64, Poco::Int64, std::string, std::string, std::string, std::string, std::string,
                std::string, std::string, std::string, std::string, int, std::string, Poco::Nullable<std::string>,
                Poco::Nullable<std::string>, Poco::Nullable<Poco::Int64>, std::string, Poco::Int64, Poco::Int64>;

Contact toContact(const ContactRow& row) {
  Contact c;
  c.id = row.get<0>();
  c.listId = row.get<1>();
  c.sourceRow = row.get<2>();
  c.name = row.get<3>();
  c.company = row.get<4>();
  c.title = row.get<5>();
  c.email = row.get<6>();
  c.timezone = row.get<7>();
  c.phoneRaw = row.get<8>();
  c.phoneE164 = row.get<9>();
  c.phoneExtension = row.get<10>();
  c.lineType = row.get<11>();
  c.phoneVerified = row.get<12>() != 0;
  c.status = row.get<13>();
  c.lastOutcome = toOptional(row.get<14>());
  c.lastNotes = toOptional(row.get<15>());
  const auto lastCalledAt = toOptional(row.get<16>());
  if (lastCalledAt) c.lastCalledAt = *lastCalledAt;
  c.attributes = nlohmann::json::parse(row.get<17>(), nullptr, false);
  if (c.attributes.is_discarded()) {
    c.attributes = nlohmann::json::object();
  }
  c.createdAt = row.get<18>();
  c.updatedAt = row.get<19>();
  return c;
}

constexpr const char* kListColumns =
    "SELECT l.id, l.name, l.source, l.filename, l.created_by, l.created_at, l.rows_total, l.imported_count, "
    "l.skipped_count, l.duplicate_count, l.unverified_count, l.report, "
    "(SELECT COUNT(*) FROM contacts c WHERE c.list_id = l.id) FROM contact_lists l";

using ListRow = Poco::Tuple<Poco::Int64, std::string, std::string, std::string, std::string, Poco::Int64, Poco::Int64,
                            Poco::Int64, Poco::Int64, Poco::Int64, Poco::Int64, std::string, Poco::Int64>;

ContactList toList(const ListRow& row, bool withReport) {
  ContactList l;
  l.id = row.get<0>();
  l.name = row.get<1>();
  l.source = row.get<2>();
  l.filename = row.get<3>();
  l.createdBy = row.get<4>();
  l.createdAt = row.get<5>();
  l.rowsTotal = row.get<6>();
  l.importedCount = row.get<7>();
  l.skippedCount = row.get<8>();
  l.duplicateCount = row.get<9>();
  l.unverifiedCount = row.get<10>();
  if (withReport) {
    l.report = nlohmann::json::parse(row.get<11>(), nullptr, false);
  }
  l.contactCount = row.get<12>();
  return l;
}

/// The import's own connection and transaction; rolled back unless committed.
/// Rows go in as vectors of kRowsPerInsert-row blocks, one execute per
/// batch: Poco::Data runs one prepared statement over a vector, where an
/// execute per row costs it 5.8x (architecture.md, traps).
class SqliteImportWriter final : public ContactImportWriter {
 public:
  SqliteImportWriter(const Database& database, const ContactList& list)
      : database_(database), session_(database.connections().openSession()) {
    // A 16 MiB page cache: an import appends to the table and to the
    // list_id index, so more cache buys nothing (measured: 1M rows take as
    // long with 64 MiB) and costs the import's peak RSS.
    if (!database_.isPostgresql()) {
      session_ << "PRAGMA cache_size=-16384", now;
    }
    database_.connections().beginWrite(session_);
    const Poco::Int64 createdAt = list.createdAt;
    session_ << database_.sql(
        "INSERT INTO contact_lists (name, source, filename, created_by, created_at) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING id"),
        useRef(list.name), useRef(list.source), useRef(list.filename), useRef(list.createdBy), useRef(createdAt),
        into(listId_), now;
    loadDoNotCall();
  }

  /// Appending to an existing list: `found` says whether it exists.
  SqliteImportWriter(const Database& database, int64_t existingList, bool& found)
      : database_(database), session_(database.connections().openSession()), appending_(true) {
    if (!database_.isPostgresql()) {
      session_ << "PRAGMA cache_size=-16384", now;
    }
    database_.connections().beginWrite(session_);
    listId_ = existingList;
    // Two appends to one list take turns (SQLite's write transaction is
    // exclusive already): each must see the other's numbers.
    std::vector<Poco::Int64> ids;
    session_ << database_.sql(database_.isPostgresql() ? "SELECT id FROM contact_lists WHERE id = $1 FOR UPDATE"
                                                       : "SELECT id FROM contact_lists WHERE id = $1"),
        useRef(listId_), into(ids), now;
    found = !ids.empty();
    if (!found) return;
    loadExisting();
    loadDoNotCall();
  }

  ~SqliteImportWriter() override {
    if (!committed_) {
      database_.connections().rollback(session_);  // (the connection closes next, which rolls back all the same)
    }
  }

  int64_t listId() const override { return listId_; }

  void add(std::span<ImportRow> rows) override {
    fresh_.clear();
    for (ImportRow& row : rows) {
      if (appending_) {
        if (auto existing = existing_.find(row.contact->phoneE164)) {
          merge(row, *existing);
          continue;
        }
      }
      fresh_.push_back(&row);
    }
    if (fresh_.empty()) return;
    // resize, not clear: the blocks' strings keep their buffers from batch to batch.
    const size_t count = fresh_.size();
    const size_t blocks = count / kRowsPerInsert;
    blocks_.resize(blocks);
    singles_.resize(count - blocks * kRowsPerInsert);
    for (size_t i = 0; i < count; ++i) {
      const size_t block = i / kRowsPerInsert;
      describe(*fresh_[i], block < blocks ? blocks_[block].rows[i % kRowsPerInsert]
                                          : singles_[i - blocks * kRowsPerInsert].rows[0]);
    }
    if (database_.isPostgresql()) {
      copyRows(count);
      return;
    }
    // Prepared with the first rows of each shape: Poco refuses to bind an
    // empty vector. The bindings hold the vectors by reference.
    run(insertMany_, blocks_);
    run(insertOne_, singles_);
  }

  void commit(const ContactList& summary) override {
    const Poco::Int64 rowsTotal = summary.rowsTotal;
    const Poco::Int64 imported = summary.importedCount;
    const Poco::Int64 skipped = summary.skippedCount;
    const Poco::Int64 duplicates = summary.duplicateCount;
    const Poco::Int64 unverified = summary.unverifiedCount;
    const std::string report = sdk::json::dump(summary.report);
    session_ << database_.sql(
        appending_ ? "UPDATE contact_lists SET rows_total = rows_total + $1, imported_count = imported_count + $2, "
                     "skipped_count = skipped_count + $3, duplicate_count = duplicate_count + $4, "
                     "unverified_count = unverified_count + $5, report = $6 WHERE id = $7"
                   : "UPDATE contact_lists SET rows_total = $1, imported_count = $2, skipped_count = $3, "
                     "duplicate_count = $4, unverified_count = $5, report = $6 WHERE id = $7"),
        useRef(rowsTotal), useRef(imported), useRef(skipped), useRef(duplicates), useRef(unverified), useRef(report),
        useRef(listId_), now;
    database_.connections().commit(session_);
    committed_ = true;
  }

 private:
  void describe(ImportRow& row, ContactInsert& out) {
    row.doNotCall = isDoNotCall(row.contact->phoneE164);
    out.contact = row.contact;
    out.listId = listId_;
    out.status = row.doNotCall ? &doNotCall_ : &notCalled_;
    out.attributes.assign(row.attributesJson);
  }

  /// PostgreSQL: the batch as one COPY. Poco's PostgreSQL connector runs a
  /// statement bound to a vector once per element, a round trip each
  /// (measured: 1M rows in 13.6 s, 17x PostgreSQL's own COPY of the file).
  void copyRows(size_t count) {
    copyBuffer_.clear();
    const size_t blocks = blocks_.size();
    for (size_t i = 0; i < count; ++i) {
      const ContactInsert& row = i / kRowsPerInsert < blocks ? blocks_[i / kRowsPerInsert].rows[i % kRowsPerInsert]
                                                             : singles_[i - blocks * kRowsPerInsert].rows[0];
      const Contact& c = *row.contact;
      copyBuffer_ += std::to_string(row.listId);
      copyBuffer_ += '\t';
      copyBuffer_ += std::to_string(c.sourceRow);
      for (const std::string* text : {&c.name, &c.company, &c.title, &c.email, &c.timezone, &c.phoneRaw, &c.phoneE164,
                                      &c.phoneExtension, &c.lineType}) {
        copyBuffer_ += '\t';
        postgresql::appendCopyText(copyBuffer_, *text);
      }
      copyBuffer_ += c.phoneVerified ? "\t1\t" : "\t0\t";
      postgresql::appendCopyText(copyBuffer_, *row.status);
      copyBuffer_ += '\t';
      postgresql::appendCopyText(copyBuffer_, row.attributes);
      const std::string createdAt = std::to_string(c.createdAt);
      copyBuffer_ += '\t' + createdAt + '\t' + createdAt + '\n';  // updated_at
    }
    postgresql::copyIn(session_,
                       "contacts (list_id, source_row, name, company, title, email, timezone, phone_raw, phone_e164, "
                       "phone_ext, line_type, phone_verified, status, attributes, created_at, updated_at)",
                       copyBuffer_);
  }

  template <size_t kRows>
  void run(std::optional<Poco::Data::Statement>& statement, std::vector<ContactInserts<kRows>>& blocks) {
    if (blocks.empty()) return;
    if (!statement) {
      std::string sql =
          "INSERT INTO contacts (list_id, source_row, name, company, title, email, timezone, phone_raw, phone_e164, "
          "phone_ext, line_type, phone_verified, status, attributes, created_at, updated_at) VALUES ";
      for (size_t row = 0; row < kRows; ++row) {
        sql += row == 0 ? "(" : ",(";
        for (size_t k = 1; k <= kParametersPerRow; ++k) {
          sql += (k == 1 ? "$" : ",$") + std::to_string(row * kParametersPerRow + k);
        }
        sql += ")";
      }
      statement.emplace(session_);
      *statement << database_.sql(sql), use(blocks);
    }
    statement->execute();
  }

  /// The list's numbers, read in chunks so that no copy of the whole list
  /// is held at once (the flat table is 12 bytes a number).
  void loadExisting() {
    constexpr size_t kPhonesPerFetch = 4096;
    std::vector<Poco::Int64> ids;
    std::vector<std::string> phones;
    Poco::Data::Statement select(session_);
    select << database_.sql("SELECT id, phone_e164 FROM contacts WHERE list_id = $1"), useRef(listId_), into(ids),
        into(phones), limit(kPhonesPerFetch);
    while (!select.done()) {
      select.execute();
      for (size_t i = 0; i < ids.size() && i < phones.size(); ++i) existing_.firstOrRemember(phones[i], ids[i]);
      ids.clear();
      phones.clear();
    }
  }

  /// The list has this number already: its contact keeps what it has, its
  /// empty fields and missing attributes are filled from the row; its
  /// status, outcome and calls are not touched.
  void merge(ImportRow& row, int64_t contactId) {
    row.existingContact = contactId;
    row.filled.clear();
    const Poco::Int64 id = contactId;
    std::vector<std::string> name, company, title, email, timezone, attributes;
    session_ << database_.sql("SELECT name, company, title, email, timezone, attributes FROM contacts WHERE id = $1"),
        useRef(id), into(name), into(company), into(title), into(email), into(timezone), into(attributes), now;
    if (name.empty()) return;
    const Contact& incoming = *row.contact;
    auto fill = [&](const char* field, std::string& have, const std::string& offered) {
      if (!have.empty() || offered.empty()) return;
      have = offered;
      row.filled += (row.filled.empty() ? "" : ", ") + std::string(field);
    };
    fill("name", name[0], incoming.name);
    fill("company", company[0], incoming.company);
    fill("title", title[0], incoming.title);
    fill("email", email[0], incoming.email);
    fill("timezone", timezone[0], incoming.timezone);
    nlohmann::json kept = nlohmann::json::parse(attributes[0], nullptr, false);
    if (!kept.is_object()) kept = nlohmann::json::object();
    const nlohmann::json offered = nlohmann::json::parse(row.attributesJson, nullptr, false);
    bool attributesFilled = false;
    if (offered.is_object()) {
      for (auto it = offered.begin(); it != offered.end(); ++it) {
        if (kept.contains(it.key())) continue;
        kept[it.key()] = it.value();
        attributesFilled = true;
      }
    }
    if (attributesFilled) row.filled += (row.filled.empty() ? "" : ", ") + std::string("attributes");
    if (row.filled.empty()) return;
    const std::string attributesText = sdk::json::dump(kept);
    const Poco::Int64 updatedAt = incoming.createdAt;
    session_ << database_.sql(
        "UPDATE contacts SET name = $1, company = $2, title = $3, email = $4, timezone = $5, attributes = $6, "
        "updated_at = $7 WHERE id = $8"),
        useRef(name[0]), useRef(company[0]), useRef(title[0]), useRef(email[0]), useRef(timezone[0]),
        useRef(attributesText), useRef(updatedAt), useRef(id), now;
  }

  // The do-not-call list is read once into memory when it is small enough
  // (the common case), else each number is looked up.
  static constexpr Poco::Int64 kMaxCachedDoNotCall = 2000000;

  void loadDoNotCall() {
    Poco::Int64 count = 0;
    session_ << database_.sql("SELECT COUNT(*) FROM do_not_call"), into(count), now;
    if (count > kMaxCachedDoNotCall) {
      lookUpEach_ = true;
      return;
    }
    std::vector<std::string> numbers;
    session_ << database_.sql("SELECT phone_e164 FROM do_not_call"), into(numbers), now;
    dnc_.insert(std::make_move_iterator(numbers.begin()), std::make_move_iterator(numbers.end()));
  }

  bool isDoNotCall(const std::string& e164) {
    if (!lookUpEach_) return !dnc_.empty() && dnc_.count(e164) != 0;
    int found = 0;
    session_ << database_.sql("SELECT COUNT(*) FROM do_not_call WHERE phone_e164 = $1"), useRef(e164), into(found), now;
    return found != 0;
  }

  const std::string doNotCall_ = "do_not_call";  // bound by reference, so strings of the writer's own
  const std::string notCalled_ = "not_called";

  const Database& database_;
  Poco::Data::Session session_;
  std::vector<ContactInserts<kRowsPerInsert>> blocks_;
  std::string copyBuffer_;  ///< PostgreSQL: the batch in COPY's text format, its buffer kept
  std::vector<ContactInserts<1>> singles_;
  std::optional<Poco::Data::Statement> insertMany_;
  std::optional<Poco::Data::Statement> insertOne_;
  Poco::Int64 listId_ = 0;
  std::unordered_set<std::string> dnc_;
  bool lookUpEach_ = false;
  bool committed_ = false;
  bool appending_ = false;
  FirstRowByNumber existing_;      ///< appending: the list's numbers -> their contact ids
  std::vector<ImportRow*> fresh_;  ///< the batch's rows to insert
};

/// `text` for a LIKE with ESCAPE '\': its own wildcards escaped, % around.
std::string likePattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

}  // namespace

std::unique_ptr<ContactImportWriter> SqliteContactRepository::beginImport(const ContactList& list) {
  return std::make_unique<SqliteImportWriter>(database_, list);
}

std::unique_ptr<ContactImportWriter> SqliteContactRepository::beginAppend(int64_t listId) {
  bool found = false;
  auto writer = std::make_unique<SqliteImportWriter>(database_, listId, found);
  if (!found) return nullptr;
  return writer;
}

std::vector<ContactList> SqliteContactRepository::lists() {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    std::vector<ListRow> rows;
    session << database_.sql(std::string(kListColumns) + " ORDER BY l.created_at DESC, l.id"), into(rows), now;
    std::vector<ContactList> out;
    out.reserve(rows.size());
    for (const ListRow& row : rows) out.push_back(toList(row, false));
    return out;
  });
}

std::optional<ContactList> SqliteContactRepository::list(int64_t id) {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) -> std::optional<ContactList> {
    std::vector<ListRow> rows;
    const Poco::Int64 listId = id;
    session << database_.sql(std::string(kListColumns) + " WHERE l.id = $1"), useRef(listId), into(rows), now;
    if (rows.empty()) return std::nullopt;
    return toList(rows.front(), true);
  });
}

bool SqliteContactRepository::deleteList(int64_t id) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    const Poco::Int64 listId = id;
    Poco::Data::Statement statement(session);
    statement << database_.sql("DELETE FROM contact_lists WHERE id = $1"), useRef(listId);
    return statement.execute() > 0;
  });
}

ContactPage SqliteContactRepository::contacts(const ContactQuery& query) {
  // Each filter adds its condition with the next parameter number and binds
  // its value, in the same order, on both statements.
  std::string where = " WHERE 1=1";
  std::vector<std::function<void(Poco::Data::Statement&)>> binders;
  auto parameter = [&](auto value) {
    binders.emplace_back([value](Poco::Data::Statement& s) { s, bind(value); });
    return "$" + std::to_string(binders.size());
  };
  if (query.listId) where += " AND list_id = " + parameter(Poco::Int64{*query.listId});
  if (!query.status.empty()) where += " AND status = " + parameter(query.status);
  std::string digits;
  for (char c : query.search) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (!query.search.empty()) {
    // lower() on both sides: LIKE ignores ASCII case in SQLite, not in PostgreSQL.
    const std::string words = parameter(likePattern(query.search));
    where += " AND (lower(name) LIKE lower(" + words + ") ESCAPE '\\' OR lower(company) LIKE lower(" + words +
             ") ESCAPE '\\'";
    if (digits.size() >= 3) where += " OR phone_e164 LIKE " + parameter(likePattern(digits)) + " ESCAPE '\\'";
    where += ")";
  }
  const std::string limit = parameter(Poco::Int64{query.perPage});
  const std::string offset = parameter(Poco::Int64{(query.page - 1) * query.perPage});
  return database_.connections().withReadSession([&](Poco::Data::Session& session) {
    ContactPage page;
    Poco::Data::Statement count(session);
    count << database_.sql("SELECT COUNT(*) FROM contacts" + where), into(page.total);
    for (size_t i = 0; i + 2 < binders.size(); ++i) binders[i](count);
    count.execute();
    std::vector<ContactRow> rows;
    Poco::Data::Statement select(session);
    select << database_.sql(std::string(kContactColumns) + where + " ORDER BY id LIMIT " + limit + " OFFSET " + offset),
        into(rows);
    for (const auto& binder : binders) binder(select);
    select.execute();
    page.items.reserve(rows.size());
    for (const ContactRow& row : rows) page.items.push_back(toContact(row));
    return page;
  });
}

std::optional<Contact> SqliteContactRepository::contact(int64_t id) {
  return database_.connections().withReadSession([&](Poco::Data::Session& session) -> std::optional<Contact> {
    std::vector<ContactRow> rows;
    const Poco::Int64 contactId = id;
    session << database_.sql(std::string(kContactColumns) + " WHERE id = $1"), useRef(contactId), into(rows), now;
    if (rows.empty()) return std::nullopt;
    return toContact(rows.front());
  });
}

std::optional<Contact> SqliteContactRepository::updateContact(int64_t id, const ContactPatch& patch, int64_t nowS) {
  auto nullable = [](const std::optional<std::string>& value) {
    return value ? Poco::Nullable<std::string>(*value) : Poco::Nullable<std::string>();
  };
  database_.connections().withSession([&](Poco::Data::Session& session) {
    const Poco::Int64 updatedAt = nowS;
    const Poco::Int64 contactId = id;
    session << database_.sql(
        "UPDATE contacts SET name = COALESCE($1, name), company = COALESCE($2, company), "
        "title = COALESCE($3, title), email = COALESCE($4, email), timezone = COALESCE($5, timezone), "
        "status = COALESCE($6, status), last_notes = COALESCE($7, last_notes), "
        "attributes = COALESCE($8, attributes), updated_at = $9 WHERE id = $10"),
        bind(nullable(patch.name)), bind(nullable(patch.company)), bind(nullable(patch.title)),
        bind(nullable(patch.email)), bind(nullable(patch.timezone)), bind(nullable(patch.status)),
        bind(nullable(patch.lastNotes)),
        bind(nullable(patch.attributes ? std::optional<std::string>(patch.attributes->dump()) : std::nullopt)),
        useRef(updatedAt), useRef(contactId), now;
  });
  return contact(id);
}

bool SqliteContactRepository::deleteContact(int64_t id) {
  return database_.connections().withSession([&](Poco::Data::Session& session) {
    const Poco::Int64 contactId = id;
    Poco::Data::Statement statement(session);
    statement << database_.sql("DELETE FROM contacts WHERE id = $1"), useRef(contactId);
    return statement.execute() > 0;
  });
}

void SqliteContactRepository::setStatusByPhone(const std::string& e164, const std::string& status) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    session << database_.sql("UPDATE contacts SET status = $1 WHERE phone_e164 = $2"), useRef(status), useRef(e164),
        now;
  });
}

void SqliteContactRepository::clearDoNotCallStatus(const std::string& e164) {
  database_.connections().withSession([&](Poco::Data::Session& session) {
    session << database_.sql(
        "UPDATE contacts SET status = CASE WHEN last_called_at IS NULL THEN 'not_called' ELSE 'called' END "
        "WHERE phone_e164 = $1 AND status = 'do_not_call'"),
        useRef(e164), now;
  });
}

}  // namespace sb::core
