#include "taskcli/text.h"

#include <cwchar>

#include <locale.h>

namespace ptt::taskcli {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// C.UTF-8 is built into glibc (2.35+), so this works with no locale files and in
// the static ptt-task; it is used only around the width lookups, so the tool's
// own locale (and its number formatting) stays "C". Null if unavailable.
locale_t utf8_locale() {
  static locale_t loc = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

// The next character of `s` from `i`: its length in bytes and its columns. Invalid
// UTF-8 and what wcwidth does not know (controls) count one column per byte or
// code point, as a terminal shows a replacement for them.
struct Glyph {
  std::size_t bytes = 1;
  std::size_t columns = 1;
};

Glyph next_glyph(std::string_view s, std::size_t i, bool utf8) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {};
  if (!utf8) {  // no locale: one column per code point
    std::size_t n = 1;
    while (i + n < s.size() && is_continuation(static_cast<unsigned char>(s[i + n]))) ++n;
    return {n, 1};
  }
  std::mbstate_t state{};
  wchar_t wc = 0;
  std::size_t n = std::mbrtowc(&wc, s.data() + i, s.size() - i, &state);
  if (n == static_cast<std::size_t>(-1) || n == static_cast<std::size_t>(-2) || n == 0) return {};
  int w = ::wcwidth(wc);
  return {n, w < 0 ? 1u : static_cast<std::size_t>(w)};
}

// Calls fn(glyph) for each character, with the UTF-8 locale in force.
template <typename Fn>
void for_each_glyph(std::string_view s, Fn fn) {
  locale_t utf8 = utf8_locale();
  locale_t saved = utf8 ? ::uselocale(utf8) : nullptr;
  for (std::size_t i = 0; i < s.size();) {
    Glyph g = next_glyph(s, i, utf8 != nullptr);
    if (!fn(i, g)) break;
    i += g.bytes;
  }
  if (utf8) ::uselocale(saved);
}

}  // namespace

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if (c >= 0x80) {  // ASCII, the common case, needs no lookup
      for_each_glyph(s, [&n](std::size_t, Glyph g) { return n += g.columns, true; });
      return n;
    }
  }
  return s.size();
}

std::string truncate_to_width(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return {};
  std::size_t kept = 0, end = 0;
  for_each_glyph(s, [&](std::size_t i, Glyph g) {
    if (kept + g.columns > width - 1) return false;  // one column for "…"
    kept += g.columns;
    end = i + g.bytes;
    return true;
  });
  std::string_view kept_text = s.substr(0, end);
  while (!kept_text.empty() && kept_text.back() == ' ') kept_text.remove_suffix(1);  // not "word …"
  return std::string(kept_text) + "…";
}

std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string pad_right(std::string_view s, std::size_t width) {
  std::string out(s);
  std::size_t w = display_width(s);
  if (w < width) out.append(width - w, ' ');
  return out;
}

}  // namespace ptt::taskcli
