#pragma once
// What a worktree task changed (docs/taskd.md, "Worktrees"): counted by the daemon when
// the task ends (`git diff --numstat` from its base commit to the worktree, committed,
// uncommitted and untracked files alike) and kept in its record, so `status`, `list`,
// `top` and the voice tools say it without running git.
#include <cstdint>
#include <string>
#include <string_view>

namespace ptt::protocol {

struct WorktreeChanges {
  std::int64_t files = 0;
  std::int64_t insertions = 0;
  std::int64_t deletions = 0;
  bool operator==(const WorktreeChanges&) const = default;
};

// From `git diff --numstat` output ("ADDED\tDELETED\tPATH" lines; "-" for a binary file's
// counts, which then count as 0).
WorktreeChanges changes_of_numstat(std::string_view numstat);

// "changed 3 files, +42 −7", or "no changes".
std::string change_summary(const WorktreeChanges& changes);

// What became of a task's worktree after it finished (TaskWorktree::resolution).
namespace resolution {
inline constexpr std::string_view kMerged = "merged";
inline constexpr std::string_view kDiscarded = "discarded";
}  // namespace resolution
bool is_resolution(std::string_view s);

}  // namespace ptt::protocol
