// Error values shared by every skylane module: a canonical code (mirrors google.rpc.Code),
// a stable UPPER_SNAKE reason from one append-only catalogue, and a message naming the
// offending file, field or value. Core APIs return Result<T>; nothing throws across them.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace skylane {

/// Canonical status codes, numbered as google.rpc.Code so the service maps them 1:1.
enum class Code {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

/// Process exit codes (sysexits.h values) used by every skylane program.
namespace exit_code {
inline constexpr int kOk = 0;
inline constexpr int kUsage = 64;
inline constexpr int kDataErr = 65;
inline constexpr int kNoInput = 66;
inline constexpr int kUnavailable = 69;
inline constexpr int kSoftware = 70;
inline constexpr int kIoErr = 74;
inline constexpr int kConfig = 78;
}  // namespace exit_code

/// One row of the error catalogue: a reason and what it maps to everywhere.
struct ErrorSpec {
  std::string_view reason;
  Code code;
  int exit_code;
  std::string_view summary;
};

struct Error {
  Code code = Code::kInternal;
  std::string reason;   ///< stable UPPER_SNAKE identifier from the catalogue
  std::string message;  ///< human text naming the file, field or value at fault

  /// Exit code for a CLI that fails with this error (from the catalogue; 70 if unknown).
  [[nodiscard]] int exit_code() const;
  /// "REASON: message", the form printed on stderr and logged.
  [[nodiscard]] std::string to_string() const;
};

template <class T>
using Result = tl::expected<T, Error>;

/// Builds an Error for a catalogued reason; the code comes from the catalogue. An unknown
/// reason yields code kInternal so a typo is visible rather than silently mapped.
[[nodiscard]] Error make_error(std::string_view reason, std::string message);

/// Convenience for `return fail(...)` in functions returning Result<T>.
[[nodiscard]] inline tl::unexpected<Error> fail(std::string_view reason, std::string message) {
  return tl::unexpected<Error>(make_error(reason, std::move(message)));
}

/// Looks a reason up in the catalogue; nullptr if it is not there.
[[nodiscard]] const ErrorSpec* find_error_spec(std::string_view reason);

/// The whole catalogue, in definition order (append-only).
[[nodiscard]] std::pair<const ErrorSpec*, std::size_t> error_catalogue();

/// Canonical code name as in google.rpc.Code ("INVALID_ARGUMENT").
[[nodiscard]] std::string_view code_name(Code code);

}  // namespace skylane
