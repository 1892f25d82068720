// Integers read from JSON that came from elsewhere: a float, or an integer that does
// not fit, is refused (a field_or fallback, or a type error), never converted: nlohmann
// would static_cast it, undefined behaviour out of range.
#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/json_integer.h"
#include "protocol/json_fields.h"
#include "protocol/task_record.h"
#include "supervise/agent_request.h"

using nlohmann::json;
using ptt::checked_integer;
using ptt::integer_if;

TEST_CASE("only JSON integers that fit the type are read as integers", "[core]") {
  CHECK(checked_integer<int>(json(42)) == 42);
  CHECK(checked_integer<int>(json(-7)) == -7);
  CHECK(checked_integer<std::uint64_t>(json(std::numeric_limits<std::uint64_t>::max())) ==
        std::numeric_limits<std::uint64_t>::max());
  CHECK_THROWS_AS(checked_integer<int>(json(1.11111e112)), json::type_error);
  CHECK_THROWS_AS(checked_integer<int>(json(3.0)), json::type_error);  // a float, even a whole one
  CHECK_THROWS_AS(checked_integer<int>(json(std::int64_t{1} << 40)), json::type_error);
  CHECK_THROWS_AS(checked_integer<std::uint32_t>(json(-1)), json::type_error);
  CHECK_THROWS_AS(checked_integer<std::int64_t>(json(std::numeric_limits<std::uint64_t>::max())),
                  json::type_error);
  CHECK_THROWS_AS(checked_integer<int>(json("1")), json::type_error);
  CHECK_FALSE(integer_if<long>(json(4.4e90)));
  CHECK(integer_if<long>(json(5)) == 5L);
}

TEST_CASE("field_or gives the fallback for a float where an integer belongs", "[protocol]") {
  json hello = json::parse(R"({"version": 1.11111e112, "pid": 1e300, "ok": true})");
  CHECK(ptt::protocol::field_or(hello, "version", -1) == -1);
  CHECK(ptt::protocol::field_or(hello, "pid", 0L) == 0);
  CHECK(ptt::protocol::field_or(json{{"pid", 12}}, "pid", 0L) == 12);
  CHECK(ptt::protocol::field_or(json{{"cost", 2}}, "cost", 0.5) == 2.0);  // an integer is a fine double
}

TEST_CASE("a record or supervisor request with a float id or pid is refused, not converted", "[protocol]") {
  json record = {{"id", 1e300}, {"state", "queued"}};
  CHECK_THROWS_AS(record.get<ptt::protocol::TaskRecord>(), json::exception);
  record["id"] = 3;
  record["pid"] = 4.4e90;
  CHECK_THROWS_AS(record.get<ptt::protocol::TaskRecord>(), json::exception);
  record["pid"] = nullptr;
  record["after"] = json::array({1, 2.5e40});
  CHECK_THROWS_AS(record.get<ptt::protocol::TaskRecord>(), json::exception);
  record["after"] = json::array({1, 2});
  CHECK(record.get<ptt::protocol::TaskRecord>().after == std::vector<std::int64_t>{1, 2});

  CHECK_FALSE(ptt::supervise::parse_supervisor_request(R"({"cancel": 1e300})"));
  CHECK_FALSE(ptt::supervise::parse_supervisor_request(
      R"({"task": 1, "argv": ["a"], "cwd": "/", "log_dir": "/tmp", "kill_grace_ms": 1e300})"));
}
