#pragma once
// What a task changed in its git worktree (docs/taskd.md, "Worktrees"): everything
// from its base commit to the worktree as it is now, committed, uncommitted and
// untracked (not ignored) files alike. Read through a throwaway copy of the worktree's
// index with every file added (GIT_INDEX_FILE), so the worktree itself is not touched.
#include <optional>
#include <string>
#include <vector>

#include "protocol/task_record.h"

namespace ptt::taskcli {

struct GitRun {
  int status = -1;  // exit status; -1 when git could not run
  std::string out, err;
};

// git -C dir ARGS with `env` (NAME=value) over ours; output captured.
GitRun run_git(const std::string& dir, const std::vector<std::string>& args,
               const std::vector<std::string>& env = {});

class WorktreeSnapshot {
 public:
  // Throws std::runtime_error (what to do next included) when the worktree is gone or git fails.
  explicit WorktreeSnapshot(const protocol::TaskWorktree& worktree);
  ~WorktreeSnapshot();
  WorktreeSnapshot(const WorktreeSnapshot&) = delete;
  WorktreeSnapshot& operator=(const WorktreeSnapshot&) = delete;

  // `git diff --cached BASE ARGS` over the snapshot, its output on our stdout (git's
  // colour and pager rules); returns git's exit status.
  int show_diff(const std::vector<std::string>& args) const;
  GitRun diff(const std::vector<std::string>& args) const;
  std::string summary() const;

 private:
  const protocol::TaskWorktree& worktree_;
  std::string temp_dir_;
  std::vector<std::string> env_;
};

// The one-line summary of a task's changes, or nullopt when it has no worktree (or it is
// gone, or git fails: a summary is never worth an error).
std::optional<std::string> task_change_summary(const protocol::TaskRecord& t);

}  // namespace ptt::taskcli
