// The daemon's task lifecycle: starting a task's supervisor, watching it,
// cancelling it, and turning its stream and exit into TaskTable events.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <set>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/process_identity.h"
#include "supervise/supervisor_status.h"
#include "taskd/agent_command.h"
#include "taskd/change_count.h"
#include "taskd/daemon_state.h"
#include "taskd/supervisor_launch.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_tail(const fs::path& path, std::size_t bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO there must not block
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

}  // namespace

protocol::AgentOptions Daemon::with_allowed_rules(protocol::AgentOptions options,
                                                  const protocol::TaskRecord& t) {
  // The daemon's --always-allow patterns, and what `allow --always` allowed in the tasks this
  // one follows up (their permissions.ndjson): allowed without asking.
  std::vector<std::string> rules = config_.always_allow;
  std::set<TaskId> seen;
  for (auto parent = t.parent; parent && seen.insert(*parent).second;) {
    auto log = read_permission_log(store_.log_dir(*parent));
    rules.insert(rules.end(), log.always_rules.begin(), log.always_rules.end());
    auto p = table_.find(*parent);
    parent = p ? p->parent : std::nullopt;
  }
  if (rules.empty()) return options;
  if (!options.allowed_tools) options.allowed_tools.emplace();
  for (auto& r : rules) {
    if (std::find(options.allowed_tools->begin(), options.allowed_tools->end(), r) ==
        options.allowed_tools->end())
      options.allowed_tools->push_back(std::move(r));
  }
  return options;
}

void Daemon::start_agent(TaskId id) {
  const auto* t = table_.live(id);
  // Cancelled between the spawn's reply and this start (a start follows the reply).
  if (!t || t->state != protocol::TaskState::kStarting) return;
  if (t->worktree && !t->worktree->base_commit) return prepare_task_worktree(id);
  fs::path dir = store_.log_dir(id);
  fs::path fifo = fs::absolute(dir) / kInputFifoFile;
  int status_fd = -1;
  auto input = std::make_unique<AgentInput>(loop_);
  std::string prompt_uuid = new_message_uuid();
  try {
    fs::create_directories(dir);
    AgentInput::make_fifo(fifo);
    status_fd = supervise::begin_supervisor_status(dir, t->started_at.value_or(now()));
    // Before the prompt is written: a restarted daemon then knows the agent has it to take.
    if (!supervise::append_supervisor_input(status_fd, prompt_uuid))
      throw std::system_error(errno, std::generic_category(),
                              "write " + (dir / "supervisor.ndjson").string());
  } catch (const std::exception& e) {
    if (status_fd >= 0) ::close(status_fd);
    // Without its status file a restart could not tell the task had started.
    std::string why = fmt::format(
        "cannot prepare the task's log dir: {}; free space there or fix its "
        "permissions, then spawn again",
        e.what());
    daemon_log(fmt::format("task {}: {}", id, why));
    TableActions actions;
    table_.fail_running(id, reason_text(protocol::FailureReason::kSpawnFailed), why, now(), actions);
    apply(std::move(actions));
    return;
  }
  supervise::AgentRequest request;
  request.task = id;
  request.cwd = t->worktree ? (fs::path(t->worktree->path) / t->worktree->subdir).string() : t->cwd;
  std::vector<std::string> sandbox_writable;
  if (t->worktree && !t->worktree->subdir.empty()) sandbox_writable.push_back(t->worktree->path);
  request.argv =
      agent_argv(config_.claude, with_allowed_rules(merge_options(config_.defaults, t->options), *t),
                 t->resume_session, sandbox_writable);
  request.log_dir = fs::absolute(dir);  // the supervisor enters the task's cwd
  request.env = agent_environment(id);
  request.kill_grace_ms = static_cast<int>(config_.kill_grace_s * 1000);
  request.agent_umask = user_umask_;
  request.input_fifo = fifo.string();
  // The prompt is the session's first message, written by the supervisor, which holds
  // the FIFO from before the agent starts to its end.
  input->session.sent(prompt_uuid);
  request.first_input = user_message_line(t->prompt, prompt_uuid);
  pid_t pid = supervisors_->run(request);
  int spawn_errno = errno;
  // A restarted daemon finds (and watches, or stops) the server through this line.
  if (pid > 0) supervise::append_supervisor_pid(status_fd, "server", pid, supervisors_->start_time());
  ::close(status_fd);
  errno = spawn_errno;
  TableActions actions;
  if (pid < 0) {
    std::string why = fmt::format("cannot start the supervisor: {}", std::strerror(errno));
    daemon_log(fmt::format("task {}: {}", id, why));
    table_.fail_running(id, reason_text(protocol::FailureReason::kSpawnFailed), why, now(), actions);
  } else {
    inputs_[id] = std::move(input);
    watch_task(id, pid, TaskWatch::Supervisor::kChild);  // the task's pid is its agent's, once known
  }
  apply(std::move(actions));
}

