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
  // Out-of-range and fractional numbers where integers belong are ignored, not converted
  // (found by fuzz_stream_reader: get<int>() of 3.7e94 is undefined behaviour).
  auto huge = read_stream_line(
      json::parse(R"({"type":"result","num_turns":3.7e94,"duration_ms":1e300,"total_cost_usd":0.5})"));
  CHECK(huge.result->num_turns == 0);
  CHECK(huge.result->duration_ms == 0);
  CHECK(huge.result->cost_usd == 0.5);
  CHECK(read_stream_line(json::parse(R"({"type":"result","num_turns":2.5})")).result->num_turns == 0);
  CHECK(read_stream_line(json::parse(R"({"type":"result","num_turns":99999999999})")).result->num_turns == 0);
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

TEST_CASE("a result's permission_denials name each refused call", "[taskd][stream]") {
  auto u = read_stream_line(json::parse(R"({"type":"result","subtype":"success","is_error":false,
      "result":"could not","total_cost_usd":0.0016,"terminal_reason":"completed",
      "permission_denials":[{"tool_name":"Bash","tool_use_id":"toolu_1",
                             "tool_input":{"command":"curl -s https://x.org","description":"fetch"}},
                            {"tool_name":"Write","tool_use_id":"toolu_2",
                             "tool_input":{"file_path":"/src/api/notes.md","content":"x"}}]})"),
                            "/src/api");
  REQUIRE(u.result);
  REQUIRE(u.result->permission_denials.size() == 2);
  CHECK(u.result->permission_denials[0].tool == "Bash");
  CHECK(u.result->permission_denials[0].description == "Bash: curl -s https://x.org");
  CHECK(u.result->permission_denials[0].tool_use_id == "toolu_1");
  CHECK(u.result->permission_denials[1].description == "Write notes.md");
  CHECK(u.result->terminal_reason == "completed");
  CHECK(u.result->session_cost_usd == Approx(0.0016));
}

TEST_CASE("a system/permission_denied line gives the refused call and an activity", "[taskd][stream]") {
  auto u = read_stream_line(json::parse(R"({"type":"system","subtype":"permission_denied","tool_name":"Bash",
      "tool_use_id":"toolu_1","decision_reason":"This command requires approval"})"));
  REQUIRE(u.denied);
  CHECK(u.denied->tool == "Bash");
  CHECK(u.denied->tool_use_id == "toolu_1");
  CHECK(u.activity == "refused: Bash");
  // The tool_use it refers to carries its id, so the caller can name the command.
  auto use = read_stream_line(json::parse(R"({"type":"assistant","message":{"content":[
      {"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"curl x"}}]}})"));
  REQUIRE(use.tool_uses.size() == 1);
  CHECK(use.tool_uses[0].id == "toolu_1");
  CHECK(use.tool_uses[0].description == "Bash: curl x");
}

TEST_CASE("an error result keeps errors, terminal_reason, startup failure and usage", "[taskd][stream]") {
  auto u =
      read_stream_line(json::parse(R"({"type":"result","subtype":"error_during_execution","is_error":true,
      "total_cost_usd":0,"num_turns":0,"errors":["No conversation found with session ID: 0000",""],
      "startup_failure_reason":"cwd_unavailable","terminal_reason":"turn_setup_failed",
      "usage":{"input_tokens":200,"output_tokens":40},
      "modelUsage":{"claude-x":{"inputTokens":200,"outputTokens":40,"costUSD":0.0016}}})"));
  REQUIRE(u.result);
  CHECK(u.result->errors == std::vector<std::string>{"No conversation found with session ID: 0000"});
  CHECK(u.result->startup_failure_reason == "cwd_unavailable");
  CHECK(u.result->terminal_reason == "turn_setup_failed");
  CHECK(u.result->text.empty());
  CHECK(u.result->usage["input_tokens"] == 200);
  CHECK(u.result->model_usage["claude-x"]["outputTokens"] == 40);
  // Mistyped fields are left out, never fatal.
  auto odd = read_stream_line(json::parse(R"({"type":"result","subtype":"success","errors":"x",
      "permission_denials":{"a":1},"usage":[1],"modelUsage":"m","terminal_reason":5})"));
  REQUIRE(odd.result);
  CHECK(odd.result->errors.empty());
  CHECK(odd.result->permission_denials.empty());
  CHECK(odd.result->usage.is_null());
  CHECK(odd.result->terminal_reason.empty());
}

TEST_CASE("the Agent tool, api_retry and status lines show in the activity", "[taskd][stream]") {
  CHECK(read_stream_line(json::parse(R"({"type":"assistant","message":{"content":[
      {"type":"tool_use","id":"a","name":"Agent","input":{"description":"Review the diff","prompt":"…"}}]}})"))
            .activity == "Agent: Review the diff");
  CHECK(read_stream_line(json::parse(R"({"type":"system","subtype":"api_retry","attempt":2,"max_retries":10,
      "retry_delay_ms":500,"error_status":529})"))
            .activity == "retrying the API (attempt 2 of 10, HTTP 529)");
  CHECK(read_stream_line(json::parse(R"({"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,
      "error_status":null})"))
            .activity == "retrying the API (attempt 1 of 10)");
  CHECK(read_stream_line(json::parse(R"({"type":"system","subtype":"status","status":"compacting"})"))
            .activity == "compacting");
  CHECK(read_stream_line(json::parse(R"({"type":"system","subtype":"status","status":null})")).empty());
}

