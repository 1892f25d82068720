#pragma once
// Counting what a worktree task changed when its agent ends (docs/taskd.md, "Worktrees"):
// `git add -A` into a throwaway copy of the worktree's index (GIT_INDEX_FILE, so the
// worktree and its own index are untouched), then `git diff --cached --numstat BASE`.
// Committed, uncommitted and untracked (not ignored) files all count, as `ptt-task diff`
// shows them. Each step is a child process (ChildCommands): the loop goes on meanwhile.
#include <filesystem>
#include <functional>
#include <optional>

#include "protocol/task_record.h"
#include "taskd/child_commands.h"

namespace ptt::taskd {

struct ChangeCountJob {
  protocol::TaskWorktree worktree;  // with its base_commit
  std::filesystem::path log_dir;    // the task's: the temporary index and git's messages
  // The count, or nullopt when the worktree is gone or git failed (a count is never worth
  // failing a task for). May run before count_worktree_changes returns.
  std::function<void(std::optional<protocol::WorktreeChanges>)> done;
};

void count_worktree_changes(ChildCommands& commands, ChangeCountJob job);

// The index file of the worktree at `path` (its `.git` file names its git dir), or
// empty when it cannot be found.
std::filesystem::path worktree_index(const std::filesystem::path& path);

}  // namespace ptt::taskd
