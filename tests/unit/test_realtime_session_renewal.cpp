// Renewal of the Realtime session (session_renewal.cpp): a new session before or at
// the server's limit goes on with the conversation, and nothing the user is owed is
// lost or said twice.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "realtime/conversation_memory.h"
#include "realtime_session_harness.h"

using namespace realtime_test;

namespace {

json expired() {
  return {{"type", "error"},
          {"event_id", "event_9"},
          {"error",
           {{"type", "invalid_request_error"},
            {"code", "session_expired"},
            {"message", "Your session hit the maximum duration of 60 minutes."}}}};
}

json finished(int id, const std::string& text) {
  return {{"event", "finished"},
          {"task", {{"id", id}, {"state", "succeeded"}, {"result", {{"text", text}, {"is_error", false}}}}}};
}

// The texts of the messages sent, as "role: text".
std::vector<std::string> messages(const std::vector<json>& sent) {
  std::vector<std::string> out;
  for (const json& e : sent)
    if (e.value("type", "") == "conversation.item.create" && e["item"].value("type", "") == "message")
      out.push_back(e["item"]["role"].get<std::string>() + ": " +
                    e["item"]["content"][0]["text"].get<std::string>());
  return out;
}

std::size_t count_containing(const std::vector<std::string>& texts, const std::string& part) {
  std::size_t n = 0;
  for (const auto& t : texts) n += t.find(part) != std::string::npos;
  return n;
}

// A typed question, answered: one user turn and one assistant turn in the memory.
void answered_turn(Harness& h, const std::string& question, const std::string& answer) {
  h.stdin_({{"type", "text"}, {"text", question}});
  h.server(response_created("r_" + question));
  h.server({{"type", "response.output_audio_transcript.done"}, {"transcript", answer}});
  h.server(response_done("r_" + question));
}

}  // namespace

TEST_CASE("renewal: the new session hears the recent turns and task states before held input",
          "[realtime][renewal]") {
  Harness h;
  answered_turn(h, "what is task 3 doing", "task 3 is running the tests");
  h.take(h.daemon_event(finished(3, "all 12 tests pass")));
  h.server(response_created("r_ann"));
  h.server(response_done("r_ann"));
  h.clear();
  h.take(h.session.on_renew_due());
  CHECK(h.renewals == 1);
  CHECK(h.printed_has("session", "state", "renewing"));
  CHECK(h.sent.empty());
  // The user talks while the new session is being opened: held, not lost.
  h.stdin_({{"type", "ptt.start"}});
  h.stdin_(audio_ms(200));
  h.stdin_({{"type", "ptt.stop"}});
  CHECK(h.sent.empty());
  h.reconnect();
  CHECK(!h.printed_has("session", "state", "disconnected"));
  CHECK(h.printed_has("session", "state", "renewed"));
  auto texts = messages(h.sent);
  REQUIRE(texts.size() == 4);
  CHECK(texts[0].rfind("system: [session renewed]", 0) == 0);
  CHECK(texts[1] == "user: what is task 3 doing");
  CHECK(texts[2] == "assistant: task 3 is running the tests");
  CHECK(texts[3].find("\"id\":3") != std::string::npos);
  CHECK(texts[3].find("succeeded") != std::string::npos);
  // The carried turns are answered by nobody: the held turn's commit asks the one response.
  auto types = h.sent_types();
  CHECK(types.front() == "session.update");
  CHECK(std::count(types.begin(), types.end(), "response.create") == 1);
  CHECK(types.back() == "response.create");
  CHECK(std::find(types.begin(), types.end(), "input_audio_buffer.commit") != types.end());
}

TEST_CASE("renewal waits for the floor: a response or a held key goes first", "[realtime][renewal]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "hello"}});
  h.server(response_created("r1"));
  h.take(h.session.on_renew_due());
  CHECK(h.renewals == 0);
  h.server(response_done("r1"));
  CHECK(h.renewals == 1);

  Harness talking;
  talking.stdin_({{"type", "ptt.start"}});
  talking.take(talking.session.on_renew_due());
  CHECK(talking.renewals == 0);
  talking.stdin_(audio_ms(200));
  talking.stdin_({{"type", "ptt.stop"}});  // its response comes first, on this session
  CHECK(talking.renewals == 0);
  talking.server(response_created("r1"));
  talking.server(response_done("r1"));
  CHECK(talking.renewals == 1);
}

TEST_CASE("renewal on session_expired: an announcement whose response never finished is said again, once",
          "[realtime][renewal]") {
  Harness h;
  h.take(h.daemon_event(finished(5, "done")));
  REQUIRE(count_containing(messages(h.sent), "task 5") == 1);
  h.server(response_created("r_ann"));  // the server expires the session before it is said
  h.server(expired());
  CHECK(h.renewals == 1);
  CHECK(!h.printed_has("type", "type", "error"));
  // A task finishing during the renewal waits for the new session.
  h.take(h.daemon_event(finished(6, "also done")));
  h.clear();
  h.reconnect();
  auto texts = messages(h.sent);
  CHECK(count_containing(texts, "task 5 ") == 1);
  CHECK(count_containing(texts, "task 6 ") == 1);
  CHECK(h.printed_has("session", "state", "renewed"));
  // Both are said, then never again.
  h.server(response_created("r2"));
  h.server(response_done("r2"));
  h.clear();
  h.take(h.session.on_renew_due());
  h.reconnect();
  CHECK(count_containing(messages(h.sent), "[task update]") == 0);
}

