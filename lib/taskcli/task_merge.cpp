#include "taskcli/task_merge.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "taskcli/task_changes.h"

namespace ptt::taskcli {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < s.size()) {
    std::size_t end = s.find(sep, from);
    if (end == std::string::npos) end = s.size();
    if (end > from) out.push_back(s.substr(from, end - from));
    from = end + 1;
  }
  return out;
}

// `git status --porcelain -z` entries to their paths (a rename's both).
std::set<std::string> dirty_files(const std::string& porcelain_z) {
  std::set<std::string> out;
  auto entries = split(porcelain_z, '\0');
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].size() < 4) continue;
    out.insert(entries[i].substr(3));
    if (entries[i][0] == 'R' || entries[i][0] == 'C') {
      if (i + 1 < entries.size()) out.insert(entries[++i]);
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ", ") + f;
  return out;
}

MergeOutcome refuse(std::string message, std::vector<std::string> files = {}) {
  return {.ok = false, .message = std::move(message), .files = std::move(files)};
}

GitRun git_ok(const std::string& dir, const std::vector<std::string>& args, std::string& error) {
  GitRun r = run_git(dir, args);
  if (r.status != 0 && error.empty()) {
    std::string what;
    for (const auto& a : args) what += (what.empty() ? "" : " ") + a;
    error = fmt::format("git {} in {} failed: {}", what, dir, trimmed(r.err.empty() ? r.out : r.err));
  }
  return r;
}

}  // namespace

std::string task_commit_message(const protocol::TaskRecord& t) {
  std::string prompt = t.prompt.substr(0, t.prompt.find('\n'));
  if (prompt.size() > 72) prompt = prompt.substr(0, 69) + "...";
  std::string msg = fmt::format("ptt task {}: {}", t.id, prompt);
  if (t.result && !t.result->text.empty()) msg += "\n\n" + trimmed(t.result->text);
  return msg;
}

