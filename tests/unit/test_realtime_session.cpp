// The Realtime session state machine over scripted event sequences (no sockets).
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "realtime/conversation_view.h"
#include "realtime_session_harness.h"

using namespace realtime_test;

TEST_CASE("the first thing sent on connect is a GA session.update", "[realtime]") {
  Harness h;
  REQUIRE(!h.sent.empty());
  const json& s = h.sent.front();
  CHECK(s["type"] == "session.update");
  CHECK(s["session"]["type"] == "realtime");
  CHECK(s["session"]["output_modalities"] == json::array({"audio"}));
  CHECK(s["session"]["audio"]["input"]["format"] == json({{"type", "audio/pcm"}, {"rate", 24000}}));
  CHECK(s["session"]["audio"]["input"]["turn_detection"].is_null());
  CHECK(s["session"]["audio"]["input"]["transcription"].is_object());
  CHECK(s["session"]["audio"]["output"]["voice"] == "marin");
  CHECK(s["session"]["tools"].size() == 12);
  CHECK(s["session"]["instructions"].get<std::string>().find("api, web") != std::string::npos);
}

TEST_CASE("a push-to-talk turn appends, commits and asks for a response", "[realtime]") {
  Harness h;
  h.clear();
  h.stdin_({{"type", "ptt.start"}});
  h.stdin_(audio_ms(60));
  h.stdin_(audio_ms(60));
  h.stdin_({{"type", "ptt.stop"}});
  CHECK(h.sent_types() == std::vector<std::string>{"input_audio_buffer.append", "input_audio_buffer.append",
                                                   "input_audio_buffer.commit", "response.create"});
  // The base64 goes out untouched.
  CHECK(h.sent[0]["audio"] == audio_ms(60)["data"]);
  CHECK(h.printed_has("turn", "state", "committed"));
  h.clear();
  h.server(response_created("r1"));
  h.server(audio_delta("r1", "item1", 200));
  h.server({{"type", "response.output_audio_transcript.done"}, {"transcript", "task 3 started"}});
  h.server({{"type", "conversation.item.input_audio_transcription.completed"}, {"transcript", "hello"}});
  h.server(response_done("r1"));
  CHECK(h.audio_bytes == 200 * 48);
  CHECK(h.printed_has("transcript", "text", "task 3 started"));
  CHECK(h.printed_has("transcript", "text", "hello"));
  CHECK(h.session.idle());
}

TEST_CASE("a turn under 100 ms is cleared, reported, and gets no response", "[realtime]") {
  Harness h;
  h.clear();
  h.stdin_({{"type", "ptt.start"}});
  h.stdin_(audio_ms(40));
  h.stdin_({{"type", "ptt.stop"}});
  CHECK(h.sent_types() == std::vector<std::string>{"input_audio_buffer.append", "input_audio_buffer.clear"});
  CHECK(h.printed_has("turn", "state", "too_short"));
  REQUIRE(!h.logs.empty());
  CHECK(h.logs.back().find("too short") != std::string::npos);
}

TEST_CASE("audio outside a held key is not sent in push-to-talk mode", "[realtime]") {
  Harness h;
  h.clear();
  h.stdin_(audio_ms(200));
  CHECK(h.sent.empty());
}

TEST_CASE("barge-in stops playback, cancels, truncates at the played ms and clears", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "ptt.start"}});
  h.stdin_(audio_ms(300));
  h.stdin_({{"type", "ptt.stop"}});
  h.server(response_created("r1"));
  h.server(audio_delta("r1", "item7", 500));
  h.clear();
  h.playback = {true, 230, "item7"};
  int stops_before = h.stops;
  h.stdin_({{"type", "ptt.start"}});
  CHECK(h.stops == stops_before + 1);
  REQUIRE(h.sent_types() == std::vector<std::string>{"response.cancel", "conversation.item.truncate",
                                                     "input_audio_buffer.clear"});
  CHECK(h.sent[1]["item_id"] == "item7");
  CHECK(h.sent[1]["audio_end_ms"] == 230);
  CHECK(h.sent[1]["content_index"] == 0);
  // Audio of the cancelled response that is still on the wire is not played.
  std::size_t before = h.audio_bytes;
  h.server(audio_delta("r1", "item7", 100));
  CHECK(h.audio_bytes == before);
  // The next turn's response.create waits for the cancelled response to end.
  h.stdin_(audio_ms(200));
  h.clear();
  h.stdin_({{"type", "ptt.stop"}});
  CHECK(h.sent_types() == std::vector<std::string>{"input_audio_buffer.commit"});
  h.clear();
  h.server(response_done("r1"));
  CHECK(h.sent_types() == std::vector<std::string>{"response.create"});
}

