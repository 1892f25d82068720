#pragma once
// The protocol over ssh (issue 22, docs/hosts.md): a remote Host's connection is
// `ssh ... HOST 'ptt-task dial-stdio'` (client/host.h's dial_argv) with one end of a
// socketpair as its stdin and stdout. The client keeps the other end as an ordinary
// DaemonConnection, so timeouts, hello and requests work as over the local socket.
// ssh's stderr is kept to say why a connection failed; the child is reaped (and, if it
// lingers, killed) when the connection closes.
#include <chrono>
#include <string>
#include <string_view>

#include "client/daemon_connection.h"
#include "client/host.h"

namespace ptt::client {

// Starts the dial command for `host` (not local); PTT_SSH, when set, replaces `ssh`.
// `timeout` bounds each send and read as over the local socket (zero: none). Throws
// UnreachableError naming the host when the command cannot run at all.
DaemonConnection dial_host(const Host& host, std::chrono::milliseconds timeout);

// How the dial command ended, as waitpid reported it.
struct DialEnd {
  bool exited = false;  // false: still running, or killed by a signal
  int status = 0;       // the exit status when `exited`
  int signal = 0;       // the signal that killed it, or 0
};

// Why the connection to `host` broke, naming the host and the step that failed: ssh
// itself (255: could not connect, or could not log in), the remote command missing
// (127), the remote `ptt-task dial-stdio` failing (any other status: it could not
// reach or start the host's daemon). `what` is what the client saw ("the daemon closed
// the connection"), `ssh_stderr` the child's stderr, `ssh_command` $PTT_SSH or null.
std::string explain_dial_end(const Host& host, const DialEnd& end, std::string_view ssh_stderr,
                             const std::string& what, const char* ssh_command);

// The last non-empty line of `text`, without surrounding blanks or "ptt-task: error: ".
std::string last_line(std::string_view text);

}  // namespace ptt::client
