#pragma once
// The task record's field names (docs/protocol.md, "The task record"), once: the
// record's to_json/from_json, the daemon's list table view and the SAX record
// reader (task_record_reader.cpp) all name fields through these.
namespace ptt::protocol::record_field {

inline constexpr const char* kId = "id";
inline constexpr const char* kName = "name";
inline constexpr const char* kState = "state";
inline constexpr const char* kReason = "reason";
inline constexpr const char* kPrompt = "prompt";
inline constexpr const char* kCwd = "cwd";
inline constexpr const char* kAfter = "after";
inline constexpr const char* kParent = "parent";
inline constexpr const char* kResumeSession = "resume_session";
inline constexpr const char* kRetryOf = "retry_of";
inline constexpr const char* kCreatedAt = "created_at";
inline constexpr const char* kStartedAt = "started_at";
inline constexpr const char* kFinishedAt = "finished_at";
inline constexpr const char* kPid = "pid";
inline constexpr const char* kSessionId = "session_id";
inline constexpr const char* kModel = "model";
inline constexpr const char* kActivity = "activity";
inline constexpr const char* kExitCode = "exit_code";
inline constexpr const char* kStderrTail = "stderr_tail";
inline constexpr const char* kResult = "result";
inline constexpr const char* kOptions = "options";
inline constexpr const char* kCancelRequested = "cancel_requested";
inline constexpr const char* kWorktree = "worktree";
// In "worktree":
inline constexpr const char* kWorktreeRepo = "repo";
inline constexpr const char* kWorktreeSubdir = "subdir";
inline constexpr const char* kWorktreePath = "path";
inline constexpr const char* kWorktreeBranch = "branch";
inline constexpr const char* kWorktreeBase = "base";
inline constexpr const char* kWorktreeBaseCommit = "base_commit";
inline constexpr const char* kWorktreeBaseBranch = "base_branch";
inline constexpr const char* kWorktreeSetup = "setup";
inline constexpr const char* kWorktreeChanges = "changes";
inline constexpr const char* kWorktreeResolution = "resolution";
// In "changes":
inline constexpr const char* kChangesFiles = "files";
inline constexpr const char* kChangesInsertions = "insertions";
inline constexpr const char* kChangesDeletions = "deletions";
// "permission" while the task's agent waits for an answer (protocol/permissions.h).
inline constexpr const char* kWaiting = "waiting";
// In "result":
inline constexpr const char* kResultText = "text";
inline constexpr const char* kResultSubtype = "subtype";
inline constexpr const char* kResultCostUsd = "cost_usd";
inline constexpr const char* kResultIsError = "is_error";
inline constexpr const char* kResultNumTurns = "num_turns";
inline constexpr const char* kResultDurationMs = "duration_ms";
// In "options":
inline constexpr const char* kOptionModel = "model";
inline constexpr const char* kOptionMaxTurns = "max_turns";
inline constexpr const char* kOptionMaxBudgetUsd = "max_budget_usd";
inline constexpr const char* kOptionPermissionMode = "permission_mode";
inline constexpr const char* kOptionAllowedTools = "allowed_tools";
inline constexpr const char* kOptionAddDirs = "add_dirs";
inline constexpr const char* kOptionAppendSystemPrompt = "append_system_prompt";
inline constexpr const char* kOptionStallTimeout = "stall_timeout";
inline constexpr const char* kOptionSandbox = "sandbox";
// A journal line that drops a task (not a record).
inline constexpr const char* kForget = "forget";
inline constexpr const char* kResultPermissionDenials = "permission_denials";
inline constexpr const char* kResultErrors = "errors";
inline constexpr const char* kResultTerminalReason = "terminal_reason";
inline constexpr const char* kResultStartupFailureReason = "startup_failure_reason";
inline constexpr const char* kResultSessionCostUsd = "session_cost_usd";
inline constexpr const char* kResultUsage = "usage";
inline constexpr const char* kResultModelUsage = "model_usage";
// In each of "result"'s "permission_denials":
inline constexpr const char* kDenialTool = "tool";
inline constexpr const char* kDenialDescription = "description";
inline constexpr const char* kDenialToolUseId = "tool_use_id";

}  // namespace ptt::protocol::record_field
