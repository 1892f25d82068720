#pragma once
// `clean --older-than 7d`: durations a person types.
#include <optional>
#include <string_view>

namespace ptt::taskcli {

// Seconds in "30s", "10m", "2h", "7d", "1h30m" or a bare number of seconds;
// nullopt for anything else (empty, negative, unknown unit, no number before a unit).
std::optional<double> parse_duration(std::string_view text);

}  // namespace ptt::taskcli