TEST_CASE("renewal: a tool call's result that comes after its session ended reaches the new one",
          "[realtime][renewal]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "spawn"}});
  h.server(response_created("r1"));
  h.server(call_added("c1", "spawn_task"));
  h.server(args_done("c1", R"({"prompt":"fix","project":"api"})"));
  h.server(response_done("r1", json::array({{{"type", "function_call"},
                                             {"call_id", "c1"},
                                             {"name", "spawn_task"},
                                             {"arguments", R"({"prompt":"fix","project":"api"})"},
                                             {"status", "completed"}}})));
  REQUIRE(h.requests.size() == 1);
  h.server(expired());
  CHECK(h.renewals == 1);
  CHECK(!h.session.idle());  // the daemon's reply is still owed
  h.reconnect();
  h.clear();
  h.daemon_reply(0, spawn_reply(8));
  CHECK(h.printed_has("tool_result", "call_id", "c1"));
  for (const json& e : h.sent)  // its call_id is unknown to the new session
    CHECK(!(e.contains("item") && e["item"].value("type", "") == "function_call_output"));
  auto texts = messages(h.sent);
  REQUIRE(texts.size() == 1);
  CHECK(texts[0].find("c1") != std::string::npos);
  INFO(texts[0]);
  CHECK(texts[0].find("spawn_task (c1)") != std::string::npos);
  CHECK(texts[0].find("\"task\":8") != std::string::npos);
  CHECK(h.sent_types().back() == "response.create");
}

TEST_CASE("a plain reconnection carries the conversation too, without saying renewed",
          "[realtime][renewal]") {
  Harness h;
  answered_turn(h, "remember zebra", "noted");
  h.clear();
  h.reconnect();
  CHECK(h.printed_has("session", "state", "disconnected"));
  CHECK(!h.printed_has("session", "state", "renewed"));
  CHECK(count_containing(messages(h.sent), "user: remember zebra") == 1);
}

TEST_CASE("conversation memory keeps the newest turns within its budget", "[realtime][renewal]") {
  ptt::realtime::ConversationMemory memory(10);  // 40 characters
  memory.add_turn("user", std::string(30, 'a'));
  memory.add_turn("assistant", std::string(20, 'b'));
  CHECK(memory.turns() == 1);
  CHECK(memory.turn_chars() == 20);
  memory.add_turn("user", std::string(100, 'c'));  // longer than the budget: its end is kept
  CHECK(memory.turns() == 1);
  CHECK(memory.turn_chars() == 40);
  for (int id = 1; id <= 25; ++id) memory.note_task(id, {{"id", id}});
  auto items = memory.carry_over_items();
  std::string states = items.back()["item"]["content"][0]["text"];
  CHECK(states.find("{\"id\":5}") == std::string::npos);  // the oldest five left
  CHECK(states.find("{\"id\":6}") != std::string::npos);
  CHECK(states.find("{\"id\":25}") != std::string::npos);
}

TEST_CASE("a worktree merged after its task finished is kept with what the session knew of it",
          "[realtime][renewal]") {
  Harness h;
  h.take(h.daemon_event(finished(3, "all 12 tests pass")));
  h.server(response_created("r_ann"));
  h.server(response_done("r_ann"));
  h.clear();
  // The finished task is forgotten by the client's view; the `worktree` event comes later.
  CHECK(h.updates.tracked() == 0);
  json merged = {{"event", "worktree"},
                 {"task",
                  {{"id", 3},
                   {"name", "tests"},
                   {"state", "succeeded"},
                   {"worktree",
                    {{"repo", "/src/api"},
                     {"path", "/state/worktrees/api-3"},
                     {"branch", "ptt/3-tests"},
                     {"base", "HEAD"},
                     {"changes", {{"files", 2}, {"insertions", 5}, {"deletions", 1}}},
                     {"resolution", "merged"}}}}}};
  h.take(h.daemon_event(merged));
  CHECK(h.updates.tracked() == 0);  // still nothing kept for a finished task
  REQUIRE(h.printed.size() == 1);
  CHECK(h.printed[0]["event"] == "worktree");
  CHECK(h.printed[0]["task"]["worktree"] == "merged");
  CHECK(h.printed[0]["task"]["changes"] == "changed 2 files, +5 \u22121");
  CHECK(h.sent.empty());  // nothing is said: the user did it
  h.take(h.session.on_renew_due());
  h.reconnect();
  auto texts = messages(h.sent);
  REQUIRE(!texts.empty());
  CHECK(texts.back().find("all 12 tests pass") != std::string::npos);  // the result stays
  CHECK(texts.back().find("\"worktree\":\"merged\"") != std::string::npos);
}
