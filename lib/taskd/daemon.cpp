#include "taskd/daemon.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "core/paths.h"
#include "core/version.h"
#include "protocol/protocol.h"
#include "taskd/agent_command.h"
#include "taskd/daemon_state.h"
#include "taskd/listener.h"
#include "taskd/supervisor.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kWatchBudget = 1u << 20;  // per task per loop turn
constexpr std::size_t kFollowerBudget = 256u << 10;

void log(std::string_view message) { std::cerr << "ptt-taskd: " << message << '\n' << std::flush; }

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

int run(const DaemonConfig& config) {
  Daemon daemon(config);
  return daemon.run();
}

Daemon::Daemon(const DaemonConfig& config)
    : config_(config), store_(config.state_dir), table_(config.max_running) {}

double Daemon::now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int Daemon::run() {
  user_umask_ = ::umask(077);  // the daemon's files are private; agents get the user's umask back
  for (auto& root : config_.allow_roots) root = fs::weakly_canonical(root);
  int activated_fd = activated_socket_fd();
  std::optional<FileLock> state_lock, socket_lock;
  try {
    ensure_private_dir(config_.state_dir);
    state_lock = FileLock::try_acquire(config_.state_dir / "taskd.lock");
    if (!state_lock) {
      print_error("ptt-taskd", fmt::format("another ptt-taskd is using the state directory {}; stop it with "
                                           "`ptt-task shutdown` or set PTT_STATE_DIR",
                                           config_.state_dir.string()));
      return kExitFailure;
    }
    if (activated_fd < 0) {  // with socket activation, systemd owns the socket
      ensure_private_dir(config_.socket.parent_path());
      socket_lock = FileLock::try_acquire(daemon_lock_path(config_.socket));
      if (!socket_lock) {
        print_error("ptt-taskd", fmt::format("another ptt-taskd is already listening on {}; stop it with "
                                             "`ptt-task shutdown` or use another PTT_SOCKET",
                                             config_.socket.string()));
        return kExitFailure;
      }
      prepare_socket_path(config_.socket);
    }
    load_tasks();
  } catch (const std::exception& e) {
    print_error("ptt-taskd", fmt::format("{}; check the path and its permissions", e.what()));
    return kExitFailure;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  loop_ = &loop;
  if (!listen(activated_fd)) {
    uv_run(loop_, UV_RUN_DEFAULT);
    uv_loop_close(loop_);
    return kExitFailure;
  }
  start_handles();
  adopt_unfinished();
  Actions actions;
  table_.schedule(now(), actions);
  apply(std::move(actions));

  log(fmt::format("listening on {}{} (state {}, agent {}, max running {})", config_.socket.string(),
                  activated_fd >= 0 ? " (socket activation)" : "", config_.state_dir.string(), config_.claude,
                  config_.max_running));
  if (config_.ready_fd >= 0) {
    std::string line = "ready " + config_.socket.string() + "\n";
    [[maybe_unused]] ssize_t n = ::write(config_.ready_fd, line.data(), line.size());
    ::close(config_.ready_fd);
  }
  uv_run(loop_, UV_RUN_DEFAULT);
  if (activated_fd < 0) ::unlink(config_.socket.c_str());
  uv_loop_close(loop_);
  log("stopped");
  return kExitOk;
}

void Daemon::load_tasks() {
  RecordStore::Loaded loaded = store_.load();
  for (const auto& problem : loaded.problems) log("warning: " + problem);
  for (auto& record : loaded.records) {
    // Killed between forking a supervisor and recording it: the task runs.
    if (record.state == protocol::TaskState::kQueued && fs::exists(store_.supervisor_pid_file(record.id))) {
      record.state = protocol::TaskState::kRunning;
    }
    table_.load(std::move(record));
  }
  table_.reserve_ids_below(loaded.next_id);
}

bool Daemon::listen(int activated_fd) {
  uv_pipe_init(loop_, &server_, 0);
  server_.data = this;
  int rc = activated_fd >= 0 ? uv_pipe_open(&server_, activated_fd)
                             : uv_pipe_bind(&server_, config_.socket.c_str());
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&server_), SOMAXCONN, [](uv_stream_t* s, int status) {
      if (status == 0) static_cast<Daemon*>(s->data)->on_connection();
    });
  }
  if (rc != 0) {
    print_error("ptt-taskd", fmt::format("cannot listen on {}: {}; check the directory's permissions",
                                         config_.socket.string(), uv_strerror(rc)));
    uv_close(reinterpret_cast<uv_handle_t*>(&server_), nullptr);
  }
  return rc == 0;
}

