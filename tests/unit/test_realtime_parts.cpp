// The pure parts around the Realtime session: tool translation, shortening, audio
// sizes, the reconnect backoff, the play clock and WebSocket URLs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "realtime/audio_bytes.h"
#include "realtime/audio_sink.h"
#include "realtime/backoff.h"
#include "realtime/run_options.h"
#include "realtime/session_update.h"
#include "realtime/task_tools.h"
#include "realtime/ws_client.h"

using nlohmann::json;
namespace rt = ptt::realtime;

namespace {
rt::SessionConfig two_projects() {
  rt::SessionConfig c;
  c.projects = {{"api", "/src/api", ""}, {"web", "/src/web", ""}};
  c.default_cwd = "/here";
  return c;
}
}  // namespace

TEST_CASE("a project's --project-defaults go with each task spawned in it", "[realtime]") {
  auto c = two_projects();
  std::string error;
  REQUIRE(rt::apply_project_defaults("api=worktree,no-sandbox,setup=npm ci, then make", c.projects, error));
  CHECK(c.projects[0].worktree == true);
  CHECK(c.projects[0].sandbox == false);
  CHECK(c.projects[0].setup == "npm ci, then make");
  REQUIRE(rt::apply_project_defaults("web=sandbox", c.projects, error));
  CHECK_FALSE(c.projects[1].worktree.has_value());

  json api = rt::tool_call_to_request(c, "spawn_task", R"({"prompt":"p","project":"api"})").request;
  CHECK(api["worktree"] == true);
  CHECK(api["setup"] == "npm ci, then make");
  CHECK(api["options"]["sandbox"] == false);
  json web = rt::tool_call_to_request(c, "spawn_task", R"({"prompt":"p","project":"web"})").request;
  CHECK_FALSE(web.contains("worktree"));  // the daemon's --isolate decides
  CHECK(web["options"]["sandbox"] == true);

  for (const char* bad : {"api", "api=", "nope=worktree", "api=worktrees", "api=setup=", "=worktree"}) {
    CAPTURE(bad);
    CHECK_FALSE(rt::apply_project_defaults(bad, c.projects, error));
  }
  CHECK(error.find("no --project of that name") == std::string::npos);
  CHECK_FALSE(rt::apply_project_defaults("nope=worktree", c.projects, error));
  CHECK(error == "--project-defaults nope: no --project of that name");
}

TEST_CASE("spawn_task resolves projects by name and never takes a path", "[realtime]") {
  auto c = two_projects();
  auto r = rt::tool_call_to_request(c, "spawn_task", R"({"prompt":"p","project":"api"})");
  CHECK(r.request["cwd"] == "/src/api");
  r = rt::tool_call_to_request(c, "spawn_task", R"({"prompt":"p","project":"/etc"})");
  CHECK(r.request.is_null());
  CHECK(r.immediate_output.find("choose one of: api, web") != std::string::npos);
  r = rt::tool_call_to_request(c, "spawn_task", R"({"prompt":"p"})");
  CHECK(r.request.is_null());  // ambiguous with two projects
  c.projects.resize(1);
  CHECK(rt::tool_call_to_request(c, "spawn_task", R"({"prompt":"p"})").request["cwd"] == "/src/api");
  c.projects.clear();
  CHECK(rt::tool_call_to_request(c, "spawn_task", R"({"prompt":"p"})").request["cwd"] == "/here");
  CHECK(rt::tool_call_to_request(c, "spawn_task", R"({"project":"api"})").request.is_null());
  CHECK(rt::tool_call_to_request(c, "spawn_task", "not json").request.is_null());
}

TEST_CASE("every tool maps to its daemon op", "[realtime]") {
  auto c = two_projects();
  CHECK(rt::tool_call_to_request(c, "list_tasks", R"({"state":"running"})").request ==
        json({{"op", "list"}, {"state", "running"}, {"finished_limit", 10}}));
  CHECK(rt::tool_call_to_request(c, "check_task", R"({"task":3})").request ==
        json({{"op", "get"}, {"task", 3}}));
  CHECK(rt::tool_call_to_request(c, "get_result", R"({"task":"fix"})").request ==
        json({{"op", "result"}, {"task", "fix"}}));
  CHECK(rt::tool_call_to_request(c, "cancel_task", R"({"task":"2"})").request ==
        json({{"op", "cancel"}, {"task", "2"}}));
  CHECK(rt::tool_call_to_request(c, "follow_up_task", R"({"task":2,"prompt":"more"})").request ==
        json({{"op", "follow_up"}, {"task", 2}, {"prompt", "more"}}));
  CHECK(rt::tool_call_to_request(c, "message_task", R"({"task":4,"text":"also the docs"})").request ==
        json({{"op", "send"}, {"task", 4}, {"text", "also the docs"}}));
  CHECK(rt::tool_call_to_request(c, "message_task", R"({"task":4})").request.is_null());
  CHECK(rt::tool_call_to_request(c, "interrupt_task", R"({"task":"4"})").request ==
        json({{"op", "interrupt"}, {"task", "4"}}));
  CHECK(rt::tool_call_to_request(c, "check_task", "{}").request.is_null());
  CHECK(rt::tool_call_to_request(c, "rm_rf", "{}").immediate_output.find("no tool") != std::string::npos);
  // The session.update offers exactly these tools, with the project names as an enum.
  json tools = rt::tool_definitions(c);
  REQUIRE(tools.size() == 12);
  CHECK(tools[0]["parameters"]["properties"]["project"]["enum"] == json({"api", "web"}));
}