TEST_CASE("barge-in with nothing played yet sends no truncate", "[realtime]") {
  Harness h;
  h.take(h.session.on_stdin_event({{"type", "text"}, {"text", "hi"}}));
  h.server(response_created("r1"));
  h.clear();
  h.playback = {false, 0, ""};
  h.stdin_({{"type", "ptt.start"}});
  CHECK(h.sent_types() == std::vector<std::string>{"response.cancel", "input_audio_buffer.clear"});
}

TEST_CASE("two function calls in one response are both answered, then one response.create", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "spawn two tasks"}});
  h.server(response_created("r1"));
  h.clear();
  h.server(call_added("c1", "spawn_task"));
  h.server(call_added("c2", "list_tasks"));
  h.server(args_done("c1", R"({"prompt":"fix tests","project":"web"})"));
  h.server(args_done("c2", R"({})"));
  CHECK(h.requests.empty());  // the calls run once their response completed
  h.server(response_done("r1"));
  REQUIRE(h.requests.size() == 2);
  CHECK(h.requests[0] == json({{"op", "spawn"}, {"prompt", "fix tests"}, {"cwd", "/src/web"}}));
  CHECK(h.requests[1] == json({{"op", "list"}, {"finished_limit", 10}}));
  h.daemon_reply(1, {{"ok", true}, {"tasks", json::array()}});
  // One call is still unanswered: no response.create yet.
  CHECK(h.sent_types() == std::vector<std::string>{"conversation.item.create"});
  CHECK(h.sent[0]["item"]["call_id"] == "c2");
  h.daemon_reply(0, spawn_reply(3));
  REQUIRE(h.sent_types() == std::vector<std::string>{"conversation.item.create", "conversation.item.create",
                                                     "response.create"});
  CHECK(h.sent[1]["item"]["type"] == "function_call_output");
  CHECK(h.sent[1]["item"]["call_id"] == "c1");
  CHECK(json::parse(h.sent[1]["item"]["output"].get<std::string>())["task"] == 3);
}

TEST_CASE("arguments split over many deltas are joined", "[realtime]") {
  Harness h;
  h.server(response_created("r1"));
  h.server(call_added("c9", "spawn_task"));
  std::string args = R"({"prompt":"refactor the database layer","project":"api","name":"db"})";
  for (char c : args) {
    h.server({{"type", "response.function_call_arguments.delta"},
              {"call_id", "c9"},
              {"delta", std::string(1, c)}});
  }
  CHECK(h.requests.empty());
  h.server({{"type", "response.function_call_arguments.done"},
            {"call_id", "c9"}});  // no "arguments": use the deltas
  h.server(response_done("r1"));
  REQUIRE(h.requests.size() == 1);
  CHECK(h.requests[0]["prompt"] == "refactor the database layer");
  CHECK(h.requests[0]["cwd"] == "/src/api");
  CHECK(h.requests[0]["name"] == "db");
}

TEST_CASE("a bad tool call is answered with an error the model can speak", "[realtime]") {
  Harness h;
  h.server(response_created("r1"));
  h.server(call_added("c1", "spawn_task"));
  h.server(args_done("c1", R"({"prompt":"x","project":"/etc"})"));
  h.clear();
  h.server(response_done("r1"));
  CHECK(h.requests.empty());
  CHECK(h.printed_has("tool_result", "call_id", "c1"));
  REQUIRE(h.sent_types() == std::vector<std::string>{"conversation.item.create", "response.create"});
}

