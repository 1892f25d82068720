// protocol/replies.h: every reply reads back as it was written, and the fast paths
// (the daemon's list/wait reply joined from record lines, ptt-task's SAX list reader)
// write and read exactly the shape the typed TasksReply defines.
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "agent_result_of.h"
#include "protocol/events.h"
#include "protocol/replies.h"
#include "protocol/requests.h"
#include "taskcli/fast_list.h"

using namespace ptt::protocol;
using nlohmann::json;

namespace {

TaskRecord finished_record() {
  TaskRecord t;
  t.id = 7;
  t.name = "fix-tests";
  t.state = TaskState::kFailed;
  t.reason = "error_max_turns";
  t.prompt = "fix the tests\nplease";
  t.cwd = "/src";
  t.after = {3, 4};
  t.parent = 2;
  t.resume_session = "s-1";
  t.created_at = 1764000000.125;
  t.started_at = 1764000001.5;
  t.finished_at = 1764000042.75;
  t.pid = 4242;
  t.session_id = "s-2";
  t.model = "claude-x";
  t.activity = "Bash: npm test";
  t.exit_code = 1;
  t.stderr_tail = "boom";
  t.result = agent_result_of("error_max_turns", true, "ran out", 0.0125, 3, 1234);
  t.result->errors = {"Reached maximum number of turns (3)"};
  t.result->terminal_reason = "max_turns";
  t.options.model = "claude-x";
  t.options.max_turns = 3;
  t.options.add_dirs = {"/a"};
  return t;
}

TaskRecord running_record() {
  TaskRecord t;
  t.id = 8;
  t.state = TaskState::kRunning;
  t.prompt = "  an   unnamed\ttask whose prompt is longer than forty characters, by far";
  t.cwd = "/src";
  t.created_at = 1764000100.0;
  t.started_at = 1764000101.0;
  t.cancel_requested = true;
  return t;
}

TaskRecord queued_record() {
  TaskRecord t;
  t.id = 9;
  t.prompt = "bad \xff bytes";  // invalid UTF-8 in a prompt: replaced on the wire
  t.cwd = "/";
  t.created_at = 1764000200.5;
  return t;
}

template <typename R>
R round_trip(const R& r) {
  return json::parse(json(r).dump()).get<R>();
}

}  // namespace

TEST_CASE("every reply reads back as it was written") {
  HelloReply hello{.version = kVersion, .server = "ptt-taskd 0.1.0", .pid = 4242};
  CHECK(round_trip(hello) == hello);
  TaskReply task{finished_record()};
  CHECK(round_trip(task) == task);
  TasksReply tasks{.tasks = {finished_record(), running_record()}, .view = RecordView::kFull};
  CHECK(round_trip(tasks) == tasks);
  CHECK(round_trip(TasksReply{}) == TasksReply{});
  ResultReply result{.task = finished_record(), .text = "ran out"};
  CHECK(round_trip(result) == result);
  ResultReply no_result{.task = running_record(), .text = std::nullopt};
  CHECK(round_trip(no_result) == no_result);
  CHECK(json(no_result).at("text").is_null());
  CancelReply cancel_one{.cancelled = {8}, .task = running_record()};
  CHECK(round_trip(cancel_one) == cancel_one);
  CancelReply cancel_all{.cancelled = {8, 9}, .task = std::nullopt};
  CHECK(round_trip(cancel_all) == cancel_all);
  CHECK_FALSE(json(cancel_all).contains("task"));
  LogsReply logs{.task = running_record(), .path = "/state/logs/8/stream.ndjson"};
  CHECK(round_trip(logs) == logs);
  CleanReply clean{.removed = {1, 2, 3}};
  CHECK(round_trip(clean) == clean);
  CHECK(json(ShutdownReply{}) == json::object());
  ErrorReply error{.code = std::string(error::kNotFound), .message = "no task 5; see `ptt-task list`"};
  CHECK(round_trip(error) == error);
}

