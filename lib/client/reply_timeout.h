#pragma once
// How long a client waits for the daemon, and what it says when the daemon does not
// answer: the same limit and the same words in ptt-task, its dashboard and the voice
// session. A stopped (SIGSTOP) or stuck daemon still accepts connections (the kernel
// queues them), so without a limit every client would wait for ever.
#include <chrono>
#include <string>

namespace ptt::client {

// A reply normally takes milliseconds (a `list` of 10,000 tasks well under one second);
// 5 s is far above that even on a loaded machine, and short enough that shell
// completion, a script or a person notices a stuck daemon before giving up on it.
inline constexpr std::chrono::milliseconds kDefaultReplyTimeout{5000};

// The pid of the ptt-taskd that listens behind a connected socket (SO_PEERCRED), or 0
// when unknown or not a ptt-taskd (systemd holds a socket-activated daemon's listener).
long daemon_pid_of(int socket_fd);

// True when the process is stopped (SIGSTOP, Ctrl-Z, a debugger), from /proc/PID/stat.
bool process_stopped(long pid);

// "ptt-taskd (pid 12) did not answer within 5 s: it is stopped; resume it with
// `kill -CONT 12`, or check it with `ptt-task doctor`", or, when it runs (or the pid is
// unknown, 0), "...; check it with `ptt-task doctor`" plus `raise_hint` when not empty
// (e.g. ", or allow it longer with --timeout").
std::string no_answer_message(std::chrono::milliseconds waited, long pid, const std::string& raise_hint = {});

// "5 s", "0.5 s".
std::string seconds_text(std::chrono::milliseconds d);

}  // namespace ptt::client