void Daemon::start_handles() {
  auto on_signal = [](uv_signal_t* h, int signum) {
    auto* self = static_cast<Daemon*>(h->data);
    if (signum == SIGCHLD) {
      self->reap_children();
    } else {
      log(fmt::format("{} received", strsignal(signum)));
      self->begin_shutdown();
    }
  };
  for (auto [handle, signum] : {std::pair{&sigchld_, SIGCHLD}, {&sigterm_, SIGTERM}, {&sigint_, SIGINT}}) {
    uv_signal_init(loop_, handle);
    handle->data = this;
    uv_signal_start(handle, on_signal, signum);
  }
  uv_idle_init(loop_, &pump_idle_);
  pump_idle_.data = this;
}

void Daemon::adopt_unfinished() {
  for (const auto& [id, t] : table_.tasks()) {
    if (t.state != protocol::TaskState::kRunning) continue;
    pid_t pid = t.pid.value_or(0);
    if (std::string text = read_file(store_.supervisor_pid_file(id)); !text.empty()) {
      try {
        pid = std::stoi(text);
      } catch (const std::exception&) {
      }
    }
    log(fmt::format("re-adopting running task {} (supervisor pid {})", id, pid));
    watch_task(id, pid, true);
  }
}

void Daemon::on_connection() {
  std::uint64_t id = next_connection_++;
  auto conn = std::make_unique<Connection>(
      id, [this](Connection& c, std::string_view line) { handle_line(c, line); },
      [](Connection& c, std::size_t length) {
        c.send({{"id", nullptr},
                {"ok", false},
                {"error",
                 {{"code", protocol::error::kTooLong},
                  {"message", fmt::format("request line of {} bytes is over the {}-byte limit; skipped",
                                          length, protocol::kMaxLine)}}}});
      },
      [this](Connection& c) {
        std::erase_if(waits_, [&](const PendingWait& w) { return w.connection == c.id(); });
        std::erase_if(followers_, [&](const auto& f) { return f->connection() == c.id(); });
        connections_.erase(c.id());
      },
      [this](Connection& c) {
        for (auto& f : followers_) {
          if (f->connection() == c.id()) f->dirty = true;
        }
        want_pump();
      });
  Connection* c = conn.get();
  connections_[id] = std::move(conn);
  uv_pipe_init(loop_, c->handle(), 0);
  if (uv_accept(reinterpret_cast<uv_stream_t*>(&server_), reinterpret_cast<uv_stream_t*>(c->handle())) != 0) {
    c->close(true);
    return;
  }
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<uv_handle_t*>(c->handle()), &fd);
  auto peer = peer_credentials(fd);
  if (!peer || peer->uid != ::getuid()) {
    std::string who = peer ? fmt::format("uid {} (pid {})", peer->uid, peer->pid) : "an unknown peer";
    log(fmt::format("refused a connection from {}: only uid {} may use this daemon", who, ::getuid()));
    c->send_final({{"id", nullptr},
                   {"ok", false},
                   {"error",
                    {{"code", protocol::error::kPermissionDenied},
                     {"message", fmt::format("this ptt-taskd serves uid {} only; start your own daemon",
                                             ::getuid())}}}});
    return;
  }
  if (shutting_down_) {
    c->close();
    return;
  }
  c->start();
}

void Daemon::apply(Actions actions) {
  // Handlers may produce more actions (starting an agent can fail at once);
  // they are appended and run in order, never recursively.
  static Actions* pending = nullptr;
  if (pending) {
    pending->insert(pending->end(), actions.begin(), actions.end());
    return;
  }
  Actions queue = std::move(actions);
  pending = &queue;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    Action a = queue[i];
    try {
      switch (a.kind) {
        case Action::Kind::kStartAgent:
          start_agent(a.task);
          break;
        case Action::Kind::kCancelAgent:
          cancel_agent(a.task);
          break;
        case Action::Kind::kPersist:
          if (const auto* t = table_.find(a.task)) store_.save(*t);
          break;
        case Action::Kind::kForget:
          store_.forget(a.task);
          break;
        case Action::Kind::kSaveNextId:
          store_.save_next_id(table_.next_id());
          break;
        case Action::Kind::kEmit: {
          json event = {{"event", a.event}, {"task", record_json(a.task)}};
          for (auto& [cid, c] : connections_) {
            if (c->subscribed) c->send(event);
          }
          if (a.event == protocol::event::kFinished) on_finished(a.task);
          break;
        }
      }
    } catch (const std::exception& e) {
      log(fmt::format("error: task {}: {}", a.task, e.what()));
    }
  }
  pending = nullptr;
}

