#pragma once
// Bringing a worktree task's changes onto the branch it was based on, in the main
// checkout (docs/taskd.md, "Worktrees"). Checked first, done second: when the merge
// would conflict, or the main checkout has uncommitted changes to files the task
// changed, nothing in the main checkout is touched and the error names the files.
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/task_record.h"

namespace ptt::taskcli {

enum class MergeMode { kMerge, kSquash, kRebase };

struct MergeOutcome {
  bool ok = false;
  std::string message;             // what happened, or why not and what to do
  std::vector<std::string> files;  // the conflicting files, when refused for them
};

// The commit message for the task's uncommitted work (and a squash): its prompt's first
// line, then its result text.
std::string task_commit_message(const protocol::TaskRecord& t);

MergeOutcome merge_task(const protocol::TaskRecord& t, MergeMode mode, const std::string& message);

}  // namespace ptt::taskcli

namespace ptt::taskcli {

// `merge` leaves this mark in the worktree's own git dir (.git/worktrees/<name>/): `clean`
// then removes the worktree. True when it is there.
bool worktree_merged(const protocol::TaskWorktree& w);
void mark_worktree_merged(const protocol::TaskWorktree& w);

// Removes the worktree (`git worktree remove --force`) and its branch (`git branch -D`);
// an error message, or empty.
std::string remove_worktree(const protocol::TaskWorktree& w);

// Bytes under `dir` (files only, symlinks not followed); 0 when it is gone.
std::uintmax_t disk_usage(const std::string& dir);
std::string format_bytes(std::uintmax_t bytes);

}  // namespace ptt::taskcli
