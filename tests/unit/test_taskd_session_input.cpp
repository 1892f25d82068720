#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "taskd/session_input.h"
#include "taskd/stream_reader.h"

using namespace ptt::taskd;
using nlohmann::json;
using Next = SessionInput::AfterResult;

TEST_CASE("a user message line is the SDK's SDKUserMessage, one line", "[taskd][input]") {
  std::string line = user_message_line("fix it\nplease", "u-1");
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  json j = json::parse(line);
  CHECK(j == json{{"type", "user"},
                  {"message", {{"role", "user"}, {"content", "fix it\nplease"}}},
                  {"parent_tool_use_id", nullptr},
                  {"uuid", "u-1"}});
  // Invalid UTF-8 is replaced, not a throw.
  CHECK(json::parse(user_message_line("bad \xff byte", "u-2"))["message"]["content"] ==
        "bad \xef\xbf\xbd byte");
}

TEST_CASE("message uuids are version 4 and differ", "[taskd][input]") {
  std::string a = new_message_uuid(), b = new_message_uuid();
  CHECK(a != b);
  REQUIRE(a.size() == 36);
  CHECK(a[8] == '-');
  CHECK(a[14] == '4');
  CHECK(std::string("89ab").find(a[19]) != std::string::npos);
}

TEST_CASE("after a result with every message taken, the input closes once", "[taskd][input]") {
  SessionInput s;
  s.sent("prompt");
  s.echoed("prompt");
  CHECK(s.result() == Next::kCloseInput);
  CHECK(s.closed());
  CHECK(s.result() == Next::kClosed);  // a late result line changes nothing
}

TEST_CASE("a message sent before the result and not taken yet makes the next turn", "[taskd][input]") {
  SessionInput s;
  s.sent("prompt");
  s.echoed("prompt");
  s.sent("more");                        // written while the first turn ran
  CHECK(s.result() == Next::kNextTurn);  // the first turn's result
  s.echoed("more");
  CHECK(s.result() == Next::kCloseInput);  // the second turn's
}

TEST_CASE("a message folded into the running turn is echoed before its result", "[taskd][input]") {
  SessionInput s;
  s.sent("prompt");
  s.echoed("prompt");
  s.sent("mid");
  s.echoed("mid");  // taken mid-turn
  CHECK(s.result() == Next::kCloseInput);
}

TEST_CASE("a restart reads the stream again: only the last result closes", "[taskd][input]") {
  SessionInput s;  // adopted: every message written, per supervisor.ndjson
  s.sent("prompt");
  s.sent("second");
  s.echoed("prompt");
  CHECK(s.result() == Next::kNextTurn);
  s.echoed("second");
  CHECK(s.result() == Next::kCloseInput);
}

TEST_CASE("the stream reader names a replayed message's uuid", "[taskd][input]") {
  json replay = {{"type", "user"},
                 {"message", {{"role", "user"}, {"content", "go"}}},
                 {"isReplay", true},
                 {"uuid", "u-7"},
                 {"session_id", "s"}};
  auto u = read_stream_line(replay);
  CHECK(u.replayed == std::optional<std::string>("u-7"));
  CHECK_FALSE(u.empty());
  replay["isReplay"] = false;  // a tool result the CLI writes as a user line
  CHECK_FALSE(read_stream_line(replay).replayed);
  replay["isReplay"] = "yes";
  CHECK(read_stream_line(replay).empty());
}
