#include "contacts/ImportSpool.h"

#include <switchboard/core/DomainError.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace sb::core {
namespace {

constexpr size_t kReadChunk = size_t{256} * 1024;

/// Reads a file descriptor from its start, through a buffer of its own.
class FdReadBuffer final : public std::streambuf {
 public:
  explicit FdReadBuffer(int fd) : fd_(fd), buffer_(kReadChunk) {}

 protected:
  // Seekable, so a workbook's zip directory can be read from the end.
  pos_type seekoff(off_type offset, std::ios_base::seekdir direction, std::ios_base::openmode mode) override {
    off_type target = offset;
    if (direction == std::ios_base::cur) {
      target += filePosition() - static_cast<off_type>(egptr() - gptr());
    } else if (direction == std::ios_base::end) {
      const off_type end = ::lseek(fd_, 0, SEEK_END);
      if (end < 0) return pos_type(off_type(-1));
      target += end;
    }
    return seekpos(pos_type(target), mode);
  }

  pos_type seekpos(pos_type position, std::ios_base::openmode) override {
    const auto target = static_cast<off_type>(position);
    if (target < 0 || ::lseek(fd_, target, SEEK_SET) < 0) return pos_type(off_type(-1));
    setg(buffer_.data(), buffer_.data(), buffer_.data());
    return position;
  }

  int_type underflow() override {
    if (gptr() < egptr()) {
      return traits_type::to_int_type(*gptr());
    }
    ssize_t got = 0;
    do {
      got = ::read(fd_, buffer_.data(), buffer_.size());
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
      return traits_type::eof();
    }
    setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  off_type filePosition() const { return ::lseek(fd_, 0, SEEK_CUR); }

  int fd_;
  std::vector<char> buffer_;
};

std::string why(const std::filesystem::path& dir) {
  return "cannot spool the upload in " + dir.string() +
         " (import.spool_dir): " + std::error_code(errno, std::generic_category()).message();
}

int openAnonymous(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) {
    return fd;
  }
  // A file system without O_TMPFILE: a named file, unlinked at once.
  std::string name = (dir / "switchboard-upload-XXXXXX").string();
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error(why(dir));
  }
  ::unlink(name.c_str());
  return fd;
}

void writeAll(int fd, const char* data, size_t size, const std::filesystem::path& dir) {
  while (size > 0) {
    const ssize_t put = ::write(fd, data, size);
    if (put < 0 && errno == EINTR) {
      continue;
    }
    if (put <= 0) {
      throw std::runtime_error(why(dir));
    }
    data += put;
    size -= static_cast<size_t>(put);
  }
}

}  // namespace

ImportSpool::ImportSpool(std::istream& in, uint64_t maxBytes, const std::filesystem::path& dir) {
  const std::filesystem::path where = dir.empty() ? std::filesystem::temp_directory_path() : dir;
  fd_ = openAnonymous(where);
  try {
    std::vector<char> chunk(kReadChunk);
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
      size_ += static_cast<uint64_t>(in.gcount());
      if (size_ > maxBytes) {
        // The same words the importer uses: where the limit is met does not
        // matter to the person uploading.
        throw DomainError(DomainError::Kind::TooLarge,
                          "the file is larger than the import limit of " + std::to_string(maxBytes) + " bytes",
                          {{"limit_bytes", maxBytes}});
      }
      writeAll(fd_, chunk.data(), static_cast<size_t>(in.gcount()), where);
    }
    if (in.bad()) {
      throw std::runtime_error("the upload could not be read to its end");
    }
    if (::lseek(fd_, 0, SEEK_SET) != 0) {
      throw std::runtime_error(why(where));
    }
  } catch (...) {
    ::close(fd_);
    throw;
  }
  buffer_ = std::make_unique<FdReadBuffer>(fd_);
  stream_ = std::make_unique<std::istream>(buffer_.get());
}

ImportSpool::~ImportSpool() {
  stream_.reset();
  buffer_.reset();
  ::close(fd_);
}

}  // namespace sb::core
