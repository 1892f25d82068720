#include <catch2/catch.hpp>

#include "client/client_session.h"
#include "protocol/protocol.h"

using ptt::client::ClientSession;
using Kind = ClientSession::Incoming::Kind;
using nlohmann::json;

namespace {

json hello_ok(std::int64_t id, int version = ptt::protocol::kVersion) {
  return {{"id", id}, {"ok", true}, {"version", version}, {"server", "ptt-taskd test"}};
}

}  // namespace

TEST_CASE("client session: the hello carries our version and the first id", "[client]") {
  ClientSession s("ptt-test");
  json hello = s.start();
  CHECK(hello["op"] == "hello");
  CHECK(hello["version"] == ptt::protocol::kVersion);
  CHECK(hello["id"] == 1);
  CHECK(hello["client"].get<std::string>().rfind("ptt-test ", 0) == 0);
  CHECK(s.hello_pending());
}

TEST_CASE("client session: a hello answered with our version is accepted once", "[client]") {
  ClientSession s("ptt-test");
  s.start();
  auto in = s.on_message(hello_ok(1));
  CHECK(in.kind == Kind::kHelloAccepted);
  CHECK_FALSE(s.hello_pending());
  CHECK(s.on_message(hello_ok(1)).kind == Kind::kReply);  // a second answer is a stray reply
}

TEST_CASE("client session: another version is refused, with what to do", "[client]") {
  ClientSession s("ptt-test");
  s.start();
  auto in = s.on_message(hello_ok(1, ptt::protocol::kVersion + 1));
  REQUIRE(in.kind == Kind::kHelloRefused);
  CHECK(in.problem.find("but ptt-test speaks") != std::string::npos);
  CHECK(in.problem.find("matching ptt-taskd") != std::string::npos);

  ClientSession t("ptt-test");
  t.start();
  auto refused = t.on_message(
      {{"id", 1}, {"ok", false}, {"error", {{"code", "version_mismatch"}, {"message", "speaks 9"}}}});
  REQUIRE(refused.kind == Kind::kHelloRefused);
  CHECK(refused.problem.find("another protocol version (speaks 9)") != std::string::npos);
  CHECK(refused.problem.find("ptt-task shutdown") != std::string::npos);
}

TEST_CASE("client session: an id-less refusal answers the hello, later it is about the connection",
          "[client]") {
  json denied = {
      {"id", nullptr}, {"ok", false}, {"error", {{"code", "permission_denied"}, {"message", "no"}}}};
  ClientSession s("ptt-test");
  s.start();
  auto in = s.on_message(denied);
  REQUIRE(in.kind == Kind::kHelloRefused);
  CHECK(in.problem == "the daemon refused the connection: no");
  CHECK(s.on_message(denied).kind == Kind::kConnectionError);
}

TEST_CASE("client session: ids count on, replies and events are told apart", "[client]") {
  ClientSession s("ptt-test");
  s.start();
  json req = {{"op", "list"}};
  CHECK(s.stamp(req) == 2);
  CHECK(req["id"] == 2);
  // The reply to the request before the hello's, as the daemon answers in order.
  CHECK(s.on_message(hello_ok(1)).kind == Kind::kHelloAccepted);
  auto reply = s.on_message({{"id", 2}, {"ok", true}});
  CHECK(reply.kind == Kind::kReply);
  CHECK(reply.id == 2);
  CHECK(s.on_message({{"event", "task"}, {"id", 7}}).kind == Kind::kEvent);
  CHECK(s.on_message(json::array()).kind == Kind::kIgnored);
  CHECK(s.on_message({{"ok", true}}).kind == Kind::kIgnored);
  // A new connection: a new hello, ids go on from where they were.
  CHECK(s.start()["id"] == 3);
  CHECK(s.hello_pending());
}
