#include "taskd/outcome.h"

namespace ptt::taskd {
using protocol::FailureReason;
using protocol::TaskState;

Outcome decide_outcome(const std::optional<protocol::AgentResult>& result, bool api_error,
                       const AgentExit& exit) {
  if (exit.cancelled) return {TaskState::kCancelled, reason_text(FailureReason::kCancelled)};
  if (exit.exec_errno != 0) return {TaskState::kFailed, reason_text(FailureReason::kAgentMissing)};
  if (!result)
    return {TaskState::kFailed,
            api_error ? reason_text(FailureReason::kApiError) : reason_text(FailureReason::kExitCode)};
  if (result->subtype == "success" && !result->is_error) return {TaskState::kSucceeded, ""};
  // Claude's own subtype (error_max_turns, error_max_budget_usd, ...) says most.
  if (!result->subtype.empty() && result->subtype != "success") return {TaskState::kFailed, result->subtype};
  return {TaskState::kFailed,
          api_error ? reason_text(FailureReason::kApiError) : reason_text(FailureReason::kResultError)};
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
