// `ptt-task dial-stdio`: the remote end of `--host` (docs/hosts.md). sshd runs it with
// the channel as stdin and stdout; it connects to this machine's daemon (starting it as
// every client does) and copies bytes both ways without reading them, so the client at
// the other end speaks the protocol as over the local socket.
#include <cerrno>
#include <chrono>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/exit_status.h"
#include "taskcli/commands.h"

namespace ptt::taskcli {

namespace {

// Copies what `from` has now to `to`, all of it (a blocking write: the daemon and ssh
// both keep reading, so neither side can wait on us while we wait on it). False at end
// of file, or when either side is gone.
bool copy_some(int from, int to) {
  char buf[65536];
  ssize_t n;
  while ((n = ::read(from, buf, sizeof buf)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return false;
  for (ssize_t off = 0; off < n;) {
    // send(MSG_NOSIGNAL) on the socket; stdout is a pipe or a socket (SIGPIPE is ignored).
    ssize_t w = ::write(to, buf + off, static_cast<std::size_t>(n - off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    off += w;
  }
  return true;
}

}  // namespace

int cmd_dial_stdio(CliSession& s) {
  // This machine's daemon, whatever --host or the config file's `host` say: here is the host.
  client::DaemonConnection conn = client::connect_or_start(s.local_connect_options());
  // The bridge waits as long as the client at the other end does: no timeouts.
  conn.set_send_timeout(std::chrono::milliseconds{0});
  conn.set_receive_timeout(std::chrono::milliseconds{0});
  const int daemon = conn.fd();
  bool client_open = true;
  for (;;) {
    pollfd fds[2] = {{client_open ? STDIN_FILENO : -1, POLLIN, 0}, {daemon, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return kExitFailure;
    }
    if (fds[0].revents && !copy_some(STDIN_FILENO, daemon)) {
      // Our client is done: the daemon sees end of file and closes, which ends us below
      // once its last replies are out.
      client_open = false;
      ::shutdown(daemon, SHUT_WR);
    }
    if (fds[1].revents && !copy_some(daemon, STDOUT_FILENO)) return kExitOk;
  }
}

}  // namespace ptt::taskcli
