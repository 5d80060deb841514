// Helpers that adapt ABI writers and errors to std::string. Not for direct
// use by plugin authors.
#pragma once

#include <switchboard/abi/provider_abi.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace sb::sdk::detail {

inline sb_str toStr(std::string_view text) noexcept {
  return sb_str{text.data(), text.size()};
}

inline std::string_view fromStr(sb_str text) noexcept {
  return text.data == nullptr ? std::string_view{} : std::string_view{text.data, text.size};
}

/// An sb_writer that appends every chunk to a std::string it does not own.
class StringWriter {
 public:
  explicit StringWriter(std::string& target) noexcept : writer_{&target, &StringWriter::append} {}
  sb_writer* get() noexcept { return &writer_; }

 private:
  static void SB_ABI append(void* ctx, sb_str chunk) noexcept {
    try {
      static_cast<std::string*>(ctx)->append(fromStr(chunk));
    } catch (...) {
      // Out of memory while appending: the reader sees a truncated
      // document and fails to parse it, which is reported as an error.
    }
  }
  sb_writer writer_;
};

inline void writeAll(sb_writer* writer, std::string_view text) noexcept {
  if (writer != nullptr && writer->write != nullptr) {
    writer->write(writer->ctx, toStr(text));
  }
}

/// Fills a caller-owned sb_error; fields beyond the caller's struct_size are
/// left alone so that an older caller's smaller struct is never overrun.
inline void fillError(sb_error* error, int32_t status, std::string_view message, int64_t retryAfterMs = 0,
                      std::string_view providerCode = {}) noexcept {
  if (error == nullptr || error->struct_size < sizeof(sb_error)) {
    return;
  }
  error->status = status;
  error->retry_after_ms = retryAfterMs;
  // An empty string_view may carry a null data(); memcpy must not see it.
  const size_t codeLen = std::min(providerCode.size(), sizeof(error->provider_code) - 1);
  if (codeLen > 0) {
    std::memcpy(error->provider_code, providerCode.data(), codeLen);
  }
  error->provider_code[codeLen] = '\0';
  const size_t len = std::min(message.size(), sizeof(error->message) - 1);
  if (len > 0) {
    std::memcpy(error->message, message.data(), len);
  }
  error->message[len] = '\0';
}

inline sb_error makeError() noexcept {
  sb_error error{};
  error.struct_size = sizeof(sb_error);
  return error;
}

}  // namespace sb::sdk::detail
