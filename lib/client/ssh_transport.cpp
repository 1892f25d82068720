#include "client/ssh_transport.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/spawn.h"

namespace ptt::client {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr int kSshFailed = 255;            // ssh's own status for its own errors
constexpr int kCommandNotFound = 127;      // the shell's, for a command it cannot find
constexpr std::size_t kKeptStderr = 8192;  // the end of ssh's stderr is what explains
// After our end closes, ssh finishes in one round trip to the host (its remote command
// sees end of file and exits); one that lingers past this is killed.
constexpr milliseconds kExitGrace{1000};

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The program of a remote command ("env A=1 /opt/ptt-task --no-autostart" runs
// /opt/ptt-task): its last word that is no option, all a person needs in a message.
std::string program_of(std::string_view remote_command) {
  std::string_view program = remote_command;
  std::size_t at = 0;
  while (at < remote_command.size()) {
    std::size_t end = std::min(remote_command.find(' ', at), remote_command.size());
    std::string_view word = remote_command.substr(at, end - at);
    if (!word.empty() && word.front() != '-') program = word;
    at = end + 1;
  }
  return std::string(program);
}

std::string config_hint(const Host& host) {
  if (host.name == host.url)  // given as a URL: no [hosts.NAME] table to point at
    return "or name it in a [hosts.NAME] table with remote-command = \"PATH/ptt-task\"";
  return fmt::format("or set remote-command = \"PATH/ptt-task\" in [hosts.{}]", host.name);
}

class SshTunnel : public Tunnel {
 public:
  SshTunnel(Host host, pid_t pid, int stderr_fd)
      : host_(std::move(host)),
        pid_(pid),
        stderr_fd_(stderr_fd),
        pidfd_(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))) {}
  SshTunnel(const SshTunnel&) = delete;
  SshTunnel& operator=(const SshTunnel&) = delete;

  ~SshTunnel() override {
    wait_end(kExitGrace);
    if (!reaped_) {
      ::kill(pid_, SIGTERM);
      wait_end(kExitGrace);
    }
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    ::close(stderr_fd_);
    if (pidfd_ >= 0) ::close(pidfd_);
  }

  std::string explain_loss(const std::string& what) override {
    DialEnd end = wait_end(kExitGrace * 2);
    drain_stderr();
    return explain_dial_end(host_, end, stderr_, what, std::getenv("PTT_SSH"));
  }

 private:
  // Waits at most `grace` for the child to end; reaps it when it did.
  const DialEnd& wait_end(milliseconds grace) {
    auto deadline = Clock::now() + grace;
    while (!reaped_) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        end_.exited = WIFEXITED(status);
        end_.status = end_.exited ? WEXITSTATUS(status) : 0;
        end_.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        break;
      }
      if (r < 0 && errno != EINTR) {
        reaped_ = true;  // not ours any more (reaped elsewhere): nothing to wait for
        break;
      }
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      if (pidfd_ >= 0) {
        pollfd p{pidfd_, POLLIN, 0};
        ::poll(&p, 1, static_cast<int>(left));
      } else {
        ::usleep(5000);
      }
    }
    return end_;
  }

  void drain_stderr() {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(stderr_fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // EAGAIN: a ControlMaster ssh left behind may hold the pipe open
      stderr_.append(buf, static_cast<std::size_t>(n));
      if (stderr_.size() > kKeptStderr) stderr_.erase(0, stderr_.size() - kKeptStderr);
    }
  }

  Host host_;
  pid_t pid_;
  int stderr_fd_;
  int pidfd_;
  bool reaped_ = false;
  DialEnd end_;
  std::string stderr_;
};

}  // namespace

std::string last_line(std::string_view text) {
  constexpr std::string_view kBlank = " \t\r\n";
  for (;;) {
    auto end = text.find_last_not_of(kBlank);
    if (end == std::string_view::npos) return {};
    text = text.substr(0, end + 1);
    auto start = text.find_last_of('\n');
    std::string_view line = start == std::string_view::npos ? text : text.substr(start + 1);
    auto first = line.find_first_not_of(kBlank);
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    constexpr std::string_view kOurs = "ptt-task: error: ";
    if (line.substr(0, kOurs.size()) == kOurs) line.remove_prefix(kOurs.size());
    return std::string(line);
  }
}

