#include "skylane/service/service_config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "skylane/vehicle/vehicle_catalogue.hpp"

extern char** environ;

namespace skylane::service {
namespace {

namespace fs = std::filesystem;

std::string where(const std::string& file, const toml::node& n, const std::string& key) {
  std::ostringstream os;
  os << file << ":" << n.source().begin.line << ": " << key;
  return os.str();
}

tl::unexpected<Error> invalid(const std::string& what, const std::string& why) {
  return fail("CONFIG_INVALID_VALUE", what + ": " + why);
}

// Typed readers: each refuses the wrong TOML type, naming the key and line.
Result<void> read_string(const toml::node& n, const std::string& w, std::string& out) {
  const auto* v = n.as_string();
  if (!v) return invalid(w, "expected a string");
  out = v->get();
  return {};
}
Result<void> read_bool(const toml::node& n, const std::string& w, bool& out) {
  const auto* v = n.as_boolean();
  if (!v) return invalid(w, "expected true or false");
  out = v->get();
  return {};
}
template <class Int>
Result<void> read_int(const toml::node& n, const std::string& w, Int& out) {
  const auto* v = n.as_integer();
  if (!v) return invalid(w, "expected an integer");
  out = static_cast<Int>(v->get());
  return {};
}

Result<void> apply_tls(TlsConfig& tls, const toml::table& t, const std::string& file) {
  for (const auto& [k, node] : t) {
    const std::string key(k.str());
    const std::string w = where(file, node, "tls." + key);
    if (key == "cert") {
      if (auto r = read_string(node, w, tls.cert); !r) return r;
    } else if (key == "key") {
      if (auto r = read_string(node, w, tls.key); !r) return r;
    } else if (key == "client_ca") {
      if (auto r = read_string(node, w, tls.client_ca); !r) return r;
    } else if (key == "require_client_cert") {
      if (auto r = read_bool(node, w, tls.require_client_cert); !r) return r;
    } else {
      return fail("CONFIG_UNKNOWN_KEY", w + " is not a known key (cert, key, client_ca, "
                                            "require_client_cert)");
    }
  }
  return {};
}

Result<void> apply_limits(LimitsConfig& l, const toml::table& t, const std::string& file) {
  for (const auto& [k, node] : t) {
    const std::string key(k.str());
    const std::string w = where(file, node, "limits." + key);
    Result<void> r;
    if (key == "max_message_bytes") {
      r = read_int(node, w, l.max_message_bytes);
    } else if (key == "max_concurrent_plans") {
      r = read_int(node, w, l.max_concurrent_plans);
    } else if (key == "default_deadline_ms") {
      r = read_int(node, w, l.default_deadline_ms);
    } else if (key == "plan_budget_ms") {
      r = read_int(node, w, l.plan_budget_ms);
    } else if (key == "shutdown_grace_ms") {
      r = read_int(node, w, l.shutdown_grace_ms);
    } else if (key == "max_watchers") {
      r = read_int(node, w, l.max_watchers);
    } else {
      return fail("CONFIG_UNKNOWN_KEY",
                  w + " is not a known key (max_message_bytes, max_concurrent_plans, "
                      "default_deadline_ms, plan_budget_ms, shutdown_grace_ms, max_watchers)");
    }
    if (!r) return r;
  }
  return {};
}

Result<void> apply_tokens(std::vector<TokenEntry>& tokens, const toml::node& node,
                          const std::string& file) {
  const auto* arr = node.as_array();
  if (!arr) return invalid(where(file, node, "tokens"), "expected an array of tables [[tokens]]");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].as_table();
    const std::string base = "tokens[" + std::to_string(i) + "]";
    if (!t) return invalid(where(file, (*arr)[i], base), "expected a table");
    TokenEntry e;
    for (const auto& [k, n] : *t) {
      const std::string key(k.str());
      const std::string w = where(file, n, base + "." + key);
      if (key == "operator") {
        if (auto r = read_string(n, w, e.operator_id); !r) return r;
      } else if (key == "sha256") {
        if (auto r = read_string(n, w, e.sha256_hex); !r) return r;
      } else if (key == "roles") {
        const auto* roles = n.as_array();
        if (!roles) return invalid(w, "expected an array of strings");
        for (const auto& rn : *roles) {
          const auto* s = rn.as_string();
          if (!s) return invalid(w, "expected an array of strings");
          e.roles.push_back(s->get());
        }
      } else {
        return fail("CONFIG_UNKNOWN_KEY", w + " is not a known key (operator, sha256, roles)");
      }
    }
    tokens.push_back(std::move(e));
  }
  return {};
}

