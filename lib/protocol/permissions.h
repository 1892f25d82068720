#pragma once
// Approvals: a running task's agent asks before a tool call its permission mode does not
// allow (`claude -p --permission-prompt-tool stdio`), and a person answers from the shell,
// the dashboard or by voice (docs/taskd.md, "Approvals"). While a task has an open question
// its state stays `running` and its record's `waiting` is "permission". Subscribers get
// `permission_requested` when a question opens and `permission_answered` when it closes
// (answered, timed out, or closed because its task ended); `pending` lists the open ones
// and `answer_permission` answers one.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/protocol.h"

namespace ptt::protocol {

namespace permission_field {
inline constexpr const char* kTask = "task";
inline constexpr const char* kRequest = "request";
inline constexpr const char* kTool = "tool";
inline constexpr const char* kInput = "input";
inline constexpr const char* kSummary = "summary";
inline constexpr const char* kRequestedAt = "requested_at";
inline constexpr const char* kAllow = "allow";
inline constexpr const char* kAlways = "always";
inline constexpr const char* kReason = "reason";
inline constexpr const char* kBy = "by";
inline constexpr const char* kQuestions = "questions";
}  // namespace permission_field

// The record's `waiting` while its task has an open question.
inline constexpr std::string_view kWaitingPermission = "permission";

// Who answered (`by`): the first three come from clients (any other string a client sends
// is kept as sent), the last two from the daemon itself.
namespace answered_by {
inline constexpr std::string_view kShell = "shell";
inline constexpr std::string_view kVoice = "voice";
inline constexpr std::string_view kDashboard = "dashboard";
inline constexpr std::string_view kTimeout = "timeout";  // nobody answered within --approval-timeout
inline constexpr std::string_view kClosed = "closed";    // its task ended (or its agent withdrew it)
}  // namespace answered_by

// One open question: the agent's tool call waiting for an answer.
struct PermissionQuestion {
  std::int64_t task = 0;
  std::string request;      // the agent's control request id
  std::string tool;         // "Bash"
  nlohmann::json input;     // the tool's input as the agent sent it
  std::string summary;      // the command, path or a short form of the input
  double requested_at = 0;  // Unix seconds
  bool operator==(const PermissionQuestion&) const = default;
};

void to_json(nlohmann::json& j, const PermissionQuestion& q);
// Throws nlohmann::json::exception on a missing or mistyped field.
void from_json(const nlohmann::json& j, PermissionQuestion& q);

// {"event":"permission_requested","task":3,"request":"…","tool":"Bash","input":{…},
//  "summary":"curl example.com","requested_at":…}
struct PermissionRequested {
  static constexpr std::string_view kEvent = event::kPermissionRequested;
  PermissionQuestion question;
  bool operator==(const PermissionRequested&) const = default;
};

// {"event":"permission_answered","task":3,"request":"…","allow":false,"reason":"…","by":"shell"}
struct PermissionAnswered {
  static constexpr std::string_view kEvent = event::kPermissionAnswered;
  std::int64_t task = 0;
  std::string request;
  bool allow = false;
  std::optional<std::string> reason{};  // absent on the wire when unset
  std::string by;
  bool operator==(const PermissionAnswered&) const = default;
};

using PermissionEvent = std::variant<PermissionRequested, PermissionAnswered>;

nlohmann::json permission_event_json(const PermissionEvent& e);
// nullopt for any other line, or a permission event this version cannot read.
std::optional<PermissionEvent> parse_permission_event(const nlohmann::json& j);

}  // namespace ptt::protocol
