#pragma once
// Telling one process from a later one with the same pid. A pid is reused once
// its process is reaped, and after a restart (of a daemon, or the machine) a
// recorded pid may name anything. With the pid we record the process's start
// time (field 22 of /proc/PID/stat, in clock ticks since boot): the pair names
// one process for good, and a process or group is signalled only while it does.
#include <cstdint>
#include <optional>

#include <signal.h>
#include <sys/types.h>

namespace ptt {

// The start time of `pid` (clock ticks since boot); nullopt when there is no such
// process (a zombie still has one: its pid is not free yet).
std::optional<std::uint64_t> process_start_time(pid_t pid);

// The start time from the text of a /proc/PID/stat file (the command name may hold
// spaces and parentheses); nullopt when it is not one.
std::optional<std::uint64_t> start_time_from_stat(const char* text);

// A pidfd for `pid` when it is still the process that started at `start`, else -1
// (errno ESRCH when the pid is gone or taken by another process). Checked after the
// pidfd is open, so the descriptor names that very process: signals sent through it
// (pidfd_signal) can never reach a later process with the same pid.
int open_pidfd_if_same(pid_t pid, std::uint64_t start);

// pidfd_send_signal(2); `value` set makes it a queued signal (SI_QUEUE) as
// sigqueue(3) sends. 0, or -1 with errno.
int pidfd_signal(int pidfd, int signo, const sigval* value = nullptr);

// SIGKILL to the process group led by `leader`, when the leader is still the process
// that started at `start`: the leader is first stopped through a pidfd, so it (and
// with it the group's id) cannot go away between the check and the kill. False, with
// nothing sent, when the leader is gone or its pid names another process now.
bool kill_group_if_same(pid_t leader, std::uint64_t start);

}  // namespace ptt
