#include "taskd/spawner.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/ndjson.h"

namespace ptt::taskd {
namespace {

bool write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// One '\n'-terminated line, or false at EOF/error.
bool read_line(int fd, std::string& buffer, std::string& line) {
  for (;;) {
    if (auto nl = buffer.find('\n'); nl != std::string::npos) {
      line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      return true;
    }
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

void redirect(int target, const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  ::dup2(fd, target);
  if (fd != target) ::close(fd);
}

[[noreturn]] void become_supervisor(const SupervisorSpec& spec) {
  ::setsid();
  redirect(0, "/dev/null", O_RDONLY);
  redirect(1, spec.log_dir / "stream.ndjson", O_WRONLY | O_CREAT | O_APPEND);
  redirect(2, spec.log_dir / "stderr.log", O_WRONLY | O_CREAT | O_APPEND);
  ::signal(SIGCHLD, SIG_DFL);  // the spawner ignores it; the supervisor waits for its agent
  ::_exit(run_supervisor(spec));
}

[[noreturn]] void spawner_main(int fd) {
  ::prctl(PR_SET_NAME, "ptt-spawner");
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // gone with the daemon; supervisors stay
  // Keep nothing of the daemon's (its locks above all: supervisors must not hold them).
  if (fd > 3) ::close_range(3, static_cast<unsigned>(fd) - 1, 0);
  ::close_range(static_cast<unsigned>(fd) + 1, ~0U, 0);
  // Supervisors are reaped automatically; the daemon watches them by pidfd.
  ::signal(SIGCHLD, SIG_IGN);
  std::string buffer, line;
  while (read_line(fd, buffer, line)) {
    SupervisorSpec spec;
    try {
      auto j = nlohmann::json::parse(line);
      spec.argv = j.at("argv").get<std::vector<std::string>>();
      spec.cwd = j.at("cwd").get<std::string>();
      spec.log_dir = j.at("log_dir").get<std::string>();
      spec.env = j.at("env").get<std::vector<std::string>>();
      spec.kill_grace_ms = j.at("kill_grace_ms").get<int>();
      spec.agent_umask = j.at("umask").get<mode_t>();
    } catch (const std::exception&) {
      if (!write_all(fd, "-1 22\n")) break;
      continue;
    }
    // SIGTERM stays blocked in the child until its agent exists (see supervise).
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &term, &old);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fd);
      become_supervisor(spec);
    }
    int err = errno;
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (!write_all(fd, std::to_string(pid) + " " + std::to_string(pid < 0 ? err : 0) + "\n")) break;
  }
  ::_exit(0);
}

}  // namespace

Spawner::~Spawner() {
  if (fd_ >= 0) ::close(fd_);  // the spawner reads EOF and exits
  if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
}

bool Spawner::start() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
  // Every signal blocked across fork; the child resets them before unblocking,
  // so no daemon (libuv) handler ever runs in it.
  sigset_t all, old;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::fork();
  if (pid == 0) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::close(fds[0]);
    spawner_main(fds[1]);
  }
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    return false;
  }
  fd_ = fds[0];
  pid_ = pid;
  return true;
}

pid_t Spawner::spawn(const SupervisorSpec& spec) {
  if (fd_ < 0) {
    errno = ECHILD;
    return -1;
  }
  nlohmann::json j = {{"argv", spec.argv},
                      {"cwd", spec.cwd},
                      {"log_dir", spec.log_dir.string()},
                      {"env", spec.env},
                      {"kill_grace_ms", spec.kill_grace_ms},
                      {"umask", spec.agent_umask}};
  std::string reply, buffer;
  if (!write_all(fd_, to_ndjson(j)) || !read_line(fd_, buffer, reply)) {
    ::close(fd_);  // the spawner is gone; callers fall back to start_supervisor
    fd_ = -1;
    errno = ECHILD;
    return -1;
  }
  long pid = -1;
  int err = 0;
  std::sscanf(reply.c_str(), "%ld %d", &pid, &err);
  if (pid < 0) errno = err;
  return static_cast<pid_t>(pid);
}

}  // namespace ptt::taskd
