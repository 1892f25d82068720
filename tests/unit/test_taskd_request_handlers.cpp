// The daemon's request handlers against a fake RequestContext (taskd/request_context.h):
// each op's typed reply and the changes it asks of the daemon, without a socket, a
// loop or a disk.
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "agent_result_of.h"
#include "protocol/replies.h"
#include "protocol/requests.h"
#include "taskd/request_context.h"

using namespace ptt::taskd;
using nlohmann::json;
using ptt::protocol::RequestRejected;
using ptt::protocol::TaskRecord;
using ptt::protocol::TaskState;

namespace {

constexpr double kNow = 1764000000;

class FakeDaemon final : public RequestContext {
 public:
  const TaskTable& table() const override { return tasks; }
  const DaemonConfig& config() const override { return settings; }
  double time_now() const override { return kNow; }
  TaskId resolve_task(const ptt::protocol::TaskRef& ref) const override {
    auto id = tasks.resolve(ref);
    if (!id) throw RequestRejected{ptt::protocol::error::kNotFound, "no task " + ref.dump()};
    return *id;
  }
  std::string check_cwd(const std::string& cwd) const override { return cwd; }
  TaskId spawn(SpawnRequest request) override {
    TableActions actions;
    return tasks.spawn(std::move(request), kNow, actions);
  }
  void cancel(const std::vector<TaskId>& ids) override {
    TableActions actions;
    for (TaskId id : ids) tasks.cancel(id, kNow, actions);
    cancels.push_back(ids);
  }
  std::vector<TaskId> clean(const CleanFilter& filter) override {
    TableActions actions;
    return tasks.clean(actions, filter);
  }
  std::filesystem::path follow_log(std::uint64_t connection, TaskId task, ptt::protocol::LogStream,
                                   bool follow, std::uint64_t from_offset) override {
    follows.push_back({connection, task, follow, from_offset});
    return "/state/logs/" + std::to_string(task) + "/stream.ndjson";
  }
  void wait_for(std::uint64_t connection, const json& id, std::vector<TaskId> ids) override {
    waits.push_back({connection, id, std::move(ids)});
  }
  void shut_down_after_reply() override { shutting_down = true; }
  std::optional<ptt::protocol::QueueHold> queue_hold() const override { return hold; }
  std::optional<ptt::protocol::QueueHold> resume_queue() override {
    return std::exchange(hold, std::nullopt);
  }
  std::vector<ptt::protocol::PermissionQuestion> open_questions() const override { return questions; }
  std::string answer_question(TaskId task, const ptt::protocol::AnswerPermissionRequest& answer) override {
    answers.push_back({task, answer});
    if (questions.empty()) throw ptt::protocol::RequestRejected{ptt::protocol::error::kNoQuestion, "none"};
    return questions.front().request;
  }
  void resolve_worktree(TaskId task, const std::string& resolution) override {
    TableActions ignored;
    tasks.resolve_worktree(task, resolution, ignored);
  }

  std::optional<ptt::protocol::QueueHold> hold;
  std::string send_message(TaskId task, const std::string& text) override {
    sent.push_back({task, text});
    return "uuid-" + std::to_string(sent.size());
  }
  std::vector<std::pair<TaskId, std::string>> sent;
  void interrupt_turn(TaskId task) override { interrupted.push_back(task); }
  std::vector<TaskId> interrupted;
  std::vector<ptt::protocol::PermissionQuestion> questions;
  std::vector<std::pair<TaskId, ptt::protocol::AnswerPermissionRequest>> answers;

