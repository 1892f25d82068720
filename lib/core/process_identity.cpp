#include "core/process_identity.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ptt {

std::optional<std::uint64_t> start_time_from_stat(const char* text) {
  // "PID (COMM) STATE PPID …": COMM may hold ") ", so fields count from the last ')'.
  const char* close = std::strrchr(text, ')');
  if (!close) return std::nullopt;
  const char* p = close + 1;
  // Field 3 (state) is the first after COMM; the start time is field 22.
  for (int field = 3; field < 22; ++field) {
    while (*p == ' ') ++p;
    if (!*p) return std::nullopt;
    while (*p && *p != ' ') ++p;
  }
  while (*p == ' ') ++p;
  if (*p < '0' || *p > '9') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(p, &end, 10);
  if (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0')) return std::nullopt;
  return static_cast<std::uint64_t>(value);
}

std::optional<std::uint64_t> process_start_time(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char text[1024];
  ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  text[n] = '\0';
  return start_time_from_stat(text);
}

int open_pidfd_if_same(pid_t pid, std::uint64_t start) {
  if (pid <= 0) {
    errno = ESRCH;
    return -1;
  }
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return -1;
  // Read after the pidfd exists: if the pid was taken by another process in between,
  // the start time read is that process's, which differs.
  auto now = process_start_time(pid);
  if (!now || *now != start) {
    ::close(fd);
    errno = ESRCH;
    return -1;
  }
  return fd;
}

int pidfd_signal(int pidfd, int signo, const sigval* value) {
  siginfo_t info;
  siginfo_t* infop = nullptr;
  if (value) {
    std::memset(&info, 0, sizeof info);
    info.si_signo = signo;
    info.si_code = SI_QUEUE;
    info.si_pid = ::getpid();
    info.si_uid = ::getuid();
    info.si_value = *value;
    infop = &info;
  }
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signo, infop, 0));
}

bool kill_group_if_same(pid_t leader, std::uint64_t start) {
  int fd = open_pidfd_if_same(leader, start);
  if (fd < 0) return false;
  // Stopped, the leader cannot exit, so its pid (the group's id) stays its own
  // while the group is killed; SIGKILL ends a stopped process too.
  bool stopped = pidfd_signal(fd, SIGSTOP) == 0;
  if (stopped) ::killpg(leader, SIGKILL);
  ::close(fd);
  return stopped;
}

}  // namespace ptt