TEST_CASE("list_tasks speaks the newest ten tasks and counts the rest, also those the daemon left out",
          "[realtime]") {
  auto c = two_projects();
  json tasks = json::array();
  for (int id = 1; id <= 12; ++id) tasks.push_back({{"id", id}, {"state", "succeeded"}});
  for (auto [omitted, note] : {std::pair<int, const char*>{0, "2 older tasks not shown; see `ptt-task list`"},
                               {30, "32 older tasks not shown; see `ptt-task list`"}}) {
    json reply = {{"ok", true}, {"tasks", tasks}};
    if (omitted > 0) reply["finished_omitted"] = omitted;
    json out = json::parse(rt::tool_reply_to_output(c, "list_tasks", reply));
    REQUIRE(out["tasks"].size() == 10);
    CHECK(out["tasks"][0]["task"] == 3);
    CHECK(out["note"] == note);
  }
}

TEST_CASE("long results are cut for speech with a pointer to the full text", "[realtime]") {
  auto c = two_projects();
  c.max_result_chars = 20;
  json reply = {{"ok", true}, {"task", {{"id", 7}, {"state", "succeeded"}}}, {"text", std::string(500, 'x')}};
  json out = json::parse(rt::tool_reply_to_output(c, "get_result", reply));
  std::string text = out["result"];
  CHECK(text.size() < 100);
  CHECK(text.find("`ptt-task result 7`") != std::string::npos);
  // Never in the middle of a UTF-8 character.
  std::string s = rt::shorten_for_speech("aaaaaaaaa\xc3\xa9\xc3\xa9\xc3\xa9", 10, 1);
  CHECK(s.substr(0, 9) == "aaaaaaaaa");
  CHECK(s[9] == '.');
  json err = json::parse(
      rt::tool_reply_to_output(c, "check_task", {{"ok", false}, {"error", {{"message", "no task 9"}}}}));
  CHECK(err["ok"] == false);
  CHECK(err["error"] == "no task 9");
}

namespace {
ptt::protocol::TaskRecord ended(std::int64_t id, ptt::protocol::TaskState state,
                                std::optional<std::string> name, std::optional<std::string> reason) {
  ptt::protocol::TaskRecord t;
  t.id = id;
  t.state = state;
  t.name = std::move(name);
  t.reason = std::move(reason);
  return t;
}
}  // namespace

TEST_CASE("announcements name the task, its state and a short summary", "[realtime]") {
  using ptt::protocol::TaskState;
  rt::SessionConfig c;
  auto failed = ended(4, TaskState::kFailed, std::nullopt, "error_max_turns");
  CHECK(rt::announcement_text(c, failed).find("task 4 failed (error_max_turns)") != std::string::npos);
  auto done = ended(5, TaskState::kSucceeded, "count", std::nullopt);
  done.result.emplace();
  done.result->text = "notes.txt has 3 lines.";
  CHECK(rt::announcement_text(c, done) ==
        "[task update] task 5 'count' succeeded: notes.txt has 3 lines. Tell the user briefly.");
  done.result->text = "all green";
  CHECK(rt::announcement_text(c, done) ==
        "[task update] task 5 'count' succeeded: all green. Tell the user briefly.");
  // A reason is said only for a task that did not succeed.
  done.reason = "whatever";
  CHECK(rt::announcement_text(c, done).find("whatever") == std::string::npos);
}

TEST_CASE("announcements name refused calls and Claude's errors", "[realtime]") {
  using ptt::protocol::TaskState;
  rt::SessionConfig c;
  auto refused = ended(6, TaskState::kFailed, std::nullopt, "permission_denied");
  refused.result.emplace();
  refused.result->text = "I could not fetch it.";
  for (auto [tool, description] : {std::pair{"Bash", "Bash: curl -s https://x.org"},
                                   std::pair{"Write", "Write /etc/hosts"}, std::pair{"WebFetch", ""}}) {
    refused.result->permission_denials.emplace_back();
    refused.result->permission_denials.back().tool = tool;
    refused.result->permission_denials.back().description = description;
  }
  CHECK(rt::announcement_text(c, refused) ==
        "[task update] task 6 failed (permission_denied): I could not fetch it. Refused: Bash: curl -s "
        "https://x.org; Write /etc/hosts; WebFetch. Tell the user briefly.");
  auto turns = ended(7, TaskState::kFailed, std::nullopt, "error_max_turns");
  turns.result.emplace();
  turns.result->is_error = true;
  turns.result->errors = {"Reached maximum number of turns (1)", ""};
  CHECK(rt::announcement_text(c, turns) ==
        "[task update] task 7 failed (error_max_turns). Reached maximum number of turns (1). Tell the user "
        "briefly.");
}