void Daemon::start_agent(TaskId id) {
  const auto* t = table_.find(id);
  if (!t) return;
  fs::path dir = store_.log_dir(id);
  fs::create_directories(dir);
  touch(dir / "stream.ndjson");
  touch(dir / "stderr.log");
  SupervisorSpec spec;
  spec.argv =
      agent_argv(config_.claude, t->prompt, merge_options(config_.defaults, t->options), t->resume_session);
  spec.cwd = t->cwd;
  spec.log_dir = dir;
  spec.env = {fmt::format("PTT_TASK_ID={}", id)};
  spec.kill_grace_ms = static_cast<int>(config_.kill_grace_s * 1000);
  spec.agent_umask = user_umask_;
  pid_t pid = start_supervisor(spec);
  Actions actions;
  if (pid < 0) {
    std::string why = fmt::format("cannot fork the task's supervisor: {}", std::strerror(errno));
    log(fmt::format("task {}: {}", id, why));
    table_.fail_running(id, reason::kSpawnFailed, why, now(), actions);
  } else {
    table_.agent_started(id, pid, actions);
    watch_task(id, pid, false);
  }
  apply(std::move(actions));
}

void Daemon::watch_task(TaskId id, pid_t supervisor, bool adopted) {
  TaskWatch::Callbacks cb;
  cb.on_stream_value = [this](std::int64_t task, const json& value) { on_stream_value(task, value); };
  cb.on_grew = [this](std::int64_t task) { mark_followers(task); };
  cb.want_pump = [this] { want_pump(); };
  cb.on_ended = [this](std::int64_t task, std::optional<AgentExit> exit) { on_task_ended(task, exit); };
  watches_[id] = TaskWatch::start(loop_, id, store_.log_dir(id), supervisor, adopted, std::move(cb));
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
    log(fmt::format("task {}: its supervisor is gone without an exit status; agent group {} killed", id,
                    agent_pgid));
    table_.fail_running(id, reason::kSupervisorLost, std::move(tail), now(), actions);
  }
  apply(std::move(actions));
}

void Daemon::on_finished(TaskId id) {
  for (auto it = waits_.begin(); it != waits_.end();) {
    bool done = std::all_of(it->tasks.begin(), it->tasks.end(), [this](TaskId t) {
      const auto* r = table_.find(t);
      return !r || protocol::is_finished(r->state);
    });
    auto conn = connections_.find(it->connection);
    if (!done || conn == connections_.end()) {
      ++it;
      continue;
    }
    json records = json::array();
    for (TaskId t : it->tasks) records.push_back(record_json(t));
    conn->second->send({{"id", it->request_id}, {"ok", true}, {"tasks", records}});
    it = waits_.erase(it);
  }
  mark_followers(id);
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

void Daemon::mark_followers(TaskId task) {
  bool any = false;
  for (auto& f : followers_) {
    if (f->task() == task) any = f->dirty = true;
  }
  if (any) want_pump();
}

void Daemon::want_pump() {
  if (pump_active_ || shutting_down_) return;
  pump_active_ = true;
  uv_idle_start(&pump_idle_, [](uv_idle_t* h) { static_cast<Daemon*>(h->data)->pump(); });
}

void Daemon::pump() {
  bool more = false;
  std::vector<TaskId> busy;
  for (auto& [id, w] : watches_) {
    if (w->backlog()) busy.push_back(id);
  }
  for (TaskId id : busy) {
    auto it = watches_.find(id);
    if (it != watches_.end() && it->second->pump(kWatchBudget)) more = true;
  }
  for (std::size_t i = 0; i < followers_.size();) {
    LogFollower& f = *followers_[i];
    auto conn = connections_.find(f.connection());
    if (conn == connections_.end() || conn->second->closing()) {
      followers_.erase(followers_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (!f.dirty) {
      ++i;
      continue;
    }
    const auto* t = table_.find(f.task());
    auto status = f.pump(*conn->second, kFollowerBudget, !t || protocol::is_finished(t->state));
    if (status == LogFollower::Status::kDone) {
      followers_.erase(followers_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    f.dirty = status == LogFollower::Status::kMore;
    more = more || f.dirty;
    ++i;
  }
  if (!more && !shutting_down_) {
    uv_idle_stop(&pump_idle_);
    pump_active_ = false;
  }
}

void Daemon::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  log(fmt::format("shutting down; {} running task(s) go on and are re-adopted at the next start",
                  table_.running_count()));
  auto close = [](auto* h) {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(h)))
      uv_close(reinterpret_cast<uv_handle_t*>(h), nullptr);
  };
  close(&server_);
  close(&sigchld_);
  close(&sigterm_);
  close(&sigint_);
  close(&pump_idle_);
  for (auto& [id, w] : watches_) w->destroy();
  watches_.clear();
  followers_.clear();
  waits_.clear();
  // Flush replies (the shutdown reply above all); cut connections already ending.
  for (auto& [id, c] : connections_) c->close(c->closing());
}

}  // namespace ptt::taskd
