#pragma once
// What ptt-taskd sends the supervisor server (supervisor.h) on its stdin, one
// NDJSON line each: a task to run, or a task to cancel. Defined once, here, for
// both sides.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <sys/types.h>

namespace ptt::supervise {

struct AgentRequest {
  std::int64_t task = 0;
  std::vector<std::string> argv;  // argv[0] is looked up on PATH
  std::string cwd;
  std::filesystem::path log_dir;  // absolute: stream.ndjson, stderr.log, supervisor.ndjson
  std::vector<std::string> env;   // extra "NAME=value" entries for the agent
  int kill_grace_ms = 5000;
  mode_t agent_umask = 022;  // the umask the daemon was started with, not its private 077
  // The agent's stdin: a FIFO in log_dir the daemon made (and writes the agent's input
  // into: `--input-format stream-json` lines). The server holds a write end of its own
  // open, so the agent sees no end of input while any daemon (or none) runs, until a
  // CloseInputRequest. Empty: stdin is /dev/null.
  std::string input_fifo;
  // What the server writes into the FIFO first (the prompt's stream-json line): it holds
  // the FIFO for the agent's whole life, so the prompt reaches the agent even when the
  // daemon dies right after asking (a pipe's buffer goes with its last open end).
  std::string first_input;
};

// SIGTERM to the agent's process group, SIGKILL after its grace period.
struct CancelAgentRequest {
  std::int64_t task = 0;
};

// Closes the server's write end of the task's input FIFO: once the daemon has closed
// its own, the agent reads the end of its input and ends its session (claude exits 0).
struct CloseInputRequest {
  std::int64_t task = 0;
};

using SupervisorRequest = std::variant<AgentRequest, CancelAgentRequest, CloseInputRequest>;

// One line, '\n' included.
std::string to_line(const SupervisorRequest& request);
// nullopt for a line that is neither (it is logged and skipped).
std::optional<SupervisorRequest> parse_supervisor_request(std::string_view line);

// The supervisor's report of a task it could not run or could not record:
// {"task":ID,"lost":"why"}. The daemon fails the task with that reason.
std::string lost_line(std::int64_t task, std::string_view why);

// For a daemon other than the one that started the server (after a restart):
// a queued cancel_signal() with {.sival_ptr = task id} cancels that task. It is sent
// through a pidfd opened only once the server's recorded start time matched
// (core/process_identity.h), never to a bare pid that may have been reused.
// A real-time signal, because those queue: two cancels are not merged into one.
int cancel_signal();
// The same for a CloseInputRequest from a later daemon.
int close_input_signal();

}  // namespace ptt::supervise
