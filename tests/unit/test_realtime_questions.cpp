// Tasks that ask, in the voice session: a permission question is announced, held
// while the user talks, withdrawn when answered elsewhere, asked for again on every
// daemon connection, and answer_permission obeys the consent rule: only in a
// response to a user turn that came after the announcement.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "realtime/permission_questions.h"
#include "realtime_session_harness.h"

using namespace realtime_test;
using ptt::realtime::VoiceQuestion;

namespace {

VoiceQuestion curl_question(std::int64_t task = 3, std::string request = "q1") {
  return {task, std::move(request), "Bash", "curl example.com", std::nullopt, ""};
}

// The system items the session told the model, in order.
std::vector<std::string> announced(const Harness& h) {
  std::vector<std::string> texts;
  for (const auto& e : h.sent)
    if (e.value("type", "") == "conversation.item.create" && e["item"].value("role", "") == "system")
      texts.push_back(e["item"]["content"][0]["text"]);
  return texts;
}

void ptt_turn(Harness& h) {
  h.stdin_({{"type", "ptt.start"}});
  h.stdin_(audio_ms(300));
  h.stdin_({{"type", "ptt.stop"}});
}

// A response in which the model calls answer_permission; returns its function output.
json answer_in_response(Harness& h, const std::string& response, const std::string& args) {
  h.server(response_created(response));
  h.server(call_added("call_" + response, "answer_permission"));
  h.server(args_done("call_" + response, args));
  // Calls run once their response is done.
  h.server(response_done(response, json::array({{{"type", "function_call"},
                                                 {"call_id", "call_" + response},
                                                 {"name", "answer_permission"},
                                                 {"arguments", args}}})));
  for (const auto& e : h.sent)
    if (e.value("type", "") == "conversation.item.create" &&
        e["item"].value("type", "") == "function_call_output" &&
        e["item"].value("call_id", "") == "call_" + response)
      return json::parse(e["item"]["output"].get<std::string>());
  return nullptr;  // not answered at once: sent to the daemon
}

}  // namespace

TEST_CASE("a question is announced like a finished task", "[realtime][questions]") {
  Harness h;
  h.clear();
  h.take(h.session.on_permission_requested(curl_question()));
  auto texts = announced(h);
  REQUIRE(texts.size() == 1);
  CHECK(texts[0].find("Task 3 wants to run curl example.com.") != std::string::npos);
  CHECK(h.sent_types().back() == "response.create");
  CHECK(h.printed_has("task", "event", "permission_requested"));
  CHECK(h.printed_has("announcement", "text", texts[0]));
}

TEST_CASE("answer_permission after the user's turn is sent to the daemon", "[realtime][questions]") {
  Harness h;
  h.take(h.session.on_permission_requested(curl_question()));
  h.server(response_created("r1"));
  h.server(response_done("r1"));  // "Task 3 wants to run curl. Allow it?"
  ptt_turn(h);                    // "yes"
  h.requests.clear();
  json output = answer_in_response(h, "r2", R"({"task":"3","allow":true})");
  CHECK(output.is_null());
  REQUIRE(h.requests.size() == 1);
  CHECK(
      h.requests[0] ==
      json({{"op", "answer_permission"}, {"task", 3}, {"request", "q1"}, {"allow", true}, {"by", "voice"}}));
  h.daemon_reply(h.tokens.size() - 1, {{"ok", true}, {"request", "q1"}});
  CHECK(h.sent.back()["type"] == "response.create");
}

TEST_CASE("a typed turn after the announcement also lets the answer through, with its reason",
          "[realtime][questions]") {
  Harness h;
  h.take(h.session.on_permission_requested(curl_question()));
  h.server(response_created("r1"));
  h.server(response_done("r1"));
  h.stdin_({{"type", "text"}, {"text", "no, use wget"}});
  h.requests.clear();
  answer_in_response(h, "r2", R"({"task":3,"allow":false,"reason":"use wget"})");
  REQUIRE(h.requests.size() == 1);
  CHECK(h.requests[0]["allow"] == false);
  CHECK(h.requests[0]["reason"] == "use wget");
}

