#pragma once
// A task's state and, for one that did not succeed, ptt's own reasons, with their
// names on the wire defined here once (docs/protocol.md, "The task record"; a unit
// test checks that page against these lists).
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptt::protocol {

// starting: the daemon is starting the task's agent (running once the agent has started).
enum class TaskState { kQueued, kStarting, kRunning, kSucceeded, kFailed, kCancelled };

inline constexpr std::array kTaskStates = {TaskState::kQueued,  TaskState::kStarting,
                                           TaskState::kRunning, TaskState::kSucceeded,
                                           TaskState::kFailed,  TaskState::kCancelled};

std::string_view to_string(TaskState s);
std::optional<TaskState> parse_task_state(std::string_view s);
inline bool is_finished(TaskState s) {
  return s != TaskState::kQueued && s != TaskState::kStarting && s != TaskState::kRunning;
}
// True for the name of an end state (succeeded, failed, cancelled); false for anything else.
bool is_finished_state_name(std::string_view s);
// The states' names in order (only the end states with `finished_only`).
std::vector<std::string> task_state_names(bool finished_only = false);
// "queued, starting, running, succeeded, failed or cancelled" (only the end states with
// `finished_only`): the choices, for messages that list them.
std::string task_state_choices(bool finished_only = false);

// Why a task failed or was cancelled, when ptt decided it. A record's `reason` may
// also be one of Claude's own result subtypes (error_max_turns, …), which ptt passes
// through as they come, so the record keeps the reason as a string.
enum class FailureReason {
  kCancelled,
  kAgentMissing,
  kExitCode,
  kApiError,
  kResultError,
  kDependencyFailed,
  kSupervisorLost,
  kSpawnFailed,
  kStreamUnreadable,
  kPermissionDenied,
  kStalled,
  kWorktreeFailed,
  kSetupFailed,
  kSandboxUnavailable,
};

inline constexpr std::array kFailureReasons = {
    FailureReason::kCancelled,        FailureReason::kAgentMissing,      FailureReason::kExitCode,
    FailureReason::kApiError,         FailureReason::kResultError,       FailureReason::kDependencyFailed,
    FailureReason::kSupervisorLost,   FailureReason::kSpawnFailed,       FailureReason::kStreamUnreadable,
    FailureReason::kPermissionDenied, FailureReason::kStalled,           FailureReason::kWorktreeFailed,
    FailureReason::kSetupFailed,      FailureReason::kSandboxUnavailable};

std::string_view to_string(FailureReason r);
// nullopt for a reason ptt does not define (a Claude subtype, or anything else).
std::optional<FailureReason> parse_failure_reason(std::string_view s);
// The record's reason field says `r`.
inline bool reason_is(const std::optional<std::string>& reason, FailureReason r) {
  return reason && *reason == to_string(r);
}

}  // namespace ptt::protocol
