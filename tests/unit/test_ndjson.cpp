#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/ndjson.h"

using ptt::LineFramer;
using ptt::NdjsonReader;

namespace {

struct Collected {
  std::vector<std::string> lines;
  std::vector<std::size_t> overflows;
  LineFramer::LineFn line_fn() {
    return [this](std::string_view l) { lines.emplace_back(l); };
  }
  LineFramer::OverflowFn overflow_fn() {
    return [this](std::size_t n) { overflows.push_back(n); };
  }
};

}  // namespace

TEST_CASE("a line split across reads is delivered once, whole", "[ndjson]") {
  LineFramer framer;
  Collected c;
  framer.feed(R"({"a":)", c.line_fn(), c.overflow_fn());
  CHECK(c.lines.empty());
  framer.feed(R"(1, "b":)", c.line_fn(), c.overflow_fn());
  framer.feed("2}\n", c.line_fn(), c.overflow_fn());
  REQUIRE(c.lines == std::vector<std::string>{R"({"a":1, "b":2})"});
  CHECK(framer.buffered() == 0);
}

TEST_CASE("several lines in one read come out in order", "[ndjson]") {
  LineFramer framer;
  Collected c;
  framer.feed("one\ntwo\nthree\nfour", c.line_fn(), c.overflow_fn());
  REQUIRE(c.lines == std::vector<std::string>{"one", "two", "three"});
  framer.feed("\n", c.line_fn(), c.overflow_fn());
  REQUIRE(c.lines.size() == 4);
  CHECK(c.lines[3] == "four");
}

TEST_CASE("a line over the limit is reported, skipped, and the stream goes on", "[ndjson]") {
  LineFramer framer(16);
  Collected c;
  std::string big(40, 'x');
  // The long line arrives in pieces; its bytes must not accumulate.
  framer.feed("ok1\n" + big.substr(0, 10), c.line_fn(), c.overflow_fn());
  framer.feed(big.substr(10, 20), c.line_fn(), c.overflow_fn());
  CHECK(framer.buffered() == 0);
  framer.feed(big.substr(30) + "\nok2\n", c.line_fn(), c.overflow_fn());
  REQUIRE(c.lines == std::vector<std::string>{"ok1", "ok2"});
  REQUIRE(c.overflows == std::vector<std::size_t>{40});
}

TEST_CASE("a line exactly at the limit is kept", "[ndjson]") {
  LineFramer framer(4);
  Collected c;
  framer.feed("abcd\nabcde\n", c.line_fn(), c.overflow_fn());
  REQUIRE(c.lines == std::vector<std::string>{"abcd"});
  REQUIRE(c.overflows == std::vector<std::size_t>{5});
}

TEST_CASE("a final line without a newline is delivered at end of stream", "[ndjson]") {
  LineFramer framer;
  Collected c;
  framer.feed("first\nlast", c.line_fn(), c.overflow_fn());
  REQUIRE(c.lines.size() == 1);
  framer.finish(c.line_fn(), c.overflow_fn());
  REQUIRE(c.lines == std::vector<std::string>{"first", "last"});
}

TEST_CASE("an over-long unterminated final line is reported at end of stream", "[ndjson]") {
  LineFramer framer(3);
  Collected c;
  framer.feed("toolong", c.line_fn(), c.overflow_fn());
  framer.finish(c.line_fn(), c.overflow_fn());
  CHECK(c.lines.empty());
  REQUIRE(c.overflows == std::vector<std::size_t>{7});
}

TEST_CASE("invalid JSON gives a clear error and the next line still parses", "[ndjson]") {
  std::vector<nlohmann::json> values;
  std::vector<std::pair<std::string, std::size_t>> errors;
  NdjsonReader reader([&](nlohmann::json&& v, std::size_t) { values.push_back(std::move(v)); },
                      [&](const std::string& m, std::size_t n) { errors.emplace_back(m, n); });
  reader.feed("{\"type\":\"a\"}\n{\"type\": oops}\n\n{\"type\":\"b\"}\n");
  REQUIRE(values.size() == 2);
  CHECK(values[0]["type"] == "a");
  CHECK(values[1]["type"] == "b");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].second == 2);
  CHECK_THAT(errors[0].first, Catch::Contains("invalid JSON at byte"));
}

