#include "protocol/task_state.h"

#include <cstddef>

namespace ptt::protocol {

namespace {

// Indexed by the enums' values.
constexpr std::array<std::string_view, kTaskStates.size()> kStateNames = {
    "queued", "starting", "running", "succeeded", "failed", "cancelled"};
constexpr std::array<std::string_view, kFailureReasons.size()> kReasonNames = {
    "cancelled",         "agent_missing",   "exit_code",    "api_error",          "result_error",
    "dependency failed", "supervisor_lost", "spawn_failed", "stream_unreadable",  "permission_denied",
    "stalled",           "worktree_failed", "setup_failed", "sandbox_unavailable"};

template <typename Enum, std::size_t N>
std::optional<Enum> parse_name(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(TaskState s) { return kStateNames[static_cast<std::size_t>(s)]; }

std::optional<TaskState> parse_task_state(std::string_view s) {
  return parse_name<TaskState>(kStateNames, s);
}

bool is_finished_state_name(std::string_view s) {
  auto state = parse_task_state(s);
  return state && is_finished(*state);
}

std::vector<std::string> task_state_names(bool finished_only) {
  std::vector<std::string> names;
  for (TaskState s : kTaskStates) {
    if (!finished_only || is_finished(s)) names.emplace_back(to_string(s));
  }
  return names;
}

std::string task_state_choices(bool finished_only) {
  std::vector<std::string> names = task_state_names(finished_only);
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

std::string_view to_string(FailureReason r) { return kReasonNames[static_cast<std::size_t>(r)]; }

std::optional<FailureReason> parse_failure_reason(std::string_view s) {
  return parse_name<FailureReason>(kReasonNames, s);
}

}  // namespace ptt::protocol
