#include <catch2/catch.hpp>

#include "taskd/descriptor_budget.h"

using ptt::taskd::DescriptorBudget;
using ptt::taskd::LogThrottle;

TEST_CASE("descriptor budget: clients get what the limit leaves after the daemon and its tasks",
          "[taskd][limits]") {
  DescriptorBudget b;
  b.fd_limit = 1024;
  CHECK(b.reserve(4, 0) == DescriptorBudget::kFixed + 8);
  CHECK(b.clients(4, 0) == 1024 - 40);
  // Adopted tasks beyond --max-running count too.
  CHECK(b.clients(4, 10) == 1024 - 52);
  // ulimit -n 64: 24 clients, the rest is kept for tasks.
  b.fd_limit = 64;
  CHECK(b.clients(4, 0) == 24);
  // A limit too low for the reserve still lets a quarter of it in.
  b.fd_limit = 1024;
  CHECK(b.clients(1000, 0) == 256);
  b.fd_limit = 8;
  CHECK(b.clients(4, 0) == DescriptorBudget::kMinClients);
  // The tests' override is taken as it is.
  b.fd_limit = 64;
  b.reserve_override = 0;
  CHECK(b.clients(4, 100) == 64);
}

TEST_CASE("log throttle: one line per interval, counting the ones held back", "[taskd][limits]") {
  LogThrottle t(10'000);
  std::size_t held = 99;
  CHECK(t.due(5, held));
  CHECK(held == 0);
  CHECK_FALSE(t.due(6, held));
  CHECK_FALSE(t.due(9'000, held));
  CHECK(t.due(10'005, held));
  CHECK(held == 2);
  CHECK_FALSE(t.due(10'006, held));
}
