// The session where the Realtime API behaves differently from a first reading of it:
// VAD barge-in, calls in responses that did not complete, the reasons a response or a
// transcription gives, refused cancels and truncates, and announcements held by state
// that never clears.
#include <catch2/catch.hpp>

#include "core/openai_models.h"
#include "realtime/session_update.h"
#include "realtime_session_harness.h"

using namespace realtime_test;

namespace {

SessionConfig vad_config() {
  SessionConfig cfg = Harness::default_config();
  cfg.turn_mode = ptt::realtime::TurnMode::kServerVad;
  return cfg;
}

json call_item(const std::string& call_id, const std::string& args, const std::string& status) {
  return {{"type", "function_call"},
          {"call_id", call_id},
          {"name", "spawn_task"},
          {"arguments", args},
          {"status", status}};
}

}  // namespace

TEST_CASE("VAD barge-in keeps the user's words: no buffer clear, no cancel, a truncate", "[realtime]") {
  Harness h(vad_config());
  h.server({{"type", "input_audio_buffer.speech_started"}});
  h.server({{"type", "input_audio_buffer.speech_stopped"}});
  h.server(response_created("auto1"));
  h.server(audio_delta("auto1", "item3", 500));
  h.clear();
  h.playback = {true, 180, "item3"};
  int stops_before = h.stops;
  h.server({{"type", "input_audio_buffer.speech_started"}});
  CHECK(h.stops == stops_before + 1);
  // interrupt_response is on: the server cancels; the buffer holds the interruption.
  REQUIRE(h.sent_types() == std::vector<std::string>{"conversation.item.truncate"});
  CHECK(h.sent[0]["audio_end_ms"] == 180);
  std::size_t before = h.audio_bytes;
  h.server(audio_delta("auto1", "item3", 100));  // the cancelled response's tail
  CHECK(h.audio_bytes == before);
}

TEST_CASE("push-to-talk barge-in still cancels and clears before the new turn's audio", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "hi"}});
  h.server(response_created("r1"));
  h.server(audio_delta("r1", "item1", 300));
  h.clear();
  h.playback = {true, 100, "item1"};
  h.stdin_({{"type", "ptt.start"}});
  CHECK(h.sent_types() == std::vector<std::string>{"response.cancel", "conversation.item.truncate",
                                                   "input_audio_buffer.clear"});
}

TEST_CASE("a truncate never reaches past the audio the server sent", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "hi"}});
  h.server(response_created("r1"));
  h.server(audio_delta("r1", "item1", 200));
  h.clear();
  h.playback = {true, 450, "item1"};  // a sink clock running ahead of what it was given
  h.stdin_({{"type", "ptt.start"}});
  REQUIRE(h.sent.size() >= 2);
  CHECK(h.sent[1]["type"] == "conversation.item.truncate");
  CHECK(h.sent[1]["audio_end_ms"] == 200);
}

TEST_CASE("a call runs only once its response completed", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "spawn"}});
  h.server(response_created("r1"));
  h.server(call_added("c1", "spawn_task"));
  h.server(args_done("c1", R"({"prompt":"fix","project":"api"})"));
  CHECK(h.requests.empty());
  h.server(response_done("r1",
                         json::array({call_item("c1", R"({"prompt":"fix","project":"api"})", "completed")})));
  REQUIRE(h.requests.size() == 1);
  CHECK(h.requests[0]["op"] == "spawn");
}

