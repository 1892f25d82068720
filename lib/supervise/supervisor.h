#pragma once
// The per-task supervisor: a small process that owns the agent, so a task
// survives the daemon being killed or upgraded. It is its own small static
// binary, ptt-supervise, which the daemon starts with posix_spawn: exec'ing it
// costs less than forking any process with the daemon's code mapped, whose child
// page-faults on every page it touches. It is in its own session (setsid), runs the agent in its own process group in the task's cwd with
// stdout appended to stream.ndjson and stderr to stderr.log, and when the agent
// ends it kills what is left of the group (grandchildren). Its pid, the
// agent's and the exit status go to supervisor.ndjson (supervisor_status.h),
// which a restarted daemon reads.
//
// Cancel: SIGTERM to the supervisor; it sends SIGTERM to the agent's group and
// SIGKILL after the grace period. The timer lives here, not in the daemon.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "taskd/outcome.h"

namespace ptt::taskd {

struct SupervisorSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH
  std::string cwd;
  std::filesystem::path log_dir;  // stream.ndjson, stderr.log, supervisor.ndjson
  std::vector<std::string> env;   // extra "NAME=value" entries for the agent
  int kill_grace_ms = 5000;
  mode_t agent_umask = 022;  // the umask the daemon was started with, not its private 077
};

// ptt-supervise's main(): argv as start_supervisor (taskd/supervisor_launch.h) passes it.
int supervise_main(int argc, char** argv);
// The supervisor proper, in a process that is already in its own session with
// stdin, stdout and stderr redirected and SIGTERM blocked. Returns the exit status.
int run_supervisor(const SupervisorSpec& spec);

}  // namespace ptt::taskd
