#pragma once
// The voice tools for a worktree task's work (docs/taskd.md, "Worktrees"): review_task,
// merge_task and discard_task. Each runs `ptt-task diff|merge|discard` (the shell's own
// code, so a voice merge is checked and recorded exactly as a typed one), as a
// child the session runner starts without waiting for it. merge_task and discard_task
// follow the consent rule (consent_clock.h): only in a response to the user's own turn.
// Pure: the session feeds these.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ptt::realtime {

inline constexpr const char* kReviewTaskTool = "review_task";
inline constexpr const char* kMergeTaskTool = "merge_task";
inline constexpr const char* kDiscardTaskTool = "discard_task";

bool is_worktree_tool(std::string_view name);
// merge_task and discard_task: what the model may not do on its own.
bool needs_user_turn(std::string_view name);

struct TaskCommand {
  std::vector<std::string> args;  // ptt-task's arguments after its global options
  std::string immediate_output;   // set instead when the call itself is wrong
};
TaskCommand worktree_tool_command(const std::string& name, const std::string& arguments_json);

// What the model is told when merge_task or discard_task came without the user asking.
std::string consent_refusal(const std::string& name);

// One file of a unified diff (`git diff` output): its counts and its first changed lines.
struct FileChange {
  std::string path;
  long added = 0, deleted = 0;
  std::string excerpt;  // the first changed lines ("+…", "-…"), at most kExcerptChars
};
inline constexpr std::size_t kExcerptChars = 240;
std::vector<FileChange> diff_files(std::string_view diff);

// The function_call_output for the command's end: `status` its exit status (-1: it could
// not run), `output` what it printed (stdout and stderr). A review lists at most
// kReviewFiles files, so the spoken summary stays short.
inline constexpr std::size_t kReviewFiles = 12;
std::string worktree_tool_output(const std::string& name, int status, const std::string& output);

}  // namespace ptt::realtime
