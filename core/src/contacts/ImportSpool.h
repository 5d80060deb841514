#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <streambuf>

namespace sb::core {

/// An upload copied whole to local disk before the import opens its write
/// transaction, so a client that sends slowly (or stops) never holds the
/// database: while it trickles, calls and webhooks write as usual, and the
/// import then reads at disk speed. The file has no name (O_TMPFILE, or
/// unlinked at once where the file system lacks it): no other process can
/// open it, and nothing is left behind by a crash.
/// THREADING: one thread.
class ImportSpool {
 public:
  /// Reads `in` to its end into a new spool file in `dir` (the system's
  /// temporary directory when empty). Throws DomainError TooLarge as soon as
  /// more than `maxBytes` arrived, and std::runtime_error when the disk
  /// refuses (full, not writable), naming the directory.
  ImportSpool(std::istream& in, uint64_t maxBytes, const std::filesystem::path& dir);
  ~ImportSpool();
  ImportSpool(const ImportSpool&) = delete;
  ImportSpool& operator=(const ImportSpool&) = delete;

  /// The spooled bytes, from the start.
  std::istream& stream() noexcept { return *stream_; }
  uint64_t size() const noexcept { return size_; }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  std::unique_ptr<std::streambuf> buffer_;
  std::unique_ptr<std::istream> stream_;
};

}  // namespace sb::core
