#pragma once
// The per-task supervisor: a small process that owns the agent, so a task
// survives the daemon being killed or upgraded. The daemon's spawner (a small
// process forked at start-up) forks it; if the spawner is gone it is ptt-taskd
// itself, exec'd in a hidden `--supervise` mode. It leaves the daemon's session
// (setsid), runs the agent in its own process group in the task's cwd with
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

inline constexpr std::string_view kSuperviseFlag = "--supervise";

struct SupervisorSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH
  std::string cwd;
  std::filesystem::path log_dir;  // stream.ndjson, stderr.log, supervisor.ndjson
  std::vector<std::string> env;   // extra "NAME=value" entries for the agent
  int kill_grace_ms = 5000;
  mode_t agent_umask = 022;  // the umask the daemon was started with, not its private 077
};

// Spawns `self_exe --supervise …` (self_exe: normally /proc/self/exe). Returns
// its pid, or -1 with errno set.
pid_t start_supervisor(const SupervisorSpec& spec, const std::string& self_exe = "/proc/self/exe");

// The `--supervise` mode's main(): argv as start_supervisor passes it.
int supervise_main(int argc, char** argv);
// The supervisor proper, in a process that is already in its own session with
// stdin, stdout and stderr redirected and SIGTERM blocked. Returns the exit status.
int run_supervisor(const SupervisorSpec& spec);

// True when `pid` is alive and is a ptt-taskd supervisor (not a reused pid).
bool supervisor_alive(pid_t pid);

}  // namespace ptt::taskd