TEST_CASE("an unreachable daemon becomes a spoken error and the session goes on", "[realtime]") {
  Harness h;
  h.server(response_created("r1"));
  h.server(call_added("c1", "check_task"));
  h.server(args_done("c1", R"({"task":"3"})"));
  h.server(response_done("r1"));
  REQUIRE(h.requests.size() == 1);
  CHECK(h.requests[0] == json({{"op", "get"}, {"task", "3"}}));
  h.clear();
  h.daemon_reply(
      0, {{"ok", false}, {"error", {{"code", "unreachable"}, {"message", "ptt-taskd is not running"}}}});
  REQUIRE(h.sent_types() == std::vector<std::string>{"conversation.item.create", "response.create"});
  CHECK(h.sent[0]["item"]["output"].get<std::string>().find("not running") != std::string::npos);
}

TEST_CASE("a daemon reply of the wrong shape is answered as an error, not a crash (fuzz regression)",
          "[realtime]") {
  for (const json& bad : {json(nullptr), json::array({1}), json({{"ok", true}, {"task", "not an object"}})}) {
    Harness h;
    h.server(response_created("r1"));
    h.server(call_added("c1", "check_task"));
    h.server(args_done("c1", R"({"task":"3"})"));
    h.server(response_done("r1"));
    REQUIRE(h.requests.size() == 1);
    h.clear();
    h.daemon_reply(0, bad);
    REQUIRE(h.sent_types() == std::vector<std::string>{"conversation.item.create", "response.create"});
    CHECK(h.sent[0]["item"]["call_id"] == "c1");
  }
  Harness h;
  h.clear();
  h.take(h.daemon_event({{"event", "finished"}, {"task", {{"id", "seven"}, {"state", "failed"}}}}));
  CHECK(h.printed.empty());
  CHECK(h.sent.empty());
}

TEST_CASE("an announcement is queued behind an active response and a held key", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "hi"}});
  h.server(response_created("r1"));
  h.clear();
  json task = {
      {"id", 3}, {"name", "fix-tests"}, {"state", "succeeded"}, {"result", {{"text", "all 12 tests pass"}}}};
  h.take(h.daemon_event({{"event", "finished"}, {"task", task}}));
  CHECK(h.sent.empty());
  CHECK(h.session.queued_announcements() == 1);
  CHECK(h.printed_has("task", "event", "finished"));
  // The printed event carries the result excerpt the readable view shows.
  CHECK(h.printed_has(
      "task", "task",
      json{{"id", 3}, {"name", "fix-tests"}, {"state", "succeeded"}, {"result", "all 12 tests pass"}}));
  // The user starts talking before the response ends: still held.
  h.stdin_({{"type", "ptt.start"}});
  h.server(response_done("r1"));
  h.clear();
  h.stdin_(audio_ms(150));
  h.stdin_({{"type", "ptt.stop"}});
  REQUIRE(h.sent_types() == std::vector<std::string>{"input_audio_buffer.append", "input_audio_buffer.commit",
                                                     "conversation.item.create", "response.create"});
  std::string text = h.sent[2]["item"]["content"][0]["text"];
  CHECK(text.find("task 3 'fix-tests' succeeded: all 12 tests pass") != std::string::npos);
  // Only one response.create is in flight: a second announcement waits for response.done.
  h.server(response_created("r2"));
  h.clear();
  h.take(h.daemon_event({{"event", "finished"}, {"task", {{"id", 4}, {"state", "failed"}}}}));
  CHECK(h.sent.empty());
  h.server(response_done("r2"));
  CHECK(h.sent_types() == std::vector<std::string>{"conversation.item.create", "response.create"});
}

TEST_CASE("a task event whose fields have odd types is skipped whole, not a crash", "[realtime]") {
  Harness h;
  h.clear();
  json odd = {{"id", 4}, {"state", 5}, {"result", {{"text", 12}}}};
  CHECK_NOTHROW(h.take(h.daemon_event({{"event", "finished"}, {"task", odd}})));
  CHECK(h.printed.empty());
  CHECK(h.sent.empty());
  CHECK(h.session.queued_announcements() == 0);
}