bool parse_bool_text(const std::string& s, bool& out) {
  if (s == "1" || s == "true" || s == "yes" || s == "on") {
    out = true;
    return true;
  }
  if (s == "0" || s == "false" || s == "no" || s == "off") {
    out = false;
    return true;
  }
  return false;
}

template <class Int>
bool parse_int_text(const std::string& s, Int& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  out = static_cast<Int>(v);
  return true;
}

std::string toml_quote(const std::string& s) {
  std::ostringstream os;
  os << toml::value<std::string>(s);
  return os.str();
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

Result<void> check_readable(const std::string& path, const std::string& key) {
  if (path.empty()) return {};
  std::ifstream in(path);
  if (!in) return fail("FILE_NOT_FOUND", key + ": cannot read '" + path + "'");
  return {};
}

}  // namespace

std::string state_dir() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return std::string(x) + "/skylane";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/state/skylane";
  return ".";
}

ServiceConfig default_config() {
  ServiceConfig c;
  if (const char* m = std::getenv("SKYLANE_MAP"); m && *m) {
    c.map = m;
  } else {
#ifdef SKYLANE_DEFAULT_MAP
    c.map = SKYLANE_DEFAULT_MAP;
#endif
  }
  c.catalogue = vehicle::default_catalogue_path();
  const std::string dir = state_dir();
  c.db = dir + "/skylaned.db";
  c.token_file = dir + "/skylaned.token";
  return c;
}

Result<void> apply_config_file(ServiceConfig& c, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("FILE_NOT_FOUND", "config file '" + path + "' cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  toml::table root;
  try {
    root = toml::parse(buf.str(), std::string_view(path));
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
       << e.description();
    return fail("CONFIG_PARSE_ERROR", os.str());
  }
  for (const auto& [k, node] : root) {
    const std::string key(k.str());
    const std::string w = where(path, node, key);
    Result<void> r;
    if (key == "listen") {
      r = read_string(node, w, c.listen);
    } else if (key == "allow_insecure_remote") {
      r = read_bool(node, w, c.allow_insecure_remote);
    } else if (key == "map") {
      r = read_string(node, w, c.map);
    } else if (key == "catalogue") {
      r = read_string(node, w, c.catalogue);
    } else if (key == "db") {
      r = read_string(node, w, c.db);
    } else if (key == "journal_synchronous") {
      r = read_string(node, w, c.journal_synchronous);
    } else if (key == "metrics_listen") {
      r = read_string(node, w, c.metrics_listen);
    } else if (key == "log_level") {
      r = read_string(node, w, c.log_level);
    } else if (key == "log_format") {
      r = read_string(node, w, c.log_format);
    } else if (key == "token_file") {
      r = read_string(node, w, c.token_file);
    } else if (key == "port_file") {
      r = read_string(node, w, c.port_file);
    } else if (key == "tls") {
      const auto* t = node.as_table();
      if (!t) return invalid(w, "expected a table [tls]");
      r = apply_tls(c.tls, *t, path);
    } else if (key == "limits") {
      const auto* t = node.as_table();
      if (!t) return invalid(w, "expected a table [limits]");
      r = apply_limits(c.limits, *t, path);
    } else if (key == "tokens") {
      c.tokens.clear();  // the file's list replaces the defaults (none)
      r = apply_tokens(c.tokens, node, path);
    } else {
      return fail("CONFIG_UNKNOWN_KEY",
                  w + " is not a known key (listen, allow_insecure_remote, map, catalogue, db, "
                      "journal_synchronous, metrics_listen, log_level, log_format, token_file, "
                      "port_file, [tls], [limits], [[tokens]])");
    }
    if (!r) return r;
  }
  return {};
}

std::map<std::string, std::string> environ_map() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

Result<void> apply_environment(ServiceConfig& c, const std::map<std::string, std::string>& env) {
  static const std::string kPrefix = "SKYLANED_";
  for (const auto& [name, value] : env) {
    if (name.rfind(kPrefix, 0) != 0) continue;
    const std::string key = name.substr(kPrefix.size());
    auto bad = [&](const std::string& why) { return invalid(name + "='" + value + "'", why); };
    std::string* str = nullptr;
    if (key == "LISTEN") str = &c.listen;
    if (key == "MAP") str = &c.map;
    if (key == "CATALOGUE") str = &c.catalogue;
    if (key == "DB") str = &c.db;
    if (key == "JOURNAL_SYNCHRONOUS") str = &c.journal_synchronous;
    if (key == "METRICS_LISTEN") str = &c.metrics_listen;
    if (key == "LOG_LEVEL") str = &c.log_level;
    if (key == "LOG_FORMAT") str = &c.log_format;
    if (key == "TOKEN_FILE") str = &c.token_file;
    if (key == "PORT_FILE") str = &c.port_file;
    if (key == "TLS_CERT") str = &c.tls.cert;
    if (key == "TLS_KEY") str = &c.tls.key;
    if (key == "TLS_CLIENT_CA") str = &c.tls.client_ca;
    if (str) {
      *str = value;
      continue;
    }
    std::int64_t* i64 = nullptr;
    if (key == "MAX_MESSAGE_BYTES") i64 = &c.limits.max_message_bytes;
    if (key == "DEFAULT_DEADLINE_MS") i64 = &c.limits.default_deadline_ms;
    if (key == "PLAN_BUDGET_MS") i64 = &c.limits.plan_budget_ms;
    if (key == "SHUTDOWN_GRACE_MS") i64 = &c.limits.shutdown_grace_ms;
    if (i64) {
      if (!parse_int_text(value, *i64)) return bad("expected an integer");
      continue;
    }
    if (key == "MAX_CONCURRENT_PLANS" || key == "MAX_WATCHERS") {
      int& target = key == "MAX_WATCHERS" ? c.limits.max_watchers : c.limits.max_concurrent_plans;
      if (!parse_int_text(value, target)) return bad("expected an integer");
      continue;
    }
    if (key == "ALLOW_INSECURE_REMOTE" || key == "TLS_REQUIRE_CLIENT_CERT") {
      bool& target =
          key == "ALLOW_INSECURE_REMOTE" ? c.allow_insecure_remote : c.tls.require_client_cert;
      if (!parse_bool_text(value, target)) return bad("expected true or false");
      continue;
    }
    return fail("CONFIG_UNKNOWN_KEY",
                "environment variable " + name +
                    " is not a skylaned setting (tokens can only come from the config file)");
  }
  return {};
}

bool is_loopback_address(const std::string& listen) {
  std::string host = listen;
  if (host.rfind("ipv4:", 0) == 0) host = host.substr(5);
  if (host.rfind("ipv6:", 0) == 0) host = host.substr(5);
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string::npos) return false;
    host = host.substr(1, close - 1);
  } else {
    const auto colon = host.rfind(':');
    if (colon != std::string::npos) host = host.substr(0, colon);
  }
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8: four dotted decimal parts, the first 127.
  if (host.rfind("127.", 0) != 0) return false;
  int dots = 0;
  for (char ch : host) {
    if (ch == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(ch))) {
      return false;
    }
  }
  return dots == 3;
}

