// The commands about a task's git worktree (docs/taskd.md, "Worktrees"): diff, merge,
// discard, and what clean does with worktrees.
#include <iostream>
#include <map>
#include <stdexcept>

#include <unistd.h>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "taskcli/commands.h"
#include "taskcli/task_changes.h"
#include "taskcli/task_merge.h"

namespace ptt::taskcli {
namespace fs = std::filesystem;

namespace {

protocol::TaskRecord task_with_worktree(CliSession& s, const std::string& task) {
  protocol::TaskReply reply = ask(s.client(), protocol::GetRequest{task_ref(task)});
  if (!reply.task.worktree) {
    throw UsageError(
        fmt::format("task {} ran in {} itself, not in a worktree of its own; use git there "
                    "(spawn with --worktree to review a task's changes apart)",
                    reply.task.id, reply.task.cwd));
  }
  return std::move(reply.task);
}

}  // namespace

int cmd_diff(CliSession& s, const DiffArgs& a) {
  if (auto there = run_on_host(s)) return *there;
  protocol::TaskRecord t = task_with_worktree(s, a.task);
  try {
    WorktreeSnapshot snapshot(*t.worktree);
    std::vector<std::string> args{s.style().color ? "--color=always" : "--no-color"};
    if (a.stat) args.push_back("--stat");
    if (a.name_only) args.push_back("--name-only");
    return snapshot.show_diff(args) == 0 ? kExitOk : kExitFailure;
  } catch (const std::runtime_error& e) {
    print_error("ptt-task", fmt::format("task {}: {}", t.id, e.what()));
    return kExitFailure;
  }
}

namespace {

protocol::TaskRecord finished_worktree_task(CliSession& s, const std::string& task, std::string_view verb) {
  protocol::TaskRecord t = task_with_worktree(s, task);
  if (!protocol::is_finished(t.state)) {
    throw UsageError(fmt::format("task {} is still {}; wait for it (`ptt-task wait {}`), then {} it", t.id,
                                 protocol::to_string(t.state), t.id, verb));
  }
  if (!t.worktree->base_commit)
    throw UsageError(fmt::format("task {}'s worktree was never made; nothing to {}", t.id, verb));
  return t;
}

// Tells the daemon, so `list` says it; the git work is done either way, so a daemon that
// cannot record it is only warned about.
void record_resolution(CliSession& s, std::int64_t id, std::string_view resolution) {
  try {
    ask(s.client(), protocol::ResolveWorktreeRequest{.task = id, .resolution = std::string(resolution)});
  } catch (const std::exception& e) {
    print_error("ptt-task", fmt::format("task {} was {}, but the daemon could not record it: {}", id,
                                        resolution, e.what()));
  }
}

bool confirmed(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace

int cmd_merge(CliSession& s, const MergeArgs& a) {
  if (auto there = run_on_host(s)) return *there;
  protocol::TaskRecord t = finished_worktree_task(s, a.task, "merge");
  std::error_code ec;
  if (!fs::is_directory(t.worktree->path, ec)) {
    print_error("ptt-task",
                fmt::format("task {}'s worktree {} is gone (discarded or cleaned); nothing to merge", t.id,
                            t.worktree->path));
    return kExitFailure;
  }
  MergeMode mode = a.squash ? MergeMode::kSquash : a.rebase ? MergeMode::kRebase : MergeMode::kMerge;
  MergeOutcome outcome = merge_task(t, mode, a.message);
  if (!outcome.ok) {
    print_error("ptt-task", outcome.message);
    return kExitFailure;
  }
  mark_worktree_merged(*t.worktree);
  write_stdout(outcome.message + "\n");
  record_resolution(s, t.id, protocol::resolution::kMerged);
  return kExitOk;
}

int cmd_discard(CliSession& s, const DiscardArgs& a) {
  if (auto there = run_on_host(s)) return *there;
  protocol::TaskRecord t = finished_worktree_task(s, a.task, "discard");
  const auto& w = *t.worktree;
  if (!a.yes) {
    if (!::isatty(STDIN_FILENO)) {
      throw UsageError(fmt::format(
          "discarding task {} deletes its worktree and branch {}; confirm with --yes", t.id, w.branch));
    }
    std::string changes = task_change_summary(t).value_or("its changes");
    if (!confirmed(fmt::format("Remove task {}'s worktree {} and branch {} ({})?", t.id, w.path, w.branch,
                               changes))) {
      write_stdout("kept\n");
      return kExitFailure;
    }
  }
  std::uintmax_t freed = disk_usage(w.path);
  if (std::string why = remove_worktree(w); !why.empty()) {
    print_error("ptt-task", why);
    return kExitFailure;
  }
  write_stdout(fmt::format("discarded task {}: removed {} and branch {} ({} freed)\n", t.id, w.path, w.branch,
                           format_bytes(freed)));
  record_resolution(s, t.id, protocol::resolution::kDiscarded);
  return kExitOk;
}

int clean_worktrees(CliSession& s, bool list_only) {
  protocol::TasksReply reply = ask(s.client(), protocol::ListRequest{});
  // One worktree may be shared by a task and its follow-ups: each is seen once.
  std::map<std::string, const protocol::TaskRecord*> worktrees;
  for (const auto& t : reply.tasks) {
    if (t.worktree && protocol::is_finished(t.state)) worktrees[t.worktree->path] = &t;
  }
  std::uintmax_t freed = 0, left = 0;
  int removed = 0, kept = 0;
  std::string out;
  for (const auto& [path, t] : worktrees) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) continue;
    std::uintmax_t size = disk_usage(path);
    bool merged = worktree_merged(*t->worktree) || t->worktree->resolution == protocol::resolution::kMerged;
    if (list_only || !merged) {
      ++kept;
      left += size;
      if (list_only)
        out += fmt::format("{:>6}  {:<10}  {:>10}  {}  {}\n", t->id, merged ? "merged" : "unmerged",
                           format_bytes(size), t->worktree->branch, path);
      continue;
    }
    if (std::string why = remove_worktree(*t->worktree); !why.empty()) {
      print_error("ptt-task", why);
      continue;
    }
    ++removed;
    freed += size;
  }
  if (list_only) {
    write_stdout(out + fmt::format("{} worktree{}, {}\n", kept, kept == 1 ? "" : "s", format_bytes(left)));
  } else if (removed > 0) {
    write_stdout(fmt::format("removed {} merged worktree{}, {} freed\n", removed, removed == 1 ? "" : "s",
                             format_bytes(freed)));
  }
  return kExitOk;
}

}  // namespace ptt::taskcli