TEST_CASE("base64 sizes are known without decoding, and bad input is refused", "[realtime]") {
  CHECK(rt::base64_decoded_size("AAAA") == 3u);
  CHECK(rt::base64_decoded_size("AAA=") == 2u);
  CHECK(rt::base64_decoded_size("AA==") == 1u);
  CHECK(rt::base64_decoded_size("") == 0u);
  CHECK(!rt::base64_decoded_size("AAA"));
  CHECK(!rt::base64_decoded_size("AA!A"));
  std::string pcm(4800, '\x7f');
  CHECK(rt::decode_audio_base64(rt::encode_audio_base64(pcm)) == pcm);
  CHECK(rt::pcm16_ms(4800) == 100);
}

TEST_CASE("reconnect backoff is 0.5 s doubling to 8 s, reset after a session that stayed up", "[realtime]") {
  rt::Backoff b;
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(b.next_ms(1000));
  CHECK(got == std::vector<std::uint64_t>{500, 1000, 2000, 4000, 8000, 8000, 8000});
  // A session that the server closes at once does not reset the delay...
  b.session_started(20000);
  CHECK(b.next_ms(20000 + rt::Backoff::kStableMs - 1) == 8000);
  // ...one that stayed up does.
  b.session_started(50000);
  CHECK(b.next_ms(50000 + rt::Backoff::kStableMs) == 500);
  CHECK(b.next_ms(70000) == 1000);  // no session in between: still backing off
}

TEST_CASE("the play clock counts the played ms of the current item", "[realtime]") {
  rt::PlayClock clock;
  clock.queued("a", 24000);  // 1 s
  clock.played_to(12000);
  auto s = clock.status();
  CHECK(s.playing);
  CHECK(s.item_id == "a");
  CHECK(s.played_ms == 500);
  clock.queued("b", 24000);
  clock.played_to(30000);  // 6000 frames into b
  CHECK(clock.status().played_ms == 250);
  clock.stop();
  CHECK(!clock.status().playing);
  clock.played_to(1 << 30);  // never past what was queued
  CHECK(clock.status().played_ms == 250);
}

TEST_CASE("WebSocket URLs are parsed into host, port, path and TLS", "[realtime]") {
  rt::WsEndpoint e;
  std::string err;
  REQUIRE(rt::parse_ws_url("wss://api.openai.com/v1/realtime?model=gpt-realtime", e, err));
  CHECK(e.tls);
  CHECK(e.host == "api.openai.com");
  CHECK(e.port == 443);
  CHECK(e.path == "/v1/realtime?model=gpt-realtime");
  REQUIRE(rt::parse_ws_url("ws://127.0.0.1:8080?x=1", e, err));
  CHECK(!e.tls);
  CHECK(e.port == 8080);
  CHECK(e.path == "/?x=1");
  CHECK(!rt::parse_ws_url("http://x/", e, err));
  CHECK(!rt::parse_ws_url("ws://:80/", e, err));
  CHECK(err == "no host in 'ws://:80/'");
  CHECK(!rt::parse_ws_url("ws://host:99999/", e, err));
  CHECK(err == "bad port in 'ws://host:99999/'");
  CHECK(!rt::parse_ws_url("ws://host:x/", e, err));
  CHECK(err == "bad port in 'ws://host:x/'");
  CHECK(!rt::parse_ws_url("http://x/", e, err));
  CHECK(err == "'http://x/' is not a ws:// or wss:// URL");
  REQUIRE(rt::parse_ws_url("ws://[::1]:9000/v1/realtime", e, err));
  CHECK(e.host == "[::1]");
  CHECK(e.port == 9000);
  CHECK(e.path == "/v1/realtime");
  CHECK(!rt::parse_ws_url("ws://host/a b", e, err));
  CHECK(err.rfind("'ws://host/a b' is not a valid URL (", 0) == 0);
  REQUIRE(rt::parse_ws_url("wss://example.com", e, err));
  CHECK(e.port == 443);
  CHECK(e.path == "/");
}

TEST_CASE("the vad option selects server or semantic turn detection", "[realtime]") {
  rt::SessionConfig c;
  c.turn_mode = rt::TurnMode::kSemanticVad;
  c.instructions = "custom";
  json s = rt::build_session_update(c)["session"];
  CHECK(s["audio"]["input"]["turn_detection"]["type"] == "semantic_vad");
  CHECK(s["instructions"].get<std::string>().rfind("custom", 0) == 0);
}
