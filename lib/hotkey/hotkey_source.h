#pragma once
// What the poll loop needs from a hotkey source: fds to watch, and what a readable
// fd meant. Sources: evdev keyboards, signals (SIGUSR1/SIGUSR2), a terminal's Enter.
#include <string>
#include <vector>

#include "hotkey/evdev_records.h"

namespace ptt::hotkey {

class HotkeySource {
 public:
  virtual ~HotkeySource() = default;
  // The fds to poll for reading now (the set may change after on_readable).
  virtual std::vector<int> fds() const = 0;
  // `fd` is readable (or hung up): read it and append what happened.
  virtual void on_readable(int fd, std::vector<HotkeyEvent>& out) = 0;
  // For the readiness line, e.g. "evdev F9 on /dev/input/event3".
  virtual std::string describe() const = 0;
};

}  // namespace ptt::hotkey
