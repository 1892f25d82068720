#include "protocol/task_record.h"

#include "protocol/json_fields.h"
#include "protocol/task_record_fields.h"

namespace ptt::protocol {
using nlohmann::json;

void to_json(json& j, const AgentOptions& o) {
  j = json::object();
  if (o.model) j[record_field::kOptionModel] = *o.model;
  if (o.max_turns) j[record_field::kOptionMaxTurns] = *o.max_turns;
  if (o.max_budget_usd) j[record_field::kOptionMaxBudgetUsd] = *o.max_budget_usd;
  if (o.permission_mode) j[record_field::kOptionPermissionMode] = *o.permission_mode;
  if (o.allowed_tools) j[record_field::kOptionAllowedTools] = *o.allowed_tools;
  if (!o.add_dirs.empty()) j[record_field::kOptionAddDirs] = o.add_dirs;
  if (o.append_system_prompt) j[record_field::kOptionAppendSystemPrompt] = *o.append_system_prompt;
  if (o.stall_timeout_s) j[record_field::kOptionStallTimeout] = *o.stall_timeout_s;
  if (o.sandbox) j[record_field::kOptionSandbox] = *o.sandbox;
}

void from_json(const json& j, AgentOptions& o) {
  o = {};
  if (j.is_null()) return;
  get_nullable(j, record_field::kOptionModel, o.model);
  get_nullable(j, record_field::kOptionMaxTurns, o.max_turns);
  get_nullable(j, record_field::kOptionMaxBudgetUsd, o.max_budget_usd);
  get_nullable(j, record_field::kOptionPermissionMode, o.permission_mode);
  get_nullable(j, record_field::kOptionAllowedTools, o.allowed_tools);
  if (auto it = j.find(record_field::kOptionAddDirs); it != j.end() && !it->is_null())
    o.add_dirs = it->get<std::vector<std::string>>();
  get_nullable(j, record_field::kOptionAppendSystemPrompt, o.append_system_prompt);
  get_nullable(j, record_field::kOptionStallTimeout, o.stall_timeout_s);
  if (auto it = j.find(record_field::kOptionSandbox); it != j.end() && it->is_boolean())
    o.sandbox = it->get<bool>();
}

void to_json(json& j, const PermissionDenial& d) {
  j = json{{record_field::kDenialTool, d.tool}, {record_field::kDenialDescription, d.description}};
  if (!d.tool_use_id.empty()) j[record_field::kDenialToolUseId] = d.tool_use_id;
}

void from_json(const json& j, PermissionDenial& d) {
  d.tool = j.value(record_field::kDenialTool, "");
  d.description = j.value(record_field::kDenialDescription, "");
  d.tool_use_id = j.value(record_field::kDenialToolUseId, "");
}

void to_json(json& j, const AgentResult& r) {
  j = json{{record_field::kResultSubtype, r.subtype},    {record_field::kResultIsError, r.is_error},
           {record_field::kResultText, r.text},          {record_field::kResultCostUsd, r.cost_usd},
           {record_field::kResultNumTurns, r.num_turns}, {record_field::kResultDurationMs, r.duration_ms}};
  // Left out when empty: most results have none of these.
  if (!r.permission_denials.empty()) j[record_field::kResultPermissionDenials] = r.permission_denials;
  if (!r.errors.empty()) j[record_field::kResultErrors] = r.errors;
  if (!r.terminal_reason.empty()) j[record_field::kResultTerminalReason] = r.terminal_reason;
  if (!r.startup_failure_reason.empty())
    j[record_field::kResultStartupFailureReason] = r.startup_failure_reason;
  if (r.session_cost_usd) j[record_field::kResultSessionCostUsd] = *r.session_cost_usd;
  if (!r.usage.is_null()) j[record_field::kResultUsage] = r.usage;
  if (!r.model_usage.is_null()) j[record_field::kResultModelUsage] = r.model_usage;
}

void from_json(const json& j, AgentResult& r) {
  r.subtype = j.value(record_field::kResultSubtype, "");
  r.is_error = j.value(record_field::kResultIsError, false);
  r.text = j.value(record_field::kResultText, "");
  r.cost_usd = j.value(record_field::kResultCostUsd, 0.0);
  r.num_turns = field_or(j, record_field::kResultNumTurns, 0);
  r.duration_ms = field_or(j, record_field::kResultDurationMs, std::int64_t{0});
  r.permission_denials.clear();
  if (auto it = j.find(record_field::kResultPermissionDenials); it != j.end() && it->is_array()) {
    for (const auto& d : *it)
      if (d.is_object()) r.permission_denials.push_back(d.get<PermissionDenial>());
  }
  r.errors.clear();
  if (auto it = j.find(record_field::kResultErrors); it != j.end() && it->is_array()) {
    for (const auto& e : *it)
      if (e.is_string()) r.errors.push_back(e.get<std::string>());
  }
  r.terminal_reason = j.value(record_field::kResultTerminalReason, "");
  r.startup_failure_reason = j.value(record_field::kResultStartupFailureReason, "");
  r.session_cost_usd.reset();
  if (auto it = j.find(record_field::kResultSessionCostUsd); it != j.end() && it->is_number())
    r.session_cost_usd = it->get<double>();
  auto object_or_null = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : json();
  };
  r.usage = object_or_null(record_field::kResultUsage);
  r.model_usage = object_or_null(record_field::kResultModelUsage);
}

