#pragma once
// Making a task's git worktree before its agent starts (docs/taskd.md, "Worktrees"):
// resolve the base, `git worktree add` a new branch, copy the untracked files
// `.worktreeinclude` names, run the setup command. Each step is a child process
// (ChildCommands), so the daemon's loop goes on meanwhile.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocol/task_record.h"
#include "protocol/task_state.h"
#include "taskd/child_commands.h"

namespace ptt::taskd {

struct WorktreeOutcome {
  bool ok = false;
  std::string base_commit;
  std::optional<std::string> base_branch;
  protocol::FailureReason reason = protocol::FailureReason::kWorktreeFailed;  // when not ok
  std::string detail;                                                         // when not ok
};

struct WorktreeJob {
  protocol::TaskWorktree worktree;
  std::filesystem::path log_dir;        // git's messages and the setup command's output go here
  std::vector<std::string> setup_env;   // NAME=value for the setup command
  std::function<void(pid_t)> on_child;  // each step's pid (a cancel kills it)
  std::function<void(WorktreeOutcome)> done;
};

void prepare_worktree(ChildCommands& commands, WorktreeJob job);

// The untracked files `.worktreeinclude` matched (`git ls-files -z` output) copied from
// `repo` into `worktree`; an error message, or empty.
std::string copy_included(const std::string& ls_files_z, const std::filesystem::path& repo,
                          const std::filesystem::path& worktree);

}  // namespace ptt::taskd
