#include "hotkey/tty_source.h"

#include <cerrno>

#include <unistd.h>

namespace ptt::hotkey {

void TtySource::on_readable(int fd, std::vector<HotkeyEvent>& out) {
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    fd_ = -1;  // the terminal went away: no more toggles
    return;
  }
  for (ssize_t i = 0; i < n; ++i)
    if (buf[i] == '\n') out.push_back(HotkeyEvent::kToggle);
}

}  // namespace ptt::hotkey
