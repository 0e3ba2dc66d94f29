// Local civil date-times of the simulator ("2025-07-01T06:00:00", in the map's time zone) to
// and from Unix milliseconds, without the C library's time zone state (deterministic).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "skylane/core/error.hpp"

namespace skylane::sim {

/// "YYYY-MM-DDTHH:MM[:SS]" local time at UTC offset `utc_offset_s` -> Unix ms.
/// Errors: INVALID_ARGUMENT naming the text.
[[nodiscard]] Result<std::int64_t> parse_local_time(std::string_view text,
                                                    std::int32_t utc_offset_s);
/// Unix ms -> "YYYY-MM-DDTHH:MM:SS" local time (milliseconds dropped).
[[nodiscard]] std::string format_local_time(std::int64_t unix_ms, std::int32_t utc_offset_s);

}  // namespace skylane::sim