  TaskTable tasks;
  DaemonConfig settings;
  std::vector<std::vector<TaskId>> cancels;
  struct Follow {
    std::uint64_t connection;
    TaskId task;
    bool follow;
    std::uint64_t from_offset;
  };
  std::vector<Follow> follows;
  struct Wait {
    std::uint64_t connection;
    json request_id;
    std::vector<TaskId> tasks;
  };
  std::vector<Wait> waits;
  bool shutting_down = false;
};

TaskRecord record(TaskId id, TaskState state, std::optional<std::string> name = std::nullopt) {
  TaskRecord t;
  t.id = id;
  t.state = state;
  t.name = std::move(name);
  t.prompt = "task " + std::to_string(id);
  t.cwd = "/src";
  t.created_at = kNow - 100;
  if (ptt::protocol::is_finished(state)) {
    t.finished_at = kNow - 10;
    t.session_id = "s-" + std::to_string(id);
    t.result = agent_result_of("success", false, "done " + std::to_string(id), 0, 0, 0);
  }
  return t;
}

// Tasks 1 (succeeded, "one"), 2 (running, "two"), 3 (queued).
FakeDaemon daemon_with_tasks() {
  FakeDaemon d;
  d.tasks.load(record(1, TaskState::kSucceeded, "one"));
  d.tasks.load(record(2, TaskState::kRunning, "two"));
  d.tasks.load(record(3, TaskState::kQueued));
  d.tasks.reserve_ids_below(4);
  return d;
}

struct Origin {
  bool hello_refused = false, subscribed = false;
  RequestOrigin from{.connection = 9, .hello_refused = hello_refused, .subscribed = subscribed};
};

HandlerResult run(FakeDaemon& d, const json& request, Origin& origin) {
  auto parsed = ptt::protocol::parse_request(request);
  REQUIRE(std::holds_alternative<ptt::protocol::Request>(parsed));
  return handle_request(d, origin.from, 7, std::get<ptt::protocol::Request>(parsed));
}

HandlerResult run(FakeDaemon& d, const json& request) {
  Origin origin;
  return run(d, request, origin);
}

template <typename Reply>
Reply reply_of(const HandlerResult& result) {
  REQUIRE(std::holds_alternative<ptt::protocol::Reply>(result));
  const auto& reply = std::get<ptt::protocol::Reply>(result);
  REQUIRE(std::holds_alternative<Reply>(reply));
  return std::get<Reply>(reply);
}

std::string refusal(FakeDaemon& d, const json& request) {
  try {
    run(d, request);
  } catch (const RequestRejected& e) {
    return std::string(e.code);
  }
  return "accepted";
}

}  // namespace

TEST_CASE("handlers: hello tells the version, and another version is refused and marks the connection") {
  FakeDaemon d;
  Origin origin;
  auto hello = reply_of<ptt::protocol::HelloReply>(
      run(d, {{"op", "hello"}, {"version", ptt::protocol::kVersion}}, origin));
  CHECK(hello.version == ptt::protocol::kVersion);
  CHECK(hello.server.rfind("ptt-taskd ", 0) == 0);
  CHECK_FALSE(origin.hello_refused);
  CHECK_THROWS_AS(run(d, {{"op", "hello"}, {"version", ptt::protocol::kVersion + 1}}, origin),
                  RequestRejected);
  CHECK(origin.hello_refused);
}

