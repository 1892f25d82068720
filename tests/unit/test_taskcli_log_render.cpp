#include <catch2/catch.hpp>

#include "taskcli/log_render.h"

using ptt::taskcli::render_stream_line;
using ptt::taskcli::Style;
using Lines = std::vector<std::string>;

TEST_CASE("system/init becomes a session line", "[taskcli][logs]") {
  auto out = render_stream_line(
      R"({"type":"system","subtype":"init","session_id":"s-1","model":"claude-x","cwd":"/src"})", Style{});
  REQUIRE(out == Lines{"● session s-1 · model claude-x · /src"});
}

TEST_CASE("assistant text and tool use become readable lines", "[taskcli][logs]") {
  auto out = render_stream_line(
      R"({"type":"assistant","message":{"content":[{"type":"text","text":"Looking.\nNow running."},)"
      R"({"type":"tool_use","id":"t1","name":"Bash","input":{"command":"npm test","description":"run"}},)"
      R"({"type":"tool_use","id":"t2","name":"Edit","input":{"file_path":"src/db.py","old_string":"a"}},)"
      R"({"type":"thinking","thinking":"hmm"}]}})",
      Style{});
  REQUIRE(out == Lines{"Looking.", "Now running.", "→ Bash: npm test", "→ Edit src/db.py"});
}

TEST_CASE("tool results are shown on one short line", "[taskcli][logs]") {
  std::string long_output(500, 'x');
  auto out =
      render_stream_line(R"({"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t1",)"
                         R"("content":[{"type":"text","text":"line one\nline two"}]},)"
                         R"({"type":"tool_result","is_error":true,"content":")" +
                             long_output + R"("}]}})",
                         Style{});
  REQUIRE(out.size() == 2);
  CHECK(out[0] == "  ← line one line two");
  CHECK(out[1].rfind("  ✗ xxx", 0) == 0);
  CHECK(out[1].size() < 200 * 3);
}

TEST_CASE("the result line is summarised with turns, cost and time", "[taskcli][logs]") {
  auto ok = render_stream_line(R"({"type":"result","subtype":"success","is_error":false,"num_turns":2,)"
                               R"("total_cost_usd":0.0016,"duration_ms":1234,"result":"done"})",
                               Style{});
  REQUIRE(ok == Lines{"✓ success · 2 turns · $0.0016 · 1.2s"});
  auto bad =
      render_stream_line(R"({"type":"result","subtype":"error_max_turns","is_error":true})", Style{true, 0});
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].find("✗ error_max_turns") != std::string::npos);
  CHECK(bad[0].find("\033[31m") != std::string::npos);
}

TEST_CASE("non-JSON lines are kept and unknown types are named", "[taskcli][logs]") {
  CHECK(render_stream_line("Segmentation fault\r", Style{}) == Lines{"Segmentation fault"});
  CHECK(render_stream_line(R"({"type":"rate_limit_event"})", Style{}) == Lines{"[rate_limit_event]"});
  CHECK(render_stream_line(R"([1,2])", Style{}) == Lines{"[1,2]"});
  CHECK(render_stream_line(R"({"type":"system","subtype":"hook"})", Style{}).empty());
}
