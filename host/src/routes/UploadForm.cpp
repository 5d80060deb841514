#include "routes/UploadForm.h"

#include "http/ApiError.h"

#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/Net/NameValueCollection.h>

#include <limits>

namespace sb::host {
namespace {

std::string readSmallField(std::istream& in, const std::string& field, std::streamsize limit) {
  std::string value(static_cast<size_t>(limit) + 1, '\0');
  in.read(value.data(), limit + 1);
  value.resize(static_cast<size_t>(in.gcount()));
  if (value.size() > static_cast<size_t>(limit)) {
    throw ApiError::validation("form field \"" + field + "\" is longer than " + std::to_string(limit) + " bytes",
                               {{"field", field}});
  }
  return value;
}

}  // namespace

bool readUploadForm(std::istream& body, const std::string& boundary, UploadFields& fields,
                    const std::function<void(std::istream& file, const std::string& filename)>& onFile) {
  Poco::Net::MultipartReader reader(body, boundary);
  // Poco's reader can report a next part forever without consuming input
  // (found by fuzzing a torn boundary line): the walk is bounded by count.
  constexpr int kMaxParts = 32;
  for (int parts = 0; reader.hasNextPart(); ++parts) {
    if (parts == kMaxParts) {
      throw ApiError::validation("the form has more than " + std::to_string(kMaxParts) +
                                 " fields before its \"file\" field");
    }
    Poco::Net::MessageHeader header;
    reader.nextPart(header);
    std::string disposition;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, params);
    const std::string field = params.get("name", "");
    if (field == "name") {
      fields.name = readSmallField(reader.stream(), "name", kMaxFormFieldBytes);
    } else if (field == "sheet") {
      fields.sheet = readSmallField(reader.stream(), "sheet", kMaxFormFieldBytes);
    } else if (field == "mapping") {
      fields.mapping = readSmallField(reader.stream(), "mapping", kMaxMappingFieldBytes);
    } else if (field == "file") {
      // A body cut short must fail the import, not end the file early (the
      // part's stream would otherwise swallow the error as an end).
      reader.stream().exceptions(std::ios::badbit);
      onFile(reader.stream(), params.get("filename", ""));
      return true;
    } else {
      reader.stream().ignore(std::numeric_limits<std::streamsize>::max());
    }
  }
  return false;
}

}  // namespace sb::host