void Daemon::watch_task(TaskId id, pid_t supervisor, TaskWatch::Supervisor kind,
                        std::optional<std::uint64_t> supervisor_start) {
  TaskWatch::Callbacks cb;
  cb.on_stream_value = [this](std::int64_t task, const json& value) { on_stream_value(task, value); };
  cb.on_grew = [this](std::int64_t task) { mark_followers(task); };
  cb.want_pump = [this] { want_pump(); };
  cb.on_agent = [this](std::int64_t task, pid_t agent) {
    TableActions actions;
    table_.agent_started(task, agent, actions);
    apply(std::move(actions));
  };
  cb.on_ended = [this](std::int64_t task, std::optional<AgentExit> exit) { on_task_ended(task, exit); };
  cb.on_overdue = [this](std::int64_t task) {
    // `-p` may not exit while a background command it started runs: the outcome is the
    // result's already, so its group (and what it left, see supervise/leftovers.h) is ended.
    daemon_log(fmt::format(
        "task {}: its agent has not exited {} s after its result; ending it (the outcome stays the result's)",
        task, config_.kill_grace_s));
    cancel_agent(task);
  };
  cb.on_message_wait_over = [this](std::int64_t task) { on_message_wait_over(task); };
  cb.on_stalled = [this](std::int64_t task, std::uint64_t silent_ms) {
    std::uint64_t s = silent_ms / 1000;
    std::string silent = s < 120 ? fmt::format("{} s", s) : fmt::format("{} min", s / 60);
    daemon_log(fmt::format("task {}: stalled: its agent has written nothing for {}{}", task, silent,
                           config_.stall_kill ? "; cancelling it (--stall-action kill)" : ""));
    TableActions actions;
    table_.stalled(task, fmt::format("stalled: no output for {}", silent), config_.stall_kill, actions);
    apply(std::move(actions));
  };
  cb.on_output_resumed = [this](std::int64_t task) {
    TableActions actions;
    table_.output_resumed(task, actions);
    apply(std::move(actions));
  };
  cb.on_unreadable = [this](std::int64_t task, std::string why) {
    on_task_ended(task, std::nullopt, std::move(why), protocol::FailureReason::kStreamUnreadable);
  };
  TaskWatch* watch =
      TaskWatch::start(loop_, id, store_.log_dir(id), {supervisor, supervisor_start}, kind, std::move(cb));
  watches_[id] = watch;
  watch->watch_for_stall(stall_timeout_ms(id));
}

bool Daemon::tell_supervisor(TaskId id, const supervise::SupervisorRequest& request, int signo) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return true;
  pid_t supervisor = it->second->supervisor();
  if (supervisor <= 0) return true;
  if (std::holds_alternative<supervise::CancelAgentRequest>(request)
          ? supervisors_->cancel(supervisor, id)
          : supervisors_->close_input(supervisor, id))
    return true;
  // Run by the server of an earlier daemon (adopted after a restart): signalled
  // through the pidfd its watch holds, which names that very process.
  sigval value{};
  value.sival_ptr = reinterpret_cast<void*>(static_cast<std::intptr_t>(id));
  return it->second->signal_supervisor(signo, value);
}

void Daemon::cancel_agent(TaskId id) {
  if (auto it = preparing_.find(id); it != preparing_.end()) commands_.kill(it->second);
  if (!tell_supervisor(id, supervise::CancelAgentRequest{id}, supervise::cancel_signal())) {
    daemon_log(fmt::format("task {}: cannot reach its supervisor (pid {}) to cancel it: {}", id,
                           watches_.at(id)->supervisor(), std::strerror(errno)));
  }
}

void Daemon::close_agent_input(TaskId id) {
  auto it = inputs_.find(id);
  if (it == inputs_.end()) return;
  // Ours first, then the supervisor's: the agent sees the end only once both are closed.
  it->second->close_when_written([this, id] {
    if (!inputs_.count(id)) return;  // the task ended meanwhile
    if (!tell_supervisor(id, supervise::CloseInputRequest{id}, supervise::close_input_signal())) {
      daemon_log(fmt::format("task {}: cannot reach its supervisor to end its session: {}", id,
                             std::strerror(errno)));
    }
  });
}

