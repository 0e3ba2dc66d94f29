#include "skylane/service/auth.hpp"

#include <algorithm>
#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace skylane::service {

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

Result<std::string> generate_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return fail("INTERNAL", "the OpenSSL random generator failed");
  }
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kB64[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kB64[(acc << (6 - bits)) & 63]);
  return out;
}

Result<Principal> TokenTable::authenticate(
    const std::optional<std::string_view>& authorization) const {
  if (!authorization) {
    return fail("AUTH_MISSING", "no 'authorization: Bearer <token>' metadata");
  }
  static constexpr std::string_view kBearer = "Bearer ";
  const std::string_view h = *authorization;
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) {
    return fail("AUTH_MALFORMED", "the authorization metadata is not 'Bearer <token>'");
  }
  const std::string_view token = h.substr(kBearer.size());
  if (token.size() > 4096 ||
      !std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return fail("AUTH_MALFORMED", "the bearer token must be 1 .. 4096 visible ASCII characters");
  }
  const std::string digest = sha256_hex(token);
  const TokenEntry* match = nullptr;
  for (const auto& e : entries_) {
    // Hashes of equal length (validated at start); compare all of them in constant time.
    if (e.sha256_hex.size() == digest.size() &&
        CRYPTO_memcmp(e.sha256_hex.data(), digest.data(), digest.size()) == 0) {
      match = &e;
    }
  }
  if (!match) return fail("AUTH_INVALID_TOKEN", "the bearer token is not known");
  Principal p;
  p.operator_id = match->operator_id;
  for (const auto& r : match->roles) {
    if (r == role::kOperator) p.is_operator = true;
    if (r == role::kAirspaceAuthority) p.is_authority = true;
  }
  return p;
}

}  // namespace skylane::service
