// The readable view of ptt-realtime's events, and typed terminal lines as stdin events.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "realtime/conversation_view.h"
#include "realtime/typed_input.h"

using nlohmann::json;
namespace rt = ptt::realtime;
using Lines = std::vector<std::string>;

namespace {
Lines plain(const json& event) { return rt::render_event(event, rt::ViewStyle{false}); }
}  // namespace

TEST_CASE("the view shows who said what", "[realtime][view]") {
  CHECK(plain({{"type", "transcript"}, {"role", "user"}, {"text", "run the tests"}}) ==
        Lines{"you: run the tests"});
  CHECK(plain({{"type", "transcript"}, {"role", "user"}, {"text", "hi"}, {"typed", true}}) ==
        Lines{"you: hi"});
  CHECK(plain({{"type", "transcript"}, {"role", "assistant"}, {"text", "On it."}}) ==
        Lines{"assistant: On it."});
}

TEST_CASE("the view names tasks by number and name, with the result of a finished one", "[realtime][view]") {
  json started = {{"type", "task"},
                  {"event", "started"},
                  {"task", {{"id", 3}, {"state", "running"}, {"name", "fix-tests"}}}};
  CHECK(plain(started) == Lines{"task 3 (fix-tests) started"});
  json created = {{"type", "task"}, {"event", "created"}, {"task", {{"id", 4}, {"state", "queued"}}}};
  CHECK(plain(created) == Lines{"task 4 queued"});
  // Created already running: the `started` event that follows says so; no "queued".
  json created_running = {
      {"type", "task"}, {"event", "created"}, {"task", {{"id", 5}, {"state", "running"}}}};
  CHECK(plain(created_running).empty());
  json activity = {
      {"type", "task"},
      {"event", "activity"},
      {"task", {{"id", 3}, {"state", "running"}, {"name", "fix-tests"}, {"activity", "Bash: npm test"}}}};
  CHECK(plain(activity) == Lines{"task 3 (fix-tests): Bash: npm test"});
  json done = {
      {"type", "task"},
      {"event", "finished"},
      {"task", {{"id", 3}, {"state", "succeeded"}, {"name", "fix-tests"}, {"result", "all 12\ntests pass"}}}};
  CHECK(plain(done) == Lines{"task 3 (fix-tests) succeeded: all 12 tests pass"});
  json failed = {{"type", "task"},
                 {"event", "finished"},
                 {"task", {{"id", 5}, {"state", "failed"}, {"reason", "agent_missing"}}}};
  CHECK(plain(failed) == Lines{"task 5 failed (agent_missing)"});
}

TEST_CASE("the view shows tool calls and results in a short form", "[realtime][view]") {
  json call = {{"type", "tool_call"},
               {"call_id", "c1"},
               {"name", "spawn_task"},
               {"arguments", {{"prompt", "run the tests"}, {"project", "api"}}}};
  CHECK(plain(call) == Lines{"→ spawn_task project=api prompt=\"run the tests\""});
  json ok = {{"type", "tool_result"},
             {"name", "spawn_task"},
             {"output", {{"ok", true}, {"task", 3}, {"state", "queued"}, {"name", "fix"}}}};
  CHECK(plain(ok) == Lines{"← task 3 (fix) queued"});
  json bad = {{"type", "tool_result"},
              {"name", "spawn_task"},
              {"output", {{"ok", false}, {"error", "the task daemon is not reachable"}}}};
  CHECK(plain(bad) == Lines{"← spawn_task failed: the task daemon is not reachable"});
  json list = {
      {"type", "tool_result"},
      {"name", "list_tasks"},
      {"output",
       {{"ok", true},
        {"tasks",
         {{{"task", 1}, {"state", "running"}, {"name", "a"}}, {{"task", 2}, {"state", "failed"}}}}}}};
  CHECK(plain(list) == Lines{"← 1 (a) running, 2 failed"});
}

TEST_CASE("the view says errors in plain words and hides plumbing", "[realtime][view]") {
  CHECK(plain({{"type", "error"}, {"source", "realtime"}, {"code", "unauthorized"}, {"message", "x"}}) ==
        Lines{"error: the OpenAI API key was rejected; check OPENAI_API_KEY"});
  CHECK(
      plain(
          {{"type", "error"}, {"source", "realtime"}, {"code", "rate_limited"}, {"message", "slow down"}}) ==
      Lines{"error: the Realtime API said: slow down (rate_limited)"});
  CHECK(plain({{"type", "session"}, {"state", "reconnecting"}, {"in_ms", 500}}) ==
        Lines{"reconnecting in 0.5 s"});
  CHECK(plain({{"type", "session"}, {"state", "created"}}).empty());
  CHECK(plain({{"type", "response"}, {"state", "done"}, {"status", "completed"}}).empty());
  CHECK(plain({{"type", "announcement"}, {"text", "[task update] ..."}}).empty());
  CHECK(plain({{"type", "turn"}, {"state", "committed"}, {"ms", 1200}}) == Lines{"(sent 1.2 s of speech)"});
}

