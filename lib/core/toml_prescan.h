#pragma once
// toml++ bounds how deep values nest (256) but not dotted keys: a 6 MB line
// `a.a.a….a = 1` builds tables 3M deep, whose recursive destruction overflows the
// stack. This pre-scan bounds what one line can open before toml++ reads the text.
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/json_depth.h"

namespace ptt {

// The first line (1-based) on which the dots, '[' and '{' outside strings and
// comments number more than max_depth: the most a line's keys and values can nest
// (an overestimate: a float's dot counts too, harmless in a config file).
inline std::optional<std::size_t> toml_line_too_deep(std::string_view text,
                                                     std::size_t max_depth = kMaxJsonDepth) {
  std::size_t line = 1, openers = 0;
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral } in = In::kCode;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      openers = 0;
      if (in == In::kComment || in == In::kBasic || in == In::kLiteral) in = In::kCode;
      continue;
    }
    auto starts = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
    switch (in) {
      case In::kComment:
        break;
      case In::kBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n')
          ++i;  // the escaped character
        else if (c == '"')
          in = In::kCode;
        break;
      case In::kLiteral:
        if (c == '\'') in = In::kCode;
        break;
      case In::kMultiBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n')
          ++i;
        else if (starts("\"\"\""))
          in = In::kCode, i += 2;
        break;
      case In::kMultiLiteral:
        if (starts("'''")) in = In::kCode, i += 2;
        break;
      case In::kCode:
        if (c == '#') {
          in = In::kComment;
        } else if (starts("\"\"\"")) {
          in = In::kMultiBasic, i += 2;
        } else if (starts("'''")) {
          in = In::kMultiLiteral, i += 2;
        } else if (c == '"') {
          in = In::kBasic;
        } else if (c == '\'') {
          in = In::kLiteral;
        } else if ((c == '.' || c == '[' || c == '{') && ++openers > max_depth) {
          return line;
        }
        break;
    }
  }
  return std::nullopt;
}

}  // namespace ptt
