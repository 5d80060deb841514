// libFuzzer target: the multipart/form-data walk of an upload. Whatever the
// bytes: no crash or hang, a list name or mapping never longer than its field bound,
// and the file part read through to its end.
#include "routes/UploadForm.h"

#include "http/ApiError.h"

#include <Poco/Exception.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream body(std::string(reinterpret_cast<const char*>(data), size));
  body.exceptions(std::ios::badbit);
  sb::host::UploadFields fields;
  size_t fileBytes = 0;
  try {
    sb::host::readUploadForm(body, "sbfuzz", fields, [&](std::istream& file, const std::string&) {
      char buffer[4096];
      while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
        fileBytes += static_cast<size_t>(file.gcount());
      }
    });
  } catch (const sb::host::ApiError&) {
  } catch (const Poco::Exception&) {
  } catch (const std::ios_base::failure&) {
  }
  if (fields.name.size() > static_cast<size_t>(sb::host::kMaxFormFieldBytes) ||
      fields.mapping.size() > static_cast<size_t>(sb::host::kMaxMappingFieldBytes) || fileBytes > size) {
    std::abort();
  }
  return 0;
}
