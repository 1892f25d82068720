#pragma once
// `ptt-task top`'s signals: each becomes a byte on a pipe, read in the poll loop, so no
// work runs in a handler and no signal is lost between a check and the poll. The
// children top runs on the terminal (a pager, `logs -f`, `ptt-task merge`) are waited
// for through the same pipe (SIGCHLD).
#include <cstdint>

#include <sys/types.h>

namespace ptt::tasktop {

// Catches SIGINT, SIGTERM, SIGHUP, SIGWINCH and SIGCHLD into the pipe. Throws
// std::runtime_error when the pipe cannot be made.
void catch_signals();
int signal_fd();
// The signals read from the pipe since the last call (a bit per signal number).
std::uint64_t take_signals();
inline bool has(std::uint64_t signals, int sig) { return (signals >> sig) & 1; }

struct ChildEnd {
  int status = -1;    // its exit status, 128+N after signal N
  bool quit = false;  // SIGTERM or SIGHUP came meanwhile: top should end too
};

// Waits for `child` to end. SIGTERM or SIGHUP sends it SIGTERM (and sets `quit`); a
// Ctrl-C reaches it from the terminal itself, so SIGINT is dropped here.
ChildEnd wait_child(pid_t child);

}  // namespace ptt::tasktop
