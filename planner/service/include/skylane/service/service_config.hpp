// skylaned's configuration: listen address, map, catalogue, journal, TLS, bearer tokens and
// request limits. Layered defaults < TOML file < SKYLANED_* environment < command-line flags;
// unknown keys (file) and unknown SKYLANED_* variables are errors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "skylane/core/error.hpp"

namespace skylane::service {

/// What a token may do.
namespace role {
inline constexpr const char* kOperator = "operator";  ///< submit / read / cancel own missions
inline constexpr const char* kAirspaceAuthority = "airspace_authority";  ///< restrictions
}  // namespace role

struct TokenEntry {
  std::string operator_id;
  std::string sha256_hex;  ///< lower-case hex SHA-256 of the token (64 chars)
  std::vector<std::string> roles;
};

struct TlsConfig {
  std::string cert;       ///< PEM file of the server certificate chain ("" = plaintext)
  std::string key;        ///< PEM file of its private key
  std::string client_ca;  ///< PEM file of CAs for client certificates ("" = none requested)
  bool require_client_cert = false;  ///< with client_ca: refuse clients without one
};

struct LimitsConfig {
  std::int64_t max_message_bytes = 1 << 20;   ///< per request and response
  int max_concurrent_plans = 0;               ///< 0 = number of cores
  std::int64_t default_deadline_ms = 10'000;  ///< when the client sets none (and the maximum)
  std::int64_t plan_budget_ms = 5'000;        ///< wall time per mission plan
  std::int64_t shutdown_grace_ms = 10'000;    ///< in-flight RPCs get this long on SIGTERM
  int max_watchers = 64;                      ///< concurrent WatchMissions streams
};

struct ServiceConfig {
  std::string listen = "127.0.0.1:50051";
  bool allow_insecure_remote = false;             ///< plaintext on a non-loopback address
  std::string map;                                ///< .skya file
  std::string catalogue;                          ///< vehicle catalogue TOML
  std::string db;                                 ///< SQLite journal
  std::string journal_synchronous = "full";       ///< "full" (default) or "normal"
  std::string metrics_listen = "127.0.0.1:9464";  ///< "" disables /metrics
  std::string log_level = "info";   ///< trace, debug, info, warn, error, critical, off
  std::string log_format = "text";  ///< "text" or "json"
  /// Where the generated local token is written when no tokens are configured (loopback only).
  std::string token_file;
  /// Written at start with the bound ports {"grpc_port": N, "metrics_port": M} (tests, bench).
  std::string port_file;
  TlsConfig tls;
  std::vector<TokenEntry> tokens;
  LimitsConfig limits;
};

/// Defaults: map = $SKYLANE_MAP or the map built beside the binaries (SKYLANE_DEFAULT_MAP),
/// catalogue = vehicle::default_catalogue_path(), db and token_file in state_dir().
[[nodiscard]] ServiceConfig default_config();

/// $XDG_STATE_HOME/skylane, else $HOME/.local/state/skylane, else "." (not created here).
[[nodiscard]] std::string state_dir();

/// Applies a TOML file over `config`. Errors: FILE_NOT_FOUND, CONFIG_PARSE_ERROR,
/// CONFIG_UNKNOWN_KEY, CONFIG_INVALID_VALUE (each naming the file, key and line).
[[nodiscard]] Result<void> apply_config_file(ServiceConfig& config, const std::string& path);

/// Applies SKYLANED_* variables from `env` (name -> value; pass environ_map()). Errors:
/// CONFIG_UNKNOWN_KEY for an unknown SKYLANED_ variable, CONFIG_INVALID_VALUE.
[[nodiscard]] Result<void> apply_environment(ServiceConfig& config,
                                             const std::map<std::string, std::string>& env);
/// The process environment as a map.
[[nodiscard]] std::map<std::string, std::string> environ_map();

/// Cross-field checks once every layer is applied: values in range, TLS files readable,
/// token entries well-formed (64 hex chars, known roles, unique hashes), plaintext only on
/// loopback unless allow_insecure_remote. Errors: CONFIG_INVALID_VALUE, FILE_NOT_FOUND.
[[nodiscard]] Result<void> validate_config(const ServiceConfig& config);

/// TOML text that apply_config_file reads back to the same config (--print-config).
[[nodiscard]] std::string config_to_toml(const ServiceConfig& config);

/// True for 127.0.0.0/8, ::1 and localhost listen addresses ("HOST:PORT", "[::1]:PORT").
[[nodiscard]] bool is_loopback_address(const std::string& listen);

}  // namespace skylane::service
