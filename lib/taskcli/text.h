#pragma once
// Small text helpers for terminal output: UTF-8 aware width and truncation, and
// single-line sanitising of text that came from an agent.
#include <cstddef>
#include <string>
#include <string_view>

namespace ptt::taskcli {

// Terminal columns (wcwidth): 2 for CJK and most emoji, 0 for combining marks.
std::size_t display_width(std::string_view s);
// At most `width` columns; the last one becomes "…" when cut (spaces before it dropped).
std::string truncate_to_width(std::string_view s, std::size_t width);
// Control characters (newlines, tabs, escapes) become spaces; runs collapse; trimmed.
std::string one_line(std::string_view s);
// Pads with spaces on the right to `width` columns.
std::string pad_right(std::string_view s, std::size_t width);

}  // namespace ptt::taskcli
