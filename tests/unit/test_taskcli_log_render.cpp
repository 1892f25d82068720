#include <catch2/catch.hpp>

#include "agent_result_of.h"
#include "taskcli/log_render.h"

using ptt::protocol::AgentResult;
using ptt::protocol::TaskRecord;
using ptt::protocol::TaskState;
using ptt::taskcli::render_log_closing;
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
  auto refused = render_stream_line(R"({"type":"result","subtype":"success","is_error":false,"num_turns":2,)"
                                    R"("permission_denials":[{"tool_name":"Bash","tool_input":{}}]})",
                                    Style{});
  REQUIRE(refused == Lines{"✗ success · 1 refused · 2 turns"});
}

TEST_CASE("non-JSON lines are kept and unknown types are named", "[taskcli][logs]") {
  CHECK(render_stream_line("Segmentation fault\r", Style{}) == Lines{"Segmentation fault"});
  CHECK(render_stream_line(R"({"type":"rate_limit_event"})", Style{}) == Lines{"[rate_limit_event]"});
  CHECK(render_stream_line(R"([1,2])", Style{}) == Lines{"[1,2]"});
  CHECK(render_stream_line(R"({"type":"system","subtype":"hook"})", Style{}).empty());
}

TEST_CASE("an API error never reads as success", "[taskcli][logs]") {
  auto api = render_stream_line(R"({"type":"result","subtype":"success","is_error":true,"num_turns":1,)"
                                R"("terminal_reason":"api_error","total_cost_usd":0.0123})",
                                Style{});
  REQUIRE(api == Lines{"✗ api_error · 1 turn · $0.0123"});
  auto bare = render_stream_line(R"({"type":"result","subtype":"success","is_error":true})", Style{});
  REQUIRE(bare == Lines{"✗ error"});
  // Mistyped fields from an agent are shown as far as they go, never thrown on.
  auto odd = render_stream_line(R"({"type":"result","subtype":"success","is_error":"yes","num_turns":"x"})",
                                Style{});
  REQUIRE(odd == Lines{"✓ success"});
  auto tool = render_stream_line(
      R"({"type":"user","message":{"content":[{"type":"tool_result","is_error":1,"content":"ok"}]}})",
      Style{});
  REQUIRE(tool.size() == 1);
}

namespace {
TaskRecord ended(TaskState state, const char* reason) {
  TaskRecord t;
  t.id = 4;
  t.state = state;
  if (reason) t.reason = reason;
  t.created_at = 100;
  return t;
}
}  // namespace

TEST_CASE("the closing line says how the task ended", "[taskcli][logs]") {
  TaskRecord ok = ended(TaskState::kSucceeded, nullptr);
  ok.name = "docs";
  ok.started_at = 100;
  ok.finished_at = 102.5;
  ok.result = agent_result_of("success", false, "done", 0.01, 1, 2500);
  CHECK(render_log_closing(ok, Style{}) == "✓ task 4 (docs) succeeded (took 2.5s, $0.0100)");
  CHECK(render_log_closing(ok, Style{true, 0}).rfind("\033[32m", 0) == 0);

  TaskRecord exit = ended(TaskState::kFailed, "exit_code");
  exit.exit_code = 128;
  exit.stderr_tail = "fatal: not a git repository\n(or any parent)";
  CHECK(render_log_closing(exit, Style{}) ==
        "✗ task 4 failed: exit code 128 · fatal: not a git repository (or any parent)");

  TaskRecord api = ended(TaskState::kFailed, "api_error");
  api.result = agent_result_of("success", true, "API Error: 400 invalid model", 0.0123, 1, 10);
  CHECK(render_log_closing(api, Style{}) ==
        "✗ task 4 failed: api_error · API Error: 400 invalid model ($0.0123)");

  TaskRecord missing = ended(TaskState::kFailed, "agent_missing");
  missing.stderr_tail = "cannot run the agent /x/claude: No such file or directory";
  CHECK(render_log_closing(missing, Style{}) ==  // and what to do, on the same closing line
        "✗ task 4 failed: agent_missing · cannot run the agent /x/claude: No such file or directory; install "
        "Claude "
        "Code (`npm install -g @anthropic-ai/claude-code`) or set PTT_CLAUDE to its path in the daemon's "
        "environment, "
        "then restart the daemon (`ptt-task shutdown`; the next command starts it)");

  CHECK(render_log_closing(ended(TaskState::kFailed, "dependency failed"), Style{}) ==
        "✗ task 4 failed: dependency failed");
  CHECK(render_log_closing(ended(TaskState::kCancelled, "cancelled"), Style{}) == "✗ task 4 cancelled");

  TaskRecord running = ended(TaskState::kRunning, nullptr);
  running.activity = "Bash: npm test";
  CHECK(render_log_closing(running, Style{}) ==
        "… task 4 is running (Bash: npm test); follow it with `ptt-task logs -f 4`");
  CHECK(render_log_closing(ended(TaskState::kQueued, nullptr), Style{}) ==
        "… task 4 is queued; follow it with `ptt-task logs -f 4`");
}
