#include "tasktop/screen.h"

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <stdexcept>
#include <string>

#include <langinfo.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

namespace ptt::tasktop {

namespace {

enum ColorPair : short {
  kPairQueued = 1,
  kPairRunning,
  kPairSucceeded,
  kPairFailed,
  kPairWarning,
  kPairTitle
};

attr_t attributes(Paint p, bool color) {
  auto pair = [color](short n) -> attr_t { return color ? COLOR_PAIR(n) : 0; };
  switch (p) {
    case Paint::kNormal:
      return A_NORMAL;
    case Paint::kTitle:
      return color ? pair(kPairTitle) | A_BOLD : A_REVERSE | A_BOLD;
    case Paint::kHeader:
      return A_BOLD;
    case Paint::kSelected:
      return A_REVERSE;
    case Paint::kDim:
    case Paint::kCancelled:
      return A_DIM;
    case Paint::kQueued:
      return pair(kPairQueued);
    case Paint::kRunning:
      return pair(kPairRunning);
    case Paint::kSucceeded:
      return pair(kPairSucceeded);
    case Paint::kFailed:
      return pair(kPairFailed) | (color ? A_NORMAL : A_BOLD);
    case Paint::kKeys:
      return A_REVERSE;
    case Paint::kPrompt:
      return A_BOLD;
    case Paint::kWarning:
      return pair(kPairWarning) | A_BOLD;
  }
  return A_NORMAL;
}

// UTF-8 to wide characters (glibc's wchar_t is a code point), so curses measures
// each character's columns itself; a malformed byte becomes U+FFFD.
std::wstring widen(std::string_view s) {
  std::wstring out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || (extra > 0 && i + static_cast<std::size_t>(extra) >= s.size())) {
      out.push_back(L'\uFFFD');
      ++i;
      continue;
    }
    wchar_t cp = extra == 0 ? c : c & (0x3F >> extra);
    bool ok = true;
    for (int k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    out.push_back(ok ? cp : L'\uFFFD');
    i += ok ? static_cast<std::size_t>(extra) + 1 : 1;
  }
  return out;
}

std::string utf8(wint_t cp) {
  std::string out;
  auto c = static_cast<std::uint32_t>(cp);
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

// Adds as much of `text` as fits before column `width`, never wrapping.
void add_clipped(std::string_view text, int width) {
  std::wstring w = widen(text);
  int x = getcurx(stdscr);
  std::size_t n = 0;
  for (; n < w.size(); ++n) {
    int cols = ::wcwidth(w[n]);
    if (cols < 0) {
      w[n] = L'?';  // a control character never reaches the terminal
      cols = 1;
    }
    if (x + cols > width) break;
    x += cols;
  }
  if (n > 0) waddnwstr(stdscr, w.c_str(), static_cast<int>(n));
}

}  // namespace

Screen::Screen(bool color) : color_(color) {
  // ncursesw needs a UTF-8 character type to draw "…" and "─"; ptt's output is UTF-8
  // whatever the locale says, so fall back to C.UTF-8 when the environment's is not.
  std::setlocale(LC_CTYPE, "");
  if (std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0) std::setlocale(LC_CTYPE, "C.UTF-8");
  SCREEN* s = newterm(nullptr, stdout, stdin);
  if (!s) {
    const char* term = std::getenv("TERM");
    throw std::runtime_error(std::string("curses cannot drive this terminal (TERM=") +
                             (term ? term : "unset") +
                             "); set TERM to your terminal's type, or use `ptt-task list`");
  }
  screen_ = s;
  set_term(s);
  cbreak();  // keys at once; Ctrl-C and Ctrl-Z keep their signals
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  if (color_ && has_colors()) {
    start_color();
    use_default_colors();
    init_pair(kPairQueued, COLOR_YELLOW, -1);
    init_pair(kPairRunning, COLOR_CYAN, -1);
    init_pair(kPairSucceeded, COLOR_GREEN, -1);
    init_pair(kPairFailed, COLOR_RED, -1);
    init_pair(kPairWarning, COLOR_YELLOW, -1);
    init_pair(kPairTitle, COLOR_BLACK, COLOR_CYAN);
  } else {
    color_ = false;
  }
}

Screen::~Screen() {
  if (!suspended_) endwin();
  delscreen(static_cast<SCREEN*>(screen_));
}

int Screen::width() const { return COLS; }
int Screen::height() const { return LINES; }

void Screen::draw(const Frame& frame) {
  if (suspended_) return;
  int w = COLS, h = LINES;
  werase(stdscr);
  for (std::size_t row = 0; row < frame.lines.size() && static_cast<int>(row) < h; ++row) {
    const Line& line = frame.lines[row];
    wmove(stdscr, static_cast<int>(row), 0);
    for (const Span& span : line.spans) {
      wattrset(stdscr, attributes(span.paint, color_));
      add_clipped(span.text, w);
    }
    // Text that reached the last column leaves the cursor on the next row: nothing to fill.
    int x = getcury(stdscr) == static_cast<int>(row) ? getcurx(stdscr) : w;
    if (line.fill != Paint::kNormal && x < w) {
      mvwhline(stdscr, static_cast<int>(row), x, ' ' | attributes(line.fill, color_), w - x);
    }
  }
  wattrset(stdscr, A_NORMAL);
  if (frame.cursor_row >= 0 && frame.cursor_row < h) {
    wmove(stdscr, frame.cursor_row, std::min(frame.cursor_col, w - 1));
    curs_set(1);
  } else {
    curs_set(0);
  }
  wrefresh(stdscr);
}

std::optional<Key> Screen::read_key() {
  for (;;) {
    wint_t ch = 0;
    int rc = wget_wch(stdscr, &ch);
    if (rc == ERR) return std::nullopt;
    if (rc == KEY_CODE_YES) {
      switch (ch) {
        case KEY_UP:
          return Key::of(Key::kUp);
        case KEY_DOWN:
          return Key::of(Key::kDown);
        case KEY_PPAGE:
          return Key::of(Key::kPageUp);
        case KEY_NPAGE:
          return Key::of(Key::kPageDown);
        case KEY_HOME:
          return Key::of(Key::kHome);
        case KEY_END:
          return Key::of(Key::kEnd);
        case KEY_ENTER:
          return Key::of(Key::kEnter);
        case KEY_BACKSPACE:
          return Key::of(Key::kBackspace);
        default:
          continue;  // KEY_RESIZE (ours comes through resize()) and keys top does not use
      }
    }
    if (ch == L'\n' || ch == L'\r') return Key::of(Key::kEnter);
    if (ch == 127 || ch == 8) return Key::of(Key::kBackspace);
    if (ch == 27) return Key::of(Key::kEscape);
    if (ch < 32) continue;
    return Key::ch(utf8(ch));
  }
}

void Screen::resize() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    resizeterm(ws.ws_row, ws.ws_col);
  }
}

void Screen::suspend() {
  if (suspended_) return;
  def_prog_mode();
  endwin();
  suspended_ = true;
}

void Screen::resume() {
  if (!suspended_) return;
  suspended_ = false;
  reset_prog_mode();
  resize();  // the size may have changed meanwhile
  clearok(curscr, TRUE);
}

}  // namespace ptt::tasktop
