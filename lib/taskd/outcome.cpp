#include "taskd/outcome.h"

#include <algorithm>

#include "protocol/claude_reasons.h"

namespace ptt::taskd {
using protocol::FailureReason;
using protocol::TaskState;

std::optional<std::string> reason_for_terminal(std::string_view terminal_reason) {
  for (const auto& m : protocol::kTerminalReasons) {
    if (m.terminal_reason == terminal_reason) return std::string(m.reason);
  }
  return std::nullopt;
}

namespace {

// The result's startup_failure_reason when the sandbox it requires cannot start.
constexpr std::string_view kSandboxRequiredUnavailable = "sandbox_required_unavailable";

bool is_specific_error_subtype(std::string_view subtype) {
  // error_during_execution says only that something failed: a terminal_reason says more.
  return subtype != "error_during_execution" &&
         std::find(protocol::kClaudeErrorSubtypes.begin(), protocol::kClaudeErrorSubtypes.end(), subtype) !=
             protocol::kClaudeErrorSubtypes.end();
}

std::string failed_result_reason(const protocol::AgentResult& result, bool api_error) {
  // A sandboxed task (sandbox.failIfUnavailable) whose sandbox cannot start: the CLI
  // refused to run it at all, which is not an error of the run.
  if (result.startup_failure_reason == kSandboxRequiredUnavailable)
    return reason_text(FailureReason::kSandboxUnavailable);
  if (is_specific_error_subtype(result.subtype)) return result.subtype;
  if (!result.terminal_reason.empty()) {
    // An unknown one (a newer CLI's) is shown as it is, never folded into result_error.
    std::string mapped = reason_for_terminal(result.terminal_reason).value_or(result.terminal_reason);
    if (!mapped.empty()) return mapped;
  }
  // Claude's own subtype (error_during_execution, or one ptt does not know yet).
  if (!result.subtype.empty() && result.subtype != "success") return result.subtype;
  return api_error ? reason_text(FailureReason::kApiError) : reason_text(FailureReason::kResultError);
}

}  // namespace

Outcome decide_outcome(const std::optional<protocol::AgentResult>& result, bool api_error,
                       const AgentExit& exit, bool calls_refused) {
  if (exit.cancelled) return {TaskState::kCancelled, reason_text(FailureReason::kCancelled)};
  if (exit.exec_errno != 0) return {TaskState::kFailed, reason_text(FailureReason::kAgentMissing)};
  // No result line: an API error, else a refused call (what a person can act on; the exit
  // code and stderr stay in the record), else the exit code alone.
  if (!result)
    return {TaskState::kFailed, reason_text(api_error       ? FailureReason::kApiError
                                            : calls_refused ? FailureReason::kPermissionDenied
                                                            : FailureReason::kExitCode)};
  if (result->subtype == "success" && !result->is_error) {
    // A refused tool call means the work asked for was not (all) done, whatever the
    // agent's last words: not a plain success.
    if (!result->permission_denials.empty())
      return {TaskState::kFailed, reason_text(FailureReason::kPermissionDenied)};
    return {TaskState::kSucceeded, ""};
  }
  return {TaskState::kFailed, failed_result_reason(*result, api_error)};
}

void add_denial(protocol::AgentResult& result, const protocol::PermissionDenial& denial) {
  for (const auto& d : result.permission_denials) {
    if (!denial.tool_use_id.empty() && d.tool_use_id == denial.tool_use_id) return;
  }
  result.permission_denials.push_back(denial);
}

std::string stderr_tail(std::string_view text, std::size_t max_bytes) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.remove_suffix(1);
  if (text.size() > max_bytes) {
    text = text.substr(text.size() - max_bytes);
    if (auto nl = text.find('\n'); nl != std::string_view::npos && nl + 1 < text.size())
      text.remove_prefix(nl + 1);
  }
  return std::string(text);
}

}  // namespace ptt::taskd
