// The daemon's task lifecycle: starting a task's supervisor, watching it,
// cancelling it, and turning its stream and exit into TaskTable events.
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "taskd/agent_command.h"
#include "taskd/daemon_state.h"
#include "taskd/supervisor.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_tail(const fs::path& path, std::size_t bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  ::fstat(fd, &st);
  off_t from = st.st_size > static_cast<off_t>(bytes) ? st.st_size - static_cast<off_t>(bytes) : 0;
  std::string out(static_cast<std::size_t>(st.st_size - from), '\0');
  ssize_t n = ::pread(fd, out.data(), out.size(), from);
  ::close(fd);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

void touch(const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
}

}  // namespace

void Daemon::start_agent(TaskId id) {
  const auto* t = table_.find(id);
  if (!t) return;
  fs::path dir = store_.log_dir(id);
  fs::create_directories(dir);
  touch(dir / "stderr.log");  // stream.ndjson: its TaskWatch creates it, in this same turn
  SupervisorSpec spec;
  spec.argv =
      agent_argv(config_.claude, t->prompt, merge_options(config_.defaults, t->options), t->resume_session);
  spec.cwd = t->cwd;
  spec.log_dir = dir;
  spec.env = {fmt::format("PTT_TASK_ID={}", id)};
  spec.kill_grace_ms = static_cast<int>(config_.kill_grace_s * 1000);
  spec.agent_umask = user_umask_;
  // Through the spawner (cheap); exec'ing ptt-taskd --supervise if it is gone.
  bool via_spawner = spawner_.running();
  pid_t pid = via_spawner ? spawner_.spawn(spec) : -1;
  if (pid < 0 && !spawner_.running()) {
    via_spawner = false;
    pid = start_supervisor(spec);
  }
  Actions actions;
  if (pid < 0) {
    std::string why = fmt::format("cannot start the task's supervisor: {}", std::strerror(errno));
    daemon_log(fmt::format("task {}: {}", id, why));
    table_.fail_running(id, reason::kSpawnFailed, why, now(), actions);
  } else {
    table_.agent_started(id, pid, actions);
    watch_task(id, pid, via_spawner ? TaskWatch::Supervisor::kFresh : TaskWatch::Supervisor::kChild);
  }
  apply(std::move(actions));
}

void Daemon::watch_task(TaskId id, pid_t supervisor, TaskWatch::Supervisor kind) {
  TaskWatch::Callbacks cb;
  cb.on_stream_value = [this](std::int64_t task, const json& value) { on_stream_value(task, value); };
  cb.on_grew = [this](std::int64_t task) { mark_followers(task); };
  cb.want_pump = [this] { want_pump(); };
  cb.on_ended = [this](std::int64_t task, std::optional<AgentExit> exit) { on_task_ended(task, exit); };
  watches_[id] = TaskWatch::start(loop_, id, store_.log_dir(id), supervisor, kind, std::move(cb));
}

void Daemon::cancel_agent(TaskId id) {
  auto it = watches_.find(id);
  if (it != watches_.end() && it->second->supervisor() > 0) ::kill(it->second->supervisor(), SIGTERM);
}

void Daemon::on_stream_value(TaskId id, const json& value) {
  const auto* t = table_.find(id);
  if (!t) return;
  StreamUpdate update = read_stream_line(value, t->cwd);
  if (update.empty()) return;
  Actions actions;
  table_.stream_update(id, update, actions);
  apply(std::move(actions));
}

void Daemon::on_task_ended(TaskId id, std::optional<AgentExit> exit) {
  if (auto it = watches_.find(id); it != watches_.end()) {
    it->second->destroy();
    watches_.erase(it);
  }
  std::string tail = stderr_tail(read_tail(store_.stderr_log(id), 4096));
  Actions actions;
  if (exit) {
    table_.agent_exited(id, *exit, std::move(tail), now(), actions);
  } else {
    // Its agent would run on unsupervised: end its process group too.
    std::string agent = read_file(store_.log_dir(id) / "agent.pid");
    pid_t agent_pgid = agent.empty() ? 0 : static_cast<pid_t>(std::atol(agent.c_str()));
    if (agent_pgid > 1) ::killpg(agent_pgid, SIGKILL);
    daemon_log(fmt::format("task {}: its supervisor is gone without an exit status; agent group {} killed",
                           id, agent_pgid));
    table_.fail_running(id, reason::kSupervisorLost, std::move(tail), now(), actions);
  }
  apply(std::move(actions));
}

void Daemon::reap_children() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    for (auto& [id, w] : watches_) {
      if (w->supervisor() == pid) w->supervisor_exited();
    }
  }
}

}  // namespace ptt::taskd
