#pragma once
// Whether a daemon that has been quiet for a while still answers, for the waits that
// have no reply timeout (`wait`, `logs -f`, `watch`, the dashboard): quiet for `quiet`,
// the client sends a cheap request (a ping); no line within `quiet` more and the daemon
// counts as unresponsive until any line arrives. Pure: the caller reads the clock,
// sends the ping and tells the user.
#include <chrono>
#include <optional>

namespace ptt::client {

class Liveness {
 public:
  using Clock = std::chrono::steady_clock;

  Liveness(std::chrono::milliseconds quiet, Clock::time_point now) : quiet_(quiet), last_heard_(now) {}

  // A line came from the daemon. True when it counted as unresponsive until now.
  bool heard(Clock::time_point now);

  enum class Due {
    kNothing,
    kPing,          // quiet for long enough: send a ping now
    kUnresponsive,  // the ping went unanswered: tell the user (once)
  };
  Due check(Clock::time_point now);

  // How long a read may block before check() has something to do; nullopt: until a line comes.
  std::optional<std::chrono::milliseconds> until_next_check(Clock::time_point now) const;
  bool unresponsive() const { return unresponsive_; }
  std::chrono::milliseconds quiet() const { return quiet_; }

 private:
  std::chrono::milliseconds quiet_;
  Clock::time_point last_heard_;
  std::optional<Clock::time_point> pinged_at_;
  bool unresponsive_ = false;
};

}  // namespace ptt::client