TEST_CASE("the reader reports over-long lines with their line number", "[ndjson]") {
  std::vector<nlohmann::json> values;
  std::vector<std::pair<std::string, std::size_t>> errors;
  NdjsonReader reader([&](nlohmann::json&& v, std::size_t) { values.push_back(std::move(v)); },
                      [&](const std::string& m, std::size_t n) { errors.emplace_back(m, n); }, 8);
  reader.feed("[1]\n[\"0123456789\"]\n[2]");
  reader.finish();
  REQUIRE(values.size() == 2);
  CHECK(values[1] == nlohmann::json::array({2}));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].second == 2);
  CHECK_THAT(errors[0].first, Catch::Contains("14 bytes"));
}

TEST_CASE("to_ndjson writes one compact line", "[ndjson]") {
  std::string s = ptt::to_ndjson(nlohmann::json{{"k", "line\nbreak"}});
  CHECK(s == "{\"k\":\"line\\nbreak\"}\n");
}

TEST_CASE("a number out of range is an error for that line, not a crash (fuzz regression)", "[ndjson]") {
  ptt::JsonLine parsed = ptt::parse_json_line("1E3333333333333333");
  CHECK_FALSE(parsed.value.has_value());
  CHECK_THAT(parsed.error, Catch::Contains("out of range"));
  std::vector<nlohmann::json> values;
  std::vector<std::string> errors;
  NdjsonReader reader([&](nlohmann::json&& v, std::size_t) { values.push_back(std::move(v)); },
                      [&](const std::string& m, std::size_t) { errors.push_back(m); });
  reader.feed("{\"cost\":1e400}\n{\"ok\":1}\n");
  REQUIRE(values.size() == 1);
  CHECK(errors.size() == 1);
}

TEST_CASE("a line nested deeper than 512 levels is an error before any parse, and the reader goes on",
          "[ndjson]") {
  std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  ptt::JsonLine parsed = ptt::parse_json_line("{\"id\":" + deep + "}");
  CHECK_FALSE(parsed.value.has_value());
  CHECK(parsed.error == "JSON nested deeper than 512 levels");
  // 512 levels are still read; brackets inside strings do not count.
  CHECK(ptt::parse_json_line(std::string(512, '[') + std::string(512, ']')).value.has_value());
  CHECK(ptt::parse_json_line("[\"" + std::string(2000, '[') + "\"]").value.has_value());
  std::vector<nlohmann::json> values;
  std::vector<std::pair<std::string, std::size_t>> errors;
  NdjsonReader reader([&](nlohmann::json&& v, std::size_t) { values.push_back(std::move(v)); },
                      [&](const std::string& m, std::size_t n) { errors.emplace_back(m, n); }, 4 << 20);
  reader.feed(deep + "\n{\"after\":1}\n");
  REQUIRE(values.size() == 1);
  CHECK(values[0] == nlohmann::json{{"after", 1}});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == std::make_pair(std::string("JSON nested deeper than 512 levels"), std::size_t{1}));
}

TEST_CASE("LineFramer::reset drops the partial line and gives its memory back", "[ndjson]") {
  ptt::LineFramer framer;
  std::vector<std::string> lines;
  auto on_line = [&](std::string_view l) { lines.emplace_back(l); };
  auto on_overflow = [](std::size_t) {};
  framer.feed(std::string(512 * 1024, 'x'), on_line, on_overflow);
  CHECK(framer.held() >= 512 * 1024);
  framer.reset();
  CHECK(framer.buffered() == 0);
  CHECK(framer.held() < 1024);
  framer.feed("next\n", on_line, on_overflow);
  CHECK(lines == std::vector<std::string>{"next"});
}

TEST_CASE("parse_json_or_discarded gives the value, or discarded for what parse_json_line refuses",
          "[ndjson]") {
  CHECK(ptt::parse_json_or_discarded("{\"a\":[1,2]}") == nlohmann::json{{"a", {1, 2}}});
  CHECK(ptt::parse_json_or_discarded(" 7 ") == 7);
  // Empty (supervisor.ndjson's lines start with a newline), broken, trailing text, a
  // number out of range, too deep: each discarded, as parse_json_line refuses each.
  for (std::string bad : {std::string(), std::string("{\"a\":"), std::string("{} x"), std::string("1e400"),
                          std::string(600, '[') + std::string(600, ']'), std::string("\"\xff\"")}) {
    CAPTURE(bad.substr(0, 20));
    CHECK_FALSE(ptt::parse_json_line(bad).value.has_value());
    CHECK(ptt::parse_json_or_discarded(bad).is_discarded());
  }
}
