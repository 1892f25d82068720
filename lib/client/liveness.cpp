#include "client/liveness.h"

#include <algorithm>
#include <utility>

namespace ptt::client {
using std::chrono::milliseconds;

bool Liveness::heard(Clock::time_point now) {
  last_heard_ = now;
  pinged_at_.reset();
  return std::exchange(unresponsive_, false);
}

Liveness::Due Liveness::check(Clock::time_point now) {
  if (unresponsive_) return Due::kNothing;  // said once; any line ends it
  if (!pinged_at_) {
    if (now - last_heard_ < quiet_) return Due::kNothing;
    pinged_at_ = now;
    return Due::kPing;
  }
  if (now - *pinged_at_ < quiet_) return Due::kNothing;
  unresponsive_ = true;
  return Due::kUnresponsive;
}

std::optional<milliseconds> Liveness::until_next_check(Clock::time_point now) const {
  if (unresponsive_) return std::nullopt;
  Clock::time_point next = (pinged_at_ ? *pinged_at_ : last_heard_) + quiet_;
  // Rounded up, so a read that times out finds the check due.
  auto left = std::chrono::ceil<milliseconds>(next - now);
  return std::max(left, milliseconds{1});
}

}  // namespace ptt::client