TEST_CASE("a reply on the wire is its fields with id and ok") {
  CHECK(reply_json(7, CleanReply{.removed = {1}}) == json::parse(R"({"id":7,"ok":true,"removed":[1]})"));
  CHECK(reply_json("a", ShutdownReply{}) == json::parse(R"({"id":"a","ok":true})"));
  CHECK(reply_line(reply_json(nullptr, HelloReply{.version = 2, .server = "s", .pid = 1})) ==
        "{\"id\":null,\"ok\":true,\"pid\":1,\"server\":\"s\",\"version\":2}\n");
  json refused = error_reply_json(3, {.code = "not_found", .message = "no task"});
  CHECK(refused == json::parse(R"({"id":3,"ok":false,"error":{"code":"not_found","message":"no task"}})"));
  CHECK_FALSE(reply_is_ok(refused));
  CHECK(reply_is_ok(reply_json(3, ShutdownReply{})));
  CHECK(error_of(refused) == ErrorReply{.code = "not_found", .message = "no task"});
}

TEST_CASE("a refusal of the wrong shape still reads as one") {
  CHECK(error_of(json::parse(R"({"ok":false,"error":{"code":5,"message":[1]}})")) ==
        ErrorReply{.code = "internal", .message = "the daemon refused the request"});
  CHECK(error_of(json::parse(R"({"ok":false,"error":5})")).code == "internal");
  CHECK(error_of(json(5)).code == "internal");
  CHECK_FALSE(reply_is_ok(json::parse(R"({"ok":"yes"})")));
}

TEST_CASE("a reply with a missing or mistyped field is refused by from_json") {
  CHECK_THROWS_AS(json::parse(R"({"task":5})").get<TaskReply>(), json::exception);
  CHECK_THROWS_AS(json::parse(R"({"tasks":[5]})").get<TasksReply>(), json::exception);
  CHECK_THROWS_AS(json::parse(R"({"tasks":{}})").get<TasksReply>(), json::exception);
  CHECK_THROWS_AS(json::parse(R"({"cancelled":["x"]})").get<CancelReply>(), json::exception);
  CHECK_THROWS_AS(json::parse(R"({"removed":5})").get<CleanReply>(), json::exception);
  CHECK_THROWS_AS(json::parse(R"({"version":"two","server":"s","pid":1})").get<HelloReply>(),
                  json::exception);
  CHECK_THROWS_AS(json::parse(R"({"version":2,"server":"s","pid":4.4e90})").get<HelloReply>(),
                  json::exception);
  CHECK_THROWS_AS(json::parse(R"({"version":4294967296,"server":"s","pid":1})").get<HelloReply>(),
                  json::exception);
}

TEST_CASE("each request names the reply type its op gets") {
  STATIC_REQUIRE(std::is_same_v<HelloRequest::Reply, HelloReply>);
  STATIC_REQUIRE(std::is_same_v<SpawnTaskRequest::Reply, TaskReply>);
  STATIC_REQUIRE(std::is_same_v<ListRequest::Reply, TasksReply>);
  STATIC_REQUIRE(std::is_same_v<WaitRequest::Reply, TasksReply>);
  STATIC_REQUIRE(std::is_same_v<ResultRequest::Reply, ResultReply>);
  STATIC_REQUIRE(std::is_same_v<CancelRequest::Reply, CancelReply>);
  STATIC_REQUIRE(std::is_same_v<LogsRequest::Reply, LogsReply>);
  STATIC_REQUIRE(std::is_same_v<CleanRequest::Reply, CleanReply>);
  STATIC_REQUIRE(std::is_same_v<ShutdownRequest::Reply, ShutdownReply>);
}

TEST_CASE("the daemon's joined tasks reply is byte for byte the typed one") {
  std::vector<TaskRecord> records = {finished_record(), running_record(), queued_record()};
  for (RecordView view : {RecordView::kFull, RecordView::kTable}) {
    for (const json& id : {json(12), json("req-1"), json(nullptr), json(18446744073709551615ull)}) {
      std::vector<std::string> lines;
      for (const auto& t : records) lines.push_back(record_line(t, view));
      std::string joined =
          tasks_reply_line(id, lines.size(), [&](std::size_t i) -> const std::string& { return lines[i]; });
      CHECK(joined == reply_line(reply_json(id, TasksReply{.tasks = records, .view = view})));
      std::vector<std::string> none;
      CHECK(tasks_reply_line(id, 0, [&](std::size_t i) -> const std::string& { return none[i]; }) ==
            reply_line(reply_json(id, TasksReply{})));
    }
  }
}

