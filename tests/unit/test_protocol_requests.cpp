// protocol::parse_request: the one parser of the daemon's requests (fuzz/fuzz_request.cpp
// fuzzes it too). What a client builds reads back the same; bad fields get their code.
#include <variant>

#include <catch2/catch.hpp>

#include "protocol/requests.h"

using namespace ptt::protocol;
using nlohmann::json;

namespace {

Request parsed(const json& req) {
  auto r = parse_request(req);
  if (auto* rejected = std::get_if<RequestRejected>(&r)) FAIL(rejected->message);
  return std::get<Request>(r);
}

RequestRejected rejected(const json& req) {
  auto r = parse_request(req);
  REQUIRE(std::holds_alternative<RequestRejected>(r));
  return std::get<RequestRejected>(r);
}

}  // namespace

TEST_CASE("requests a client builds parse back the same") {
  SpawnTaskRequest spawn{.prompt = "fix it", .cwd = "/src", .name = "fix", .after = {1, "lint"}};
  spawn.options.max_turns = 3;
  for (const Request& r :
       {Request(spawn), Request(HelloRequest{.version = kVersion}),
        Request(FollowUpRequest{.task = 2, .prompt = "more"}), Request(RetryRequest{.task = "x"}),
        Request(ListRequest{.state = TaskState::kRunning, .table_view = true}),
        Request(GetRequest{.task = 4}), Request(ResultRequest{.task = 4}), Request(CancelRequest{.task = 4}),
        Request(CancelRequest{.all = true}),
        Request(LogsRequest{.task = 4, .stream = LogStream::kStderr, .follow = true}),
        Request(SubscribeRequest{}), Request(WaitRequest{.tasks = {1, 2}}), Request(WaitRequest{.all = true}),
        Request(CleanRequest{.state = TaskState::kFailed, .older_than_s = 60}), Request(ShutdownRequest{})}) {
    json line = request_json(r);
    CHECK(line.at("op") == op_of(r));
    CHECK(parsed(line) == r);
  }
}

TEST_CASE("every op the protocol defines has a parser") {
  for (std::string_view op : op::kAll) {
    auto r = parse_request({{"op", op}});
    auto* bad = std::get_if<RequestRejected>(&r);
    CHECK((!bad || bad->code != error::kUnknownOp));
  }
}

TEST_CASE("bad requests are refused with the protocol's error codes") {
  CHECK(rejected({{"prompt", "x"}}).code == error::kBadRequest);
  CHECK(rejected({{"op", "dance"}}).message == R"(unknown op "dance"; see docs/protocol.md for the ops)");
  CHECK(rejected({{"op", "spawn"}, {"prompt", " "}, {"cwd", "/"}}).code == error::kInvalidArgument);
  CHECK(rejected({{"op", "spawn"}, {"prompt", "x"}, {"cwd", "/"}, {"name", "12"}}).code ==
        error::kInvalidArgument);
  CHECK(rejected({{"op", "spawn"}, {"prompt", "x"}, {"cwd", "/"}, {"after", 3}}).code == error::kBadRequest);
  CHECK(rejected({{"op", "list"}, {"state", "done"}}).message ==
        R"(unknown state "done"; use queued, starting, running, succeeded, failed or cancelled)");
  CHECK(rejected({{"op", "clean"}, {"state", "running"}}).message ==
        R"(clean `state` "running" is not an end state; use succeeded, failed or cancelled)");
  CHECK(rejected({{"op", "cancel"}, {"all", "yes"}}).code == error::kBadRequest);
  CHECK(rejected({{"op", "wait"}, {"tasks", json::array()}}).code == error::kBadRequest);
  CHECK(rejected({{"op", "logs"}, {"task", 1}, {"follow", 1}}).code == error::kBadRequest);
  CHECK(rejected({{"op", "get"}, {"task", 1.5}}).code == error::kBadRequest);
  CHECK(rejected({{"op", "hello"}, {"version", "1"}}).code == error::kBadRequest);
}
