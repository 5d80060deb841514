#include <switchboard/core/contacts/SqliteContactRepository.h>
#include <switchboard/sdk/json.hpp>

#include "storage/SqliteStatement.h"

#include <sqlite3.h>

#include <unordered_set>

namespace sb::core {
namespace {

using sqlite::Statement;

constexpr const char* kContactColumns =
    "id, list_id, source_row, name, company, title, email, timezone, phone_raw, phone_e164, phone_ext, line_type, "
    "phone_verified, status, last_outcome, last_notes, last_called_at, attributes, created_at, updated_at";

Contact readContact(const Statement& row) {
  Contact c;
  c.id = row.integer(0);
  c.listId = row.integer(1);
  c.sourceRow = row.integer(2);
  c.name = row.text(3);
  c.company = row.text(4);
  c.title = row.text(5);
  c.email = row.text(6);
  c.timezone = row.text(7);
  c.phoneRaw = row.text(8);
  c.phoneE164 = row.text(9);
  c.phoneExtension = row.text(10);
  c.lineType = row.text(11);
  c.phoneVerified = row.integer(12) != 0;
  c.status = row.text(13);
  c.lastOutcome = row.optionalText(14);
  c.lastNotes = row.optionalText(15);
  c.lastCalledAt = row.optionalInteger(16);
  c.attributes = nlohmann::json::parse(row.text(17), nullptr, false);
  if (c.attributes.is_discarded()) {
    c.attributes = nlohmann::json::object();
  }
  c.createdAt = row.integer(18);
  c.updatedAt = row.integer(19);
  return c;
}

constexpr const char* kListColumns =
    "l.id, l.name, l.source, l.filename, l.created_by, l.created_at, l.rows_total, l.imported_count, "
    "l.skipped_count, l.duplicate_count, l.unverified_count, l.report, "
    "(SELECT COUNT(*) FROM contacts c WHERE c.list_id = l.id)";

ContactList readList(const Statement& row, bool withReport) {
  ContactList l;
  l.id = row.integer(0);
  l.name = row.text(1);
  l.source = row.text(2);
  l.filename = row.text(3);
  l.createdBy = row.text(4);
  l.createdAt = row.integer(5);
  l.rowsTotal = row.integer(6);
  l.importedCount = row.integer(7);
  l.skippedCount = row.integer(8);
  l.duplicateCount = row.integer(9);
  l.unverifiedCount = row.integer(10);
  if (withReport) {
    l.report = nlohmann::json::parse(row.text(11), nullptr, false);
  }
  l.contactCount = row.integer(12);
  return l;
}

/// The import's own connection and transaction; rolled back unless committed.
class SqliteImportWriter final : public ContactImportWriter {
 public:
  SqliteImportWriter(sqlite3* db, const ContactList& list) : db_(db) {
    // A 16 MiB page cache: an import appends to the table and to the
    // list_id index, so more cache buys nothing (measured: 1M rows take as
    // long with 64 MiB) and costs the import's peak RSS.
    sqlite::exec(db_, "PRAGMA cache_size=-16384");
    sqlite::exec(db_, "BEGIN IMMEDIATE");
    Statement insertList(db_,
                         "INSERT INTO contact_lists (name, source, filename, created_by, created_at) "
                         "VALUES (?, ?, ?, ?, ?)");
    insertList.bind(1, list.name).bind(2, list.source).bind(3, list.filename).bind(4, list.createdBy);
    insertList.bind(5, list.createdAt).run();
    listId_ = sqlite3_last_insert_rowid(db_);
    insertOne_ = prepareInsert(1);
    insertMany_ = prepareInsert(kRowsPerInsert);
    loadDoNotCall();
  }

  ~SqliteImportWriter() override {
    insertOne_.reset();
    insertMany_.reset();
    dncLookup_.reset();
    if (!committed_) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    sqlite3_close_v2(db_);
  }

  int64_t listId() const override { return listId_; }

  void add(std::span<ImportRow> rows) override {
    while (rows.size() >= kRowsPerInsert) {
      insert(*insertMany_, rows.first(kRowsPerInsert));
      rows = rows.subspan(kRowsPerInsert);
    }
    for (size_t i = 0; i < rows.size(); ++i) insert(*insertOne_, rows.subspan(i, 1));
  }

