#pragma once
// Where a task's git worktree goes and what its branch is called (docs/taskd.md,
// "Worktrees"): pure functions, no git run.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ptt::taskd {

// The top level of the git checkout holding `dir` (the nearest ancestor with a `.git`
// directory or file), or nullopt outside one. Read from the file system only: the
// spawn's reply waits for no git process.
std::optional<std::filesystem::path> git_toplevel(const std::filesystem::path& dir);

// ptt/<id>, or ptt/<id>-<name> with the name cut to what a branch name may hold.
std::string worktree_branch(std::int64_t id, const std::optional<std::string>& name);

// <state_dir>/worktrees/<repo's directory name>-<id>.
std::filesystem::path worktree_dir(const std::filesystem::path& state_dir, const std::filesystem::path& repo,
                                   std::int64_t id);

}  // namespace ptt::taskd
