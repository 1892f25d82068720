#pragma once
// ptt-taskd as a library function: run() serves until shutdown (the op, SIGTERM
// or SIGINT) and returns the process exit status. main() only parses options.
#include <filesystem>
#include <string>
#include <vector>

#include "protocol/task_record.h"

namespace ptt::taskd {

struct DaemonConfig {
  std::filesystem::path socket;     // default: ptt::default_socket_path()
  std::filesystem::path state_dir;  // default: ptt::default_state_dir()
  std::string claude = "claude";    // agent executable (looked up on PATH)
  int max_running = 4;
  double kill_grace_s = 5.0;
  double stall_timeout_s = 600;           // no agent output this long: the task is stalled; 0: never
  double approval_timeout_s = 1800;       // an agent's question nobody answers this long is denied; 0: never
  std::vector<std::string> always_allow;  // tool patterns every agent may use without asking
  bool stall_kill = false;                // --stall-action kill: a stalled task is cancelled (reason stalled)
  bool rate_limit_hold = true;            // a task refused for a rate limit holds the queue until its reset
  protocol::AgentOptions defaults;        // per-task options fall back to these
  std::vector<std::filesystem::path> allow_roots;  // empty: any cwd
  bool isolate_worktree = false;  // --isolate worktree: tasks in a git checkout get their own worktree
  int ready_fd = -1;              // write "ready <socket>\n" here once listening
};

int run(const DaemonConfig& config);

}  // namespace ptt::taskd