AgentInput& Daemon::open_session_input(TaskId id, std::string_view what) {
  auto t = table_.find(id);
  auto refuse = [id](std::string why) {
    throw protocol::RequestRejected{protocol::error::kNotRunning, fmt::format("task {} {}", id, why)};
  };
  if (!t) refuse("is gone");
  if (protocol::is_finished(t->state)) {
    refuse(
        fmt::format("has finished ({}): its session takes no more {}; go on with it as a new task: "
                    "`ptt-task follow-up {} TEXT`",
                    protocol::to_string(t->state), what, id));
  }
  auto input = inputs_.find(id);
  if (input == inputs_.end()) {
    if (t->state == protocol::TaskState::kQueued || t->state == protocol::TaskState::kStarting)
      refuse(fmt::format("is {}: it takes {} once it runs", protocol::to_string(t->state), what));
    refuse(
        "was started by an earlier ptt-taskd without an input (its stdin is /dev/null); wait for it "
        "and use `ptt-task follow-up`");
  }
  if (input->second->session.closed()) {
    refuse(
        fmt::format("has ended its session (its result is in) and is finishing; once it has finished, "
                    "use `ptt-task follow-up {} TEXT`",
                    id));
  }
  if (!input->second->session.took_prompt())
    refuse(fmt::format("has not taken its prompt yet (the supervisor writes it): it takes {} in a moment",
                       what));
  if (!input->second->open(fs::absolute(store_.log_dir(id)) / kInputFifoFile))
    refuse(fmt::format("takes no input now: {}", std::strerror(errno)));
  return *input->second;
}

std::string Daemon::send_message(TaskId id, const std::string& text) {
  AgentInput& input = open_session_input(id, "messages");
  fs::path dir = store_.log_dir(id);
  std::string uuid = new_message_uuid();
  // Recorded before it is written: a restarted daemon then knows the session goes on.
  int status_fd = supervise::open_supervisor_status(dir);
  bool recorded = status_fd >= 0 && supervise::append_supervisor_input(status_fd, uuid);
  int err = errno;
  if (status_fd >= 0) ::close(status_fd);
  if (!recorded) {
    throw protocol::RequestRejected{
        protocol::error::kStorageError,
        fmt::format("cannot record the message in {}: {}; free space there and send it again",
                    (dir / supervise::kSupervisorStatusFile).string(), std::strerror(err))};
  }
  bool was_waiting = input.session.awaiting_message();
  input.session.sent(uuid);
  input.write(user_message_line(text, uuid));
  if (auto it = watches_.find(id); was_waiting && it != watches_.end())
    it->second->message_came(stall_timeout_ms(id));
  daemon_log(fmt::format("task {}: message {} sent ({} bytes)", id, uuid, text.size()));
  return uuid;
}

void Daemon::interrupt_turn(TaskId id) {
  AgentInput& input = open_session_input(id, "interrupts");
  if (input.session.awaiting_message()) return;  // interrupted already: nothing runs
  input.session.interrupted();
  input.write(interrupt_request_line(new_message_uuid()));
  daemon_log(fmt::format("task {}: interrupt sent", id));
}

std::uint64_t Daemon::stall_timeout_ms(TaskId id) const {
  const protocol::TaskRecord* t = table_.live(id);
  double stall_s = t && t->options.stall_timeout_s ? *t->options.stall_timeout_s : config_.stall_timeout_s;
  return static_cast<std::uint64_t>(stall_s * 1000);
}

void Daemon::on_message_wait_over(TaskId id) {
  auto input = inputs_.find(id);
  if (input == inputs_.end() || !input->second->session.give_up_waiting()) return;
  std::uint64_t waited_s = message_wait_ms(id) / 1000;
  daemon_log(
      fmt::format("task {}: no message came within {} s of its interrupt; ending its session", id, waited_s));
  TableActions actions;
  table_.note_activity(id, fmt::format("interrupted: no message came within {} s", waited_s), actions);
  apply(std::move(actions));
  close_agent_input(id);
  if (auto it = watches_.find(id); it != watches_.end())
    it->second->after_result(static_cast<std::uint64_t>(config_.kill_grace_s * 1000));
}

void Daemon::adopt_input(TaskId id) {
  auto status = supervise::read_supervisor_status(store_.log_dir(id));
  // No input line (the status file is unreadable or damaged): nothing of ours to close.
  if (!status || status->inputs.empty()) return;
  auto input = std::make_unique<AgentInput>(loop_);
  // The stream is read again from its start, and with it every echo.
  for (const auto& uuid : status->inputs) input->session.sent(uuid);
  inputs_[id] = std::move(input);
}