TEST_CASE("a call of a cancelled or cut-off response is answered as not run", "[realtime]") {
  for (const char* status : {"cancelled", "incomplete", "failed"}) {
    Harness h;
    h.stdin_({{"type", "text"}, {"text", "spawn"}});
    h.server(response_created("r1"));
    h.server(call_added("c1", "spawn_task"));
    h.server(args_done("c1", R"({"prompt":"fi)"));  // the API ends a cut-off call's arguments too
    h.clear();
    h.server(response_done("r1", json::array({call_item("c1", R"({"prompt":"fi)", "incomplete")}), status));
    CHECK(h.requests.empty());
    REQUIRE(h.sent_types() == std::vector<std::string>{"conversation.item.create"});
    CHECK(h.sent[0]["item"]["type"] == "function_call_output");
    CHECK(h.sent[0]["item"]["call_id"] == "c1");
    CHECK(h.sent[0]["item"]["output"].get<std::string>().find("not run") != std::string::npos);
    CHECK(h.printed_has("tool_call", "call_id", "c1"));
    CHECK(h.session.idle());
  }
}

TEST_CASE("a failed response prints its error; an incomplete one its reason", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "hi"}});
  h.server(response_created("r1"));
  h.clear();
  h.server({{"type", "response.done"},
            {"response",
             {{"id", "r1"},
              {"status", "failed"},
              {"status_details",
               {{"type", "failed"},
                {"error", {{"type", "server_error"}, {"code", "server_error"}, {"message", "try again"}}}}},
              {"output", json::array()}}}});
  CHECK(h.printed_has("error", "code", "server_error"));
  CHECK(h.printed_has("error", "message", "try again"));
  REQUIRE(!h.logs.empty());
  CHECK(h.ended.empty());  // a retry may work: the session goes on
  h.clear();
  h.stdin_({{"type", "text"}, {"text", "again"}});
  h.server(response_created("r2"));
  h.server({{"type", "response.done"},
            {"response",
             {{"id", "r2"},
              {"status", "incomplete"},
              {"status_details", {{"type", "incomplete"}, {"reason", "max_output_tokens"}}}}}});
  CHECK(h.printed_has("response", "reason", "max_output_tokens"));
  REQUIRE(!h.logs.empty());
  CHECK(h.logs.back().find("max_output_tokens") != std::string::npos);
}

TEST_CASE("a failed transcription is reported", "[realtime]") {
  Harness h;
  h.clear();
  h.server(
      {{"type", "conversation.item.input_audio_transcription.failed"},
       {"item_id", "item9"},
       {"content_index", 0},
       {"error", {{"type", "transcription_error"}, {"code", "audio_unintelligible"}, {"message", "noise"}}}});
  CHECK(h.printed_has("error", "source", "transcription"));
  CHECK(h.printed_has("error", "code", "audio_unintelligible"));
  REQUIRE(!h.logs.empty());
}

TEST_CASE("a refused cancel or truncate is logged, not shown as an error", "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "hi"}});
  h.server(response_created("r1"));
  h.server(audio_delta("r1", "item1", 300));
  h.playback = {true, 100, "item1"};
  h.clear();
  h.stdin_({{"type", "ptt.start"}});
  REQUIRE(h.sent.size() >= 2);
  std::string truncate_id = h.sent[1]["event_id"];
  h.server(response_done("r1"));  // the response ended before the cancel arrived
  h.clear();
  h.server({{"type", "error"},
            {"error",
             {{"type", "invalid_request_error"},
              {"code", "response_cancel_not_active"},
              {"message", "Cancellation failed: no active response found"}}}});
  h.server({{"type", "error"},
            {"error",
             {{"type", "invalid_request_error"},
              {"code", "invalid_value"},
              {"message", "audio_end_ms is past the audio"},
              {"event_id", truncate_id}}}});
  for (const json& line : h.printed) CHECK(line["type"] != "error");
  CHECK(h.logs.size() == 2);
}

TEST_CASE("with VAD a connection lost mid-speech does not hold announcements forever", "[realtime]") {
  Harness h(vad_config());
  h.server({{"type", "input_audio_buffer.speech_started"}});
  h.take(h.session.on_disconnected());
  h.take(h.session.on_connected());
  h.server({{"type", "session.created"}});
  h.clear();
  h.take(h.daemon_event({{"event", "finished"}, {"task", {{"id", 5}, {"state", "succeeded"}}}}));
  CHECK(h.sent_types() == std::vector<std::string>{"conversation.item.create", "response.create"});
}

// bench/realtime_latency.py once waited for a third response per call turn that never
// came: the task finished before the call's response was done, and its announcement
// rode on the follow-up's response.create. Nothing is lost: the item goes out with it.
TEST_CASE("a task that finishes before its call's response ends is announced with the follow-up",
          "[realtime]") {
  Harness h;
  h.stdin_({{"type", "text"}, {"text", "spawn"}});
  h.server(response_created("r1"));
  h.server(call_added("c1", "spawn_task"));
  h.server(args_done("c1", R"({"prompt":"fix","project":"api"})"));
  h.server(response_done("r1"));
  REQUIRE(h.requests.size() == 1);
  h.server(response_created("r_other"));  // e.g. a response still in progress
  h.daemon_reply(0, spawn_reply(8));
  h.take(h.daemon_event({{"event", "finished"}, {"task", {{"id", 8}, {"state", "succeeded"}}}}));
  h.clear();
  h.server(response_done("r_other"));
  CHECK(h.sent_types() == std::vector<std::string>{"conversation.item.create", "response.create"});
  CHECK(h.printed_has("announcement", "text", h.sent[0]["item"]["content"][0]["text"]));
  CHECK(h.session.queued_announcements() == 0);
}

TEST_CASE("errors no retry can fix end the session with what to do", "[realtime]") {
  SECTION("quota, as a failed response") {
    Harness h;
    h.stdin_({{"type", "text"}, {"text", "hi"}});
    h.server(response_created("r1"));
    h.server({{"type", "response.done"},
              {"response",
               {{"id", "r1"},
                {"status", "failed"},
                {"status_details",
                 {{"type", "failed"},
                  {"error",
                   {{"type", "insufficient_quota"}, {"code", "insufficient_quota"}, {"message", "no"}}}}}}}});
    REQUIRE(h.ended.size() == 1);
    CHECK(h.ended[0].find("no quota or credit left") != std::string::npos);
    CHECK(h.printed_has("error", "code", "insufficient_quota"));
  }
  SECTION("an unknown model, as an error event") {
    Harness h;
    h.server({{"type", "error"},
              {"error",
               {{"type", "invalid_request_error"}, {"code", "model_not_found"}, {"message", "no such"}}}});
    REQUIRE(h.ended.size() == 1);
    CHECK(h.ended[0].find("'gpt-realtime-2.1' is not available") != std::string::npos);
    CHECK(h.ended[0].find("--model") != std::string::npos);
  }
  SECTION("a refused session setting: an error about our session.update") {
    Harness h;
    REQUIRE(h.sent.front()["type"] == "session.update");
    std::string id = h.sent.front()["event_id"];
    h.server({{"type", "error"},
              {"error",
               {{"type", "invalid_request_error"},
                {"code", "invalid_value"},
                {"message", "voice x is not supported"},
                {"event_id", id}}}});
    REQUIRE(h.ended.size() == 1);
    CHECK(h.ended[0].find("refused the session settings: voice x is not supported") != std::string::npos);
  }
  SECTION("any other error is survived") {
    Harness h;
    h.server({{"type", "error"}, {"error", {{"type", "invalid_request_error"}, {"code", "invalid_value"}}}});
    CHECK(h.ended.empty());
    CHECK(h.printed_has("error", "code", "invalid_value"));
  }
}

TEST_CASE("reasoning effort goes only to models that take it", "[realtime]") {
  SessionConfig cfg;
  CHECK(cfg.model == "gpt-realtime-2.1");
  CHECK(cfg.transcription_model == "gpt-transcribe");
  CHECK(ptt::realtime::build_session_update(cfg)["session"]["reasoning"] == json{{"effort", "low"}});
  cfg.reasoning_effort = "high";
  CHECK(ptt::realtime::build_session_update(cfg)["session"]["reasoning"]["effort"] == "high");
  for (const char* older :
       {"gpt-realtime", "gpt-realtime-1.5", "gpt-realtime-2025-08-28", "gpt-realtime-mini"}) {
    cfg.model = older;
    CHECK(!ptt::realtime::build_session_update(cfg)["session"].contains("reasoning"));
  }
  for (const char* newer : {"gpt-realtime-2", "gpt-realtime-2.1-mini", "gpt-realtime-2-2026-05-01"}) {
    CHECK(ptt::openai::accepts_reasoning(newer));
  }
}

TEST_CASE("the deprecation list is the official one, with shutdown dates", "[realtime]") {
  using ptt::openai::find_deprecated;
  REQUIRE(find_deprecated("gpt-realtime") != nullptr);
  CHECK(find_deprecated("gpt-realtime")->shutdown == "2027-01-20");
  CHECK(find_deprecated("gpt-4o-mini-transcribe")->shutdown == "2027-02-26");
  CHECK(find_deprecated(ptt::openai::kDefaultRealtimeModel) == nullptr);
  CHECK(find_deprecated(ptt::openai::kDefaultTranscriptionModel) == nullptr);
  CHECK(find_deprecated("gpt-realtime-2.1-mini") == nullptr);
}