TEST_CASE("task events build on what came before: an activity keeps the created task's name", "[realtime]") {
  Harness h;
  h.clear();
  json created = {
      {"id", 8},           {"name", "docs"},   {"state", "running"}, {"prompt", "update the docs"},
      {"cwd", "/src/api"}, {"created_at", 1.0}};
  h.take(h.daemon_event({{"event", "created"}, {"task", created}}));
  h.take(h.daemon_event(
      {{"event", "activity"}, {"task", {{"id", 8}, {"state", "running"}, {"activity", "Edit README.md"}}}}));
  CHECK(
      h.printed_has("task", "task",
                    json{{"id", 8}, {"name", "docs"}, {"state", "running"}, {"activity", "Edit README.md"}}));
  h.take(h.daemon_event(
      {{"event", "finished"},
       {"task",
        {{"id", 8},
         {"name", "docs"},
         {"state", "failed"},
         {"reason", "permission_denied"},
         {"result",
          {{"subtype", "success"},
           {"is_error", false},
           {"text", "could not fetch"},
           {"permission_denials", {{{"tool", "Bash"}, {"description", "Bash: curl x.org"}}}}}}}}}));
  CHECK(h.printed_has("task", "event", "finished"));
  REQUIRE(h.sent.size() == 2);
  std::string text = h.sent[0]["item"]["content"][0]["text"];
  CHECK(text.find("task 8 'docs' failed (permission_denied): could not fetch. Refused: Bash: curl x.org.") !=
        std::string::npos);
  CHECK(h.updates.tracked() == 0);  // no event follows an end
}

TEST_CASE("an announcement while idle is sent at once", "[realtime]") {
  Harness h;
  h.clear();
  h.take(h.daemon_event({{"event", "finished"}, {"task", {{"id", 1}, {"state", "succeeded"}}}}));
  CHECK(h.sent_types() == std::vector<std::string>{"conversation.item.create", "response.create"});
}

TEST_CASE("conversation_already_has_active_response is benign and the create is retried", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "hi"}});
  h.clear();
  h.server(
      {{"type", "error"},
       {"error", {{"type", "invalid_request_error"}, {"code", "conversation_already_has_active_response"}}}});
  CHECK(h.sent.empty());
  CHECK(!h.printed_has("error", "code", "conversation_already_has_active_response"));
  h.server(response_done("rX"));
  CHECK(h.sent_types() == std::vector<std::string>{"response.create"});
}

TEST_CASE("unknown events are ignored and error events are logged and survived", "[realtime]") {
  Harness h;
  h.clear();
  h.server({{"type", "rate_limits.updated"}, {"rate_limits", json::array()}});
  h.server({{"type", "some.future.event"}, {"x", 1}});
  h.server({{"type", "conversation.item.added"}, {"item", {{"id", "i1"}}}});
  h.server({{"type", "conversation.item.created"}, {"item", {{"id", "i2"}}}});
  h.server(json::array({1, 2}));
  CHECK(h.sent.empty());
  CHECK(h.printed.empty());
  h.server({{"type", "error"},
            {"error", {{"type", "invalid_request_error"}, {"code", "bad"}, {"message", "nope"}}}});
  CHECK(h.printed_has("error", "message", "nope"));
  CHECK(!h.logs.empty());
  // Still working: a text turn goes out.
  h.clear();
  h.stdin_({{"type", "text"}, {"text", "still there?"}});
  CHECK(h.sent_types() == std::vector<std::string>{"conversation.item.create", "response.create"});
}

TEST_CASE("malformed stdin events are reported and skipped", "[realtime]") {
  Harness h;
  h.clear();
  h.stdin_({{"type", "audio"}, {"data", "not base64!"}});
  h.stdin_({{"type", "bogus"}});
  h.stdin_({{"type", "text"}});
  CHECK(h.sent.empty());
  CHECK(h.logs.size() == 3);
}

TEST_CASE("a reconnect re-sends session.update; an old call's result is told as a message", "[realtime]") {
  Harness h;
  h.server(response_created("r1"));
  h.server(call_added("c1", "list_tasks"));
  h.server(args_done("c1", "{}"));
  h.server(response_done("r1"));
  h.take(h.session.on_disconnected());
  CHECK(h.printed_has("session", "state", "disconnected"));
  h.clear();
  h.daemon_reply(0, {{"ok", true}, {"tasks", json::array()}});
  CHECK(h.sent.empty());
  h.take(h.session.on_connected());
  h.server({{"type", "session.created"}});
  // The new session does not know call c1: its result goes in as a system message.
  REQUIRE(h.sent_types() ==
          std::vector<std::string>{"session.update", "conversation.item.create", "response.create"});
  CHECK(h.sent[1]["item"]["role"] == "system");
  CHECK(h.sent[1]["item"]["content"][0]["text"].get<std::string>().find("list_tasks (c1)") !=
        std::string::npos);
  h.server(response_created("r2"));
  h.server(response_done("r2"));
  CHECK(h.session.idle());
}

