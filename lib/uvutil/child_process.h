#pragma once
// A child started with ptt::spawn (core/spawn.h) and watched from a libuv loop: its exit
// comes through a pidfd (pidfd_open, polled by the loop), and it is then reaped with
// waitpid. No SIGCHLD handler is needed, and no other child of the process is touched.
#include <functional>

#include <uv.h>

#include "core/spawn.h"

namespace ptt::uvutil {

class ChildProcess {
 public:
  // From the loop, once, after the child was reaped: its exit status, or the signal that
  // ended it (0 when it exited).
  using ExitFn = std::function<void(int exit_status, int term_signal)>;

  // Starts `options` and watches the child. Null when it did not start: `result` says why
  // (ptt::spawn's error, or pidfd_open's, after which the child was killed and reaped).
  // Otherwise the object lives until release() and the child's reaping, whichever is last.
  static ChildProcess* start(uv_loop_t* loop, const SpawnOptions& options, ExitFn on_exit,
                             SpawnResult& result);

  pid_t pid() const { return pid_; }
  bool reaped() const { return reaped_; }

  // The owner lets go (call it once): on_exit is not called from now on; a child not yet
  // reaped is sent `signal` (unless 0) and reaped when it exits. Frees this once it is.
  void release(int signal);

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

 private:
  ChildProcess() = default;
  ~ChildProcess();
  static void on_readable(uv_poll_t* h, int status, int events);
  static void on_closed(uv_handle_t* h);
  void reap();

  uv_poll_t poll_{};
  pid_t pid_ = -1;
  int pidfd_ = -1;
  ExitFn on_exit_;
  bool reaped_ = false, released_ = false, closed_ = false;
};

}  // namespace ptt::uvutil
