#include <switchboard/core/storage/DatabaseCopy.h>

#include "storage/Connections.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include <stdexcept>

using namespace Poco::Data::Keywords;

namespace sb::core {
namespace {

struct CopiedColumn {
  std::string name;
  bool integer = false;
};

struct TableCopy {
  std::string table;
  std::string orderBy;           ///< a unique key, for reading in pages
  bool generatedAlways = false;  ///< PostgreSQL: GENERATED ALWAYS AS IDENTITY needs OVERRIDING SYSTEM VALUE
};

const std::vector<TableCopy>& plan() {
  static const std::vector<TableCopy> tables = {
      {"api_keys", "id"},
      {"users", "id"},
      {"contact_lists", "id"},
      {"contacts", "id"},
      {"do_not_call", "phone_e164"},
      {"calls", "id"},
      {"call_events", "seq", true},
      {"plugin_state", "plugin, key"},
      {"audit_log", "id"},
  };
  return tables;
}

/// Parameters per INSERT: under SQLite's oldest limit (999).
constexpr size_t kParametersPerInsert = 900;
constexpr size_t kRowsPerRead = 5000;

std::vector<CopiedColumn> columnsOf(const Database& database, Poco::Data::Session& session, const std::string& table) {
  std::vector<CopiedColumn> columns;
  if (database.isPostgresql()) {
    std::string name = table;
    std::vector<std::string> names;
    std::vector<std::string> types;
    session << "SELECT column_name, data_type FROM information_schema.columns "
               "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        use(name), into(names), into(types), now;
    for (size_t i = 0; i < names.size(); ++i) {
      columns.push_back({names[i], types[i] == "bigint" || types[i] == "integer" || types[i] == "smallint"});
    }
  } else {
    Poco::Data::Statement statement(session);
    statement << "PRAGMA table_info(" + table + ")";
    statement.execute();
    Poco::Data::RecordSet rows(statement);
    for (bool more = rows.moveFirst(); more; more = rows.moveNext()) {
      const std::string type = rows.value("type").convert<std::string>();
      columns.push_back({rows.value("name").convert<std::string>(), type.find("INT") != std::string::npos});
    }
  }
  if (columns.empty()) {
    throw std::runtime_error("database " + database.displayName() + " has no table " + table);
  }
  return columns;
}

int64_t rowCount(Poco::Data::Session& session, const std::string& table) {
  Poco::Int64 count = 0;
  session << "SELECT COUNT(*) FROM " + table, into(count), now;
  return count;
}

std::string joined(const std::vector<CopiedColumn>& columns) {
  std::string out;
  for (const auto& column : columns) out += (out.empty() ? "" : ", ") + column.name;
  return out;
}

/// Writes `rows` (each a row of values, NULL as an empty Nullable) in
/// INSERTs of up to kParametersPerInsert parameters.
void insertRows(const Database& to, Poco::Data::Session& session, const TableCopy& table,
                const std::vector<CopiedColumn>& columns, const Poco::Data::RecordSet& page) {
  const size_t perInsert = std::max<size_t>(1, kParametersPerInsert / columns.size());
  const size_t total = page.rowCount();
  for (size_t first = 0; first < total; first += perInsert) {
    const size_t count = std::min(perInsert, total - first);
    std::string sql = "INSERT INTO " + table.table + " (" + joined(columns) + ")";
    if (table.generatedAlways && to.isPostgresql()) sql += " OVERRIDING SYSTEM VALUE";
    sql += " VALUES ";
    int parameter = 0;
    for (size_t row = 0; row < count; ++row) {
      sql += row == 0 ? "(" : ", (";
      for (size_t c = 0; c < columns.size(); ++c) sql += (c == 0 ? "$" : ", $") + std::to_string(++parameter);
      sql += ")";
    }
    Poco::Data::Statement insert(session);
    insert << to.sql(sql);
    for (size_t row = first; row < first + count; ++row) {
      for (size_t c = 0; c < columns.size(); ++c) {
        const Poco::Dynamic::Var& value = page.value(c, row);
        if (columns[c].integer) {
          insert, bind(value.isEmpty() ? Poco::Nullable<Poco::Int64>()
                                       : Poco::Nullable<Poco::Int64>(value.convert<Poco::Int64>()));
        } else {
          insert, bind(value.isEmpty() ? Poco::Nullable<std::string>()
                                       : Poco::Nullable<std::string>(value.convert<std::string>()));
        }
      }
    }
    insert.execute();
  }
}

int64_t copyTable(Poco::Data::Session& source, Database& to, Poco::Data::Session& target, const TableCopy& table) {
  const std::vector<CopiedColumn> columns = columnsOf(to, target, table.table);
  int64_t copied = 0;
  to.connections().beginWrite(target);
  try {
    // Pages by offset along a unique key: the source is one snapshot, so
    // no row moves between pages.
    for (size_t offset = 0;; offset += kRowsPerRead) {
      Poco::Data::Statement select(source);
      select << "SELECT " + joined(columns) + " FROM " + table.table + " ORDER BY " + table.orderBy + " LIMIT " +
                    std::to_string(kRowsPerRead) + " OFFSET " + std::to_string(offset);
      select.execute();
      Poco::Data::RecordSet page(select);
      if (page.rowCount() == 0) break;
      insertRows(to, target, table, columns, page);
      copied += static_cast<int64_t>(page.rowCount());
      if (page.rowCount() < kRowsPerRead) break;
    }
    to.connections().commit(target);
  } catch (...) {
    to.connections().rollback(target);
    throw;
  }
  return copied;
}

}  // namespace

const std::vector<std::string>& copiedTables() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& table : plan()) out.push_back(table.table);
    return out;
  }();
  return names;
}

CopyReport copyDatabase(Database& from, Database& to,
                        const std::function<void(const std::string& table, int64_t rows)>& progress) {
  from.migrate();
  to.migrate();
  Poco::Data::Session source = from.connections().openSession();
  Poco::Data::Session target = to.connections().openSession();
  for (const auto& table : plan()) {
    if (const int64_t rows = rowCount(target, table.table); rows > 0) {
      throw std::runtime_error("database " + to.displayName() + " already holds " + std::to_string(rows) +
                               " row(s) in " + table.table + "; copy into an empty database");
    }
  }
  // One snapshot of the source for the whole copy.
  source << (from.isPostgresql() ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN"), now;
  CopyReport report;
  try {
    for (const auto& table : plan()) {
      const int64_t rows = copyTable(source, to, target, table);
      report.emplace_back(table.table, rows);
      if (progress) progress(table.table, rows);
    }
    source << "COMMIT", now;
  } catch (...) {
    try {
      source << "ROLLBACK", now;
    } catch (...) {  // the error that brought us here is the one to report
    }
    throw;
  }
  if (to.isPostgresql()) {
    // Copied ids were given explicitly: the identities' sequences start
    // after them, or the next insert would collide.
    for (const auto& [table, column] : std::vector<std::pair<std::string, std::string>>{
             {"contact_lists", "id"}, {"contacts", "id"}, {"call_events", "seq"}}) {
      Poco::Int64 next = 0;
      target << "SELECT setval(pg_get_serial_sequence('" + table + "', '" + column + "'), (SELECT COALESCE(MAX(" +
                    column + "), 0) + 1 FROM " + table + "), false)",
          into(next), now;
    }
  }
  return report;
}

}  // namespace sb::core