TEST_CASE("input before the connection is held and sent after session.update", "[realtime]") {
  RealtimeSession session(SessionConfig{});
  // Nothing goes out yet; the typed words are shown at once (the readable view's "you:").
  SessionActions early = session.on_stdin_event({{"type", "text"}, {"text", "early"}});
  REQUIRE(early.size() == 1);
  CHECK(early[0].kind == SessionAction::Kind::kPrint);
  CHECK(early[0].json == json{{"type", "transcript"}, {"role", "user"}, {"text", "early"}, {"typed", true}});
  session.on_stdin_event({{"type", "ptt.start"}});
  session.on_stdin_event(audio_ms(150));
  session.on_stdin_event({{"type", "ptt.stop"}});
  CHECK(!session.idle());
  std::vector<std::string> types;
  SessionActions actions = session.on_connected();
  for (auto& a : session.on_server_event(ptt::realtime::server::SessionCreated{}))
    actions.push_back(std::move(a));
  for (const auto& a : actions)
    if (a.kind == SessionAction::Kind::kSend) types.push_back(a.json["type"]);
  CHECK(types == std::vector<std::string>{"session.update", "conversation.item.create",
                                          "input_audio_buffer.append", "input_audio_buffer.commit",
                                          "response.create"});
}

TEST_CASE("held input waits for session.created: an upgrade closed at once does not swallow it",
          "[realtime]") {
  Harness h;
  h.take(h.session.on_disconnected());
  h.stdin_({{"type", "text"}, {"text", "held"}});
  h.take(
      h.daemon_event({{"event", "finished"}, {"task", {{"id", 7}, {"state", "succeeded"}, {"name", "t"}}}}));
  h.clear();
  h.take(h.session.on_connected());  // accepted, then closed before the session was created
  CHECK(h.sent_types() == std::vector<std::string>{"session.update"});
  h.take(h.session.on_disconnected());
  CHECK(!h.session.idle());
  h.clear();
  h.take(h.session.on_connected());
  h.server({{"type", "session.created"}});
  // The carried-over note and task states (task 7 finished meanwhile), then the held
  // turn and the announcement.
  REQUIRE(h.sent_types() == std::vector<std::string>{"session.update", "conversation.item.create",
                                                     "conversation.item.create", "conversation.item.create",
                                                     "conversation.item.create", "response.create"});
  CHECK(h.sent[1]["item"]["role"] == "system");
  CHECK(h.sent[2]["item"]["content"][0]["text"].get<std::string>().rfind("[task states]", 0) == 0);
  CHECK(h.sent[3]["item"]["role"] == "user");
  CHECK(h.sent[4]["item"]["role"] == "system");
  CHECK(h.printed_has("announcement", "type", "announcement"));
}

TEST_CASE("barge-in before response.created cancels that response as it starts", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "hi"}});
  h.clear();
  h.stdin_({{"type", "ptt.start"}});
  CHECK(h.sent_types() == std::vector<std::string>{"input_audio_buffer.clear"});
  h.clear();
  h.server(response_created("r5"));
  CHECK(h.sent_types() == std::vector<std::string>{"response.cancel"});
  std::size_t before = h.audio_bytes;
  h.server(audio_delta("r5", "i5", 100));
  CHECK(h.audio_bytes == before);
}

TEST_CASE("in VAD mode the server decides turns and ptt events do nothing", "[realtime]") {
  SessionConfig cfg;
  cfg.turn_mode = ptt::realtime::TurnMode::kServerVad;
  Harness h(cfg);
  h.clear();
  h.stdin_(audio_ms(50));  // always streamed
  h.server({{"type", "input_audio_buffer.speech_started"}});
  h.stdin_({{"type", "ptt.stop"}});
  CHECK(h.sent_types() == std::vector<std::string>{"input_audio_buffer.append"});
  // An announcement waits while the user speaks.
  h.take(h.daemon_event({{"event", "finished"}, {"task", {{"id", 2}, {"state", "succeeded"}}}}));
  CHECK(h.sent.size() == 1);
  h.server({{"type", "input_audio_buffer.speech_stopped"}});
  h.server(response_created("auto1"));  // the server answers the turn by itself
  CHECK(h.sent.size() == 1);
  h.server(response_done("auto1"));
  CHECK(h.sent_types() ==
        std::vector<std::string>{"input_audio_buffer.append", "conversation.item.create", "response.create"});
}

