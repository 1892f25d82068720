#pragma once
// A line typed on a terminal: plain words are a text turn, a JSON object is taken as
// one stdin event (as in a pipe), a blank line is nothing.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ptt::realtime {

struct TypedLine {
  std::optional<nlohmann::json> event;  // unset: nothing to do (blank, or `error`)
  std::string error;                    // a line starting with '{' that is not JSON
};

TypedLine typed_line_to_event(std::string_view line);

}  // namespace ptt::realtime
