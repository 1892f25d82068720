#pragma once
// The task record as it crosses the socket and sits in the journal
// (docs/protocol.md, "The task record"). Both sides convert with to_json/from_json.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/task_state.h"

namespace ptt::protocol {

// Per-task agent options; an unset field means "the daemon's default".
struct AgentOptions {
  std::optional<std::string> model;
  std::optional<int> max_turns;
  std::optional<double> max_budget_usd;
  std::optional<std::string> permission_mode;
  std::optional<std::vector<std::string>> allowed_tools;
  std::vector<std::string> add_dirs;
  std::optional<std::string> append_system_prompt;
  bool operator==(const AgentOptions&) const = default;
};

// Claude's `result` line, as far as ptt cares.
struct AgentResult {
  std::string subtype;
  bool is_error = false;
  std::string text;
  double cost_usd = 0;
  int num_turns = 0;
  std::int64_t duration_ms = 0;
  bool operator==(const AgentResult&) const = default;
};

struct TaskRecord {
  std::int64_t id = 0;
  std::optional<std::string> name;
  TaskState state = TaskState::kQueued;
  std::optional<std::string> reason;
  std::string prompt;
  std::string cwd;
  std::vector<std::int64_t> after;
  std::optional<std::int64_t> parent;
  std::optional<std::string> resume_session;  // follow_up: the Claude session to --resume
  std::optional<std::int64_t> retry_of;       // retry: the finished task this one repeats
  double created_at = 0;
  std::optional<double> started_at;
  std::optional<double> finished_at;
  std::optional<int> pid;
  std::optional<std::string> session_id;
  std::optional<std::string> model;
  std::optional<std::string> activity;
  std::optional<int> exit_code;
  std::optional<std::string> stderr_tail;
  std::optional<AgentResult> result;
  AgentOptions options;
  // A cancel was asked for and the agent has not exited yet (state stays running;
  // ptt-task shows it as `cancelling`).
  bool cancel_requested = false;
  bool operator==(const TaskRecord&) const = default;
};

void to_json(nlohmann::json& j, const AgentOptions& o);
void from_json(const nlohmann::json& j, AgentOptions& o);
void to_json(nlohmann::json& j, const AgentResult& r);
void from_json(const nlohmann::json& j, AgentResult& r);
void to_json(nlohmann::json& j, const TaskRecord& t);
// Throws nlohmann::json::exception on a missing or mistyped required field.
void from_json(const nlohmann::json& j, TaskRecord& t);

}  // namespace ptt::protocol
