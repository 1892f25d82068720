// A task's own git worktree (docs/taskd.md, "Worktrees"): made before its agent starts,
// step by step in child processes (worktree_prepare.h) while the loop goes on.
#include <memory>
#include <system_error>

#include <fmt/format.h>

#include "taskd/agent_command.h"
#include "taskd/daemon_state.h"
#include "taskd/worktree_prepare.h"

namespace ptt::taskd {
namespace fs = std::filesystem;

namespace {

// Removes the worktree of a task that ended while it was made (its branch too), when it exists.
void remove_unused_worktree(ChildCommands& commands, TaskId id, const protocol::TaskWorktree& w,
                            const fs::path& log_dir) {
  std::error_code ec;
  if (!fs::is_directory(w.path, ec)) return;
  daemon_log(fmt::format("task {}: ended while its worktree was made; removing {} and branch {}", id, w.path,
                         w.branch));
  std::string log = (log_dir / "worktree.log").string();
  auto remove_branch = [&commands, w, log](int) {
    commands.run({.argv = {"git", "-C", w.repo, "branch", "-D", w.branch},
                  .cwd = w.repo,
                  .stdout_file = log,
                  .stderr_file = log,
                  .extra_env = {}},
                 [](int) {});
  };
  commands.run({.argv = {"git", "-C", w.repo, "worktree", "remove", "--force", w.path},
                .cwd = w.repo,
                .stdout_file = log,
                .stderr_file = log,
                .extra_env = {}},
               remove_branch);
}

}  // namespace

void Daemon::prepare_task_worktree(TaskId id) {
  const auto* t = table_.live(id);
  WorktreeJob job;
  job.worktree = *t->worktree;
  job.log_dir = fs::absolute(store_.log_dir(id));
  job.setup_env = agent_environment(id);
  job.on_child = [this, id](pid_t pid) { preparing_[id] = pid; };
  auto job_worktree = std::make_shared<protocol::TaskWorktree>(job.worktree);
  job.done = [this, id, job_worktree](WorktreeOutcome outcome) {
    preparing_.erase(id);
    const auto* task = table_.live(id);
    if (!task || task->state != protocol::TaskState::kStarting) {
      // Cancelled meanwhile: no one asked for what was made of the worktree, and no
      // record names its base, so it and its branch go (git's messages: worktree.log).
      remove_unused_worktree(commands_, id, *job_worktree, fs::absolute(store_.log_dir(id)));
      return;
    }
    TableActions actions;
    if (outcome.ok) {
      table_.worktree_made(id, std::move(outcome.base_commit), std::move(outcome.base_branch), actions);
      apply(std::move(actions));
      start_agent(id);
      return;
    }
    daemon_log(fmt::format("task {}: {}: {}", id, protocol::to_string(outcome.reason), outcome.detail));
    // A failed setup command leaves a worktree that exists: its base is recorded, so
    // `diff` shows what the command did there and `discard` removes it.
    if (outcome.reason == protocol::FailureReason::kSetupFailed && !outcome.base_commit.empty())
      table_.worktree_made(id, std::move(outcome.base_commit), std::move(outcome.base_branch), actions);
    table_.fail_running(id, std::string(protocol::to_string(outcome.reason)), std::move(outcome.detail),
                        now(), actions);
    apply(std::move(actions));
  };
  prepare_worktree(commands_, std::move(job));
}

void Daemon::resolve_worktree(TaskId id, const std::string& resolution) {
  TableActions actions;
  table_.resolve_worktree(id, resolution, actions);
  apply(std::move(actions));
}

}  // namespace ptt::taskd