TEST_CASE("answer_permission in the response to the announcement alone is refused", "[realtime][questions]") {
  Harness h;
  ptt_turn(h);  // an earlier turn, before the question
  h.server(response_created("r0"));
  h.server(response_done("r0"));
  h.take(h.session.on_permission_requested(curl_question()));
  h.requests.clear();
  json output = answer_in_response(h, "r1", R"({"task":"3","allow":true})");
  CHECK(h.requests.empty());
  REQUIRE(output.is_object());
  CHECK(output["ok"] == false);
  CHECK(output["error"].get<std::string>().find("can't answer task 3's question on my own") !=
        std::string::npos);
  CHECK(h.printed_has("tool_result", "name", "answer_permission"));
}

TEST_CASE("a question announced after the user's last turn cannot be answered by that turn",
          "[realtime][questions]") {
  Harness h;
  h.clear();
  h.stdin_({{"type", "ptt.start"}});
  h.stdin_(audio_ms(300));
  // The question comes while the user talks: held, not said over them.
  h.take(h.session.on_permission_requested(curl_question()));
  CHECK(announced(h).empty());
  h.stdin_({{"type", "ptt.stop"}});
  // Committed first, then announced: the turn did not hear the question.
  auto types = h.sent_types();
  REQUIRE(types.size() >= 3);
  CHECK(types[types.size() - 3] == "input_audio_buffer.commit");
  CHECK(announced(h).size() == 1);
  h.requests.clear();
  json output = answer_in_response(h, "r1", R"({"task":3,"allow":true})");
  CHECK(h.requests.empty());
  CHECK(output["ok"] == false);
}

TEST_CASE("answer_permission for a task without a heard question is refused", "[realtime][questions]") {
  Harness h;
  ptt_turn(h);
  h.requests.clear();
  json output = answer_in_response(h, "r1", R"({"task":9,"allow":true})");
  CHECK(h.requests.empty());
  CHECK(output["error"] == "task 9 has no open question; nothing was answered");
  output = answer_in_response(h, "r2", R"({"task":9})");
  CHECK(output["error"].get<std::string>().find("needs a task and allow") != std::string::npos);
}

TEST_CASE("a question answered elsewhere is withdrawn before it is announced", "[realtime][questions]") {
  Harness h;
  h.clear();
  h.stdin_({{"type", "ptt.start"}});
  h.take(h.session.on_permission_requested(curl_question()));
  CHECK(h.session.queued_announcements() == 1);
  h.take(h.session.on_permission_answered(3, "q1", true, "shell"));
  CHECK(h.session.queued_announcements() == 0);
  CHECK(h.printed_has("task", "event", "permission_answered"));
  h.stdin_(audio_ms(300));
  h.stdin_({{"type", "ptt.stop"}});
  CHECK(announced(h).empty());
  // And the model can no longer answer it.
  json output = answer_in_response(h, "r1", R"({"task":3,"allow":true})");
  CHECK(output["ok"] == false);
}

TEST_CASE("each daemon connection asks for the open questions and announces the new ones",
          "[realtime][questions]") {
  Harness h;
  h.take(h.session.on_permission_requested(curl_question(3, "old")));
  h.server(response_created("r1"));
  h.server(response_done("r1"));
  h.clear();
  h.requests.clear();
  h.take(h.session.on_daemon_connection(true));
  REQUIRE(h.requests.size() == 1);
  CHECK(h.requests[0] == json({{"op", "pending"}}));
  // "old" was answered while we were away; "new" was asked meanwhile.
  json reply = {{"ok", true},
                {"questions",
                 {{{"task", 4},
                   {"request", "new"},
                   {"tool", "Write"},
                   {"input", {{"file_path", "/x/y"}}},
                   {"summary", "/x/y"},
                   {"requested_at", 1.5}}}}};
  h.daemon_reply(h.tokens.size() - 1, reply);
  auto texts = announced(h);
  REQUIRE(texts.size() == 1);
  CHECK(texts[0].find("Task 4 wants to use Write: /x/y.") != std::string::npos);
  // The same list again announces nothing twice.
  h.clear();
  h.take(h.session.on_daemon_connection(true));
  h.daemon_reply(h.tokens.size() - 1, reply);
  CHECK(announced(h).empty());
}

TEST_CASE("after a Realtime reconnect an open question is announced again and needs a new turn",
          "[realtime][questions]") {
  Harness h;
  h.take(h.session.on_permission_requested(curl_question()));
  h.server(response_created("r1"));
  h.server(response_done("r1"));
  ptt_turn(h);  // heard in the old conversation
  h.take(h.session.on_disconnected());
  h.clear();
  h.take(h.session.on_connected());
  h.server({{"type", "session.created"}});
  REQUIRE(announced(h).size() == 1);
  h.requests.clear();
  json output = answer_in_response(h, "r2", R"({"task":3,"allow":true})");
  CHECK(h.requests.empty());
  CHECK(output["ok"] == false);
}

