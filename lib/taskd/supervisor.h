#pragma once
// The per-task supervisor: a process forked from the daemon that owns the
// agent, so a task survives the daemon being killed or upgraded. It leaves the
// daemon's session (setsid), runs the agent in its own process group in the
// task's cwd with stdout appended to stream.ndjson and stderr to stderr.log,
// and when the agent ends it kills what is left of the group (grandchildren)
// and writes exit.json atomically. A restarted daemon reads those files.
//
// Cancel: SIGTERM to the supervisor; it sends SIGTERM to the agent's group and
// SIGKILL after the grace period. The timer lives here, not in the daemon.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "taskd/outcome.h"

namespace ptt::taskd {

struct SupervisorSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH
  std::string cwd;
  std::filesystem::path log_dir;  // stream.ndjson, stderr.log, exit.json, supervisor.pid, agent.pid
  std::vector<std::string> env;   // extra "NAME=value" entries for the agent
  int kill_grace_ms = 5000;
  mode_t agent_umask = 022;  // the umask the daemon was started with, not its private 077
};

// Forks the supervisor. Returns its pid, or -1 with errno set. The daemon must
// be single-threaded when calling this (the child runs plain code, no exec).
pid_t start_supervisor(const SupervisorSpec& spec);

std::string exit_to_json(const AgentExit& exit);
// nullopt when the file is missing or unreadable (not written yet).
std::optional<AgentExit> read_exit_file(const std::filesystem::path& path);

// True when `pid` is alive and is a ptt-taskd supervisor (not a reused pid).
bool supervisor_alive(pid_t pid);

}  // namespace ptt::taskd