void Daemon::on_stream_value(TaskId id, const json& value) {
  // A task is finished here only when its agent went on writing after a cancel.
  std::shared_ptr<const protocol::TaskRecord> finished;
  const protocol::TaskRecord* t = table_.live(id);
  if (!t && (finished = table_.find(id))) t = finished.get();
  if (!t) return;
  if (relay_permission_line(id, value, *t)) return;
  StreamUpdate update = read_stream_line(value, t->cwd);
  if (update.empty()) return;
  auto input = inputs_.find(id);
  if (update.replayed && input != inputs_.end()) input->second->session.echoed(*update.replayed);
  if (update.read_input && input != inputs_.end()) input->second->session.read(*update.read_input);
  if (update.result) {
    using Next = SessionInput::AfterResult;
    Next next = input != inputs_.end() ? input->second->session.result() : Next::kClosed;
    if (next == Next::kCloseInput) close_agent_input(id);
    // A message still to be taken makes another turn: the agent is not late to exit; nor
    // is it when its session waits for a message after an interrupt.
    auto it = watches_.find(id);
    if (it != watches_.end() && next == Next::kAwaitMessage)
      it->second->wait_for_message(message_wait_ms(id));
    if (it != watches_.end() && next != Next::kNextTurn && next != Next::kAwaitMessage)
      it->second->after_result(static_cast<std::uint64_t>(config_.kill_grace_s * 1000));
  }
  TableActions actions;
  table_.stream_update(id, update, actions);
  if (update.result && input != inputs_.end() && input->second->session.awaiting_message()) {
    table_.note_activity(id, fmt::format("interrupted: waiting for a message (ptt-task send {} TEXT)", id),
                         actions);
  }
  apply(std::move(actions));
  if (update.rate_limit) note_rate_limit(id, *update.rate_limit);
}

void Daemon::on_task_ended(TaskId id, std::optional<AgentExit> exit, std::string why,
                           protocol::FailureReason reason) {
  if (auto it = watches_.find(id); it != watches_.end()) {
    it->second->destroy();
    watches_.erase(it);
  }
  close_questions_of(id);
  inputs_.erase(id);
  const auto* t = table_.live(id);
  if (counting_changes_.count(id)) return;  // ended already: the count's end finishes it
  if (t && t->worktree && t->worktree->base_commit && !t->worktree->changes) {
    counting_changes_.insert(id);
    count_worktree_changes(commands_, {.worktree = *t->worktree,
                                       .log_dir = fs::absolute(store_.log_dir(id)),
                                       .done = [this, id, exit, why, reason](auto changes) {
                                         counting_changes_.erase(id);
                                         if (changes) table_.worktree_changes(id, *changes);
                                         end_task(id, exit, why, reason);
                                       }});
    return;
  }
  end_task(id, exit, std::move(why), reason);
}

void Daemon::end_task(TaskId id, std::optional<AgentExit> exit, std::string why,
                      protocol::FailureReason reason) {
  std::string tail = stderr_tail(read_tail(store_.stderr_log(id), 4096));
  TableActions actions;
  if (exit) {
    if (exit->exec_errno != 0) {
      daemon_log(fmt::format("task {}: cannot run the agent {}: {}; point --claude or PTT_CLAUDE at it", id,
                             config_.claude, std::strerror(exit->exec_errno)));
    }
    table_.agent_exited(id, *exit, std::move(tail), now(), actions);
  } else {
    // Its agent would run on unsupervised: end its process group too, but only while
    // the recorded pid is still that agent's (after a restart it may be anyone's).
    auto status = supervise::read_supervisor_status(store_.log_dir(id));
    pid_t agent_pgid = status ? status->agent : 0;
    std::string agent_fate = "no agent recorded";
    if (agent_pgid > 0 && status->agent_start && kill_group_if_same(agent_pgid, *status->agent_start)) {
      agent_fate = fmt::format("agent group {} killed", agent_pgid);
    } else if (agent_pgid > 0) {
      agent_fate =
          fmt::format("agent {} already gone (its pid is not the agent's now), not signalled", agent_pgid);
    }
    daemon_log(fmt::format("task {}: {}; {}", id,
                           why.empty() ? "its supervisor is gone without an exit status" : why, agent_fate));
    // What the supervisor reported (when it did) leads the task's stderr tail.
    std::string detail = why.empty() ? std::move(tail) : tail.empty() ? why : why + "; " + tail;
    table_.fail_running(id, reason_text(reason), std::move(detail), now(), actions);
  }
  apply(std::move(actions));
}

void Daemon::reap_children() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (commands_.reaped(pid, status)) continue;
    supervisors_->reaped(pid);
    for (auto& [id, w] : watches_) {
      if (w->supervisor() == pid) w->supervisor_exited();
    }
  }
}

}  // namespace ptt::taskd