std::string explain_dial_end(const Host& host, const DialEnd& end, std::string_view ssh_stderr,
                             const std::string& what, const char* ssh_command) {
  std::string line = last_line(ssh_stderr);
  std::string said = line.empty() ? std::string("it printed nothing") : line;
  bool custom = ssh_command && *ssh_command;
  std::string ssh = custom ? "PTT_SSH" : "ssh";
  if (!end.exited) {
    if (end.signal)
      return fmt::format("host {}: {} ({} was killed by signal {}: {})", host.name, what, ssh, end.signal,
                         said);
    return fmt::format("host {}: {}{}", host.name, what, line.empty() ? "" : " (" + line + ")");
  }
  if (end.status == kSshFailed) {
    if (contains(line, "Permission denied") || contains(line, "Too many authentication failures"))
      return fmt::format(
          "host {}: ssh could not log in to {} ({}); check that `ssh {}` logs in without a password prompt "
          "(its keys, agent and ~/.ssh/config apply)",
          host.name, host.hostname, said, host.hostname);
    return fmt::format(
        "host {}: ssh could not connect to {} ({}); check the host's url and that `ssh {}` works", host.name,
        host.hostname, said, host.hostname);
  }
  if (end.status == kCommandNotFound) {
    // PTT_SSH runs through /bin/sh with itself as $0: the shell's complaint starts with it.
    if (custom && line.rfind(std::string(ssh_command) + ":", 0) == 0)
      return fmt::format("host {}: PTT_SSH could not run ({}); fix PTT_SSH or unset it to use ssh", host.name,
                         said);
    return fmt::format("host {}: `{} dial-stdio` is not found on {} ({}); install ptt there, {}", host.name,
                       program_of(host.remote_command), host.hostname, said, config_hint(host));
  }
  if (end.status != 0)
    return fmt::format("host {}: `{} dial-stdio` failed there (exit {}): {}", host.name,
                       program_of(host.remote_command), end.status, said);
  return fmt::format("host {}: {}{}", host.name, what, line.empty() ? "" : " (" + line + ")");
}

DaemonConnection dial_host(const Host& host, milliseconds timeout) {
  const char* ssh_command = std::getenv("PTT_SSH");
  std::vector<std::string> argv = dial_argv(host, ssh_command);
  int channel[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) != 0)
    throw UnreachableError(
        fmt::format("host {}: cannot make a socketpair ({})", host.name, std::strerror(errno)));
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    int saved = errno;
    ::close(channel[0]);
    ::close(channel[1]);
    throw UnreachableError(fmt::format("host {}: cannot make a pipe ({})", host.name, std::strerror(saved)));
  }
  ::fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);  // our end only: ssh's writes still block
  SpawnOptions o;
  o.argv = argv;
  o.fds = {SpawnFd::dup(0, channel[1]), SpawnFd::dup(1, channel[1]), SpawnFd::dup(2, err_pipe[1])};
  SpawnResult spawned = spawn(o);
  ::close(channel[1]);
  ::close(err_pipe[1]);
  if (!spawned.started()) {
    ::close(channel[0]);
    ::close(err_pipe[0]);
    if (ssh_command && *ssh_command)
      throw UnreachableError(fmt::format("host {}: cannot run /bin/sh for PTT_SSH ({})", host.name,
                                         std::strerror(spawned.error)));
    throw UnreachableError(
        fmt::format("host {}: cannot run ssh ({}); install OpenSSH's client (openssh-client) or set PTT_SSH "
                    "to an ssh command",
                    host.name, std::strerror(spawned.error)));
  }
  DaemonConnection c =
      DaemonConnection::through(channel[0], std::make_unique<SshTunnel>(host, spawned.pid, err_pipe[0]));
  if (timeout.count() > 0) {
    c.set_send_timeout(timeout);
    c.set_receive_timeout(timeout);
  }
  return c;
}

}  // namespace ptt::client