TEST_CASE("a server event with a field of the wrong type is logged and ignored (fuzz regression)",
          "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "start a task"}});
  h.server(response_created("r1"));
  h.clear();
  // A response.done whose output is a string, and an audio delta whose payload is a number.
  h.server({{"type", "response.done"}, {"response", {{"id", "r1"}, {"status", 7}, {"output", "oops"}}}});
  h.server({{"type", "response.output_audio.delta"}, {"response_id", "r1"}, {"item_id", "i"}, {"delta", 42}});
  CHECK(h.sent.empty());
  CHECK(h.audio_bytes == 0);
  REQUIRE(h.logs.size() >= 1);
  CHECK(h.logs.front().find("malformed server event") != std::string::npos);
  // The session goes on: the well-formed done closes the response and a new turn goes out.
  h.server(response_done("r1"));
  h.clear();
  h.stdin_({{"type", "text"}, {"text", "still there?"}});
  CHECK(h.sent_types() == std::vector<std::string>{"conversation.item.create", "response.create"});
}

TEST_CASE("a malformed server event changes no state", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "start a task"}});
  h.server(response_created("r1"));
  h.clear();
  // response.done with a response that is not an object: the response is still active.
  h.server({{"type", "response.done"}, {"response", "garbage"}});
  h.server({{"type", 5}});
  h.server({{"type", nullptr}});
  h.server({{"type", {"a"}}});
  CHECK(h.sent.empty());
  CHECK(h.printed.empty());
  CHECK(h.logs.size() == 4);
  CHECK(h.session.response_active());
  h.stdin_({{"type", "text"}, {"text", "queued"}});
  CHECK(h.sent_types() == std::vector<std::string>{"conversation.item.create"});  // waits for the floor
}

TEST_CASE("function call arguments nested too deeply are answered with an error", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "start a task"}});
  h.server(response_created("r1"));
  h.clear();
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  h.server({{"type", "response.function_call_arguments.done"},
            {"call_id", "c1"},
            {"name", "spawn_task"},
            {"arguments", deep}});
  h.server(response_done("r1"));
  CHECK(h.requests.empty());
  bool answered = false;
  for (const json& line : h.printed)
    if (line["type"] == "tool_result") answered = line["output"]["ok"] == false;
  CHECK(answered);
}

TEST_CASE("the adapter's news comes out as the session's lines", "[realtime]") {
  RealtimeSession session(SessionConfig{});
  auto only_print = [](const SessionActions& actions) {
    REQUIRE(actions.size() == 1);
    CHECK(actions[0].kind == SessionAction::Kind::kPrint);
    return actions[0].json;
  };
  CHECK(only_print(session.on_connecting()) == json{{"type", "session"}, {"state", "connecting"}});
  CHECK(only_print(session.on_reconnecting(1500, "closed")) ==
        json{{"type", "session"}, {"state", "reconnecting"}, {"in_ms", 1500}, {"reason", "closed"}});
  CHECK(only_print(session.on_daemon_connection(false)) ==
        json{{"type", "daemon"}, {"state", "disconnected"}});
  CHECK(only_print(session.on_key_rejected())["code"] == "unauthorized");
}

TEST_CASE("a person typing at a terminal is told how to talk before the first connection", "[realtime]") {
  RealtimeSession session(SessionConfig{});
  SessionActions actions = session.on_connecting(true);
  REQUIRE(actions.size() == 2);
  CHECK(actions[0].kind == SessionAction::Kind::kPrint);
  CHECK(actions[0].json["type"] == "hint");
  CHECK(ptt::realtime::render_event(actions[0].json, ptt::realtime::ViewStyle{false}) ==
        std::vector<std::string>{"Type a message and press Enter; Ctrl-D ends the session."});
  CHECK(actions[1].json == json{{"type", "session"}, {"state", "connecting"}});
}