Result<void> validate_config(const ServiceConfig& c) {
  if (c.listen.empty() || c.listen.find(':') == std::string::npos) {
    return invalid("listen '" + c.listen + "'", "expected HOST:PORT");
  }
  if (c.map.empty()) {
    return invalid("map", "no map file given (set map, SKYLANED_MAP, $SKYLANE_MAP or --map)");
  }
  if (c.catalogue.empty()) return invalid("catalogue", "no vehicle catalogue given");
  if (c.db.empty()) return invalid("db", "no journal path given");
  if (c.journal_synchronous != "full" && c.journal_synchronous != "normal") {
    return invalid("journal_synchronous '" + c.journal_synchronous + "'",
                   "expected \"full\" or \"normal\"");
  }
  static const std::set<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                                "error", "critical", "off"};
  if (!kLevels.count(c.log_level)) {
    return invalid("log_level '" + c.log_level + "'",
                   "expected trace, debug, info, warn, error, critical or off");
  }
  if (c.log_format != "text" && c.log_format != "json") {
    return invalid("log_format '" + c.log_format + "'", "expected \"text\" or \"json\"");
  }
  const auto& l = c.limits;
  if (l.max_message_bytes < 1024 || l.max_message_bytes > (std::int64_t{1} << 30)) {
    return invalid("limits.max_message_bytes " + std::to_string(l.max_message_bytes),
                   "expected 1024 .. 1073741824");
  }
  if (l.max_concurrent_plans < 0 || l.max_concurrent_plans > 1024) {
    return invalid("limits.max_concurrent_plans " + std::to_string(l.max_concurrent_plans),
                   "expected 0 (number of cores) .. 1024");
  }
  if (l.default_deadline_ms <= 0 || l.plan_budget_ms < 0 || l.shutdown_grace_ms < 0) {
    return invalid("limits",
                   "default_deadline_ms must be > 0, plan_budget_ms and "
                   "shutdown_grace_ms >= 0");
  }
  if (l.max_watchers < 1) return invalid("limits.max_watchers", "expected >= 1");
  const bool tls = !c.tls.cert.empty() || !c.tls.key.empty();
  if (tls && (c.tls.cert.empty() || c.tls.key.empty())) {
    return invalid("tls", "cert and key must be given together");
  }
  if (!c.tls.client_ca.empty() && !tls) {
    return invalid("tls.client_ca", "client certificates need a server cert and key");
  }
  if (c.tls.require_client_cert && c.tls.client_ca.empty()) {
    return invalid("tls.require_client_cert", "needs tls.client_ca");
  }
  if (auto r = check_readable(c.tls.cert, "tls.cert"); !r) return r;
  if (auto r = check_readable(c.tls.key, "tls.key"); !r) return r;
  if (auto r = check_readable(c.tls.client_ca, "tls.client_ca"); !r) return r;
  if (!tls && !c.allow_insecure_remote && !is_loopback_address(c.listen)) {
    return invalid("listen '" + c.listen + "'",
                   "plaintext is allowed only on a loopback address; configure [tls] cert and "
                   "key, or set allow_insecure_remote = true");
  }
  if (c.tokens.empty() && !is_loopback_address(c.listen)) {
    return invalid("tokens",
                   "no [[tokens]] configured: a generated local token is only "
                   "allowed on a loopback listen address");
  }
  std::set<std::string> hashes;
  for (std::size_t i = 0; i < c.tokens.size(); ++i) {
    const auto& t = c.tokens[i];
    const std::string w = "tokens[" + std::to_string(i) + "]";
    if (t.operator_id.empty() || t.operator_id.size() > 128) {
      return invalid(w + ".operator", "expected 1 .. 128 characters");
    }
    if (!is_hex64(t.sha256_hex)) {
      return invalid(w + ".sha256",
                     "expected 64 lower-case hex digits (sha256sum of the token; "
                     "`skylaned hash-token` prints it)");
    }
    if (!hashes.insert(t.sha256_hex).second) {
      return invalid(w + ".sha256", "the same token hash appears twice");
    }
    if (t.roles.empty()) return invalid(w + ".roles", "expected at least one role");
    for (const auto& r : t.roles) {
      if (r != role::kOperator && r != role::kAirspaceAuthority) {
        return invalid(w + ".roles '" + r + "'", "expected \"operator\" or \"airspace_authority\"");
      }
    }
  }
  return {};
}

