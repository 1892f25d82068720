#include "uvutil/child_process.h"

#include <cerrno>
#include <utility>

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/process_identity.h"

namespace ptt::uvutil {

namespace {

// Waits for `pid` to end; for a child that started but cannot be watched.
void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

ChildProcess* ChildProcess::start(uv_loop_t* loop, const SpawnOptions& options, ExitFn on_exit,
                                  SpawnResult& result) {
  result = spawn(options);
  if (!result.started()) return nullptr;
  // Close-on-exec always. Debian 12's <sys/pidfd.h> lacks extern "C"; the syscall is all we need.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, result.pid, 0));
  if (pidfd < 0) {
    int error = errno;
    kill_and_reap(result.pid);
    result = {.pid = -1, .error = error, .cwd_failed = false};
    return nullptr;
  }
  auto* c = new ChildProcess;
  c->pid_ = result.pid;
  c->pidfd_ = pidfd;
  c->on_exit_ = std::move(on_exit);
  if (int rc = uv_poll_init(loop, &c->poll_, pidfd); rc != 0) {
    kill_and_reap(result.pid);
    delete c;  // closes the pidfd; the handle was never made
    result = {.pid = -1, .error = -rc, .cwd_failed = false};
    return nullptr;
  }
  c->poll_.data = c;
  uv_poll_start(&c->poll_, UV_READABLE, on_readable);
  return c;
}

ChildProcess::~ChildProcess() {
  if (pidfd_ >= 0) ::close(pidfd_);
}

void ChildProcess::on_readable(uv_poll_t* h, int, int) { static_cast<ChildProcess*>(h->data)->reap(); }

void ChildProcess::on_closed(uv_handle_t* h) {
  auto* c = static_cast<ChildProcess*>(h->data);
  c->closed_ = true;
  if (c->released_) delete c;
}

void ChildProcess::reap() {
  if (reaped_) return;
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid_, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (r == 0) return;  // readable before it can be waited for: the next poll sees it
  reaped_ = true;
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), on_closed);
  // r < 0 (ECHILD): someone else reaped it, and its status is lost.
  int exit_status = r < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 0;
  int term_signal = r > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  if (released_ || !on_exit_) return;
  ExitFn call = std::move(on_exit_);
  on_exit_ = nullptr;
  call(exit_status, term_signal);  // may release(), even free, this: nothing after it
}

void ChildProcess::release(int signal) {
  released_ = true;
  on_exit_ = nullptr;
  // The pidfd names this very child even if it has exited unreaped, so no other process
  // can get the signal.
  if (!reaped_ && signal != 0) pidfd_signal(pidfd_, signal);
  if (closed_) delete this;
}

}  // namespace ptt::uvutil
