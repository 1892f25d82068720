#pragma once
// The reasons Claude Code itself gives for ending a run, as a task's `reason` carries
// them (docs/protocol.md, "The task record"; a unit test checks the page against this
// list, another checks the Agent SDK's sdk.d.ts against it so a new CLI's reasons are
// not missed). Names as in the SDK: SDKResultError's subtypes and TerminalReason.
#include <array>
#include <string_view>

namespace ptt::protocol {

// Error result subtypes: each is a task's reason as it comes.
inline constexpr std::array<std::string_view, 4> kClaudeErrorSubtypes = {
    "error_during_execution", "error_max_turns", "error_max_budget_usd",
    "error_max_structured_output_retries"};

// A result's terminal_reason and the task reason it gives (when the result says the
// run failed). Most pass through as they are; the ones with an error subtype of the
// same meaning give that subtype, so one cause has one name; `completed` gives none.
struct TerminalReasonMapping {
  std::string_view terminal_reason;
  std::string_view reason;
};
inline constexpr std::array<TerminalReasonMapping, 19> kTerminalReasons = {{
    {"completed", ""},
    {"api_error", "api_error"},  // ptt's own reason of that name
    {"max_turns", "error_max_turns"},
    {"budget_exhausted", "error_max_budget_usd"},
    {"structured_output_retry_exhausted", "error_max_structured_output_retries"},
    {"blocking_limit", "blocking_limit"},
    {"rapid_refill_breaker", "rapid_refill_breaker"},
    {"prompt_too_long", "prompt_too_long"},
    {"image_error", "image_error"},
    {"model_error", "model_error"},
    {"malformed_tool_use_exhausted", "malformed_tool_use_exhausted"},
    {"aborted_streaming", "aborted_streaming"},
    {"aborted_tools", "aborted_tools"},
    {"stop_hook_prevented", "stop_hook_prevented"},
    {"hook_stopped", "hook_stopped"},
    {"tool_deferred", "tool_deferred"},
    {"tool_deferred_unavailable", "tool_deferred_unavailable"},
    {"background_requested", "background_requested"},
    {"turn_setup_failed", "turn_setup_failed"},
}};

}  // namespace ptt::protocol
