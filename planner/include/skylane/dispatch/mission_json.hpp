// JSON form of missions and restrictions: the journal's row format and the simulator's and
// tools' output. Lossless round trip (trajectory times in ms, coordinates as stored).
#pragma once

#include <string>
#include <string_view>

#include "skylane/core/error.hpp"
#include "skylane/dispatch/mission.hpp"

namespace skylane::dispatch {

[[nodiscard]] std::string mission_to_json(const Mission& mission);
/// Errors: JOURNAL_CORRUPT naming the missing or ill-typed field.
[[nodiscard]] Result<Mission> mission_from_json(std::string_view json);

[[nodiscard]] std::string restriction_to_json(const RestrictionSpec& restriction);
[[nodiscard]] Result<RestrictionSpec> restriction_from_json(std::string_view json);

}  // namespace skylane::dispatch
