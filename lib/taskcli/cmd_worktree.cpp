// The commands about a task's git worktree (docs/taskd.md, "Worktrees"): diff.
#include <stdexcept>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "taskcli/commands.h"
#include "taskcli/task_changes.h"

namespace ptt::taskcli {

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

}  // namespace ptt::taskcli
