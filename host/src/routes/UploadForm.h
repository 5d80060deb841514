#pragma once

#include <functional>
#include <istream>
#include <string>

namespace sb::host {

/// The most bytes a form field other than the file may hold: the list name
/// (200 characters of at most 4 bytes) with room to spare.
inline constexpr std::streamsize kMaxFormFieldBytes = 1024;
/// The column mapping is JSON naming up to a few dozen header texts.
inline constexpr std::streamsize kMaxMappingFieldBytes = std::streamsize{16} * 1024;

/// The small fields an upload form may carry before its file.
struct UploadFields {
  std::string name;     ///< the list's name
  std::string mapping;  ///< the column mapping, JSON (field -> column)
  std::string sheet;    ///< a workbook's sheet by name
};

/// Walks an upload's multipart/form-data body in order: the "name",
/// "mapping" and "sheet" fields are read into `fields` (refused past their bound with a
/// 400 naming them), any other field is skipped without being held, and the first
/// "file" part is handed to `onFile` as a stream (its filename beside it),
/// after which the walk ends. Nothing is ever held whole: the request's own
/// limit bounds what is skipped. Returns false when there is no file part.
/// Throws ApiError for a field too long or more than 32 fields, and
/// whatever the body stream or `onFile` throws.
bool readUploadForm(std::istream& body, const std::string& boundary, UploadFields& fields,
                    const std::function<void(std::istream& file, const std::string& filename)>& onFile);

}  // namespace sb::host
