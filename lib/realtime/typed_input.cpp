#include "realtime/typed_input.h"

#include "core/ndjson.h"

namespace ptt::realtime {

TypedLine typed_line_to_event(std::string_view line) {
  constexpr std::string_view kSpace = " \t\r\n";
  std::size_t first = line.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  std::string_view text = line.substr(first, line.find_last_not_of(kSpace) - first + 1);
  if (text.front() == '{') {  // someone pasted an event: same as in a pipe
    JsonLine parsed = parse_json_line(text);
    if (!parsed.value) return {std::nullopt, parsed.error};
    return {std::move(parsed.value), {}};
  }
  return {nlohmann::json{{"type", "text"}, {"text", std::string(text)}}, {}};
}

}  // namespace ptt::realtime