std::string config_to_toml(const ServiceConfig& c) {
  std::ostringstream os;
  os << "# skylaned effective configuration (defaults < file < SKYLANED_* < flags)\n";
  os << "listen = " << toml_quote(c.listen) << "\n";
  os << "allow_insecure_remote = " << (c.allow_insecure_remote ? "true" : "false") << "\n";
  os << "map = " << toml_quote(c.map) << "\n";
  os << "catalogue = " << toml_quote(c.catalogue) << "\n";
  os << "db = " << toml_quote(c.db) << "\n";
  os << "journal_synchronous = " << toml_quote(c.journal_synchronous) << "\n";
  os << "metrics_listen = " << toml_quote(c.metrics_listen) << "\n";
  os << "log_level = " << toml_quote(c.log_level) << "\n";
  os << "log_format = " << toml_quote(c.log_format) << "\n";
  os << "token_file = " << toml_quote(c.token_file) << "\n";
  os << "port_file = " << toml_quote(c.port_file) << "\n";
  os << "\n[tls]\n";
  os << "cert = " << toml_quote(c.tls.cert) << "\n";
  os << "key = " << toml_quote(c.tls.key) << "\n";
  os << "client_ca = " << toml_quote(c.tls.client_ca) << "\n";
  os << "require_client_cert = " << (c.tls.require_client_cert ? "true" : "false") << "\n";
  os << "\n[limits]\n";
  os << "max_message_bytes = " << c.limits.max_message_bytes << "\n";
  os << "max_concurrent_plans = " << c.limits.max_concurrent_plans << "\n";
  os << "default_deadline_ms = " << c.limits.default_deadline_ms << "\n";
  os << "plan_budget_ms = " << c.limits.plan_budget_ms << "\n";
  os << "shutdown_grace_ms = " << c.limits.shutdown_grace_ms << "\n";
  os << "max_watchers = " << c.limits.max_watchers << "\n";
  for (const auto& t : c.tokens) {
    os << "\n[[tokens]]\n";
    os << "operator = " << toml_quote(t.operator_id) << "\n";
    os << "sha256 = " << toml_quote(t.sha256_hex) << "\n";
    os << "roles = [";
    for (std::size_t i = 0; i < t.roles.size(); ++i) {
      os << (i ? ", " : "") << toml_quote(t.roles[i]);
    }
    os << "]\n";
  }
  return os.str();
}

}  // namespace skylane::service
