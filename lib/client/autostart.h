#pragma once
// Reaching the daemon, starting it when nobody answers. Race-free as tmux does it:
// an flock'ed lock file next to the socket serialises starters; whoever holds it
// re-checks the socket before spawning, so N clients at once start one daemon.
#include <chrono>
#include <filesystem>
#include <string>

#include "client/daemon_connection.h"
#include "client/host.h"
#include "client/reply_timeout.h"

namespace ptt::client {

struct ConnectOptions {
  Host host;                     // local (the default), or reached over ssh (client/ssh_transport.h)
  std::filesystem::path socket;  // where the local daemon listens
  bool autostart = true;         // spawn ptt-taskd when nobody answers
  std::chrono::milliseconds ready_timeout{10000};
  // How long connecting, sending a request and each wait for its reply may take
  // (`wait` is not bounded: see Client); zero waits for ever.
  std::chrono::milliseconds reply_timeout = kDefaultReplyTimeout;
};

// True unless PTT_NO_AUTOSTART is set to something other than "" or "0".
bool autostart_allowed_by_env();

// The ptt-taskd to start: $PTT_TASKD, else next to this executable
// (/proc/self/exe), else "ptt-taskd" looked up on PATH.
std::string daemon_executable();

// Connects, auto-starting the daemon if allowed; for a remote host, runs the dial
// command (its `ptt-task dial-stdio` starts the host's daemon). Throws UnreachableError
// with a message that says what to do next.
DaemonConnection connect_or_start(const ConnectOptions& options);

}  // namespace ptt::client