TEST_CASE("ptt-task's SAX list reader reads the typed tasks reply") {
  std::vector<TaskRecord> records = {finished_record(), running_record(), queued_record()};
  for (RecordView view : {RecordView::kTable, RecordView::kFull}) {
    std::string line = reply_line(reply_json(5, TasksReply{.tasks = records, .view = view}));
    line.pop_back();  // its '\n'
    // What the table shows, as the typed reply's own from_json reads it.
    auto typed = json::parse(line).get<TasksReply>().tasks;
    auto list = ptt::taskcli::parse_list_reply(line, 5, true);
    REQUIRE(list.ours);
    REQUIRE(list.ok);
    REQUIRE(list.tasks.size() == typed.size());
    for (std::size_t i = 0; i < typed.size(); ++i) {
      const TaskRecord &sax = list.tasks[i], &dom = typed[i];
      CAPTURE(i, view == RecordView::kTable);
      CHECK(sax.id == dom.id);
      CHECK(sax.name == dom.name);
      CHECK(sax.state == dom.state);
      CHECK(sax.reason == dom.reason);
      CHECK(sax.activity == dom.activity);
      CHECK(sax.created_at == dom.created_at);
      CHECK(sax.started_at == dom.started_at);
      CHECK(sax.finished_at == dom.finished_at);
      CHECK(sax.after == dom.after);
      CHECK(sax.parent == dom.parent);
      CHECK(sax.exit_code == dom.exit_code);
      CHECK(sax.cancel_requested == dom.cancel_requested);
      CHECK(sax.result.has_value() == dom.result.has_value());
      if (sax.result && dom.result) {
        CHECK(sax.result->text == dom.result->text);
        CHECK(sax.result->cost_usd == dom.result->cost_usd);
      }
      if (view == RecordView::kTable) CHECK(sax.prompt == dom.prompt);
      // --json prints each record as the daemon sent it.
      CHECK(list.raw_tasks[i] == record_line(records[i], view));
    }
  }
}

TEST_CASE("a held queue's tasks reply: joined, typed and SAX-read the same", "[rate_limit]") {
  std::vector<TaskRecord> records = {queued_record()};
  std::vector<std::string> lines = {record_line(records[0], RecordView::kTable)};
  for (const QueueHold& hold : {QueueHold{.until = 1764003900, .task = 7, .rate_limit_type = "five_hour"},
                                QueueHold{.until = 1764003900.5}}) {
    std::string joined = tasks_reply_line(
        5, 1, [&](std::size_t i) -> const std::string& { return lines[i]; }, hold);
    CHECK(joined == reply_line(reply_json(
                        5, TasksReply{.tasks = records, .view = RecordView::kTable, .queue_hold = hold})));
    joined.pop_back();
    CHECK(json::parse(joined).get<TasksReply>().queue_hold == hold);
    auto list = ptt::taskcli::parse_list_reply(joined, 5, false);
    REQUIRE(list.ours);
    CHECK(list.queue_hold == hold);
    CHECK(list.tasks.size() == 1);
    // The lenient reader of the views that live on (top, realtime) keeps the hold too.
    TasksReply readable = readable_tasks(json::parse(joined));
    CHECK(readable.queue_hold == hold);
    CHECK(readable.tasks.size() == 1);
  }
  // An unreadable hold hides no task.
  json odd =
      json::parse(tasks_reply_line(5, 1, [&](std::size_t i) -> const std::string& { return lines[i]; }));
  odd["queue_hold"] = {{"until", "soon"}};
  CHECK_FALSE(readable_tasks(odd).queue_hold);
  CHECK(readable_tasks(odd).tasks.size() == 1);
  // No hold: no field, and none read.
  std::string plain = tasks_reply_line(5, 1, [&](std::size_t i) -> const std::string& { return lines[i]; });
  CHECK(plain.find("queue_hold") == std::string::npos);
  plain.pop_back();
  CHECK_FALSE(ptt::taskcli::parse_list_reply(plain, 5, false).queue_hold);
}

