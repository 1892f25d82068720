#pragma once
// What toml++ (3.3, Debian 12) must not be given, found before it reads the text.
// Each but the last is a TOML syntax error anyway:
// - dotted keys nested too deep: toml++ bounds how deep values nest (256) but not
//   dotted keys; a 6 MB line `a.a.a….a = 1` builds tables 3M deep, whose recursive
//   destruction overflows the stack;
// - a non-ASCII character where toml++ looks for whitespace: its
//   is_non_ascii_horizontal_whitespace() reaches __builtin_unreachable() on U+00A1–
//   U+0499, U+2C5E–U+3057 and U+FB26–U+FEFE (found by fuzz_config), undefined behaviour. TOML allows
//   no such character outside strings and comments, and toml++ reads a value's token
//   on until a terminator, so a string glued to a value (`x = 1"…"`, `x = +{"…"`) or a
//   control character inside a token would carry it there too; and toml++ tests the
//   first character after a multi-line string's line-ending backslash the same way,
//   so a non-ASCII one there is refused although TOML allows it.
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/json_depth.h"

namespace ptt {

struct TomlPrescanFault {
  enum class Kind {
    kTooDeep,                 // the dots, '[' and '{' outside strings and comments number more than
                              // max_depth: the most a line's keys and values can nest (an overestimate:
                              // a float's dot counts too, harmless in a config file)
    kNonAscii,                // a byte >= 0x80 outside strings and comments
    kNonAsciiAfterBackslash,  // in a multi-line string, the first character after a
                              // line-ending backslash's blanks: toml++ tests it for whitespace
    kNonAsciiEscape,          // `\` then a non-ASCII character in a string: toml++ tests it for
                              // whitespace (a line-ending backslash may have blanks after it)
    kControl,                 // a control character (other than tab and line ends) outside them
    kGluedString,             // a string, array or inline table opened right after a value's character
  };
  Kind kind;
  std::size_t line;  // 1-based
};

// The first fault in `text`, or nullopt when toml++ may read it.
std::optional<TomlPrescanFault> toml_prescan(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

// The fault in words, for "FILE:LINE: <this>; fix that line".
const char* toml_prescan_fault_text(TomlPrescanFault::Kind kind);

}  // namespace ptt
