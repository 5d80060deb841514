#include "contacts/ZipPackage.h"

#include <switchboard/core/contacts/CsvReader.h>
#include <switchboard/core/log/Logging.h>

#include <Poco/Exception.h>
#include <Poco/Zip/ParseCallback.h>
#include <Poco/Zip/SkipCallback.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipLocalFileHeader.h>
#include <Poco/Zip/ZipStream.h>

#include <array>
#include <streambuf>

namespace sb::core {
namespace {

CsvError broken(const std::string& why) {
  return CsvError(
      "the workbook cannot be read (" + why + "); open it in Excel, save it again as .xlsx, and upload that", 1);
}

CsvError bomb(const std::string& name, const std::string& why) {
  return CsvError("the workbook is refused: its part " + name + " " + why +
                      " (a damaged or deliberately oversized file); save the sheet as .xlsx or CSV and upload that",
                  1);
}

/// The directory's entries are counted and checked as Poco walks the local
/// headers, before anything is inflated; the data itself is skipped.
class BoundedWalk final : public Poco::Zip::ParseCallback {
 public:
  explicit BoundedWalk(const ZipLimits& limits) : limits_(limits) {}

  bool handleZipEntry(std::istream& zip, const Poco::Zip::ZipLocalFileHeader& header) override {
    if (++entries_ > limits_.maxEntries) {
      throw CsvError("the workbook is refused: it has more than " + std::to_string(limits_.maxEntries) +
                         " parts (a spreadsheet has a few dozen); save it as .xlsx or CSV and upload that",
                     1);
    }
    if (!header.searchCRCAndSizesAfterData()) checkDeclared(header.getFileName(), header);
    return skip_.handleZipEntry(zip, header);
  }

  template <typename Entry>
  void checkDeclared(const std::string& name, const Entry& entry) const {
    const uint64_t size = entry.getUncompressedSize();
    const uint64_t packed = entry.getCompressedSize();
    if (size > limits_.maxEntryBytes) {
      throw bomb(name, "says it holds " + std::to_string(size) + " bytes, over the limit of " +
                           std::to_string(limits_.maxEntryBytes));
    }
    if (size > limits_.ratioFloorBytes && size / std::max<uint64_t>(packed, 1) > limits_.maxRatio) {
      throw bomb(name, "is compressed more than " + std::to_string(limits_.maxRatio) + " to 1");
    }
  }

 private:
  const ZipLimits& limits_;
  size_t entries_ = 0;
  Poco::Zip::SkipCallback skip_;
};

/// An entry's bytes through Poco's inflater, counted: past the entry limit
/// or the compression ratio the read fails, whatever the directory said.
class BoundedEntry final : public std::streambuf {
 public:
  BoundedEntry(std::istream& zip, const Poco::Zip::ZipLocalFileHeader& header, uint64_t packed, const ZipLimits& limits)
      : zip_(zip, header, true), name_(header.getFileName()), packed_(std::max<uint64_t>(packed, 1)), limits_(limits) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    std::streamsize got = 0;
    try {
      zip_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      got = zip_.gcount();
    } catch (const Poco::Exception& e) {
      logger("contacts")->info("an uploaded zip's part {} could not be read: {}", name_, e.displayText());
      throw broken("its part " + name_ + " is damaged");
    }
    if (got <= 0) return traits_type::eof();
    total_ += static_cast<uint64_t>(got);
    if (total_ > limits_.maxEntryBytes) {
      throw bomb(name_, "inflates to more than " + std::to_string(limits_.maxEntryBytes) + " bytes");
    }
    if (total_ > limits_.ratioFloorBytes && total_ / packed_ > limits_.maxRatio) {
      throw bomb(name_, "is compressed more than " + std::to_string(limits_.maxRatio) + " to 1");
    }
    setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
    return traits_type::to_int_type(*gptr());
  }

 private:
  Poco::Zip::ZipInputStream zip_;
  std::string name_;
  uint64_t packed_;
  const ZipLimits& limits_;
  uint64_t total_ = 0;
  std::array<char, size_t{64} * 1024> buffer_{};
};

/// Owns the bounded buffer its stream reads.
class EntryStream final : public std::istream {
 public:
  explicit EntryStream(std::unique_ptr<BoundedEntry> buffer) : std::istream(buffer.get()), buffer_(std::move(buffer)) {
    // A limit or a corrupt entry thrown inside the buffer reaches the
    // reader as the CsvError it is, not as a silent end of file.
    exceptions(std::ios::badbit);
  }

 private:
  std::unique_ptr<BoundedEntry> buffer_;
};

}  // namespace

ZipPackage::ZipPackage(std::istream& in, ZipLimits limits) : in_(in), limits_(limits) {
  BoundedWalk walk(limits_);
  try {
    in_.clear();
    in_.seekg(0);
    archive_ = std::make_unique<Poco::Zip::ZipArchive>(in_, walk);
    // A zip ends with its directory: none means the file was cut short.
    if (archive_->fileInfoBegin() == archive_->fileInfoEnd()) {
      throw broken("it ends before its table of contents: the file is cut short or damaged");
    }
    // The central directory's sizes, where the local headers had none.
    for (auto it = archive_->fileInfoBegin(); it != archive_->fileInfoEnd(); ++it) {
      walk.checkDeclared(it->first, it->second);
    }
  } catch (const CsvError&) {
    throw;
  } catch (const Poco::Exception& e) {
    // Poco's words ("Failed to seek on input stream") help a developer, not
    // the person uploading: they go to the log.
    logger("contacts")->info("an uploaded zip could not be read: {}", e.displayText());
    throw broken("the file is cut short or damaged");
  } catch (const std::exception& e) {
    logger("contacts")->info("an uploaded zip could not be read: {}", e.what());
    throw broken("the file is cut short or damaged");
  }
}

ZipPackage::~ZipPackage() = default;

bool ZipPackage::has(const std::string& name) const {
  return archive_->findHeader(name) != archive_->headerEnd();
}

std::vector<std::string> ZipPackage::names() const {
  std::vector<std::string> out;
  for (auto it = archive_->headerBegin(); it != archive_->headerEnd(); ++it) out.push_back(it->first);
  return out;
}

std::unique_ptr<std::istream> ZipPackage::open(const std::string& name) const {
  const auto header = archive_->findHeader(name);
  if (header == archive_->headerEnd()) throw broken("the part " + name + " is missing");
  uint64_t packed = header->second.getCompressedSize();
  for (auto it = archive_->fileInfoBegin(); it != archive_->fileInfoEnd(); ++it) {
    if (it->first == name) packed = std::max(packed, it->second.getCompressedSize());
  }
  try {
    in_.clear();
    return std::make_unique<EntryStream>(std::make_unique<BoundedEntry>(in_, header->second, packed, limits_));
  } catch (const Poco::Exception& e) {
    logger("contacts")->info("an uploaded zip's part {} could not be read: {}", name, e.displayText());
    throw broken("its part " + name + " is damaged");
  }
}

}  // namespace sb::core
