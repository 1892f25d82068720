#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/json_simple_scan.h"

namespace {

// Every SAX event as a line of text, to compare the simple scanner with nlohmann's.
struct Recorder {
  using json = nlohmann::json;
  std::vector<std::string> events;
  bool ok = true;
  bool null() { return add("null"); }
  bool boolean(bool v) { return add(v ? "true" : "false"); }
  bool number_integer(json::number_integer_t v) { return add(fmt::format("int {}", v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add(fmt::format("unsigned {}", v)); }
  bool number_float(json::number_float_t v, const std::string& s) {
    return add(fmt::format("float {} {}", v, s));
  }
  bool string(std::string& v) { return add("string " + json(v).dump()); }
  bool binary(json::binary_t&) { return add("binary"); }
  bool key(std::string& k) { return add("key " + json(k).dump()); }
  bool start_object(std::size_t) { return add("{"); }
  bool end_object() { return add("}"); }
  bool start_array(std::size_t) { return add("["); }
  bool end_array() { return add("]"); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    ok = false;
    return false;
  }
  bool add(std::string e) {
    events.push_back(std::move(e));
    return true;
  }
};

}  // namespace

TEST_CASE("the simple JSON scanner gives nlohmann's events, or gives up", "[core]") {
  const std::vector<std::string> inputs = {
      R"({"id":5,"state":"queued"})",
      R"( { "a" : [ 1 , -2 , 0 , -0 , 1.5 , -1.25e3 , 1E+2 , 2e-2 , true , false , null ] } )",
      R"({"s":"a\"b\\c\/d\b\f\n\r\t","e":{},"f":[],"g":[[]]})",
      R"({"created_at":1796428492.6730905,"n":123456789012345678,"m":-123456789012345678})",
      R"({"big":1234567890123456789,"bigger":18446744073709551616})",
      R"({"u":"\u00e9"})",
      "{\"raw\":\"\xc3\xa9\"}",
      "{\"bad\":\"\xff\"}",
      "{\"ctl\":\"a\tb\"}",
      "{\"del\":\"\x7f\"}",
      R"({"x":01})",
      R"({"x":-})",
      R"({"x":1.})",
      R"({"x":.5})",
      R"({"x":1e})",
      R"({"x":1e400})",
      R"({"x":tru})",
      R"({"x":nul})",
      R"({"x":1,})",
      R"({"x" 1})",
      R"({"x":1} x)",
      R"({"x":1}{})",
      R"([1,2)",
      R"({"x":"unterminated)",
      R"({"x":"\q"})",
      R"("just a string")",
      "42",
      "",
      "   ",
      "\xef\xbb\xbf{}",
      R"({"d":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]})",
  };
  for (const auto& input : inputs) {
    INFO(input);
    Recorder simple, reference;
    auto result = ptt::JsonSimpleScanner(input, simple).run();
    bool parsed = nlohmann::json::sax_parse(input.begin(), input.end(), &reference);
    if (result == ptt::SimpleScan::kAccepted) {
      CHECK(parsed);
      CHECK(simple.events == reference.events);
    }
  }
  // The common case is handled, not given up on.
  Recorder r;
  CHECK(ptt::JsonSimpleScanner(inputs[0], r).run() == ptt::SimpleScan::kAccepted);
  CHECK(ptt::JsonSimpleScanner(inputs[1], r).run() == ptt::SimpleScan::kAccepted);
  CHECK(ptt::JsonSimpleScanner(inputs[2], r).run() == ptt::SimpleScan::kAccepted);
  CHECK(ptt::JsonSimpleScanner(inputs[3], r).run() == ptt::SimpleScan::kAccepted);
}
