// Liveness: when a quiet daemon is pinged, when it counts as unresponsive, and that
// any line ends that.
#include <catch2/catch.hpp>

#include "client/liveness.h"

using ptt::client::Liveness;
using Due = Liveness::Due;
using namespace std::chrono_literals;

TEST_CASE("liveness: quiet for the limit, a ping; the ping unanswered as long, unresponsive", "[client]") {
  auto t0 = Liveness::Clock::time_point{} + 1h;
  Liveness l(5s, t0);
  CHECK(l.check(t0 + 4s) == Due::kNothing);
  CHECK(l.until_next_check(t0 + 4s) == 1000ms);
  CHECK(l.check(t0 + 5s) == Due::kPing);
  CHECK(l.check(t0 + 6s) == Due::kNothing);  // one ping, not one per check
  CHECK(l.until_next_check(t0 + 6s) == 4000ms);
  CHECK(l.check(t0 + 10s) == Due::kUnresponsive);
  CHECK(l.unresponsive());
  CHECK(l.check(t0 + 60s) == Due::kNothing);  // said once
  CHECK_FALSE(l.until_next_check(t0 + 60s));  // nothing to do until a line comes
  CHECK(l.heard(t0 + 61s));                   // it answers again
  CHECK_FALSE(l.unresponsive());
  CHECK(l.check(t0 + 65s) == Due::kNothing);
  CHECK(l.check(t0 + 66s) == Due::kPing);
}

TEST_CASE("liveness: an answered ping or any line starts the quiet over", "[client]") {
  auto t0 = Liveness::Clock::time_point{} + 1h;
  Liveness l(2s, t0);
  CHECK(l.check(t0 + 2s) == Due::kPing);
  CHECK_FALSE(l.heard(t0 + 2100ms));  // was not unresponsive
  CHECK(l.check(t0 + 4s) == Due::kNothing);
  CHECK(l.check(t0 + 4100ms) == Due::kPing);
  CHECK(l.until_next_check(t0 + 5s) == 1100ms);
  // A wait that overshot still finds the check due: never a zero wait.
  CHECK(l.until_next_check(t0 + 9s) == 1ms);
}
