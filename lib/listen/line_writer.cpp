#include "listen/line_writer.h"

#include <cerrno>

#include <unistd.h>

namespace ptt::listen {

bool LineWriter::write(std::string_view lines) {
  while (ok_ && !lines.empty()) {
    ssize_t n = ::write(fd_, lines.data(), lines.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ok_ = false;  // EPIPE (SIGPIPE is ignored) or a real error: stop producing
      break;
    }
    lines.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_;
}

}  // namespace ptt::listen
