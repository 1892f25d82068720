#pragma once
// Keeping `logs -f`, `wait` and `watch` going across a lost connection (docs/taskd.md,
// "Reconnecting"): a daemon restarted under them, a dropped SSH channel. The tasks run on
// regardless; the command reconnects with backoff and picks up where it was, each in its
// own way (logs -f from its byte offset, wait for the same tasks, watch by reconciling).
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "taskcli/session.h"

namespace ptt::taskcli {

// When to try again after a connection was lost: 0.2 s, doubling up to 5 s; once the
// connection has been down for kGiveUpAfter, give up (the command exits 3, the task goes on).
class ReconnectSchedule {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kFirstDelay{200};
  static constexpr std::chrono::milliseconds kMaxDelay{5000};
  static constexpr std::chrono::minutes kGiveUpAfter{10};

  explicit ReconnectSchedule(Clock::time_point lost_at) : lost_at_(lost_at) {}
  // How long to wait before the next attempt; nullopt once it is time to give up (an
  // attempt is never planned to start past the limit).
  std::optional<std::chrono::milliseconds> next_delay(Clock::time_point now);

 private:
  Clock::time_point lost_at_;
  std::chrono::milliseconds delay_{0};
};

// A whole line (with '\n') for the user: stderr, or above a live line.
using NoticeFn = std::function<void(const std::string& line)>;

// Runs `attempt`, which talks to s.client(). When the connection is lost in it
// (client::ConnectionLostError, after the daemon had accepted the hello), says so through `notice`,
// reconnects (a new, patient client; autostarting the daemon as any command does) on the schedule above, says
// "reconnected", and runs `attempt` again: it must go on from what it has already shown.
// Throws client::UnreachableError when the schedule gives up, or at once when the daemon
// now refuses our version (HelloRefusedError); any other error ends it as it would have.
void run_reconnecting(CliSession& s, const std::function<void()>& attempt, const NoticeFn& notice = {});

}  // namespace ptt::taskcli
