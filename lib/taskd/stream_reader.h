#pragma once
// Reads Claude Code's `--output-format stream-json` lines, one JSON value at a
// time, into what ptt tracks: session and model, a one-line live activity and
// the final result. Pure: no I/O, so every line shape is unit-tested.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/task_record.h"

namespace ptt::taskd {

// A tool call of an assistant line: its id and what it does ("Bash: curl …"), so a
// later `system/permission_denied` line, which names only the id, can say what was refused.
struct ToolUse {
  std::string id;
  std::string tool;
  std::string description;
};

// A rate limit the CLI reported (SDKRateLimitInfo in the Agent SDK's types): a
// `rate_limit_event` line, or the rate_limit_info of the assistant line of a request the
// API refused (`"error":"rate_limit"`, which has none when the limit named no reset).
// Every status SDKRateLimitInfo lists (tests/unit/test_taskd_sdk_types.cpp checks it);
// only `rejected` holds the queue.
inline constexpr std::array<std::string_view, 3> kRateLimitStatuses = {"allowed", "allowed_warning",
                                                                       "rejected"};

struct RateLimit {
  std::string status;               // allowed, allowed_warning or rejected
  std::optional<double> resets_at;  // Unix seconds
  std::string type;                 // five_hour, seven_day, seven_day_opus, …, overage; "" when not named
  bool rejected() const { return status == "rejected"; }
  bool operator==(const RateLimit&) const = default;
};

struct StreamUpdate {
  std::optional<std::string> session_id;
  std::optional<std::string> model;
  std::optional<std::string> activity;  // "Edit src/db.py", "Bash: npm test"
  std::optional<protocol::AgentResult> result;
  bool api_error = false;  // an API error was reported (assistant or result line)
  std::vector<ToolUse> tool_uses;
  // A `system/permission_denied` line: the refused call's tool and id (its
  // description comes from the tool_use of that id, which the caller remembers).
  std::optional<protocol::PermissionDenial> denied;
  // A `user` line with `isReplay`: the CLI took the message of this uuid from its stdin
  // (--replay-user-messages; session_input.h).
  std::optional<std::string> replayed;
  // A `command_lifecycle` line: the CLI has read the whole message of this uuid from its
  // stdin (Claude Code 2.1.330 writes `queued` at once; its echo comes only when the turn
  // that takes it starts, after the first API reply for the prompt).
  std::optional<std::string> read_input;
  std::optional<RateLimit> rate_limit;
  bool empty() const {
    return !session_id && !model && !activity && !result && !api_error && tool_uses.empty() && !denied &&
           !replayed && !read_input && !rate_limit;
  }
};

// `cwd` lets file paths under the task's directory be shown relative to it.
// Unknown or malformed line shapes yield an empty update, never an exception.
StreamUpdate read_stream_line(const nlohmann::json& line, std::string_view cwd = {});

// "Edit src/db.py", "Bash: npm test": the tool and its main argument, on one line.
std::string describe_tool_use(std::string_view tool, const nlohmann::json& input, std::string_view cwd = {});

}  // namespace ptt::taskd
