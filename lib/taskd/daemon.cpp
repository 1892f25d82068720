#include "taskd/daemon.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "core/paths.h"
#include "core/version.h"
#include "protocol/protocol.h"
#include "protocol/replies.h"
#include "supervise/supervisor_status.h"
#include "taskd/daemon_state.h"
#include "taskd/listener.h"
#include "taskd/queue_hold_file.h"
#include "taskd/recovery.h"
#include "taskd/supervisor_launch.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
using nlohmann::json;

void daemon_log(std::string_view message) { std::cerr << "ptt-taskd: " << message << '\n' << std::flush; }

int run(const DaemonConfig& config) {
  Daemon daemon(config);
  return daemon.run();
}

Daemon::Daemon(const DaemonConfig& config)
    : config_(config),
      store_(config.state_dir),
      table_(config.max_running),
      supervisor_exe_(find_supervisor_executable().value_or("")),
      keeper_(store_, table_, [this](bool on) {
        if (!on) {
          uv_timer_stop(&retry_timer_);
          return;
        }
        uv_timer_start(
            &retry_timer_, [](uv_timer_t* h) { static_cast<Daemon*>(h->data)->keeper_.retry_failed(); }, 2000,
            2000);
      }) {}

double Daemon::now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int Daemon::run() {
  user_umask_ = ::umask(077);  // the daemon's files are private; agents get the user's umask back
  // A list reply over 100,000 tasks is tens of MB, needed for one write. glibc raises its
  // mmap threshold after such a block is freed, so the next ones would come from the heap
  // and stay in the daemon's RSS for good; a fixed threshold keeps every big block mapped
  // only while it is used.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
  // Over RLIMIT_FSIZE a write fails with EFBIG, handled like a full disk, instead of killing us.
  ::signal(SIGXFSZ, SIG_IGN);
  // Whatever we start before the ready line (agents of recovered tasks) must not hold
  // the ready fd open: the parent waiting for it would then wait as long as they run.
  if (config_.ready_fd >= 0) ::fcntl(config_.ready_fd, F_SETFD, FD_CLOEXEC);
  for (auto& root : config_.allow_roots) root = fs::weakly_canonical(root);
  // Agents run in their task's cwd, so a relative agent path (build/tests/fake-agent)
  // must be pinned to ours now; a bare name is still looked up on PATH.
  if (config_.claude.find('/') != std::string::npos) config_.claude = fs::absolute(config_.claude).string();
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
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
      fd_budget_.fd_limit = static_cast<std::size_t>(files.rlim_cur);
    // PTT_TASKD_FD_RESERVE: descriptors kept from clients for the daemon and its tasks (tests).
    if (const char* reserve = std::getenv("PTT_TASKD_FD_RESERVE"); reserve && std::atol(reserve) >= 0)
      fd_budget_.reserve_override = static_cast<std::size_t>(std::atol(reserve));
    // PTT_TASKD_CLIENT_QUEUE_MIB: the unread bytes after which a client is dropped (tests).
    if (const char* mib = std::getenv("PTT_TASKD_CLIENT_QUEUE_MIB"); mib && std::atol(mib) > 0) {
      ClientConnection::max_queued = static_cast<std::size_t>(std::atol(mib)) << 20;
    }
    if (supervisor_exe_.empty()) {
      print_error("ptt-taskd",
                  "ptt-supervise is missing (looked next to ptt-taskd and in " PTT_SUPERVISE_FROM_BIN
                  "/); reinstall ptt");
      return kExitFailure;
    }
    load_tasks();
  } catch (const std::system_error& e) {  // filesystem errors included
    print_error("ptt-taskd", fmt::format("{}; check the path and its permissions", e.what()));
    return kExitFailure;
  } catch (const std::exception& e) {  // already says what to do
    print_error("ptt-taskd", e.what());
    return kExitFailure;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  loop_ = &loop;
  supervisors_ = std::make_unique<SupervisorLink>(loop_, supervisor_exe_, [this](TaskId id, std::string why) {
    if (watches_.count(id)) on_task_ended(id, std::nullopt, std::move(why));
  });
  if (!listen(activated_fd)) {
    uv_run(loop_, UV_RUN_DEFAULT);
    if (int rc = uv_loop_close(loop_); rc != 0)
      daemon_log(fmt::format("warning: the event loop did not close cleanly ({})", uv_err_name(rc)));
    return kExitFailure;
  }
  start_handles();
  adopt_unfinished();
  store_.make_spare_log_dir();  // the first spawn's

  daemon_log(fmt::format("listening on {}{} (state {}, agent {}, max running {})", config_.socket.string(),
                         activated_fd >= 0 ? " (socket activation)" : "", config_.state_dir.string(),
                         config_.claude, config_.max_running));
  if (config_.ready_fd >= 0) {
    std::string line = "ready " + config_.socket.string() + "\n";
    [[maybe_unused]] ssize_t n = ::write(config_.ready_fd, line.data(), line.size());
    ::close(config_.ready_fd);
  }
  uv_run(loop_, UV_RUN_DEFAULT);
  if (activated_fd < 0) ::unlink(config_.socket.c_str());
  // UV_EBUSY here means a handle outlived shutdown: a leak to fix, said where it shows.
  if (int rc = uv_loop_close(loop_); rc != 0)
    daemon_log(fmt::format("warning: the event loop did not close cleanly ({})", uv_err_name(rc)));
  daemon_log("stopped");
  return exit_status_;
}

