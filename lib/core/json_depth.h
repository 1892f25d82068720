#pragma once
// nlohmann's parser recurses once per nesting level: a peer's 1M-deep array would
// overflow the stack. This pre-scan counts the nesting of brackets outside strings
// without parsing, so a text too deep can be refused before it reaches the parser.
#include <cstddef>
#include <string>
#include <string_view>

namespace ptt {

inline constexpr std::size_t kMaxJsonDepth = 512;

// True when no object or array in `text` nests deeper than max_depth. The text need
// not be valid JSON: this only bounds what the parser would recurse into.
inline bool json_depth_within(std::string_view text, std::size_t max_depth = kMaxJsonDepth) {
  std::size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

// What a reader says of such a text (parse_json_line's error, the config file's).
inline std::string json_too_deep_message(std::size_t max_depth = kMaxJsonDepth) {
  return "JSON nested deeper than " + std::to_string(max_depth) + " levels";
}

}  // namespace ptt