  void commit(const ContactList& summary) override {
    Statement update(db_,
                     "UPDATE contact_lists SET rows_total = ?, imported_count = ?, skipped_count = ?, "
                     "duplicate_count = ?, unverified_count = ?, report = ? WHERE id = ?");
    update.bind(1, summary.rowsTotal).bind(2, summary.importedCount).bind(3, summary.skippedCount);
    update.bind(4, summary.duplicateCount).bind(5, summary.unverifiedCount).bind(6, sdk::json::dump(summary.report));
    update.bind(7, listId_).run();
    sqlite::exec(db_, "COMMIT");
    committed_ = true;
  }

 private:
  // Rows per INSERT statement: one statement run per row costs SQLite more
  // (cursors opened, the table's end found, the program started) than the
  // row itself.
  static constexpr size_t kRowsPerInsert = 32;
  static constexpr int kParametersPerRow = 14;

  std::unique_ptr<Statement> prepareInsert(size_t rows) {
    std::string sql =
        "INSERT INTO contacts (list_id, source_row, name, company, title, email, timezone, phone_raw, phone_e164, "
        "phone_ext, line_type, phone_verified, status, attributes, created_at, updated_at) VALUES ";
    // ?1 is the list; each row has its own parameters from source_row to
    // created_at, which is also its updated_at.
    for (size_t row = 0; row < rows; ++row) {
      const size_t first = 2 + row * kParametersPerRow;
      sql += row == 0 ? "(?1" : ",(?1";
      for (size_t k = 0; k < kParametersPerRow; ++k) sql += ",?" + std::to_string(first + k);
      sql += ",?" + std::to_string(first + kParametersPerRow - 1) + ")";
    }
    return std::make_unique<Statement>(db_, sql);
  }

  void insert(Statement& s, std::span<ImportRow> rows) {
    s.reset();
    s.bind(1, listId_);
    int p = 2;
    for (ImportRow& row : rows) {
      const Contact& c = *row.contact;
      row.doNotCall = isDoNotCall(c.phoneE164);
      // Static binds: the contacts outlive the step, so SQLite need not copy.
      s.bind(p, c.sourceRow).bindStatic(p + 1, c.name).bindStatic(p + 2, c.company).bindStatic(p + 3, c.title);
      s.bindStatic(p + 4, c.email).bindStatic(p + 5, c.timezone).bindStatic(p + 6, c.phoneRaw);
      s.bindStatic(p + 7, c.phoneE164).bindStatic(p + 8, c.phoneExtension).bindStatic(p + 9, c.lineType);
      s.bind(p + 10, int64_t{c.phoneVerified ? 1 : 0}).bindStatic(p + 11, row.doNotCall ? "do_not_call" : "not_called");
      s.bindStatic(p + 12, row.attributesJson).bind(p + 13, c.createdAt);
      p += kParametersPerRow;
    }
    s.run();
  }

  // The do-not-call list is read once into memory when it is small enough
  // (the common case), else each number is looked up.
  static constexpr int64_t kMaxCachedDoNotCall = 2000000;

  void loadDoNotCall() {
    Statement count(db_, "SELECT COUNT(*) FROM do_not_call");
    if (count.step() && count.integer(0) > kMaxCachedDoNotCall) {
      dncLookup_ = std::make_unique<Statement>(db_, "SELECT 1 FROM do_not_call WHERE phone_e164 = ?");
      return;
    }
    Statement all(db_, "SELECT phone_e164 FROM do_not_call");
    while (all.step()) dnc_.insert(all.text(0));
  }

  bool isDoNotCall(const std::string& e164) {
    if (!dncLookup_) return !dnc_.empty() && dnc_.count(e164) != 0;
    dncLookup_->reset();
    dncLookup_->bind(1, e164);
    return dncLookup_->step();
  }

