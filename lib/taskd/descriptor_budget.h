#pragma once
// How many client connections the daemon may hold under its descriptor limit
// (RLIMIT_NOFILE), so that running out of descriptors never stops a task from being
// read: each connection and each log follower holds one descriptor, each watched task
// up to two (its stream, an adopted supervisor's pidfd), and the daemon a fixed few
// (its loop, locks, socket, supervisor link, inotify, and files it opens for a moment).
// Connections over the limit are refused at once. Pure: unit-tested.
#include <cstddef>
#include <cstdint>
#include <optional>

namespace ptt::taskd {

struct DescriptorBudget {
  static constexpr std::size_t kFixed = 32;      // the daemon's own, with room for files opened briefly
  static constexpr std::size_t kPerTask = 2;     // stream.ndjson, an adopted supervisor's pidfd
  static constexpr std::size_t kMinClients = 4;  // however low the limit, a few clients get in

  std::size_t fd_limit = 1024;  // the soft RLIMIT_NOFILE
  // Descriptors kept for the daemon and its tasks instead of the computed number
  // (PTT_TASKD_FD_RESERVE: tests set 0 to let clients take every descriptor; the
  // daemon then does not probe for a spare descriptor before accepting either).
  std::optional<std::size_t> reserve_override;

  // Descriptors kept back for the daemon and for up to max(max_running, watched) tasks.
  std::size_t reserve(int max_running, std::size_t watched_tasks) const;
  // Client descriptors (connections plus log followers) allowed at once: the limit less
  // the reserve, but never under a quarter of the limit (a huge --max-running must not
  // lock every client out) nor under kMinClients.
  std::size_t clients(int max_running, std::size_t watched_tasks) const;
};

// Allows one log line per interval for a repeating condition, counting the rest.
class LogThrottle {
 public:
  explicit LogThrottle(std::uint64_t interval_ms) : interval_ms_(interval_ms) {}
  // True when a line is due now; `suppressed` is then how many were held back since.
  bool due(std::uint64_t now_ms, std::size_t& suppressed);

 private:
  std::uint64_t interval_ms_;
  std::uint64_t last_ms_ = 0;
  bool logged_ = false;
  std::size_t held_ = 0;
};

}  // namespace ptt::taskd
