#include <catch2/catch.hpp>

#include "taskd/stream_reader.h"

using namespace ptt::taskd;
using nlohmann::json;

TEST_CASE("system/init gives the session and model", "[taskd][stream]") {
  auto u = read_stream_line(json::parse(
      R"({"type":"system","subtype":"init","session_id":"abc-123","model":"claude-sonnet-4-5","cwd":"/src","tools":[]})"));
  CHECK(u.session_id == "abc-123");
  CHECK(u.model == "claude-sonnet-4-5");
  CHECK(u.activity == "thinking");  // no longer "starting", even if no tool is ever used
  CHECK_FALSE(u.result);
}

TEST_CASE("an assistant tool_use becomes a one-line activity", "[taskd][stream]") {
  auto line = json::parse(R"({"type":"assistant","message":{"content":[
      {"type":"text","text":"Let me fix it."},
      {"type":"tool_use","id":"t1","name":"Edit","input":{"file_path":"/src/api/src/db.py","old_string":"a"}}]}})");
  CHECK(read_stream_line(line, "/src/api").activity == "Edit src/db.py");
  CHECK(read_stream_line(line, "/elsewhere").activity == "Edit /src/api/src/db.py");
  CHECK(read_stream_line(line, "/src/api/").activity == "Edit src/db.py");
  CHECK(read_stream_line(line, "/src/ap").activity == "Edit /src/api/src/db.py");  // not a path prefix
}

TEST_CASE("tools show their main argument on one line", "[taskd][stream]") {
  CHECK(describe_tool_use("Bash", {{"command", "npm test\n  --watch=false"}}) ==
        "Bash: npm test   --watch=false");
  CHECK(describe_tool_use("Grep", {{"pattern", "TODO"}}) == "Grep: TODO");
  CHECK(describe_tool_use("WebFetch", {{"url", "https://x.org"}}) == "WebFetch: https://x.org");
  CHECK(describe_tool_use("TodoWrite", {{"todos", json::array()}}) == "TodoWrite");
  CHECK(describe_tool_use("mcp__jira__get", {{"id", 5}, {"key", "PTT-1"}}) == "mcp__jira__get: PTT-1");
  std::string long_cmd(500, 'a');
  CHECK(describe_tool_use("Bash", {{"command", long_cmd}}).size() < 140);
}

TEST_CASE("the last tool_use of a message wins", "[taskd][stream]") {
  auto line = json::parse(R"({"type":"assistant","message":{"content":[
      {"type":"tool_use","name":"Read","input":{"file_path":"a.txt"}},
      {"type":"tool_use","name":"Bash","input":{"command":"make"}}]}})");
  CHECK(read_stream_line(line).activity == "Bash: make");
}

TEST_CASE("the result line gives the outcome fields", "[taskd][stream]") {
  auto u = read_stream_line(json::parse(R"({"type":"result","subtype":"success","is_error":false,
      "result":"All 12 tests pass.","total_cost_usd":0.0421,"num_turns":6,"duration_ms":45210})"));
  REQUIRE(u.result);
  CHECK(u.result->subtype == "success");
  CHECK_FALSE(u.result->is_error);
  CHECK(u.result->text == "All 12 tests pass.");
  CHECK(u.result->cost_usd == Approx(0.0421));
  CHECK(u.result->num_turns == 6);
  CHECK(u.result->duration_ms == 45210);
  CHECK_FALSE(u.api_error);
}

TEST_CASE("API errors are noticed in assistant and result lines", "[taskd][stream]") {
  CHECK(read_stream_line(json::parse(R"({"type":"assistant","is_api_error_message":true,
      "message":{"content":[{"type":"text","text":"API Error: 400"}]}})"))
            .api_error);
  auto r = read_stream_line(
      json::parse(R"({"type":"result","subtype":"success","is_error":true,"terminal_reason":"api_error"})"));
  CHECK(r.api_error);
  CHECK(r.result->is_error);
}

TEST_CASE("unknown and malformed lines are ignored, never fatal", "[taskd][stream]") {
  CHECK(read_stream_line(json::parse(R"({"type":"mystery_event","x":1})")).empty());
  CHECK(read_stream_line(json::parse(R"([1,2,3])")).empty());
  CHECK(read_stream_line(json::parse(R"("text")")).empty());
  CHECK(read_stream_line(json::parse(R"({"type":"assistant","message":{"content":"not a list"}})")).empty());
  CHECK(
      read_stream_line(
          json::parse(
              R"({"type":"assistant","message":{"content":[{"type":"tool_use","name":"Bash","input":7}]}})"))
          .activity == "Bash");
  CHECK(read_stream_line(json::parse(R"({"type":"result","subtype":5,"num_turns":"x"})")).result->num_turns ==
        0);
  auto mistyped = read_stream_line(json::parse(R"({"type":"system","subtype":"init","session_id":7})"));
  CHECK_FALSE(mistyped.session_id);
  CHECK_FALSE(mistyped.model);
}

TEST_CASE("a long activity is cut between UTF-8 characters", "[taskd][stream]") {
  std::string cmd;
  for (int i = 0; i < 100; ++i) cmd += "é";  // two bytes each
  std::string activity = describe_tool_use("Bash", {{"command", "x" + cmd}});
  CHECK_NOTHROW(nlohmann::json(activity).dump());  // strict dump throws on broken UTF-8
  CHECK(activity.size() < 140);
}