void Daemon::load_tasks() {
  RecordStore::Loaded loaded = store_.load();
  for (const auto& problem : loaded.problems) daemon_log("warning: " + problem);
  std::map<TaskId, supervise::SupervisorStatus> statuses;
  for (const auto& record : loaded.records) {
    if (protocol::is_finished(record.state)) continue;
    if (auto status = supervise::read_supervisor_status(store_.log_dir(record.id)))
      statuses.emplace(record.id, *status);
  }
  std::string hold_problem;
  hold_ = load_queue_hold(config_.state_dir, now(), hold_problem);  // an ended one is dropped
  if (!hold_problem.empty()) daemon_log("warning: " + hold_problem);
  recovery_ = recover(std::move(loaded.records), loaded.next_id, statuses, config_.max_running, now(),
                      std::move(loaded.lines), hold_.has_value(), loaded.spans);
  table_ = std::move(recovery_.table);
  table_.read_lines_from(&store_);  // finished tasks keep only where their lines are
  // Reading the journal took the file, and each record whole, at once: the freed memory
  // goes back to the system instead of staying in the daemon's RSS while it runs.
  ::malloc_trim(0);
}

bool Daemon::listen(int activated_fd) {
  uv_pipe_init(loop_, &server_, 0);
  server_.data = this;
  int rc = activated_fd >= 0 ? uv_pipe_open(&server_, activated_fd)
                             : uv_pipe_bind(&server_, config_.socket.c_str());
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&server_), SOMAXCONN,
                   [](uv_stream_t* s, int status) { static_cast<Daemon*>(s->data)->on_connection(status); });
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
      daemon_log(fmt::format("{} received", strsignal(signum)));
      if (signum == SIGINT) self->exit_status_ = kExitInterrupted;  // Ctrl-C, as shells report it
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
  uv_timer_init(loop_, &retry_timer_);
  retry_timer_.data = this;
  uv_check_init(loop_, &commit_check_);  // started by a spawn (commit_spawns)
  commit_check_.data = this;
  uv_timer_init(loop_, &hold_timer_);
  hold_timer_.data = this;
  uv_timer_init(loop_, &approval_timer_);
  approval_timer_.data = this;
  if (hold_) {
    daemon_log(fmt::format("the queue is held until {} (a rate limit, saved by the previous run)",
                           utc_time_text(hold_->until)));
    arm_hold_timer();
  }
}

void Daemon::adopt_unfinished() {
  for (const auto& [id, supervisor, supervisor_start] : recovery_.adopt) {
    daemon_log(fmt::format("re-adopting running task {} (supervisor pid {})", id, supervisor));
    adopt_input(id);
    watch_task(id, supervisor, TaskWatch::Supervisor::kAdopted, supervisor_start);
  }
  apply(std::exchange(recovery_.actions, {}));
  recovery_.adopt.clear();
}