TEST_CASE("a list's finished_omitted: joined, typed and SAX-read the same", "[list]") {
  std::vector<TaskRecord> records = {queued_record()};
  std::vector<std::string> lines = {record_line(records[0], RecordView::kTable)};
  const QueueHold hold{.until = 1764003900};
  for (std::optional<QueueHold> with_hold : {std::optional<QueueHold>{}, std::optional(hold)}) {
    std::string joined = tasks_reply_line(
        9, 1, [&](std::size_t i) -> const std::string& { return lines[i]; }, with_hold, 99900);
    CHECK(joined == reply_line(reply_json(9, TasksReply{.tasks = records,
                                                        .view = RecordView::kTable,
                                                        .queue_hold = with_hold,
                                                        .finished_omitted = 99900})));
    joined.pop_back();
    CHECK(json::parse(joined).get<TasksReply>().finished_omitted == 99900u);
    auto list = ptt::taskcli::parse_list_reply(joined, 9, false);
    REQUIRE(list.ours);
    CHECK(list.finished_omitted == 99900u);
    CHECK(list.tasks.size() == 1);
  }
  // None left out: no field, and zero read.
  std::string plain = tasks_reply_line(9, 1, [&](std::size_t i) -> const std::string& { return lines[i]; });
  CHECK(plain.find("finished_omitted") == std::string::npos);
  plain.pop_back();
  CHECK(ptt::taskcli::parse_list_reply(plain, 9, false).finished_omitted == 0u);
  CHECK_FALSE(json::parse(plain).get<TasksReply>().finished_omitted);
}

TEST_CASE("pending's and answer_permission's replies and the permission events round-trip", "[approvals]") {
  PermissionQuestion q{.task = 3,
                       .request = "r-1",
                       .tool = "Bash",
                       .input = {{"command", "curl example.com"}},
                       .summary = "curl example.com",
                       .requested_at = 1764000000.5};
  CHECK(json(PendingReply{{q}}).get<PendingReply>() == PendingReply{{q}});
  CHECK(json(AnswerPermissionReply{"r-1"}) == json::parse(R"({"request":"r-1"})"));
  CHECK(json(AnswerPermissionReply{"r-1"}).get<AnswerPermissionReply>().request == "r-1");
  PermissionAnswered denied{.task = 3, .request = "r-1", .allow = false, .reason = "not now", .by = "voice"};
  PermissionAnswered allowed{.task = 3, .request = "r-1", .allow = true, .reason = {}, .by = "shell"};
  for (const PermissionEvent& e :
       {PermissionEvent(PermissionRequested{q}), PermissionEvent(denied), PermissionEvent(allowed)})
    CHECK(parse_permission_event(permission_event_json(e)) == e);
  CHECK(permission_event_json(PermissionRequested{q}) ==
        json::parse(R"({"event":"permission_requested","task":3,"request":"r-1","tool":"Bash",
          "input":{"command":"curl example.com"},"summary":"curl example.com","requested_at":1764000000.5})"));
  CHECK(permission_event_json(allowed) ==
        json::parse(R"({"event":"permission_answered","task":3,"request":"r-1","allow":true,"by":"shell"})"));
  CHECK_FALSE(parse_permission_event(json::parse(R"({"event":"created","task":{}})")));
  CHECK_FALSE(
      parse_permission_event(json::parse(R"({"event":"permission_answered","task":3,"request":"r"})")));
}

TEST_CASE("queue_resume's reply and the queue events round-trip", "[rate_limit]") {
  QueueHold hold{.until = 1764003900, .task = 7, .rate_limit_type = "five_hour"};
  CHECK(json(QueueResumeReply{}) == json::object());
  CHECK(json(QueueResumeReply{.released = hold}).get<QueueResumeReply>().released == hold);
  for (const QueueEvent& e : {QueueEvent(QueueHeld{hold}), QueueEvent(QueueResumed{hold, "reset"})})
    CHECK(parse_queue_event(queue_event_json(e)) == e);
  CHECK(
      queue_event_json(QueueHeld{hold}) ==
      json::parse(
          R"({"event":"queue_held","hold":{"until":1764003900.0,"reason":"rate_limited","task":7,"rate_limit_type":"five_hour"}})"));
  // Task events and unreadable holds are not queue events; a task event is not one either way round.
  CHECK_FALSE(parse_queue_event(json::parse(R"({"event":"created","task":{}})")));
  CHECK_FALSE(
      parse_queue_event(json::parse(R"({"event":"queue_held","hold":{"until":"soon","reason":"x"}})")));
  CHECK_FALSE(parse_event(queue_event_json(QueueHeld{hold})));
  CHECK(describe_hold(hold, "14:05") == "queue held until 14:05, rate limited (five_hour, task 7)");
  CHECK(describe_hold(QueueHold{.until = 1}, "14:05") == "queue held until 14:05, rate limited");
}
