#include "tasktop/signals.h"

#include <cerrno>
#include <csignal>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ptt::tasktop {

namespace {

int signal_pipe[2] = {-1, -1};

void on_signal(int sig) {
  int saved = errno;
  auto byte = static_cast<unsigned char>(sig);
  [[maybe_unused]] auto n = ::write(signal_pipe[1], &byte, 1);
  errno = saved;
}

}  // namespace

void catch_signals() {
  if (::pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create a pipe");
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGCHLD}) ::sigaction(sig, &sa, nullptr);
}

int signal_fd() { return signal_pipe[0]; }

std::uint64_t take_signals() {
  std::uint64_t seen = 0;
  unsigned char buf[64];
  ssize_t n;
  while ((n = ::read(signal_pipe[0], buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; ++i) seen |= std::uint64_t{1} << (buf[i] & 63);
  }
  return seen;
}

ChildEnd wait_child(pid_t child) {
  ChildEnd end;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(child, &status, WNOHANG);
    if (r == child) {
      end.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return end;
    }
    if (r < 0 && errno != EINTR) return end;
    // A SIGCHLD after the check above is a byte on the pipe: the poll returns at once.
    pollfd fd{signal_pipe[0], POLLIN, 0};
    ::poll(&fd, 1, -1);
    std::uint64_t sigs = take_signals();
    if ((has(sigs, SIGTERM) || has(sigs, SIGHUP)) && !end.quit) {
      end.quit = true;
      ::kill(child, SIGTERM);  // not reaped yet: the pid is still our child's
    }
  }
}

}  // namespace ptt::tasktop