void Daemon::on_connection(int status) {
  if (status != 0) {
    // (On EMFILE libuv accepts and closes the waiting connections itself, with a
    // descriptor it keeps in reserve, and mostly does not even call us.)
    std::size_t more = 0;
    if (accept_failures_log_.due(uv_now(loop_), more)) {
      daemon_log(fmt::format("cannot accept a connection: {} (descriptor limit {}){}", uv_strerror(status),
                             fd_budget_.fd_limit,
                             more ? fmt::format(" ({} more failures since the last report)", more) : ""));
    }
    return;
  }
  std::uint64_t id = next_connection_++;
  auto conn = std::make_unique<ClientConnection>(
      id, [this](ClientConnection& c, std::string_view line) { handle_line(c, line); },
      [](ClientConnection& c, std::size_t length) {
        c.send(protocol::error_reply_json(
            nullptr, {.code = std::string(protocol::error::kTooLong),
                      .message = fmt::format("request line of {} bytes is over the {}-byte limit; skipped",
                                             length, protocol::kMaxLine)}));
      },
      [this](ClientConnection& c) {
        if (c.overflowed()) {
          daemon_log(
              fmt::format("dropped client {}: it stopped reading ({} MiB of replies and events unread)",
                          c.id(), ClientConnection::max_queued >> 20));
        }
        std::erase_if(waits_, [&](const PendingWait& w) { return w.connection == c.id(); });
        std::erase_if(followers_, [&](const auto& f) { return f->connection() == c.id(); });
        connections_.erase(c.id());
      },
      [this](ClientConnection& c) {
        for (auto& f : followers_) {
          if (f->connection() == c.id()) f->dirty = true;
        }
        want_pump();
      });
  ClientConnection* c = conn.get();
  connections_[id] = std::move(conn);
  uv_pipe_init(loop_, c->handle(), 0);
  if (uv_accept(reinterpret_cast<uv_stream_t*>(&server_), reinterpret_cast<uv_stream_t*>(c->handle())) != 0) {
    c->close(true);
    return;
  }
  if (refuse_over_limit(*c)) return;
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<uv_handle_t*>(c->handle()), &fd);
  auto peer = peer_credentials(fd);
  if (!peer || peer->uid != ::getuid()) {
    std::string who = peer ? fmt::format("uid {} (pid {})", peer->uid, peer->pid) : "an unknown peer";
    daemon_log(fmt::format("refused a connection from {}: only uid {} may use this daemon", who, ::getuid()));
    c->send_final(protocol::error_reply_json(
        nullptr,
        {.code = std::string(protocol::error::kPermissionDenied),
         .message = fmt::format("this ptt-taskd serves uid {} only; start your own daemon", ::getuid())}));
    return;
  }
  if (shutting_down_) {
    c->close();
    return;
  }
  c->start();
}

bool Daemon::refuse_over_limit(ClientConnection& c) {
  // Connections and log followers hold a descriptor each; this one is counted already.
  std::size_t held = connections_.size() - 1 + followers_.size();
  std::size_t allowed = fd_budget_.clients(config_.max_running, watches_.size());
  // The budget is an estimate: a descriptor that cannot be had now means none is left
  // for the tasks either, whatever the count says. (Not with PTT_TASKD_FD_RESERVE, with
  // which tests let clients take every descriptor.)
  int probe = fd_budget_.reserve_override ? 0 : ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
  int probe_errno = errno;
  if (probe > 0) ::close(probe);
  bool exhausted = probe < 0 && (probe_errno == EMFILE || probe_errno == ENFILE);
  if (held < allowed && !exhausted) return false;
  std::size_t more = 0;
  if (refusals_log_.due(uv_now(loop_), more)) {
    std::string why =
        exhausted
            ? fmt::format("out of descriptors ({})", std::strerror(probe_errno))
            : fmt::format("{} clients and log streams hold the {} descriptors left for them", held, allowed);
    daemon_log(fmt::format("refused a connection: {} (descriptor limit {}); raise it with ulimit -n{}", why,
                           fd_budget_.fd_limit,
                           more ? fmt::format(" ({} more refused since the last report)", more) : ""));
  }
  // No waiting for the peer to hang up (send_final): a refused client must not keep its descriptor.
  c.send(protocol::error_reply_json(
      nullptr,
      {.code = std::string(protocol::error::kBusy),
       .message = fmt::format("ptt-taskd is at its limit of {} connections (descriptor limit {}); try "
                              "again later, or raise the daemon's ulimit -n",
                              allowed, fd_budget_.fd_limit)}));
  c.close();
  return true;
}

void Daemon::begin_shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  commit_spawns();  // what was spawned is answered (or refused) before the daemon goes
  daemon_log(fmt::format("shutting down; {} running task(s) go on and are re-adopted at the next start",
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
  close(&commit_check_);
  keeper_.shut_down();
  close(&retry_timer_);
  close(&hold_timer_);      // the hold itself stays saved for the next start
  close(&approval_timer_);  // open questions stay open: the next start reads them back
  supervisors_->close();    // it runs the agents on to their end, then exits
  for (auto& [id, w] : watches_) w->destroy();
  watches_.clear();
  inputs_.clear();  // our ends only: the supervisor keeps the agents' input open
  followers_.clear();
  waits_.clear();
  // Flush replies (the shutdown reply above all); cut connections already ending.
  for (auto& [id, c] : connections_) c->close(c->closing());
}

}  // namespace ptt::taskd
