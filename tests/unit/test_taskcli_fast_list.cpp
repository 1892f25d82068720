#include <catch2/catch.hpp>

#include "taskcli/fast_list.h"

using ptt::protocol::TaskState;
using ptt::taskcli::parse_list_reply;

TEST_CASE("a list reply gives the table's fields and each record's raw JSON", "[taskcli]") {
  std::string line =
      R"({"id":7,"ok":true,"tasks":[)"
      R"({"id":3,"name":"fix","state":"running","created_at":1764000000.5,"activity":"Bash: npm test","after":[],"result":null},)"
      R"({"id":4,"name":null,"state":"failed","created_at":1764000001,"reason":"exit_code","exit_code":2,"after":[1, 2]},)"
      R"({"id":5,"state":"succeeded","created_at":1,"result":{"subtype":"success","text":"ok","cost_usd":0.25,"num_turns":1}}]})";
  auto reply = parse_list_reply(line, 7, true);
  REQUIRE(reply.ours);
  REQUIRE(reply.ok);
  REQUIRE(reply.tasks.size() == 3);
  CHECK(reply.tasks[0].id == 3);
  CHECK(reply.tasks[0].name == "fix");
  CHECK(reply.tasks[0].state == TaskState::kRunning);
  CHECK(reply.tasks[0].created_at == Approx(1764000000.5));
  CHECK(reply.tasks[0].activity == "Bash: npm test");
  CHECK(!reply.tasks[0].result);
  CHECK(!reply.tasks[1].name);
  CHECK(reply.tasks[1].exit_code == 2);
  CHECK(reply.tasks[1].after == std::vector<std::int64_t>{1, 2});
  REQUIRE(reply.tasks[2].result);
  CHECK(reply.tasks[2].result->cost_usd == Approx(0.25));
  CHECK(reply.tasks[2].result->text == "ok");
  REQUIRE(reply.raw_tasks.size() == 3);
  CHECK(
      reply.raw_tasks[1] ==
      R"({"id":4,"name":null,"state":"failed","created_at":1764000001,"reason":"exit_code","exit_code":2,"after":[1,2]})");
}

TEST_CASE("events and other replies are not taken for the list", "[taskcli]") {
  CHECK(!parse_list_reply(R"({"event":"created","task":{"id":1}})", 2, false).ours);
  CHECK(!parse_list_reply(R"({"id":1,"ok":true,"tasks":[]})", 2, false).ours);
  CHECK(!parse_list_reply(R"([1,2])", 2, false).ours);
}

TEST_CASE("an error reply carries its code and message", "[taskcli]") {
  auto reply = parse_list_reply(
      R"({"id":2,"ok":false,"error":{"code":"invalid_argument","message":"bad state"}})", 2, false);
  CHECK(reply.ours);
  CHECK(!reply.ok);
  CHECK(reply.error_code == "invalid_argument");
  CHECK(reply.error_message == "bad state");
}

TEST_CASE("bad JSON and bad records are errors, not crashes", "[taskcli]") {
  CHECK_THROWS(parse_list_reply(R"({"id":2,"ok":true,"tasks":[)", 2, false));
  CHECK_THROWS(parse_list_reply(R"({"id":2,"ok":true,"tasks":[{"id":"x","state":"running"}]})", 2, false));
  CHECK_THROWS(parse_list_reply(R"({"id":2,"ok":true,"tasks":[{"id":1,"state":"sleeping"}]})", 2, false));
}

TEST_CASE("fields the table does not show are skipped, however nested", "[taskcli]") {
  std::string line =
      R"({"tasks":[{"options":{"id":"x","state":"bogus","nested":[{"id":9}]},"id":1,"state":"queued",)"
      R"("after":[4],"result":{"text":"t","extra":{"cost_usd":9}},"name":"n"}],"ok":true,"id":3})";
  auto reply = parse_list_reply(line, 3, false);
  REQUIRE(reply.ours);
  REQUIRE(reply.tasks.size() == 1);
  CHECK(reply.tasks[0].id == 1);
  CHECK(reply.tasks[0].state == TaskState::kQueued);
  CHECK(reply.tasks[0].after == std::vector<std::int64_t>{4});
  CHECK(reply.tasks[0].name == "n");
  REQUIRE(reply.tasks[0].result);
  CHECK(reply.tasks[0].result->text == "t");
  CHECK(reply.tasks[0].result->cost_usd == 0);
  CHECK_THROWS(parse_list_reply(R"({"id":3,"ok":true,"tasks":[{"state":"queued"}]})", 3, false));
  CHECK_THROWS(parse_list_reply(R"({"id":3,"ok":true,"tasks":[[1]]})", 3, false));
}

TEST_CASE("a reply the simple scanner reads and one it leaves to nlohmann give the same records",
          "[taskcli]") {
  // ASCII with one-character escapes: the simple scanner; a \u escape and raw UTF-8: nlohmann's lexer.
  std::string simple =
      R"({"id":1,"ok":true,"tasks":[{"id":3,"state":"failed","prompt":"a\tb \"c\"","created_at":2.5,"exit_code":-1}]})";
  std::string escaped =
      R"({"id":1,"ok":true,"tasks":[{"id":3,"state":"failed","prompt":"a\u0009b \"c\"","created_at":2.5,"exit_code":-1}]})";
  auto a = parse_list_reply(simple, 1, false);
  auto b = parse_list_reply(escaped, 1, false);
  REQUIRE(a.tasks.size() == 1);
  CHECK(a.tasks == b.tasks);
  CHECK(a.tasks[0].prompt == "a\tb \"c\"");
  CHECK(a.tasks[0].exit_code == -1);
  CHECK(a.tasks[0].created_at == 2.5);
  auto raw = parse_list_reply(
      "{\"id\":1,\"ok\":true,\"tasks\":[{\"id\":3,\"state\":\"failed\",\"prompt\":\"\xc3\xa9\"}]}", 1, false);
  REQUIRE(raw.tasks.size() == 1);
  CHECK(raw.tasks[0].prompt == "\xc3\xa9");
  CHECK_THROWS(parse_list_reply(R"({"id":1,"ok":true,"tasks":[{"id":3,"state":"failed"})", 1, false));
}