void to_json(json& j, const TaskWorktree& w) {
  j = json{{record_field::kWorktreeRepo, w.repo},
           {record_field::kWorktreeSubdir, w.subdir},
           {record_field::kWorktreePath, w.path},
           {record_field::kWorktreeBranch, w.branch},
           {record_field::kWorktreeBase, w.base}};
  put_nullable(j, record_field::kWorktreeBaseCommit, w.base_commit);
  put_nullable(j, record_field::kWorktreeBaseBranch, w.base_branch);
  if (w.setup) j[record_field::kWorktreeSetup] = *w.setup;
  if (w.changes) j[record_field::kWorktreeChanges] = changes_json(*w.changes);
  if (w.resolution) j[record_field::kWorktreeResolution] = *w.resolution;
}

void from_json(const json& j, TaskWorktree& w) {
  w = {};
  w.repo = j.value(record_field::kWorktreeRepo, "");
  w.subdir = j.value(record_field::kWorktreeSubdir, "");
  w.path = j.value(record_field::kWorktreePath, "");
  w.branch = j.value(record_field::kWorktreeBranch, "");
  w.base = j.value(record_field::kWorktreeBase, "HEAD");
  get_nullable(j, record_field::kWorktreeBaseCommit, w.base_commit);
  get_nullable(j, record_field::kWorktreeBaseBranch, w.base_branch);
  get_nullable(j, record_field::kWorktreeSetup, w.setup);
  if (auto it = j.find(record_field::kWorktreeChanges); it != j.end() && it->is_object())
    w.changes = changes_of_json(*it);
  if (auto it = j.find(record_field::kWorktreeResolution); it != j.end() && it->is_string())
    w.resolution = it->get<std::string>();
}

json changes_json(const WorktreeChanges& c) {
  return {{record_field::kChangesFiles, c.files},
          {record_field::kChangesInsertions, c.insertions},
          {record_field::kChangesDeletions, c.deletions}};
}

WorktreeChanges changes_of_json(const json& j) {
  auto count = [&](const char* key) -> std::int64_t {
    auto it = j.find(key);
    return it == j.end() ? 0 : integer_if<std::int64_t>(*it).value_or(0);
  };
  return {.files = count(record_field::kChangesFiles),
          .insertions = count(record_field::kChangesInsertions),
          .deletions = count(record_field::kChangesDeletions)};
}

void to_json(json& j, const TaskRecord& t) {
  j = json::object();
  j[record_field::kId] = t.id;
  put_nullable(j, record_field::kName, t.name);
  j[record_field::kState] = to_string(t.state);
  put_nullable(j, record_field::kReason, t.reason);
  j[record_field::kPrompt] = t.prompt;
  j[record_field::kCwd] = t.cwd;
  j[record_field::kAfter] = t.after;
  put_nullable(j, record_field::kParent, t.parent);
  put_nullable(j, record_field::kResumeSession, t.resume_session);
  put_nullable(j, record_field::kRetryOf, t.retry_of);
  j[record_field::kCreatedAt] = t.created_at;
  put_nullable(j, record_field::kStartedAt, t.started_at);
  put_nullable(j, record_field::kFinishedAt, t.finished_at);
  put_nullable(j, record_field::kPid, t.pid);
  put_nullable(j, record_field::kSessionId, t.session_id);
  put_nullable(j, record_field::kModel, t.model);
  put_nullable(j, record_field::kActivity, t.activity);
  put_nullable(j, record_field::kExitCode, t.exit_code);
  put_nullable(j, record_field::kStderrTail, t.stderr_tail);
  put_nullable(j, record_field::kResult, t.result);
  j[record_field::kOptions] = t.options;
  if (t.cancel_requested) j[record_field::kCancelRequested] = true;
  if (t.worktree) j[record_field::kWorktree] = *t.worktree;
  if (t.waiting) j[record_field::kWaiting] = *t.waiting;
}

void from_json(const json& j, TaskRecord& t) {
  t = {};
  t.id = checked_integer<std::int64_t>(j.at(record_field::kId));
  get_nullable(j, record_field::kName, t.name);
  auto state = parse_task_state(j.at(record_field::kState).get<std::string>());
  if (!state) throw json::type_error::create(302, "unknown task state", &j);
  t.state = *state;
  get_nullable(j, record_field::kReason, t.reason);
  t.prompt = j.value(record_field::kPrompt, "");
  t.cwd = j.value(record_field::kCwd, "");
  if (auto it = j.find(record_field::kAfter); it != j.end() && !it->is_null()) {
    if (!it->is_array()) throw json::type_error::create(302, "`after` is not a list", &j);
    for (const json& after : *it) t.after.push_back(checked_integer<std::int64_t>(after));
  }
  get_nullable(j, record_field::kParent, t.parent);
  get_nullable(j, record_field::kResumeSession, t.resume_session);
  get_nullable(j, record_field::kRetryOf, t.retry_of);
  t.created_at = j.value(record_field::kCreatedAt, 0.0);
  get_nullable(j, record_field::kStartedAt, t.started_at);
  get_nullable(j, record_field::kFinishedAt, t.finished_at);
  get_nullable(j, record_field::kPid, t.pid);
  get_nullable(j, record_field::kSessionId, t.session_id);
  get_nullable(j, record_field::kModel, t.model);
  get_nullable(j, record_field::kActivity, t.activity);
  get_nullable(j, record_field::kExitCode, t.exit_code);
  get_nullable(j, record_field::kStderrTail, t.stderr_tail);
  get_nullable(j, record_field::kResult, t.result);
  if (auto it = j.find(record_field::kOptions); it != j.end()) t.options = it->get<AgentOptions>();
  if (auto it = j.find(record_field::kCancelRequested); it != j.end() && it->is_boolean())
    t.cancel_requested = it->get<bool>();
  if (auto it = j.find(record_field::kWorktree); it != j.end() && it->is_object())
    t.worktree = it->get<TaskWorktree>();
  if (auto it = j.find(record_field::kWaiting); it != j.end() && it->is_string())
    t.waiting = it->get<std::string>();
}

}  // namespace ptt::protocol
