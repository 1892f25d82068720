#pragma once
// Reconnect delays: 0.5 s, doubling to 8 s, back to 0.5 s once a session is up.
#include <algorithm>
#include <cstdint>

namespace ptt::realtime {

class Backoff {
 public:
  std::uint64_t next_ms() {
    std::uint64_t d = delay_ms_;
    delay_ms_ = std::min(delay_ms_ * 2, kMaxMs);
    return d;
  }
  void reset() { delay_ms_ = kFirstMs; }

  static constexpr std::uint64_t kFirstMs = 500;
  static constexpr std::uint64_t kMaxMs = 8000;

 private:
  std::uint64_t delay_ms_ = kFirstMs;
};

}  // namespace ptt::realtime
