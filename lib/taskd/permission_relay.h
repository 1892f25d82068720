#pragma once
// The agent's side of an approval (`claude -p --permission-prompt-tool stdio`): the CLI
// writes a `control_request` of subtype `can_use_tool` on its stdout (the task's stream)
// and waits for the `control_response` with the same request_id on its stdin (the Agent
// SDK's SDKControlPermissionRequest, SDKControlResponse and PermissionResult). Pure: what a
// stream line asks, and the line that answers it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/permissions.h"

namespace ptt::taskd {

// A question as the agent asked it.
struct AgentQuestion {
  protocol::PermissionQuestion question;
  // What `--always` allows, in the CLI's rule syntax: for Bash the command's program
  // (`Bash(curl:*)`), for other tools the allow rules the CLI suggests, else the tool.
  std::vector<std::string> always_rules;
};

// The question a stream line asks (a can_use_tool control_request), else nullopt.
std::optional<AgentQuestion> question_of(const nlohmann::json& line, std::int64_t task, double now,
                                         std::string_view cwd = {});
// The request id a `control_cancel_request` line withdraws, else nullopt.
std::optional<std::string> withdrawn_request(const nlohmann::json& line);

// The control_response line ('\n' included): allow (the call runs as asked; `rules` are added
// to the session's allow rules) or deny (the model is told `message`).
std::string permission_response_line(const std::string& request, bool allow, const nlohmann::json& input,
                                     std::string_view message, const std::vector<std::string>& rules = {});

// "Bash(curl:*)" as the SDK's PermissionRuleValue: {"toolName":"Bash","ruleContent":"curl:*"}.
nlohmann::json rule_value(std::string_view rule);

}  // namespace ptt::taskd
