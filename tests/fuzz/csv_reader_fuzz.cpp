// libFuzzer target: the CSV reader must never crash, hang or hand out
// invalid UTF-8, whatever the bytes; it either reads records or throws
// CsvError.
#include <switchboard/core/contacts/CsvReader.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  sb::core::CsvReader reader(in);
  sb::core::CsvRecord record;
  int64_t previous = 0;
  try {
    while (reader.next(record)) {
      if (record.record != previous + 1 || record.line < 1) std::abort();
      previous = record.record;
      for (const auto& field : record.fields) {
        if (!sb::core::isValidUtf8(field)) std::abort();
      }
    }
  } catch (const sb::core::CsvError&) {
    // a refusal with a message is a valid outcome
  }
  if (reader.bytesRead() > size) std::abort();
  return 0;
}
