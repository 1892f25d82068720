#pragma once
// The outcome rules: how a finished agent run becomes a task state and reason.
// A task succeeded only when Claude's result line says success, is_error is false
// and no tool call was refused; everything else is a failure with a reason a person can act on.
#include <optional>
#include <string>

#include "protocol/task_record.h"
#include "supervise/agent_exit.h"

namespace ptt::taskd {

using supervise::AgentExit;  // what the supervisor saw when the agent ended

struct Outcome {
  protocol::TaskState state = protocol::TaskState::kFailed;
  std::string reason;  // empty when succeeded
};

// The reason field for one of ptt's own reasons (protocol/task_state.h).
inline std::string reason_text(protocol::FailureReason r) { return std::string(protocol::to_string(r)); }

// result: the run's result line, if one came; api_error: an API error was seen;
// calls_refused: a `permission_denied` line refused one of the agent's tool calls.
Outcome decide_outcome(const std::optional<protocol::AgentResult>& result, bool api_error,
                       const AgentExit& exit, bool calls_refused = false);

// The task reason a result's terminal_reason gives ("" for completed); nullopt for one
// ptt does not know (which the task's reason then carries as it is).
std::optional<std::string> reason_for_terminal(std::string_view terminal_reason);

// Adds a refused call to the result's permission_denials unless one of its id is there.
void add_denial(protocol::AgentResult& result, const protocol::PermissionDenial& denial);

// The last `max_bytes` of stderr, cut at a line start when possible, trimmed.
std::string stderr_tail(std::string_view stderr_text, std::size_t max_bytes = 2000);

}  // namespace ptt::taskd
