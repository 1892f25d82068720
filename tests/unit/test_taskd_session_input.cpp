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

TEST_CASE("the prompt read whole (command_lifecycle) lets the daemon write before its echo",
          "[taskd][input]") {
  SessionInput s;
  s.sent("prompt");
  s.read("someone-else");
  CHECK_FALSE(s.took_prompt());
  s.read("prompt");
  CHECK(s.took_prompt());
  CHECK(s.pending() == 1);  // read, not taken: its echo is still to come
}

TEST_CASE("an interrupted turn's result leaves the session waiting for a message", "[taskd][input]") {
  SessionInput s;
  s.sent("prompt");
  s.echoed("prompt");
  s.interrupted();
  CHECK(s.result() == Next::kAwaitMessage);  // error_during_execution: not the end
  CHECK_FALSE(s.closed());
  CHECK(s.awaiting_message());
  s.sent("go on");
  CHECK_FALSE(s.awaiting_message());
  CHECK_FALSE(s.give_up_waiting());  // a message came: the wait is over, the input stays
  s.echoed("go on");
  CHECK(s.result() == Next::kCloseInput);  // its turn's result ends the session as usual
}

TEST_CASE("an interrupt with no message after it closes the input once the wait is over", "[taskd][input]") {
  SessionInput s;
  s.sent("prompt");
  s.echoed("prompt");
  s.interrupted();
  CHECK(s.result() == Next::kAwaitMessage);
  CHECK(s.give_up_waiting());
  CHECK(s.closed());
  CHECK_FALSE(s.give_up_waiting());
  CHECK(s.result() == Next::kClosed);
}

TEST_CASE("a message sent after the interrupt, before its result, is the next turn", "[taskd][input]") {
  SessionInput s;
  s.sent("prompt");
  s.echoed("prompt");
  s.interrupted();
  s.sent("instead");
  CHECK(s.result() == Next::kNextTurn);
  s.echoed("instead");
  CHECK(s.result() == Next::kCloseInput);  // the interrupt was used up by the first result
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
