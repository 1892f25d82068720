#pragma once
// Reconnect delays: 0.5 s, doubling to 8 s. Back to 0.5 s only once a session
// has stayed up for kStableMs: a server that creates sessions and closes them at
// once would otherwise be retried every 0.5 s for ever.
#include <algorithm>
#include <cstdint>

namespace ptt::realtime {

class Backoff {
 public:
  // The server created a session (session.created) at `now_ms`.
  void session_started(std::uint64_t now_ms) {
    up_ = true;
    started_ms_ = now_ms;
  }
  // The connection is gone at `now_ms`: how long to wait before the next attempt.
  std::uint64_t next_ms(std::uint64_t now_ms) {
    if (up_ && now_ms - started_ms_ >= kStableMs) delay_ms_ = kFirstMs;
    up_ = false;
    std::uint64_t d = delay_ms_;
    delay_ms_ = std::min(delay_ms_ * 2, kMaxMs);
    return d;
  }

  static constexpr std::uint64_t kFirstMs = 500;
  static constexpr std::uint64_t kMaxMs = 8000;
  static constexpr std::uint64_t kStableMs = 10000;

 private:
  std::uint64_t delay_ms_ = kFirstMs;
  std::uint64_t started_ms_ = 0;
  bool up_ = false;
};

}  // namespace ptt::realtime
