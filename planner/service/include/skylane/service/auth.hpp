// Bearer-token authentication for skylaned: tokens are stored only as SHA-256 hashes in the
// config; a presented token is hashed and compared in constant time against every entry.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skylane/core/error.hpp"
#include "skylane/service/service_config.hpp"

namespace skylane::service {

/// Who is calling, once authenticated.
struct Principal {
  std::string operator_id;
  bool is_operator = false;   ///< role "operator"
  bool is_authority = false;  ///< role "airspace_authority"
};

/// Lower-case hex SHA-256 of `data` (OpenSSL libcrypto).
[[nodiscard]] std::string sha256_hex(std::string_view data);

/// A fresh random token: 32 bytes from the OpenSSL CSPRNG, base64url without padding
/// (43 characters). Errors: INTERNAL if the generator is not seeded.
[[nodiscard]] Result<std::string> generate_token();

class TokenTable {
 public:
  explicit TokenTable(std::vector<TokenEntry> entries) : entries_(std::move(entries)) {}

  /// `authorization` is the metadata value (nullopt when absent). Errors (code
  /// UNAUTHENTICATED): AUTH_MISSING (no header), AUTH_MALFORMED (not "Bearer <token>" with a
  /// token of 1 .. 4096 visible ASCII characters), AUTH_INVALID_TOKEN (no entry matches).
  /// Every entry is compared, with CRYPTO_memcmp, whatever matches first.
  [[nodiscard]] Result<Principal> authenticate(
      const std::optional<std::string_view>& authorization) const;

  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  std::vector<TokenEntry> entries_;
};

}  // namespace skylane::service
