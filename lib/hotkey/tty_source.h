#pragma once
// --hotkey tty: each Enter on the terminal toggles recording on and off.
#include "hotkey/hotkey_source.h"

namespace ptt::hotkey {

class TtySource : public HotkeySource {
 public:
  explicit TtySource(int fd) : fd_(fd) {}
  std::vector<int> fds() const override { return fd_ >= 0 ? std::vector<int>{fd_} : std::vector<int>{}; }
  void on_readable(int fd, std::vector<HotkeyEvent>& out) override;
  std::string describe() const override { return "tty (press Enter to start and to stop)"; }

 private:
  int fd_;
};

}  // namespace ptt::hotkey
