// A task's own git worktree (docs/taskd.md, "Worktrees"): made before its agent starts,
// step by step in child processes (worktree_prepare.h) while the loop goes on.
#include <fmt/format.h>

#include "taskd/agent_command.h"
#include "taskd/daemon_state.h"
#include "taskd/worktree_prepare.h"

namespace ptt::taskd {
namespace fs = std::filesystem;

void Daemon::prepare_task_worktree(TaskId id) {
  const auto* t = table_.live(id);
  WorktreeJob job;
  job.worktree = *t->worktree;
  job.log_dir = fs::absolute(store_.log_dir(id));
  job.setup_env = agent_environment(id);
  job.on_child = [this, id](pid_t pid) { preparing_[id] = pid; };
  job.done = [this, id](WorktreeOutcome outcome) {
    preparing_.erase(id);
    const auto* task = table_.live(id);
    if (!task || task->state != protocol::TaskState::kStarting) {
      daemon_log(fmt::format("task {}: ended while its worktree was made; {} stays until `ptt-task clean`",
                             id, task && task->worktree ? task->worktree->path : std::string("it")));
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
