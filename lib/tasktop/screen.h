#pragma once
// The one place `ptt-task top` touches curses (ncursesw): it draws a Frame,
// turns key presses into Keys, follows the terminal's size, and hands the
// terminal back (endwin) on suspend and on destruction, so every way out of the
// dashboard restores the screen.
#include <optional>

#include "tasktop/model.h"

namespace ptt::tasktop {

class Screen {
 public:
  // Takes over the terminal on stdin/stdout; throws std::runtime_error when curses
  // cannot drive it (e.g. an unknown TERM).
  explicit Screen(bool color);
  ~Screen();
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;

  int width() const;
  int height() const;
  void draw(const Frame& frame);
  // The next pending key, without waiting; nullopt when none is waiting.
  std::optional<Key> read_key();
  // After SIGWINCH: takes the terminal's new size (the next draw uses it).
  void resize();
  // Hands the terminal back for another program (`logs -f`), then takes it again.
  void suspend();
  void resume();

 private:
  void* screen_ = nullptr;  // SCREEN*, kept opaque so callers need no curses header
  bool color_ = false;
  bool suspended_ = false;
};

}  // namespace ptt::tasktop
