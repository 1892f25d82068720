#include "core/line_append.h"

#include <cerrno>
#include <string>

#include <unistd.h>

namespace ptt {

bool append_line(int fd, std::string_view text) {
  std::string line;
  line.reserve(text.size() + 2);
  line += '\n';
  line += text;
  line += '\n';
  ssize_t n;
  do {
    n = ::write(fd, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n >= 0 && static_cast<std::size_t>(n) != line.size())
    errno = ENOSPC;  // the disk or the size limit is full
  return n >= 0 && static_cast<std::size_t>(n) == line.size();
}

}  // namespace ptt
