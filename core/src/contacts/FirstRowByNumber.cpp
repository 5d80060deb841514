#include <switchboard/core/contacts/FirstRowByNumber.h>

#include <limits>

namespace sb::core {
namespace {

constexpr size_t kInitialSlots = 1024;
constexpr size_t kMaxDigits = 17;  // 10^17 < 2^57: room for a 5-bit count

// splitmix64's finalizer: packed numbers share long prefixes.
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

FirstRowByNumber::FirstRowByNumber() : keys_(kInitialSlots, 0), rows_(kInitialSlots, 0) {}

std::optional<uint64_t> FirstRowByNumber::pack(std::string_view e164) {
  if (e164.size() < 2 || e164.size() > kMaxDigits + 1 || e164[0] != '+') return std::nullopt;
  uint64_t value = 0;
  for (char c : e164.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return (value << 5) | (e164.size() - 1);
}

size_t FirstRowByNumber::slotOf(uint64_t key) const {
  const size_t mask = keys_.size() - 1;
  size_t slot = mix(key) & mask;
  while (keys_[slot] != 0 && keys_[slot] != key) slot = (slot + 1) & mask;
  return slot;
}

std::optional<int64_t> FirstRowByNumber::firstOrRemember(std::string_view e164, int64_t row) {
  const auto key = pack(e164);
  if (!key || row < 0 || row > std::numeric_limits<uint32_t>::max()) {
    const auto [it, inserted] = unpacked_.try_emplace(std::string(e164), row);
    if (!inserted) return it->second;
    return std::nullopt;
  }
  size_t slot = slotOf(*key);
  if (keys_[slot] == *key) return static_cast<int64_t>(rows_[slot]);
  // Linear probing stays short below 70% full.
  if ((size_ + 1) * 10 > keys_.size() * 7) {
    grow();
    slot = slotOf(*key);
  }
  keys_[slot] = *key;
  rows_[slot] = static_cast<uint32_t>(row);
  ++size_;
  return std::nullopt;
}

std::optional<int64_t> FirstRowByNumber::find(std::string_view e164) const {
  if (const auto key = pack(e164)) {
    const size_t slot = slotOf(*key);
    if (keys_[slot] == *key) return static_cast<int64_t>(rows_[slot]);
  }
  // Rows past 32 bits are kept in the map even for packable numbers.
  if (auto it = unpacked_.find(std::string(e164)); it != unpacked_.end()) return it->second;
  return std::nullopt;
}

void FirstRowByNumber::grow() {
  std::vector<uint64_t> oldKeys(keys_.size() * 2, 0);
  std::vector<uint32_t> oldRows(rows_.size() * 2, 0);
  oldKeys.swap(keys_);
  oldRows.swap(rows_);
  for (size_t i = 0; i < oldKeys.size(); ++i) {
    if (oldKeys[i] == 0) continue;
    const size_t slot = slotOf(oldKeys[i]);
    keys_[slot] = oldKeys[i];
    rows_[slot] = oldRows[i];
  }
}

}  // namespace sb::core