TEST_CASE("handlers: spawn, follow_up and retry reply with the new task's record") {
  FakeDaemon d = daemon_with_tasks();
  auto spawned = reply_of<ptt::protocol::TaskReply>(
      run(d, {{"op", "spawn"}, {"prompt", "fix it"}, {"cwd", "/src"}, {"after", {1, "two"}}}));
  CHECK(spawned.task.id == 4);
  CHECK(spawned.task.prompt == "fix it");
  CHECK(spawned.task.after == std::vector<std::int64_t>{1, 2});
  CHECK(*d.tasks.find(4) == spawned.task);
  auto follow_up =
      reply_of<ptt::protocol::TaskReply>(run(d, {{"op", "follow_up"}, {"task", 1}, {"prompt", "more"}}));
  CHECK(follow_up.task.parent == 1);
  CHECK(follow_up.task.resume_session == "s-1");
  auto retry = reply_of<ptt::protocol::TaskReply>(run(d, {{"op", "retry"}, {"task", "one"}}));
  CHECK(retry.task.retry_of == 1);
  CHECK(retry.task.prompt == "task 1");
  // What needs the daemon's state is refused with its code.
  CHECK(refusal(d, {{"op", "spawn"}, {"prompt", "x"}, {"cwd", "/src"}, {"name", "two"}}) ==
        "invalid_argument");
  CHECK(refusal(d, {{"op", "spawn"}, {"prompt", "x"}, {"cwd", "/src"}, {"after", {99}}}) == "not_found");
  CHECK(refusal(d, {{"op", "follow_up"}, {"task", 2}, {"prompt", "x"}}) == "not_finished");
  CHECK(refusal(d, {{"op", "retry"}, {"task", 3}}) == "not_finished");
  // The prompt goes on the agent's stdin: over MAX_ARG_STRLEN is fine, over 1 MiB is not.
  CHECK(refusal(d, {{"op", "spawn"}, {"prompt", std::string(200'000, 'x')}, {"cwd", "/src"}}) == "accepted");
  CHECK(refusal(d, {{"op", "spawn"}, {"prompt", std::string((1 << 20) + 1, 'x')}, {"cwd", "/src"}}) ==
        "too_long");
}

TEST_CASE("handlers: list answers with the tasks' ids for the fast path, in the view asked for") {
  FakeDaemon d = daemon_with_tasks();
  auto all = run(d, {{"op", "list"}});
  REQUIRE(std::holds_alternative<TasksById>(all));
  CHECK(std::get<TasksById>(all).ids == std::vector<TaskId>{1, 2, 3});
  CHECK(std::get<TasksById>(all).view == ptt::protocol::RecordView::kFull);
  auto running = run(d, {{"op", "list"}, {"state", "running"}, {"view", "table"}});
  REQUIRE(std::holds_alternative<TasksById>(running));
  CHECK(std::get<TasksById>(running).ids == std::vector<TaskId>{2});
  CHECK(std::get<TasksById>(running).view == ptt::protocol::RecordView::kTable);
}

TEST_CASE("handlers: get and result reply with the record (and the result's text)") {
  FakeDaemon d = daemon_with_tasks();
  CHECK(reply_of<ptt::protocol::TaskReply>(run(d, {{"op", "get"}, {"task", "two"}})).task.id == 2);
  auto result = reply_of<ptt::protocol::ResultReply>(run(d, {{"op", "result"}, {"task", 1}}));
  CHECK(result.text == "done 1");
  CHECK(refusal(d, {{"op", "result"}, {"task", 2}}) == "not_finished");
  CHECK(refusal(d, {{"op", "get"}, {"task", 99}}) == "not_found");
}

TEST_CASE("handlers: cancel says what it cancelled, with the record for one task") {
  FakeDaemon d = daemon_with_tasks();
  auto finished = reply_of<ptt::protocol::CancelReply>(run(d, {{"op", "cancel"}, {"task", 1}}));
  CHECK(finished.cancelled.empty());
  REQUIRE(finished.task);
  CHECK(finished.task->state == TaskState::kSucceeded);
  auto all = reply_of<ptt::protocol::CancelReply>(run(d, {{"op", "cancel"}, {"all", true}}));
  CHECK(all.cancelled == std::vector<std::int64_t>{2, 3});
  CHECK_FALSE(all.task);
  CHECK(d.cancels.back() == std::vector<TaskId>{2, 3});
  CHECK(d.tasks.find(3)->state == TaskState::kCancelled);
}

TEST_CASE("handlers: wait replies later, logs after the follower is set, shutdown after its reply") {
  FakeDaemon d = daemon_with_tasks();
  CHECK(std::holds_alternative<Deferred>(run(d, {{"op", "wait"}, {"tasks", {1, "two"}}})));
  REQUIRE(d.waits.size() == 1);
  CHECK(d.waits[0].connection == 9);
  CHECK(d.waits[0].request_id == 7);
  CHECK(d.waits[0].tasks == std::vector<TaskId>{1, 2});
  CHECK(std::holds_alternative<Deferred>(run(d, {{"op", "wait"}, {"all", true}})));
  CHECK(d.waits[1].tasks == std::vector<TaskId>{2, 3});
  CHECK(refusal(d, {{"op", "wait"}, {"tasks", {99}}}) == "not_found");

  auto logs = reply_of<ptt::protocol::LogsReply>(run(d, {{"op", "logs"}, {"task", 2}, {"follow", true}}));
  CHECK(logs.task.id == 2);
  CHECK(logs.path == "/state/logs/2/stream.ndjson");
  REQUIRE(d.follows.size() == 1);
  CHECK(d.follows[0].follow);
  CHECK(d.follows[0].from_offset == 0);
  run(d, {{"op", "logs"}, {"task", 2}, {"follow", true}, {"from_offset", 4096}});
  REQUIRE(d.follows.size() == 2);
  CHECK(d.follows[1].from_offset == 4096);

  CHECK_FALSE(d.shutting_down);
  reply_of<ptt::protocol::ShutdownReply>(run(d, {{"op", "shutdown"}}));
  CHECK(d.shutting_down);
}

TEST_CASE("handlers: subscribe marks the connection and replies with the unfinished tasks") {
  FakeDaemon d = daemon_with_tasks();
  Origin origin;
  auto reply = reply_of<ptt::protocol::TasksReply>(run(d, {{"op", "subscribe"}}, origin));
  CHECK(origin.subscribed);
  REQUIRE(reply.tasks.size() == 2);
  CHECK(reply.tasks[0].id == 2);
  CHECK(reply.tasks[1].id == 3);
}

TEST_CASE("handlers: clean replies with what it forgot") {
  FakeDaemon d = daemon_with_tasks();
  auto clean = reply_of<ptt::protocol::CleanReply>(run(d, {{"op", "clean"}, {"state", "succeeded"}}));
  CHECK(clean.removed == std::vector<std::int64_t>{1});
  CHECK_FALSE(d.tasks.find(1));
}

TEST_CASE("handlers: queue_resume ends the hold; get, spawn and subscribe carry it while it lasts") {
  FakeDaemon d = daemon_with_tasks();
  CHECK_FALSE(reply_of<ptt::protocol::TaskReply>(run(d, {{"op", "get"}, {"task", 2}})).queue_hold);
  d.hold = ptt::protocol::QueueHold{.until = kNow + 60, .task = 2, .rate_limit_type = "five_hour"};
  CHECK(reply_of<ptt::protocol::TaskReply>(run(d, {{"op", "get"}, {"task", 2}})).queue_hold == d.hold);
  CHECK(reply_of<ptt::protocol::TasksReply>(run(d, {{"op", "subscribe"}})).queue_hold == d.hold);
  auto held = *d.hold;
  CHECK(reply_of<ptt::protocol::QueueResumeReply>(run(d, {{"op", "queue_resume"}})).released == held);
  CHECK_FALSE(d.hold);
  // Not held: nothing to release, and still ok.
  CHECK_FALSE(reply_of<ptt::protocol::QueueResumeReply>(run(d, {{"op", "queue_resume"}})).released);
}

TEST_CASE("handlers: pending lists the open questions; answer_permission resolves the task first",
          "[approvals]") {
  FakeDaemon d = daemon_with_tasks();
  CHECK(reply_of<ptt::protocol::PendingReply>(run(d, {{"op", "pending"}})).questions.empty());
  d.questions.push_back(
      {.task = 2, .request = "r1", .tool = "Bash", .input = {}, .summary = "curl x", .requested_at = kNow});
  CHECK(reply_of<ptt::protocol::PendingReply>(run(d, {{"op", "pending"}})).questions == d.questions);
  CHECK(refusal(d, {{"op", "answer_permission"}, {"task", 99}, {"allow", true}}) == "not_found");
  CHECK(d.answers.empty());
  auto reply = reply_of<ptt::protocol::AnswerPermissionReply>(
      run(d, {{"op", "answer_permission"}, {"task", "two"}, {"allow", true}, {"always", true}}));
  CHECK(reply.request == "r1");
  REQUIRE(d.answers.size() == 1);
  CHECK(d.answers[0].first == 2);
  CHECK(d.answers[0].second.always);
  d.questions.clear();
  CHECK(refusal(d, {{"op", "answer_permission"}, {"task", 2}, {"allow", false}}) == "no_question");
}