MergeOutcome merge_task(const protocol::TaskRecord& t, MergeMode mode, const std::string& message) {
  const protocol::TaskWorktree& w = *t.worktree;
  if (!w.base_branch || w.base_branch->rfind("refs/heads/", 0) != 0) {
    return refuse(
        fmt::format("task {} was based on {}, not on a branch, so there is nothing to merge it into; "
                    "merge its branch {} yourself",
                    t.id, w.base, w.branch));
  }
  std::string target = w.base_branch->substr(11);
  std::string error;
  // The main checkout must have the target branch out: that is where the changes go.
  GitRun head = run_git(w.repo, {"symbolic-ref", "-q", "HEAD"});
  if (trimmed(head.out) != *w.base_branch) {
    return refuse(fmt::format(
        "the main checkout {} is on {}, but task {} was based on {}; check out {} there "
        "and merge again",
        w.repo, head.status == 0 ? trimmed(head.out).substr(11) : "a detached HEAD", t.id, target, target));
  }
  // 1. The task's uncommitted work becomes a commit on its branch (in its worktree).
  git_ok(w.path, {"add", "-A"}, error);
  if (error.empty() && run_git(w.path, {"diff", "--cached", "--quiet"}).status == 1) {
    git_ok(w.path, {"commit", "-q", "-m", message.empty() ? task_commit_message(t) : message}, error);
  }
  if (!error.empty()) return refuse(error);
  // 2. Rebase: replays the branch onto the target in the worktree; a conflict is undone there.
  if (mode == MergeMode::kRebase) {
    GitRun r = run_git(w.path, {"rebase", "-q", target});
    if (r.status != 0) {
      auto files = split(run_git(w.path, {"diff", "--name-only", "--diff-filter=U"}).out, '\n');
      run_git(w.path, {"rebase", "--abort"});
      return refuse(
          fmt::format("task {}'s commits do not rebase onto {} without conflicts in: {}; resolve them in "
                      "its worktree (cd {} && git rebase {}), then `ptt-task merge {}` again",
                      t.id, target, joined(files), w.path, target, t.id),
          files);
    }
  }
  // 3. Checked without touching the main checkout: would the merge conflict?
  GitRun tree =
      run_git(w.repo, {"merge-tree", "--write-tree", "--name-only", "--no-messages", "HEAD", w.branch});
  if (tree.status == 1) {
    auto lines = split(tree.out, '\n');
    std::vector<std::string> files(lines.size() > 1 ? lines.begin() + 1 : lines.end(), lines.end());
    return refuse(
        fmt::format("task {}'s changes conflict with {} in: {}; nothing was changed. Resolve them in "
                    "its worktree (cd {} && git merge {}, fix, commit), then `ptt-task merge {}` again",
                    t.id, target, joined(files), w.path, target, t.id),
        files);
  }
  if (tree.status != 0)
    return refuse(fmt::format("git merge-tree in {} failed: {}", w.repo, trimmed(tree.err)));
  // 4. Uncommitted changes in the main checkout to files the task changed.
  auto changed = split(git_ok(w.repo, {"diff", "--name-only", "-z", "HEAD..." + w.branch}, error).out, '\0');
  auto dirty =
      dirty_files(git_ok(w.repo, {"status", "--porcelain", "-z", "--untracked-files=all"}, error).out);
  if (!error.empty()) return refuse(error);
  std::vector<std::string> overlap;
  for (const auto& f : changed)
    if (dirty.count(f)) overlap.push_back(f);
  if (!overlap.empty()) {
    return refuse(fmt::format("the main checkout {} has uncommitted changes to files task {} changed: {}; "
                              "nothing was changed. Commit or stash them, then `ptt-task merge {}` again",
                              w.repo, t.id, joined(overlap), t.id),
                  overlap);
  }
  // 5. The merge itself, now expected to go through; should it not, it is undone.
  std::string msg = message.empty() ? task_commit_message(t) : message;
  GitRun merged =
      mode == MergeMode::kSquash
          ? run_git(w.repo, {"merge", "-q", "--squash", w.branch})
          : run_git(w.repo, mode == MergeMode::kRebase
                                ? std::vector<std::string>{"merge", "-q", "--ff-only", w.branch}
                                : std::vector<std::string>{
                                      "merge", "-q", "--no-edit", "-m",
                                      fmt::format("Merge ptt task {} ({})", t.id, w.branch), w.branch});
  if (merged.status == 0 && mode == MergeMode::kSquash) {
    merged = run_git(w.repo, {"commit", "-q", "-m", msg});
    if (merged.status != 0) run_git(w.repo, {"reset", "-q", "--merge"});
  }
  if (merged.status != 0) {
    if (mode != MergeMode::kSquash) run_git(w.repo, {"merge", "--abort"});
    return refuse(fmt::format("git merge in {} failed: {}", w.repo,
                              trimmed(merged.err.empty() ? merged.out : merged.err)));
  }
  return {.ok = true,
          .message = fmt::format("merged task {} ({}) into {}{}", t.id, w.branch, target,
                                 mode == MergeMode::kSquash ? " as one commit" : ""),
          .files = {}};
}

}  // namespace ptt::taskcli

namespace ptt::taskcli {
namespace fs = std::filesystem;

namespace {

std::optional<fs::path> merged_mark(const protocol::TaskWorktree& w) {
  GitRun dir = run_git(w.path, {"rev-parse", "--path-format=absolute", "--git-dir"});
  if (dir.status != 0) return std::nullopt;
  return fs::path(trimmed(dir.out)) / "ptt-merged";
}

}  // namespace

bool worktree_merged(const protocol::TaskWorktree& w) {
  std::error_code ec;
  auto mark = merged_mark(w);
  return mark && fs::exists(*mark, ec);
}

void mark_worktree_merged(const protocol::TaskWorktree& w) {
  if (auto mark = merged_mark(w))
    std::ofstream(*mark) << trimmed(run_git(w.repo, {"rev-parse", "HEAD"}).out) << '\n';
}

std::string remove_worktree(const protocol::TaskWorktree& w) {
  std::error_code ec;
  if (fs::exists(w.path, ec)) {
    GitRun r = run_git(w.repo, {"worktree", "remove", "--force", "--force", w.path});
    if (r.status != 0) return fmt::format("git worktree remove {} failed: {}", w.path, trimmed(r.err));
  }
  if (run_git(w.repo, {"rev-parse", "--verify", "--quiet", "refs/heads/" + w.branch}).status == 0) {
    GitRun r = run_git(w.repo, {"branch", "-D", w.branch});
    if (r.status != 0) return fmt::format("git branch -D {} failed: {}", w.branch, trimmed(r.err));
  }
  return {};
}

std::uintmax_t disk_usage(const std::string& dir) {
  std::uintmax_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
  }
  return total;
}

std::string format_bytes(std::uintmax_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  if (bytes < 1024ull * 1024 * 1024) return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024));
  return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024 * 1024));
}

}  // namespace ptt::taskcli