TEST_CASE("the view says why a reply, a call or a transcription came to nothing", "[realtime][view]") {
  CHECK(plain({{"type", "response"},
               {"state", "done"},
               {"status", "incomplete"},
               {"reason", "content_filter"}}) == Lines{"(the reply was cut short: content_filter)"});
  CHECK(plain({{"type", "response"}, {"state", "done"}, {"status", "failed"}}).empty());  // its error says it
  CHECK(plain({{"type", "tool_call"},
               {"call_id", "c1"},
               {"name", "spawn_task"},
               {"not_run", "not run: the response was cancelled (turn_detected)"}}) ==
        Lines{"→ spawn_task not run: the response was cancelled (turn_detected)"});
  CHECK(plain({{"type", "error"}, {"source", "transcription"}, {"code", "x"}, {"message", "noise"}}) ==
        Lines{"error: what you said could not be transcribed: noise"});
}

TEST_CASE("the view never throws and colours only when asked", "[realtime][view]") {
  for (const json& odd : {json(nullptr), json(3), json::array(), json{{"type", 7}},
                          json{{"type", "task"}, {"task", "x"}}, json{{"type", "tool_result"}, {"output", 3}},
                          json{{"type", "tool_call"}, {"arguments", {{"a", {1, 2}}}}},
                          json{{"type", "turn"}, {"state", "committed"}, {"ms", "long"}}})
    CHECK_NOTHROW(plain(odd));
  json said = {{"type", "transcript"}, {"role", "user"}, {"text", "hi"}};
  CHECK(plain(said).front().find('\x1b') == std::string::npos);
  std::string coloured = rt::render_event(said, rt::ViewStyle{true}).front();
  CHECK(coloured.find('\x1b') != std::string::npos);
  CHECK(coloured.find("hi") != std::string::npos);
}

TEST_CASE("one_line folds whitespace and cuts at a UTF-8 boundary", "[realtime][view]") {
  CHECK(rt::one_line("  a\n\n b\tc ", 100) == "a b c");
  CHECK(rt::one_line("abcdef", 3) == "abc…");
  CHECK(rt::one_line("ab\xc3\xa9", 3) == "ab…");  // é is two bytes: not split
}

TEST_CASE("a typed line is a text turn, a JSON line an event, a blank line nothing", "[realtime][view]") {
  auto t = rt::typed_line_to_event("  list my tasks \r");
  REQUIRE(t.event);
  CHECK(*t.event == json{{"type", "text"}, {"text", "list my tasks"}});
  t = rt::typed_line_to_event(R"({"type":"ptt.start"})");
  REQUIRE(t.event);
  CHECK((*t.event)["type"] == "ptt.start");
  CHECK(!rt::typed_line_to_event("   ").event);
  t = rt::typed_line_to_event("{not json");
  CHECK(!t.event);
  CHECK(!t.error.empty());
}

TEST_CASE("the view reads events without their numeric fields (the ASan suite catches a read past the map)") {
  CHECK(plain({{"type", "turn"}, {"state", "listening"}}) == Lines{"(listening…)"});
  CHECK(plain({{"type", "turn"}, {"state", "too_short"}}) == Lines{"(too short: 0 ms; nothing was sent)"});
  CHECK(plain({{"type", "turn"}, {"state", "committed"}, {"ms", "x"}}) == Lines{"(sent 0.0 s of speech)"});
  CHECK(plain({{"type", "session"}, {"state", "reconnecting"}}) == Lines{"reconnecting in 0.0 s"});
}

TEST_CASE("the view shows a task's question and who answered it", "[realtime][view]") {
  json asked = {{"type", "task"},
                {"event", "permission_requested"},
                {"task", {{"id", 3}}},
                {"question", {{"request", "q1"}, {"tool", "Bash"}, {"summary", "curl example.com"}}}};
  CHECK(plain(asked) == Lines{"task 3 asks: Bash curl example.com"});
  json answered = {{"type", "task"},      {"event", "permission_answered"},
                   {"task", {{"id", 3}}}, {"request", "q1"},
                   {"allow", false},      {"by", "shell"}};
  CHECK(plain(answered) == Lines{"task 3: denied (shell)"});
}

TEST_CASE("the view shows a worktree merged or discarded after its task ended", "[realtime][view]") {
  json merged = {
      {"type", "task"},
      {"event", "worktree"},
      {"task", {{"id", 3}, {"name", "fix"}, {"worktree", "merged"}, {"changes", "changed 1 file, +1 -0"}}}};
  CHECK(plain(merged) == Lines{"task 3 (fix): merged"});
  json counted = {{"type", "task"}, {"event", "worktree"}, {"task", {{"id", 4}, {"changes", "no changes"}}}};
  CHECK(plain(counted) == Lines{"task 4: no changes"});
}
