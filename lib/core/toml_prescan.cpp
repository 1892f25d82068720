#include "core/toml_prescan.h"

#include <string>

namespace ptt {

std::optional<TomlPrescanFault> toml_prescan(std::string_view text, std::size_t max_depth) {
  using Kind = TomlPrescanFault::Kind;
  std::size_t line = 1, openers = 0;
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral } in = In::kCode;
  // Open brackets outside strings ('[' or '{'), across lines: a multi-line array keeps
  // its value context on the next line.
  std::string brackets;
  // Where a key is read (a line's start, a table header, after an inline table's '{'
  // or ','): there a '.' may stand before a quoted key (`a."b"`); in a value it may not.
  bool key_context = true;
  // What may stand right before a string, array or inline table: a line's start,
  // blanks, '=', '[', ',' and '{'; before a quoted key also a dotted key's '.'.
  auto may_open_here = [&](std::size_t i, char opener) {
    if (i == 0) return true;
    char before = text[i - 1];
    if (before == '.') return key_context && (opener == '"' || opener == '\'');
    return std::string_view(" \t\r\n=[,{").find(before) != std::string_view::npos;
  };
  // toml++ reads the blanks after a string's backslash as a possible line-ending one,
  // testing each for whitespace, and the first other character too.
  auto non_ascii_after_blanks = [&](std::size_t from) {
    std::size_t j = text.find_first_not_of(" \t\r", from);
    return j != std::string_view::npos && static_cast<unsigned char>(text[j]) >= 0x80;
  };
  // Inside a bare value (a number, date or boolean): toml++ reads it on to a blank,
  // ',', ']', '}', '#' or a line end, so an opener or '=' before that is read as part of it.
  bool in_bare_value = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      in_bare_value = false;
      ++line;
      openers = 0;
      if (in == In::kComment || in == In::kBasic || in == In::kLiteral) in = In::kCode;
      if (in == In::kCode && brackets.empty()) key_context = true;
      continue;
    }
    auto starts = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
    switch (in) {
      case In::kComment:
        break;
      case In::kBasic:
        if (c == '\\' && non_ascii_after_blanks(i + 1)) return TomlPrescanFault{Kind::kNonAsciiEscape, line};
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n')
          ++i;  // the escaped character
        else if (c == '"')
          in = In::kCode;
        break;
      case In::kLiteral:
        if (c == '\'') in = In::kCode;
        break;
      case In::kMultiBasic:
        if (c == '\\' && non_ascii_after_blanks(i + 1)) return TomlPrescanFault{Kind::kNonAsciiEscape, line};
        if (c == '\\') {
          std::size_t j = text.find_first_not_of(" \t\r", i + 1);
          if (j == std::string_view::npos || text[j] != '\n') {
            ++i;  // the escaped character
            break;
          }
          // A line-ending backslash: toml++ trims the blanks and line ends after it,
          // testing each character for whitespace, the first non-ASCII one included.
          std::size_t k = text.find_first_not_of(" \t\r\n", j);
          for (std::size_t n = j; n < (k == std::string_view::npos ? text.size() : k); ++n)
            line += text[n] == '\n';
          if (k == std::string_view::npos) return std::nullopt;
          if (static_cast<unsigned char>(text[k]) >= 0x80)
            return TomlPrescanFault{Kind::kNonAsciiAfterBackslash, line};
          i = k - 1;
        } else if (starts("\"\"\"")) {
          in = In::kCode, i += 2;
        }
        break;
      case In::kMultiLiteral:
        if (starts("'''")) in = In::kCode, i += 2;
        break;
      case In::kCode: {
        auto byte = static_cast<unsigned char>(c);
        if (in_bare_value && std::string_view(" \t\r,]}#").find(c) != std::string_view::npos)
          in_bare_value = false;
        else if (!key_context && std::string_view(" \t\r,]}#=[{\"'").find(c) == std::string_view::npos)
          in_bare_value = true;
        if (std::string_view("\"'[{").find(c) != std::string_view::npos &&
            (in_bare_value || !may_open_here(i, c)))
          return TomlPrescanFault{Kind::kGluedString, line};
        if (c == '=' && in_bare_value) return TomlPrescanFault{Kind::kGluedString, line};
        if (byte >= 0x80) return TomlPrescanFault{Kind::kNonAscii, line};
        if ((byte < 0x20 && c != '\t' && c != '\r') || byte == 0x7f)
          return TomlPrescanFault{Kind::kControl, line};
        if ((c == '.' || c == '[' || c == '{') && ++openers > max_depth)
          return TomlPrescanFault{Kind::kTooDeep, line};
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
        } else if (c == '=') {
          key_context = false;
        } else if (c == '{') {
          brackets.push_back(c);
          key_context = true;
        } else if (c == '[') {
          brackets.push_back(c);  // a table header keeps the key context, an array the value's
        } else if (c == ']' || c == '}') {
          if (!brackets.empty()) brackets.pop_back();
        } else if (c == ',') {
          key_context = !brackets.empty() && brackets.back() == '{';
        }
        break;
      }
    }
  }
  return std::nullopt;
}

const char* toml_prescan_fault_text(TomlPrescanFault::Kind kind) {
  switch (kind) {
    case TomlPrescanFault::Kind::kTooDeep:
      return "keys or values nested deeper than 512 levels";
    case TomlPrescanFault::Kind::kNonAscii:
      return "a non-ASCII character outside a string or comment (quote a key that needs one)";
    case TomlPrescanFault::Kind::kNonAsciiAfterBackslash:
      return "a non-ASCII character first after a line-ending backslash (toml++ 3.3 misreads it; end the "
             "line "
             "without the backslash)";
    case TomlPrescanFault::Kind::kNonAsciiEscape:
      return "a backslash before a non-ASCII character in a string (no such escape; blanks between do not "
             "help)";
    case TomlPrescanFault::Kind::kControl:
      return "a control character outside a string or comment";
    case TomlPrescanFault::Kind::kGluedString:
      return "a string, array or table right after a value (a missing comma or space?)";
  }
  return "unreadable";
}

}  // namespace ptt
