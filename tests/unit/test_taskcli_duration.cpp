#include <catch2/catch.hpp>

#include "taskcli/duration.h"

using ptt::taskcli::parse_duration;

TEST_CASE("durations: 30s 10m 2h 7d, combined, or bare seconds", "[taskcli][duration]") {
  CHECK(parse_duration("30s") == 30.0);
  CHECK(parse_duration("10m") == 600.0);
  CHECK(parse_duration("2h") == 7200.0);
  CHECK(parse_duration("7d") == 7 * 86400.0);
  CHECK(parse_duration("1w") == 7 * 86400.0);
  CHECK(parse_duration("1h30m") == 5400.0);
  CHECK(parse_duration("90") == 90.0);
  CHECK(parse_duration("0s") == 0.0);
}

TEST_CASE("durations: anything else is refused", "[taskcli][duration]") {
  for (const char* bad : {"", "s", "-5m", "5 m", "5x", "1.5h", "1h30", "h1", "10M", "abc"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}
