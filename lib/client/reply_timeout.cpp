#include "client/reply_timeout.h"

#include <fstream>
#include <string_view>

#include <fmt/format.h>
#include <sys/socket.h>

namespace ptt::client {

long daemon_pid_of(int socket_fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.pid <= 0) return 0;
  // The listener's creator: the daemon itself, unless systemd made the socket for it.
  std::ifstream comm(fmt::format("/proc/{}/comm", cred.pid));
  std::string name;
  std::getline(comm, name);
  return name == "ptt-taskd" ? cred.pid : 0;
}

bool process_stopped(long pid) {
  if (pid <= 0) return false;
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  std::getline(in, stat);
  // "PID (comm) S ...": the state follows the last ')' (comm may hold one itself).
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  char state = stat[close + 2];
  return state == 'T' || state == 't';
}

std::string seconds_text(std::chrono::milliseconds d) {
  return fmt::format("{:g} s", static_cast<double>(d.count()) / 1000.0);
}

std::string no_answer_message(std::chrono::milliseconds waited, long pid, const std::string& raise_hint) {
  std::string who = pid > 0 ? fmt::format("ptt-taskd (pid {})", pid) : std::string("the daemon");
  std::string head = fmt::format("{} did not answer within {}", who, seconds_text(waited));
  if (process_stopped(pid)) {
    return fmt::format(
        "{}: it is stopped; resume it with `kill -CONT {}`, or check it with `ptt-task doctor`", head, pid);
  }
  return fmt::format("{}; check it with `ptt-task doctor`{}", head, raise_hint);
}

}  // namespace ptt::client
