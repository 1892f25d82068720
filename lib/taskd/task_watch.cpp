#include "taskd/task_watch.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/process_identity.h"
#include "supervise/supervisor_status.h"
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
  pid_t supervisor = id.pid;
  auto* w = new TaskWatch(task, std::move(log_dir), supervisor, std::move(callbacks));
  w->stream_fd_ = ::open((w->log_dir_ / "stream.ndjson").c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
  uv_fs_event_init(loop, &w->fs_event_);
  w->fs_event_.data = w;
  ++w->open_handles_;
  w->fs_event_active_ = uv_fs_event_start(&w->fs_event_, on_fs_event, w->log_dir_.c_str(), 0) == 0;
  if (kind != Supervisor::kChild) {
    // An adopted pid must prove it is the task's supervisor (not a reused pid): by its
    // start time, or (an older status file has none) by its name, which is enough to
    // watch it but not to signal it.
    if (id.start) {
      w->pidfd_ = open_pidfd_if_same(supervisor, *id.start);
      w->pidfd_proven_ = w->pidfd_ >= 0;
    } else {
      w->pidfd_ = supervisor > 0 ? open_pidfd(supervisor) : -1;
      if (w->pidfd_ >= 0 && !supervisor_alive(supervisor)) {
        ::close(w->pidfd_);
        w->pidfd_ = -1;
      }
    }
    if (w->pidfd_ >= 0) {
      uv_poll_init(loop, &w->pidfd_poll_, w->pidfd_);
      w->pidfd_poll_.data = w;
      ++w->open_handles_;
      w->poll_active_ = true;
      uv_poll_start(&w->pidfd_poll_, UV_READABLE, on_pidfd);
    } else {
      w->supervisor_gone_ = true;
    }
  }
  // The exit may have been written before we looked (a restart, a quick agent).
  w->exit_seen_ = true;
  w->mark();
  return w;
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

void TaskWatch::supervisor_exited() {
  supervisor_gone_ = true;
  mark();
}

bool TaskWatch::pump(std::size_t budget) {
  if (ended_) return false;
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
    if (n <= 0) break;
    offset_ += n;
    budget -= static_cast<std::size_t>(n);
    grew = true;
    framer_.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), on_line, on_overflow);
  }
  if (grew) cb_.on_grew(task_);
  if (n > 0) return backlog_ = true;  // budget or line cap used up, more may wait
  backlog_ = false;
  if (!exit_seen_ && !supervisor_gone_) return false;
  exit_seen_ = false;  // until the status file changes again
  std::optional<supervise::SupervisorStatus> status = supervise::read_supervisor_status(log_dir_);
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
  if (poll_active_) close(reinterpret_cast<uv_handle_t*>(&pidfd_poll_));
}

void TaskWatch::on_handle_closed(uv_handle_t* h) {
  auto* self = static_cast<TaskWatch*>(h->data);
  if (--self->open_handles_ == 0) delete self;
}

}  // namespace ptt::taskd
