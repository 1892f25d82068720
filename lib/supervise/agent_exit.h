#pragma once
// How an agent ended, as the supervisor saw it and wrote it in the task's
// supervisor.ndjson (supervisor_status.h); the daemon turns it into an outcome.

namespace ptt::supervise {

struct AgentExit {
  int exit_code = 0;       // 128+signal when killed by a signal
  int term_signal = 0;     // 0 unless killed by a signal
  int exec_errno = 0;      // non-zero: the agent could not be started at all
  bool cancelled = false;  // the supervisor was asked to cancel
  bool operator==(const AgentExit&) const = default;
};

}  // namespace ptt::supervise
