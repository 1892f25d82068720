#include "taskd/task_watch.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/process_identity.h"
#include "supervise/supervisor_status.h"
#include "taskd/daemon_log.h"
#include "taskd/supervisor_launch.h"

namespace ptt::taskd {
namespace fs = std::filesystem;

namespace {
// Debian 12's <sys/pidfd.h> lacks extern "C"; the syscall is all we need.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
}  // namespace

TaskWatch::TaskWatch(std::int64_t task, fs::path log_dir, pid_t supervisor, Callbacks callbacks)
    : task_(task), log_dir_(std::move(log_dir)), supervisor_(supervisor), cb_(std::move(callbacks)) {}

TaskWatch::~TaskWatch() {
  if (stream_fd_ >= 0) ::close(stream_fd_);
  if (pidfd_ >= 0) ::close(pidfd_);
}

TaskWatch* TaskWatch::start(uv_loop_t* loop, std::int64_t task, fs::path log_dir, SupervisorId id,
                            Supervisor kind, Callbacks callbacks) {
  auto* w = new TaskWatch(task, std::move(log_dir), id.pid, std::move(callbacks));
  w->loop_ = loop;
  uv_timer_init(loop, &w->retry_timer_);
  w->retry_timer_.data = w;
  ++w->open_handles_;
  uv_timer_init(loop, &w->overdue_timer_);
  w->overdue_timer_.data = w;
  ++w->open_handles_;
  uv_timer_init(loop, &w->stall_timer_);
  w->stall_timer_.data = w;
  ++w->open_handles_;
  uv_fs_event_init(loop, &w->fs_event_);
  w->fs_event_.data = w;
  ++w->open_handles_;
  w->start_file_events();
  w->open_stream();
  if (kind != Supervisor::kChild) {
    w->adopted_ = id;
    w->watch_adopted();
  }
  // The exit may have been written before we looked (a restart, a quick agent).
  w->exit_seen_ = true;
  w->mark();
  return w;
}

void TaskWatch::start_file_events() {
  if (fs_event_active_) return;
  int rc = uv_fs_event_start(&fs_event_, on_fs_event, log_dir_.c_str(), 0);
  fs_event_active_ = rc == 0;
  if (fs_event_active_) return;
  if (!polling_logged_) {
    daemon_log(fmt::format("task {}: cannot watch its log dir with inotify: {}; polling it every {} ms",
                           task_, uv_strerror(rc), kRetryMs));
    polling_logged_ = true;
  }
  schedule_retry();
}

bool TaskWatch::open_stream() {
  if (stream_fd_ >= 0) return true;
  // O_NONBLOCK: a FIFO put where the log was must not block the daemon (its start above all).
  stream_fd_ =
      ::open((log_dir_ / "stream.ndjson").c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0600);
  if (stream_fd_ < 0) retry_later("cannot open stream.ndjson", errno);
  struct stat st {};
  if (stream_fd_ >= 0 && ::fstat(stream_fd_, &st) == 0 && !S_ISREG(st.st_mode))
    unreadable_ = "its stream log is not a regular file";  // no retry makes it one
  return stream_fd_ >= 0;
}

void TaskWatch::watch_adopted() {
  pid_t supervisor = adopted_.pid;
  pidfd_pending_ = false;
  // An adopted pid must prove it is the task's supervisor (not a reused pid): by its
  // start time, or (when its status line has none) by its name, which is enough to
  // watch it but not to signal it.
  if (adopted_.start) {
    pidfd_ = open_pidfd_if_same(supervisor, *adopted_.start);
    pidfd_proven_ = pidfd_ >= 0;
  } else {
    pidfd_ = supervisor > 0 ? open_pidfd(supervisor) : -1;
    if (pidfd_ >= 0 && !supervisor_alive(supervisor)) {
      ::close(pidfd_);
      pidfd_ = -1;
      errno = ESRCH;
    }
  }
  if (pidfd_ >= 0) {
    uv_poll_init(loop_, &pidfd_poll_, pidfd_);
    pidfd_poll_.data = this;
    ++open_handles_;
    poll_active_ = true;
    uv_poll_start(&pidfd_poll_, UV_READABLE, on_pidfd);
  } else if (supervisor > 0 && (errno == EMFILE || errno == ENFILE || errno == ENOMEM)) {
    // Out of descriptors says nothing about the supervisor: look again later.
    pidfd_pending_ = true;
    retry_later("cannot open a pidfd for its supervisor", errno);
  } else {
    supervisor_gone_ = true;
  }
}

void TaskWatch::retry_later(const char* what, int err) {
  if (!failing_) {
    daemon_log(
        fmt::format("task {}: {}: {}; retrying every {} ms", task_, what, std::strerror(err), kRetryMs));
    failing_ = true;
  }
  schedule_retry();
}

void TaskWatch::schedule_retry() {
  if (ended_ || uv_is_active(reinterpret_cast<uv_handle_t*>(&retry_timer_))) return;
  uv_timer_start(
      &retry_timer_,
      [](uv_timer_t* h) {
        auto* self = static_cast<TaskWatch*>(h->data);
        self->exit_seen_ = true;  // whatever was missed is looked at again
        self->mark();
      },
      kRetryMs, 0);
}

void TaskWatch::mark() {
  backlog_ = true;
  cb_.want_pump();
}

void TaskWatch::on_fs_event(uv_fs_event_t* h, const char* filename, int, int) {
  auto* self = static_cast<TaskWatch*>(h->data);
  if (filename && std::strcmp(filename, supervise::kSupervisorStatusFile) == 0) self->exit_seen_ = true;
  self->mark();
}

void TaskWatch::on_pidfd(uv_poll_t* h, int, int) {
  auto* self = static_cast<TaskWatch*>(h->data);
  uv_poll_stop(h);
  self->supervisor_exited();
}

bool TaskWatch::signal_supervisor(int signo, const sigval& value) {
  if (pidfd_ < 0 || !pidfd_proven_) {
    errno = ESRCH;
    return false;
  }
  return pidfd_signal(pidfd_, signo, &value) == 0;
}

void TaskWatch::after_result(std::uint64_t grace_ms) {
  stall_timeout_ms_ = 0;  // the outcome is in: a quiet agent now is only a late exit
  uv_timer_stop(&stall_timer_);
  if (ended_ || uv_is_active(reinterpret_cast<uv_handle_t*>(&overdue_timer_))) return;
  uv_timer_start(
      &overdue_timer_,
      [](uv_timer_t* h) {
        auto* self = static_cast<TaskWatch*>(h->data);
        if (!self->ended_ && self->cb_.on_overdue) self->cb_.on_overdue(self->task_);
      },
      grace_ms, 0);
}

void TaskWatch::wait_for_message(std::uint64_t wait_ms) {
  stall_timeout_ms_ = 0;
  uv_timer_stop(&stall_timer_);
  if (ended_) return;
  uv_timer_start(
      &overdue_timer_,
      [](uv_timer_t* h) {
        auto* self = static_cast<TaskWatch*>(h->data);
        if (!self->ended_ && self->cb_.on_message_wait_over) self->cb_.on_message_wait_over(self->task_);
      },
      wait_ms, 0);
}

void TaskWatch::message_came(std::uint64_t stall_ms) {
  uv_timer_stop(&overdue_timer_);
  watch_for_stall(stall_ms);
}

void TaskWatch::watch_for_stall(std::uint64_t timeout_ms) {
  stall_timeout_ms_ = timeout_ms;
  last_output_ms_ = uv_now(loop_);
  if (timeout_ms == 0 || ended_) return;
  uv_timer_start(
      &stall_timer_, [](uv_timer_t* h) { static_cast<TaskWatch*>(h->data)->on_stall_timer(); }, timeout_ms,
      0);
}

void TaskWatch::on_stall_timer() {
  if (ended_ || stall_timeout_ms_ == 0) return;
  std::uint64_t silent = uv_now(loop_) - last_output_ms_;
  if (silent < stall_timeout_ms_) {  // output came meanwhile: wait for the rest from then
    uv_timer_start(
        &stall_timer_, [](uv_timer_t* h) { static_cast<TaskWatch*>(h->data)->on_stall_timer(); },
        stall_timeout_ms_ - silent, 0);
    return;
  }
  stalled_ = true;  // re-armed by the next output
  if (cb_.on_stalled) cb_.on_stalled(task_, silent);
}

void TaskWatch::supervisor_exited() {
  supervisor_gone_ = true;
  mark();
}

bool TaskWatch::pump(std::size_t budget) {
  if (ended_) return false;
  start_file_events();  // when it could not be had before
  if (pidfd_pending_) watch_adopted();
  // Without the stream nothing can be decided (its result line above all): wait for it.
  if (!open_stream()) return backlog_ = false;
  if (!unreadable_.empty()) {
    ended_ = true;
    cb_.on_unreadable(task_, unreadable_);
    return false;
  }
  // Small reads and a cap on lines per turn: each line may become an event for every
  // subscriber, and their sockets only drain between turns. A burst of agent output
  // would otherwise queue all its events at once, even for clients that keep up.
  static std::vector<char> buf(16 * 1024);
  constexpr int kMaxLinesPerTurn = 64;
  int lines = 0;
  bool grew = false;
  ssize_t n = 0;
  auto on_line = [this, &lines](std::string_view line) {
    ++lines;
    JsonLine parsed = parse_json_line(line);
    if (parsed.value) cb_.on_stream_value(task_, *parsed.value);  // non-JSON lines stay in the raw log only
  };
  auto on_overflow = [](std::size_t) {};
  while (budget > 0 && lines < kMaxLinesPerTurn && stream_fd_ >= 0) {
    n = ::pread(stream_fd_, buf.data(), std::min(buf.size(), budget), offset_);
    if (n < 0 && errno != EINTR && errno != EAGAIN && errno != ENOMEM)
      unreadable_ = fmt::format("reading its stream log failed ({})", std::strerror(errno));
    if (n <= 0) break;
    offset_ += n;
    budget -= static_cast<std::size_t>(n);
    grew = true;
    framer_.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), on_line, on_overflow);
  }
  if (grew) {
    cb_.on_grew(task_);
    last_output_ms_ = uv_now(loop_);
    if (stalled_) {  // (its result line, too: the watch then has no timeout any more)
      stalled_ = false;
      if (stall_timeout_ms_ > 0) watch_for_stall(stall_timeout_ms_);
      if (cb_.on_output_resumed) cb_.on_output_resumed(task_);
    }
  }
  if (!unreadable_.empty()) return pump(0);  // ends the watch
  if (n > 0) return backlog_ = true;         // budget or line cap used up, more may wait
  backlog_ = false;
  if (!exit_seen_ && !supervisor_gone_) return false;
  exit_seen_ = false;  // until the status file changes again
  int read_error = 0;
  std::optional<supervise::SupervisorStatus> status =
      supervise::read_supervisor_status(log_dir_, &read_error);
  if (read_error != 0 || pidfd_pending_) {
    // Its event has come and gone: only the timer brings us back here.
    if (read_error != 0) retry_later("cannot read supervisor.ndjson", read_error);
    return false;
  }
  if (std::exchange(failing_, false)) daemon_log(fmt::format("task {}: its files can be read again", task_));
  if (status && status->agent > 0 && status->agent != agent_) {
    agent_ = status->agent;
    if (cb_.on_agent) cb_.on_agent(task_, agent_);
  }
  std::optional<AgentExit> exit = status ? status->exit : std::nullopt;
  if (!exit && !supervisor_gone_) return false;  // not written yet; its inotify event will come
  // The agent may have written its last lines (the result above all) after the
  // end of the stream was read above and before it exited: read them first.
  // (Not after a failed read: that would spin; the stream ends where it failed.)
  struct stat st {};
  if (n == 0 && stream_fd_ >= 0 && ::fstat(stream_fd_, &st) == 0 && st.st_size > offset_) {
    exit_seen_ = true;
    return backlog_ = true;
  }
  framer_.finish(on_line, on_overflow);
  ended_ = true;
  cb_.on_ended(task_, exit);
  return false;
}

void TaskWatch::destroy() {
  ended_ = true;
  auto close = [](uv_handle_t* h) {
    if (!uv_is_closing(h)) uv_close(h, on_handle_closed);
  };
  close(reinterpret_cast<uv_handle_t*>(&fs_event_));
  close(reinterpret_cast<uv_handle_t*>(&retry_timer_));
  close(reinterpret_cast<uv_handle_t*>(&overdue_timer_));
  close(reinterpret_cast<uv_handle_t*>(&stall_timer_));
  if (poll_active_) close(reinterpret_cast<uv_handle_t*>(&pidfd_poll_));
}

void TaskWatch::on_handle_closed(uv_handle_t* h) {
  auto* self = static_cast<TaskWatch*>(h->data);
  if (--self->open_handles_ == 0) delete self;
}

}  // namespace ptt::taskd
