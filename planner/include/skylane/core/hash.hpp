// A fast, stable 64-bit hash for fingerprints and checksums of airspace files. Not
// cryptographic: it detects corruption and input changes, not tampering.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace skylane {

class Hasher64 {
 public:
  /// Mixes bytes into the state. Same bytes in the same order give the same hash on every
  /// platform (little-endian words are assembled explicitly).
  void update(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    length_ += size;
    while (size >= 8) {
      std::uint64_t w = 0;
      for (int i = 7; i >= 0; --i) w = (w << 8) | p[i];
      mix(w);
      p += 8;
      size -= 8;
    }
    std::uint64_t tail = 0;
    for (std::size_t i = size; i > 0; --i) tail = (tail << 8) | p[i - 1];
    if (size > 0) mix(tail ^ (0xA5ull << 56));
  }
  void update(std::string_view s) {
    const std::uint64_t n = s.size();
    update(&n, sizeof n);
    update(s.data(), s.size());
  }
  template <class T>
  void update_value(const T& v) {
    update(&v, sizeof v);
  }
  [[nodiscard]] std::uint64_t digest() const {
    std::uint64_t h = state_ ^ length_;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
  }

 private:
  void mix(std::uint64_t w) {
    w *= 0x87c37b91114253d5ull;
    w = (w << 31) | (w >> 33);
    w *= 0x4cf5ad432745937full;
    state_ ^= w;
    state_ = ((state_ << 27) | (state_ >> 37)) * 5 + 0x52dce729;
  }
  std::uint64_t state_ = 0x9E3779B97F4A7C15ull;
  std::uint64_t length_ = 0;
};

}  // namespace skylane
