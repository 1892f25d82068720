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
#include "protocol/worktree_changes.h"

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
  // Seconds without agent output before the task counts as stalled; 0: never. ptt's own,
  // not claude's.
  std::optional<double> stall_timeout_s;
  // Under Claude Code's own sandbox (docs/taskd.md, "Sandbox"): true, false, or unset (the
  // daemon's --sandbox decides; spawn records what it decided, so the record says it).
  std::optional<bool> sandbox;
  bool operator==(const AgentOptions&) const = default;
};

// A tool call Claude Code refused to run (its result's `permission_denials`, or a
// `system` line of subtype `permission_denied`).
struct PermissionDenial {
  std::string tool;         // "Bash"
  std::string description;  // the tool and what it was asked for: "Bash: curl -s https://…"
  std::string tool_use_id;  // empty in the list table view
  bool operator==(const PermissionDenial&) const = default;
};

// Claude's `result` line, as far as ptt cares (field names: the Agent SDK's
// SDKResultMessage, docs/protocol.md "The task record").
struct AgentResult {
  std::string subtype;
  bool is_error = false;
  std::string text;
  // This task's own cost: for a follow-up (--resume) the CLI's figure counts the whole
  // session, so the parent's session cost is taken off (session_cost_usd keeps the total).
  double cost_usd = 0;
  int num_turns = 0;
  std::int64_t duration_ms = 0;
  std::vector<PermissionDenial> permission_denials;
  std::vector<std::string> errors;  // error results: why, in Claude's words
  std::string terminal_reason;      // empty when the CLI sent none
  std::string startup_failure_reason;
  std::optional<double> session_cost_usd;  // the CLI's total_cost_usd, cumulative over the session
  nlohmann::json usage;                    // the CLI's `usage` (null when absent)
  nlohmann::json model_usage;              // the CLI's `modelUsage`: tokens and cost per model
  bool operator==(const AgentResult&) const = default;
};

// The task's own git worktree (`spawn --worktree`, docs/taskd.md "Worktrees"). Named at
// spawn; `base_commit` is set once the daemon has made it (before the agent starts).
struct TaskWorktree {
  std::string repo;    // the main checkout's top level
  std::string subdir;  // the spawn's cwd relative to `repo` ("" at the top): the agent starts there
  std::string path;    // the worktree's directory
  std::string branch;  // ptt/<id>[-<name>]
  std::string base;    // the base as given (`--base REF`; "HEAD" by default)
  std::optional<std::string> base_commit;  // what `base` resolved to
  std::optional<std::string> base_branch;  // the branch `base` named (refs/heads/…), merge's target
  std::optional<std::string> setup;        // run in the new worktree before the agent
  // What the task changed, counted when it ended (absent when it could not be counted).
  std::optional<WorktreeChanges> changes;
  // "merged" or "discarded" (protocol/worktree_changes.h) once `ptt-task merge` or
  // `discard` (or their voice tools) did so; absent before.
  std::optional<std::string> resolution;
  bool operator==(const TaskWorktree&) const = default;
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
  std::optional<TaskWorktree> worktree;
  // A cancel was asked for and the agent has not exited yet (state stays running;
  // ptt-task shows it as `cancelling`).
  bool cancel_requested = false;
  // "permission" while its agent waits for an answer to a question (protocol/permissions.h);
  // absent on the wire otherwise. State stays running meanwhile.
  std::optional<std::string> waiting;
  bool operator==(const TaskRecord&) const = default;
};

void to_json(nlohmann::json& j, const AgentOptions& o);
void from_json(const nlohmann::json& j, AgentOptions& o);
void to_json(nlohmann::json& j, const PermissionDenial& d);
void from_json(const nlohmann::json& j, PermissionDenial& d);
void to_json(nlohmann::json& j, const AgentResult& r);
void from_json(const nlohmann::json& j, AgentResult& r);
void to_json(nlohmann::json& j, const TaskWorktree& w);
void from_json(const nlohmann::json& j, TaskWorktree& w);
// A worktree's `changes` object, and back (a missing or mistyped count reads as 0).
nlohmann::json changes_json(const WorktreeChanges& c);
WorktreeChanges changes_of_json(const nlohmann::json& j);
void to_json(nlohmann::json& j, const TaskRecord& t);
// Throws nlohmann::json::exception on a missing or mistyped required field.
void from_json(const nlohmann::json& j, TaskRecord& t);

}  // namespace ptt::protocol
