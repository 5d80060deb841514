#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sb::core {

/// The in-list dedupe of an import: remembers the row on which each E.164
/// number first appeared, so a later row with the same number is reported as
/// its duplicate. A flat open-addressing table of numbers packed into 64 bits
/// (12 bytes a slot: a million numbers take 24 MiB where a node-based map
/// would take about 64) keeps the import's memory flat enough for its limit.
class FirstRowByNumber {
 public:
  FirstRowByNumber();

  /// The row `e164` first appeared on, or nullopt when the number is new
  /// (and `row` is then remembered as its first).
  std::optional<int64_t> firstOrRemember(std::string_view e164, int64_t row);

  /// The row remembered for `e164`, without remembering it when new.
  std::optional<int64_t> find(std::string_view e164) const;

  /// How many distinct numbers are remembered.
  size_t size() const { return size_ + unpacked_.size(); }

 private:
  /// "+" and up to 17 digits packed with their count (so "+1" and "+01"
  /// differ); nullopt for anything else, which goes to the slow map.
  static std::optional<uint64_t> pack(std::string_view e164);
  size_t slotOf(uint64_t key) const;
  void grow();

  std::vector<uint64_t> keys_;  ///< 0 = empty slot
  std::vector<uint32_t> rows_;
  size_t size_ = 0;
  std::unordered_map<std::string, int64_t> unpacked_;
};

}  // namespace sb::core
