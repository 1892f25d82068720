// Server events parsed into typed structs: wrong shapes become Malformed, never throw.
#include <string>
#include <variant>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/json_depth.h"
#include "realtime/server_event.h"

using nlohmann::json;
using ptt::realtime::parse_server_event;
using ptt::realtime::parse_server_message;
using ptt::realtime::ServerEvent;
namespace server = ptt::realtime::server;

TEST_CASE("json_depth_within counts nesting outside strings", "[realtime]") {
  CHECK(ptt::json_depth_within(R"({"a":[1,{"b":[]}]})", 4));
  CHECK_FALSE(ptt::json_depth_within(R"({"a":[1,{"b":[]}]})", 3));
  CHECK(ptt::json_depth_within(R"({"a":"[[[[[[\"[[[["})", 1));  // brackets in strings do not count
  std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  CHECK_FALSE(ptt::json_depth_within(deep));
  CHECK(ptt::json_depth_within(std::string(512, '[') + std::string(512, ']')));
}

TEST_CASE("a server event whose type is not a string is Malformed", "[realtime]") {
  for (const char* text : {R"({"type":5})", R"({"type":null})", R"({"type":["a"]})", R"({"no":"type"})",
                           "[1]", "not json", "7"}) {
    ServerEvent e = parse_server_message(text);
    INFO(text);
    REQUIRE(std::holds_alternative<server::Malformed>(e));
    CHECK(!std::get<server::Malformed>(e).why.empty());
  }
}

TEST_CASE("a server event nested a million deep is Malformed, not parsed", "[realtime]") {
  std::string deep =
      R"({"type":"error","error":{"param":)" + std::string(1000000, '[') + std::string(1000000, ']') + "}}";
  ServerEvent e = parse_server_message(deep);
  REQUIRE(std::holds_alternative<server::Malformed>(e));
  CHECK(std::get<server::Malformed>(e).why.find("nested too deeply") != std::string::npos);
}

TEST_CASE("fields of the wrong type read as empty where the API may omit them", "[realtime]") {
  ServerEvent e = parse_server_event(json{{"type", "error"}, {"error", {{"code", nullptr}, {"message", 3}}}});
  REQUIRE(std::holds_alternative<server::Error>(e));
  CHECK(std::get<server::Error>(e).code.empty());
  CHECK(std::get<server::Error>(e).message.empty());
  e = parse_server_event(json{{"type", "response.done"}, {"response", "oops"}});
  CHECK(std::holds_alternative<server::Malformed>(e));
  e = parse_server_event(json::parse(R"({"type":"response.done","response":{"status":"completed",
      "output":[{"type":"function_call","call_id":"c1","name":"n"},{"type":"message"},7]}})"));
  REQUIRE(std::holds_alternative<server::ResponseDone>(e));
  CHECK(std::get<server::ResponseDone>(e).calls.size() == 1);
  e = parse_server_event(json{{"type", "response.output_audio_transcript.done"}});
  REQUIRE(std::holds_alternative<server::TranscriptDone>(e));
  CHECK(!std::get<server::TranscriptDone>(e).transcript);
  CHECK(std::holds_alternative<server::Ignored>(parse_server_event(json{{"type", "rate_limits.updated"}})));
}
