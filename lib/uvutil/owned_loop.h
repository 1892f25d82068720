#pragma once
// The libuv loop of a one-session runner (ptt-realtime's voice session and its
// dictation mode): made before, and closed after, the members that use it, with
// the stop signals every such runner handles the same way.
#include <uv.h>

#include "core/exit_status.h"

namespace ptt::uvutil {

struct OwnedLoop {
  OwnedLoop() { uv_loop_init(&loop); }
  uv_loop_t loop;
};

// Ctrl-C ends the runner with kExitInterrupted (as shells report it), SIGTERM with
// kExitOk. Runner::shutdown(int) must be callable more than once.
template <typename Runner>
void handle_stop_signals(uv_loop_t* loop, uv_signal_t& sigint, uv_signal_t& sigterm, Runner* runner) {
  for (auto* s : {&sigint, &sigterm}) {
    uv_signal_init(loop, s);
    s->data = runner;
  }
  uv_signal_start(
      &sigint, [](uv_signal_t* s, int) { static_cast<Runner*>(s->data)->shutdown(kExitInterrupted); },
      SIGINT);
  uv_signal_start(
      &sigterm, [](uv_signal_t* s, int) { static_cast<Runner*>(s->data)->shutdown(kExitOk); }, SIGTERM);
}

// Runs the loop until every handle has closed (blocking, not spinning, while one is
// still waiting for a timer or I/O), then closes it. Not 0 (UV_EBUSY): a handle outlived
// the close, a leak to fix; the caller says so where it shows.
[[nodiscard]] inline int close_loop(uv_loop_t* loop) {
  uv_run(loop, UV_RUN_DEFAULT);
  return uv_loop_close(loop);
}

}  // namespace ptt::uvutil