TEST_CASE("rate_limit_event: every status of the SDK's types is read", "[taskd][stream][rate_limit]") {
  for (auto status : kRateLimitStatuses) {
    CAPTURE(status);
    auto line =
        json::parse(R"({"type":"rate_limit_event","rate_limit_info":{"status":")" + std::string(status) +
                    R"(","resetsAt":1796443118,"rateLimitType":"five_hour","isUsingOverage":false,
                            "unifiedWindows":{"five_hour":{"utilization":0.95,"resetsAt":1796443118}}},
                            "uuid":"u","session_id":"s"})");
    auto u = read_stream_line(line);
    REQUIRE(u.rate_limit);
    CHECK(u.rate_limit->status == status);
    CHECK(u.rate_limit->resets_at == 1796443118.0);
    CHECK(u.rate_limit->type == "five_hour");
    CHECK(u.rate_limit->rejected() == (status == "rejected"));
    // Only a refusal is news for the activity; allowed and allowed_warning change nothing shown.
    CHECK(u.activity ==
          (status == "rejected" ? std::optional<std::string>("rate limited (five_hour)") : std::nullopt));
    CHECK_FALSE(u.empty());
  }
}

TEST_CASE("rate_limit_event: missing or odd fields", "[taskd][stream][rate_limit]") {
  // Only the status is required by the SDK's types.
  auto bare =
      read_stream_line(json::parse(R"({"type":"rate_limit_event","rate_limit_info":{"status":"rejected"}})"));
  REQUIRE(bare.rate_limit);
  CHECK_FALSE(bare.rate_limit->resets_at);
  CHECK(bare.rate_limit->type.empty());
  CHECK(bare.activity == "rate limited");
  // A reset that is no time (a string, a number not after 1970) is none.
  for (const char* at : {R"("soon")", "-5", "0", "null"}) {
    CAPTURE(at);
    auto line =
        std::string(R"({"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":)") + at +
        "}}";
    auto u = read_stream_line(json::parse(line));
    REQUIRE(u.rate_limit);
    CHECK_FALSE(u.rate_limit->resets_at);
  }
  CHECK(
      read_stream_line(json::parse(R"({"type":"rate_limit_event","rate_limit_info":{"status":3}})")).empty());
  CHECK(read_stream_line(json::parse(R"({"type":"rate_limit_event","rate_limit_info":"x"})")).empty());
  CHECK(read_stream_line(json::parse(R"({"type":"rate_limit_event"})")).empty());
}

TEST_CASE("a request refused for a rate limit carries its rate_limit_info", "[taskd][stream][rate_limit]") {
  // As Claude Code 2.1.330 writes it for a 429 with anthropic-ratelimit-unified-status: rejected.
  auto line = json::parse(R"J({"type":"assistant","message":{"model":"<synthetic>","role":"assistant",
      "content":[{"type":"text","text":"You've hit your 5-hour limit · resets 3:58am (UTC)"}]},
      "error":"rate_limit","is_api_error_message":true,"api_error_status":429,"api_error":"usage_limit_reached",
      "api_error_params":{"rate_limit_info":{"status":"rejected","resetsAt":1796443124,"rateLimitType":"five_hour",
      "isUsingOverage":false}}})J");
  auto u = read_stream_line(line);
  CHECK(u.api_error);
  REQUIRE(u.rate_limit);
  CHECK(u.rate_limit->rejected());
  CHECK(u.rate_limit->resets_at == 1796443124.0);
  CHECK(u.activity == "rate limited (five_hour)");
  // Without the info (an API key's 429): refused, with no reset known.
  auto plain = read_stream_line(json::parse(
      R"({"type":"assistant","message":{"content":[{"type":"text","text":"API Error"}]},"error":"rate_limit","is_api_error_message":true})"));
  REQUIRE(plain.rate_limit);
  CHECK(plain.rate_limit->rejected());
  CHECK_FALSE(plain.rate_limit->resets_at);
  // Another API error is no rate limit.
  auto other = read_stream_line(json::parse(
      R"({"type":"assistant","message":{"content":[]},"error":"overloaded","is_api_error_message":true})"));
  CHECK_FALSE(other.rate_limit);
}