  sqlite3* db_;
  int64_t listId_ = 0;
  std::unordered_set<std::string> dnc_;
  std::unique_ptr<Statement> dncLookup_;
  std::unique_ptr<Statement> insertOne_;
  std::unique_ptr<Statement> insertMany_;
  bool committed_ = false;
};

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
  sqlite3* db = database_.openConnection();
  try {
    return std::make_unique<SqliteImportWriter>(db, list);
  } catch (...) {
    sqlite3_close_v2(db);
    throw;
  }
}

std::vector<ContactList> SqliteContactRepository::lists() {
  return database_.withConnection([&](sqlite3* db) {
    Statement s(db, std::string("SELECT ") + kListColumns + " FROM contact_lists l ORDER BY l.created_at DESC, l.id");
    std::vector<ContactList> out;
    while (s.step()) {
      out.push_back(readList(s, false));
    }
    return out;
  });
}

std::optional<ContactList> SqliteContactRepository::list(int64_t id) {
  return database_.withConnection([&](sqlite3* db) -> std::optional<ContactList> {
    Statement s(db, std::string("SELECT ") + kListColumns + " FROM contact_lists l WHERE l.id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return readList(s, true);
  });
}

bool SqliteContactRepository::deleteList(int64_t id) {
  return database_.withConnection([&](sqlite3* db) {
    Statement s(db, "DELETE FROM contact_lists WHERE id = ?");
    s.bind(1, id);
    return s.run() > 0;
  });
}

ContactPage SqliteContactRepository::contacts(const ContactQuery& query) {
  std::string where = " WHERE 1=1";
  if (query.listId) where += " AND list_id = :list";
  if (!query.status.empty()) where += " AND status = :status";
  std::string digits;
  for (char c : query.search) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (!query.search.empty()) {
    where += " AND (name LIKE :q ESCAPE '\\' OR company LIKE :q ESCAPE '\\'";
    if (digits.size() >= 3) where += " OR phone_e164 LIKE :digits ESCAPE '\\'";
    where += ")";
  }
  auto bindFilters = [&](Statement& s) {
    if (query.listId) s.bind(":list", *query.listId);
    if (!query.status.empty()) s.bind(":status", query.status);
    if (!query.search.empty()) {
      s.bind(":q", likePattern(query.search));
      if (digits.size() >= 3) s.bind(":digits", likePattern(digits));
    }
  };
  return database_.withConnection([&](sqlite3* db) {
    ContactPage page;
    Statement count(db, "SELECT COUNT(*) FROM contacts" + where);
    bindFilters(count);
    page.total = count.step() ? count.integer(0) : 0;
    Statement select(db, std::string("SELECT ") + kContactColumns + " FROM contacts" + where +
                             " ORDER BY id LIMIT :limit OFFSET :offset");
    bindFilters(select);
    select.bind(":limit", query.perPage).bind(":offset", (query.page - 1) * query.perPage);
    while (select.step()) {
      page.items.push_back(readContact(select));
    }
    return page;
  });
}

std::optional<Contact> SqliteContactRepository::contact(int64_t id) {
  return database_.withConnection([&](sqlite3* db) -> std::optional<Contact> {
    Statement s(db, std::string("SELECT ") + kContactColumns + " FROM contacts WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return readContact(s);
  });
}

std::optional<Contact> SqliteContactRepository::updateContact(int64_t id, const ContactPatch& patch, int64_t now) {
  database_.withConnection([&](sqlite3* db) {
    Statement s(db,
                "UPDATE contacts SET name = COALESCE(?, name), company = COALESCE(?, company), "
                "title = COALESCE(?, title), email = COALESCE(?, email), timezone = COALESCE(?, timezone), "
                "status = COALESCE(?, status), last_notes = COALESCE(?, last_notes), "
                "attributes = COALESCE(?, attributes), updated_at = ? WHERE id = ?");
    s.bind(1, patch.name).bind(2, patch.company).bind(3, patch.title).bind(4, patch.email).bind(5, patch.timezone);
    s.bind(6, patch.status).bind(7, patch.lastNotes);
    s.bind(8, patch.attributes ? std::optional<std::string>(patch.attributes->dump()) : std::nullopt);
    s.bind(9, now).bind(10, id).run();
  });
  return contact(id);
}

bool SqliteContactRepository::deleteContact(int64_t id) {
  return database_.withConnection([&](sqlite3* db) {
    Statement s(db, "DELETE FROM contacts WHERE id = ?");
    s.bind(1, id);
    return s.run() > 0;
  });
}

void SqliteContactRepository::setStatusByPhone(const std::string& e164, const std::string& status) {
  database_.withConnection([&](sqlite3* db) {
    Statement s(db, "UPDATE contacts SET status = ? WHERE phone_e164 = ?");
    s.bind(1, status).bind(2, e164).run();
  });
}

void SqliteContactRepository::clearDoNotCallStatus(const std::string& e164) {
  database_.withConnection([&](sqlite3* db) {
    Statement s(db,
                "UPDATE contacts SET status = CASE WHEN last_called_at IS NULL THEN 'not_called' ELSE 'called' END "
                "WHERE phone_e164 = ? AND status = 'do_not_call'");
    s.bind(1, e164).run();
  });
}

}  // namespace sb::core