TEST_CASE("a task's end closes its questions", "[realtime][questions]") {
  Harness h;
  h.stdin_({{"type", "ptt.start"}});
  h.take(h.session.on_permission_requested(curl_question()));
  h.daemon_event({{"event", "created"},
                  {"task", {{"id", 3}, {"state", "running"}, {"prompt", "p"}, {"created_at", 1.0}}}});
  h.daemon_event({{"event", "finished"}, {"task", {{"id", 3}, {"state", "cancelled"}}}});
  // Only the end is announced.
  h.clear();
  h.stdin_(audio_ms(300));
  h.stdin_({{"type", "ptt.stop"}});
  auto texts = announced(h);
  REQUIRE(texts.size() == 1);
  CHECK(texts[0].find("[task update] task 3") != std::string::npos);
}

TEST_CASE("a pending reply refused or unreadable is logged", "[realtime][questions]") {
  // The hello's version check is the only compatibility gate: a refusal of `pending`
  // (even unknown_op) is no reason to stay silent.
  Harness h;
  h.take(h.session.on_daemon_connection(true));
  h.logs.clear();
  h.daemon_reply(h.tokens.size() - 1,
                 {{"ok", false}, {"error", {{"code", "unknown_op"}, {"message", "unknown op \"pending\""}}}});
  REQUIRE(h.logs.size() == 1);
  CHECK(h.logs[0].find("open questions could not be read") != std::string::npos);
  h.logs.clear();
  h.take(h.session.on_daemon_connection(true));
  h.daemon_reply(h.tokens.size() - 1, {{"ok", true}, {"questions", 7}});
  REQUIRE(h.logs.size() == 1);
  CHECK(h.logs[0].find("open questions could not be read") != std::string::npos);
}

TEST_CASE("answer_permission before the question was announced is refused", "[realtime][questions]") {
  Harness h;
  ptt_turn(h);  // "what are my tasks doing?"
  h.server(response_created("r1"));
  // The question comes while the response runs: held until it is done.
  h.take(h.session.on_permission_requested(curl_question()));
  CHECK(announced(h).empty());
  h.requests.clear();
  h.server(call_added("call_r1", "answer_permission"));
  h.server(args_done("call_r1", R"({"task":3,"allow":true})"));
  h.server(response_done("r1", json::array({{{"type", "function_call"},
                                             {"call_id", "call_r1"},
                                             {"name", "answer_permission"},
                                             {"arguments", R"({"task":3,"allow":true})"}}})));
  CHECK(h.requests.empty());
  bool refused = false;
  for (const auto& e : h.sent)
    if (e.value("type", "") == "conversation.item.create" && e["item"].value("call_id", "") == "call_r1")
      refused = json::parse(e["item"]["output"].get<std::string>())["error"] ==
                "task 3's question has not been told to the user yet; nothing was answered";
  CHECK(refused);
}

TEST_CASE("the consent predicate: a response answers a user turn after a moment", "[realtime][questions]") {
  Harness h;
  ptt_turn(h);
  h.server(response_created("r0"));
  std::uint64_t before = h.session.consent_moment();
  CHECK_FALSE(h.session.response_answers_user_turn_after(before));  // r0 answers an earlier turn
  CHECK_FALSE(h.session.response_answers_user_turn_after(0));       // nothing said: nothing answered
  h.server(response_done("r0"));
  ptt_turn(h);
  h.server(response_created("r1"));
  CHECK(h.session.response_answers_user_turn_after(before));
  h.server(response_done("r1"));
  // A response the session asks for itself (an announcement) answers no new turn.
  std::uint64_t said = h.session.consent_moment();
  h.daemon_event({{"event", "created"},
                  {"task", {{"id", 5}, {"state", "running"}, {"prompt", "p"}, {"created_at", 1.0}}}});
  h.daemon_event({{"event", "finished"}, {"task", {{"id", 5}, {"state", "succeeded"}}}});
  h.server(response_created("r2"));
  CHECK_FALSE(h.session.response_answers_user_turn_after(said));
  CHECK(h.session.response_answers_user_turn_after(before));
}
