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
       {Request(spawn),
        Request(HelloRequest{.version = kVersion}),
        Request(FollowUpRequest{.task = 2, .prompt = "more"}),
        Request(RetryRequest{.task = "x"}),
        Request(ListRequest{.state = TaskState::kRunning, .table_view = true}),
        Request(ListRequest{.table_view = true, .finished_limit = 100}),
        Request(ListRequest{.finished_limit = 0}),
        Request(GetRequest{.task = 4}),
        Request(ResultRequest{.task = 4}),
        Request(CancelRequest{.task = 4}),
        Request(CancelRequest{.all = true}),
        Request(LogsRequest{.task = 4, .stream = LogStream::kStderr, .follow = true}),
        Request(LogsRequest{.task = 4, .stream = LogStream::kStdout, .follow = true, .from_offset = 1234}),
        Request(SubscribeRequest{}),
        Request(WaitRequest{.tasks = {1, 2}}),
        Request(WaitRequest{.all = true}),
        Request(CleanRequest{.state = TaskState::kFailed, .older_than_s = 60}),
        Request(ShutdownRequest{}),
        Request(QueueResumeRequest{}),
        Request(PendingRequest{}),
        Request(AnswerPermissionRequest{.task = 3, .allow = true}),
        Request(AnswerPermissionRequest{
            .task = "fix", .request = "r1", .allow = false, .always = false, .reason = "no", .by = "voice"}),
        Request(AnswerPermissionRequest{.task = 3, .allow = true, .always = true, .by = "dashboard"})}) {
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

TEST_CASE("answer_permission needs a task and allow; `by` defaults to shell", "[approvals]") {
  auto r = std::get<Request>(parse_request({{"op", "answer_permission"}, {"task", 3}, {"allow", false}}));
  const auto& a = std::get<AnswerPermissionRequest>(r);
  CHECK(a.by == "shell");
  CHECK_FALSE(a.request);
  CHECK_FALSE(a.always);
  CHECK(rejected({{"op", "answer_permission"}, {"task", 3}}).code == error::kBadRequest);
  CHECK(rejected({{"op", "answer_permission"}, {"allow", true}}).code == error::kBadRequest);
  CHECK(rejected({{"op", "answer_permission"}, {"task", 3}, {"allow", "yes"}}).code == error::kBadRequest);
  CHECK(rejected({{"op", "answer_permission"}, {"task", 3}, {"allow", true}, {"request", 5}}).code ==
        error::kBadRequest);
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

TEST_CASE("a mistyped field is refused naming the field and its type, never the JSON library's words") {
  struct Case {
    json request;
    std::string message;
  };
  const json task = {{"task", 1}};
  auto with = [](json base, const char* op, const char* field, json value) {
    base["op"] = op;
    base[field] = std::move(value);
    return base;
  };
  const json spawn = {{"prompt", "p"}, {"cwd", "/"}};
  const Case cases[] = {
      {with({}, "cancel", "all", "yes"), "`all` must be true or false"},
      {with(task, "cancel", "all", 1), "`all` must be true or false"},
      {with({}, "wait", "all", "yes"), "`all` must be true or false"},
      {with({}, "wait", "tasks", json::array({1, 1.5})), "`tasks` must be an array of task ids or names"},
      {with({}, "wait", "tasks", "1"), "`tasks` must be an array of task ids or names"},
      {with(task, "logs", "follow", "yes"), "`follow` must be true or false"},
      {with(task, "logs", "task", true), "`task` must be a task id or name"},
      {with(task, "logs", "from_offset", -1), "`from_offset` must be a byte offset (an integer from 0)"},
      {with(task, "logs", "from_offset", 1.5), "`from_offset` must be a byte offset (an integer from 0)"},
      {with(task, "logs", "from_offset", "12"), "`from_offset` must be a byte offset (an integer from 0)"},
      {with({}, "hello", "version", "1"), "`version` must be an integer"},
      {with({}, "hello", "version", 4294967297LL), "`version` must be an integer"},
      {with({}, "hello", "client", 7), "`client` must be a string"},
      {with(spawn, "spawn", "prompt", 7), "`prompt` must be a string"},
      {with(spawn, "spawn", "cwd", json::array()), "`cwd` must be a string"},
      {with(spawn, "spawn", "name", 3), "`name` must be a string"},
      {with(spawn, "spawn", "after", json::array({json::object()})),
       "`after` must be an array of task ids or names"},
      {with(spawn, "spawn", "options", "fast"), "`options` must be an object"},
      {with(spawn, "spawn", "options", {{"model", 4}}), "`options.model` must be a string"},
      {with(spawn, "spawn", "options", {{"max_turns", "3"}}), "`options.max_turns` must be an integer"},
      {with(spawn, "spawn", "options", {{"max_turns", 2.5}}), "`options.max_turns` must be an integer"},
      {with(spawn, "spawn", "options", {{"max_budget_usd", "1"}}),
       "`options.max_budget_usd` must be a number"},
      {with(spawn, "spawn", "options", {{"stall_timeout", "10m"}}),
       "`options.stall_timeout` must be a number"},
      {with(spawn, "spawn", "options", {{"permission_mode", false}}),
       "`options.permission_mode` must be a string"},
      {with(spawn, "spawn", "options", {{"allowed_tools", "Bash"}}),
       "`options.allowed_tools` must be an array of strings"},
      {with(spawn, "spawn", "options", {{"add_dirs", json::array({1})}}),
       "`options.add_dirs` must be an array of strings"},
      {with(spawn, "spawn", "options", {{"append_system_prompt", json::object()}}),
       "`options.append_system_prompt` must be a string"},
      {with({{"task", 1}, {"prompt", "p"}}, "follow_up", "options", {{"model", 1}}),
       "`options.model` must be a string"},
      {with(task, "retry", "name", json::array()), "`name` must be a string"},
      {with({}, "list", "state", 3), "`state` must be a string"},
      {with({}, "list", "finished_limit", -1), "`finished_limit` must be a count (an integer from 0)"},
      {with({}, "list", "finished_limit", 2.5), "`finished_limit` must be a count (an integer from 0)"},
      {with({}, "list", "finished_limit", "9"), "`finished_limit` must be a count (an integer from 0)"},
      {with({}, "clean", "state", 3), "`state` must be a string"},
  };
  for (const auto& c : cases) {
    INFO(c.request.dump());
    auto r = rejected(c.request);
    CHECK(r.code == error::kBadRequest);
    CHECK(r.message == c.message);
  }
}

TEST_CASE("no field of any op, of any type, gets the JSON library's raw error") {
  const json values[] = {nullptr,
                         true,
                         3,
                         -1,
                         2.5,
                         "x",
                         json::array(),
                         json::array({1.5}),
                         json::object(),
                         json::parse("18446744073709551615"),
                         json::parse("1e300")};
  const char* fields[] = {"task",    "tasks",   "all",          "prompt",        "cwd",    "name",
                          "after",   "options", "state",        "view",          "stream", "follow",
                          "version", "client",  "older_than_s", "finished_limit"};
  for (std::string_view op : op::kAll) {
    for (const char* field : fields) {
      for (const json& value : values) {
        json req = {{"op", op}, {"task", 1}, {"prompt", "p"}, {"cwd", "/"}};
        req[field] = value;
        auto r = parse_request(req);
        if (auto* bad = std::get_if<RequestRejected>(&r)) {
          INFO(req.dump());
          CHECK(bad->message.find("json.exception") == std::string::npos);
          // A mistyped field's message names it.
          if (bad->code == error::kBadRequest) CHECK(bad->message.find('`') != std::string::npos);
        }
      }
    }
  }
}

TEST_CASE("options out of range are refused, a huge max_turns does not wrap around") {
  json req = {{"op", "spawn"}, {"prompt", "p"}, {"cwd", "/"}, {"options", {{"max_turns", 4294967297LL}}}};
  CHECK(rejected(req).message == "`max_turns` must be at most 2147483647");
  req["options"] = {{"max_turns", json::parse("18446744073709551615")}};
  CHECK(rejected(req).code == error::kInvalidArgument);
  req["options"] = {{"max_turns", 0}};
  CHECK(rejected(req).message == "`max_turns` must be at least 1");
}

TEST_CASE("a request id is echoed as sent, or refused when it cannot be") {
  for (const char* ok : {R"({"id":7})", R"({"id":"abc"})", R"({"id":null})", R"({})",
                         R"({"id":-9223372036854775808})", R"({"id":18446744073709551615})"}) {
    CHECK_FALSE(check_request_id(json::parse(ok)));
    json back = json::parse(ok).value("id", json());
    CHECK(back == json::parse(ok).value("id", json()));
  }
  CHECK(json::parse(R"({"id":18446744073709551615})")["id"].dump() == "18446744073709551615");
  for (const char* bad : {R"({"id":18446744073709551616})", R"({"id":1e2})", R"({"id":1.5})",
                          R"({"id":true})", R"({"id":[1]})", R"({"id":{"a":1}})"}) {
    INFO(bad);
    auto refused = check_request_id(json::parse(bad));
    REQUIRE(refused);
    CHECK(refused->code == error::kBadRequest);
    CHECK(refused->message.find("`id` must be a string or an integer of at most 64 bits") == 0);
  }
}

TEST_CASE("a spawn's stall_timeout: seconds from 0 (never) to a year") {
  json spawn = {{"op", "spawn"}, {"prompt", "p"}, {"cwd", "/"}};
  spawn["options"] = {{"stall_timeout", 90}};
  auto req = std::get<SpawnTaskRequest>(parsed(spawn));
  CHECK(req.options.stall_timeout_s == 90);
  CHECK(json(req.options)["stall_timeout"] == 90);  // kept in the record's options
  for (json bad : {json(-1), json(400 * 86400)}) {
    spawn["options"] = {{"stall_timeout", bad}};
    auto r = rejected(spawn);
    CHECK(r.code == error::kInvalidArgument);
  }
}
