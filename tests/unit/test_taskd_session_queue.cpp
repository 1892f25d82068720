// Tasks that resume one Claude session run one after another (docs/taskd.md, Follow-ups of
// one session), and a resumed run's own cost leaves out what the session's earlier runs cost.
#include <catch2/catch.hpp>

#include <algorithm>

#include "agent_result_of.h"
#include "task_table_fixture.h"
#include "taskd/task_table.h"

using namespace ptt::taskd;
using ptt::protocol::TaskRecord;
using ptt::protocol::TaskState;
using Kind = TableAction::Kind;
using namespace ptt::taskd::test;

namespace {

SpawnRequest follow_up(TaskId parent, std::string session = "S") {
  SpawnRequest r = spawn_request("more");
  r.parent = parent;
  r.resume_session = std::move(session);
  return r;
}

bool announced(const TableActions& actions, TaskId id, const std::string& event) {
  return has(actions, Kind::kEmit, id, event);
}

// The run's result line: the CLI's total_cost_usd (the session's total after --resume).
void ends_with_result(TaskTable& table, TaskId id, std::string session, double session_total,
                      nlohmann::json model_usage = nullptr) {
  TableActions a;
  table.agent_started(id, 100 + static_cast<int>(id), a);
  StreamUpdate u;
  u.session_id = std::move(session);
  u.result = agent_result_of("success", false, "done", session_total, 1, 10);
  u.result->session_cost_usd = session_total;
  u.result->model_usage = std::move(model_usage);
  table.stream_update(id, u, a);
  table.agent_exited(id, AgentExit{0, 0, 0, false}, "", 10.0, a);
}

// A finished task 1 whose Claude session is "S", in a table that runs up to 4 at once.
TaskTable with_finished_session() {
  TaskTable table(4);
  TableActions a;
  table.spawn(spawn_request("first"), 1.0, a);
  ends_with_result(table, 1, "S", 0.01);
  return table;
}

std::string activity(const TaskTable& table, TaskId id) {
  auto a = table.find(id)->activity;
  return a ? *a : "(none)";
}

}  // namespace

TEST_CASE("follow-ups of one session run one after another; other tasks run meanwhile", "[taskd][table]") {
  TaskTable table = with_finished_session();
  TableActions a;
  table.spawn(follow_up(1), 2.0, a);
  table.spawn(follow_up(1), 2.0, a);
  table.spawn(spawn_request("unrelated"), 2.0, a);
  table.spawn(follow_up(1), 2.0, a);
  CHECK(started(a) == std::vector<TaskId>{2, 4});
  // Each waits for the latest earlier task of its session: the queue reads as a chain.
  CHECK(table.find(3)->state == TaskState::kQueued);
  CHECK(activity(table, 3) == "waits for task 2 (same session)");
  CHECK(announced(a, 3, "activity"));
  CHECK(activity(table, 5) == "waits for task 3 (same session)");
  CHECK(activity(table, 2) == "(none)");  // started at once: no note

  TableActions b;
  ends_with_result(table, 4, "U", 0.01);  // another session's end moves nothing
  table.schedule(11.0, b);
  CHECK(started(b).empty());
  ends_with_result(table, 2, "S", 0.02);
  TableActions c;
  table.schedule(12.0, c);
  CHECK(table.find(3)->state == TaskState::kStarting);
  CHECK(activity(table, 3) == "(none)");  // the note goes when it starts
  CHECK(activity(table, 5) == "waits for task 3 (same session)");
  ends_with_result(table, 3, "S", 0.03);
  CHECK(table.find(5)->state == TaskState::kStarting);
  CHECK(*table.find(5)->started_at >= *table.find(3)->finished_at);
}

TEST_CASE("a retry that resumes the session waits too, and so does a later follow-up for it",
          "[taskd][table]") {
  TaskTable table = with_finished_session();
  TableActions a;
  table.spawn(follow_up(1), 2.0, a);  // 2 runs
  SpawnRequest retry = follow_up(1);
  retry.retry_of = 2;
  table.spawn(std::move(retry), 2.0, a);  // 3: a retry of a follow-up resumes "S" too
  CHECK(started(a) == std::vector<TaskId>{2});
  CHECK(activity(table, 3) == "waits for task 2 (same session)");
  // A task of another session that happens to be its session's only user runs at once.
  table.spawn(follow_up(1, "T"), 2.0, a);
  CHECK(table.find(4)->state == TaskState::kStarting);
}

TEST_CASE("a cancel of the earlier task lets the next one go, and a changed wait is announced",
          "[taskd][table]") {
  TaskTable table = with_finished_session();
  TableActions a;
  table.spawn(follow_up(1), 2.0, a);  // 2 runs
  table.spawn(follow_up(1), 2.0, a);  // 3 waits for 2
  table.spawn(follow_up(1), 2.0, a);  // 4 waits for 3
  TableActions b;
  table.cancel(3, 3.0, b);  // a queued one: 4 now waits for 2
  CHECK(table.find(3)->state == TaskState::kCancelled);
  CHECK(activity(table, 3) == "(none)");  // a finished task keeps no note of its wait
  CHECK(activity(table, 4) == "waits for task 2 (same session)");
  CHECK(announced(b, 4, "activity"));
  TableActions c;
  table.agent_started(2, 99, c);
  table.cancel(2, 4.0, c);  // the running one: 4 goes once its agent has exited
  CHECK(table.find(4)->state == TaskState::kQueued);
  TableActions d;
  table.agent_exited(2, AgentExit{143, 15, 0, true}, "", 5.0, d);
  CHECK(table.find(2)->state == TaskState::kCancelled);
  CHECK(started(d) == std::vector<TaskId>{4});
}

TEST_CASE("a failed dependency ends a waiting follow-up without its note", "[taskd][table]") {
  TaskTable table = with_finished_session();
  TableActions a;
  table.spawn(follow_up(1), 2.0, a);           // 2 runs
  table.spawn(spawn_request("gate"), 2.0, a);  // 3 runs
  SpawnRequest s = follow_up(1);
  s.after = {3};
  table.spawn(std::move(s), 2.0, a);  // 4 waits for 2 (and 3)
  CHECK(activity(table, 4) == "waits for task 2 (same session)");
  TableActions b;
  table.agent_exited(3, AgentExit{1, 0, 0, false}, "", 3.0, b);
  CHECK(table.find(4)->state == TaskState::kFailed);
  CHECK(activity(table, 4) == "(none)");
}

TEST_CASE("a restarted daemon keeps the order: the loaded queue waits for the running task",
          "[taskd][table]") {
  TaskTable before = with_finished_session();
  TableActions a;
  before.spawn(follow_up(1), 2.0, a);
  before.spawn(follow_up(1), 2.0, a);
  TaskRecord running = *before.find(2), waiting = *before.find(3);
  REQUIRE(waiting.activity);            // persisted with its note
  running.state = TaskState::kRunning;  // as recovery finds it in its supervisor status

  TaskTable after(4);
  after.load(*before.find(1));
  after.load(running);
  after.load(waiting);
  TableActions b;
  after.schedule(20.0, b);
  CHECK(started(b).empty());
  CHECK(b.empty());  // the note is already right: nothing to announce
  TableActions c;
  after.agent_exited(2, AgentExit{0, 0, 0, false}, "", 21.0, c);
  CHECK(started(c) == std::vector<TaskId>{3});

  // A note left from before a restart, whose task has ended since, goes.
  TaskTable later(1);
  later.load(*before.find(1));
  TaskRecord busy = *before.find(3);
  busy.id = 4;
  busy.resume_session.reset();  // no wait, only the concurrency limit
  busy.state = TaskState::kRunning;
  later.load(busy);
  later.load(waiting);
  TableActions d;
  later.schedule(22.0, d);
  CHECK(later.find(3)->state == TaskState::kQueued);
  CHECK(activity(later, 3) == "(none)");
  CHECK(announced(d, 3, "activity"));
}

TEST_CASE("a resumed run's own cost leaves out every earlier run of its session", "[taskd][table]") {
  const nlohmann::json usage_1 = {{"m", {{"inputTokens", 100}, {"costUSD", 0.01}, {"contextWindow", 1000}}}};
  TaskTable table(4);
  TableActions a;
  table.spawn(spawn_request("first"), 1.0, a);
  ends_with_result(table, 1, "S", 0.01, usage_1);
  table.spawn(follow_up(1), 2.0, a);  // 2
  table.spawn(follow_up(1), 2.0, a);  // 3, after 2: its session total counts 1 and 2
  ends_with_result(table, 2, "S", 0.03,
                   {{"m", {{"inputTokens", 300}, {"costUSD", 0.03}, {"contextWindow", 1000}}}});
  CHECK(table.find(2)->result->cost_usd == Approx(0.02));
  ends_with_result(table, 3, "S", 0.06,
                   {{"m", {{"inputTokens", 600}, {"costUSD", 0.06}, {"contextWindow", 1000}}},
                    {"small", {{"inputTokens", 5}}}});
  const auto third_task = table.find(3);  // a copy of the record: keep it while reading
  const auto& third = *third_task->result;
  CHECK(third.cost_usd == Approx(0.03));
  CHECK(third.session_cost_usd == Approx(0.06));
  CHECK(third.model_usage["m"]["inputTokens"] == 300);
  CHECK(third.model_usage["m"]["contextWindow"] == 1000);
  CHECK(third.model_usage["small"]["inputTokens"] == 5);

  // A retry of follow-up 2 resumes a session that holds 2's and 3's turns too.
  SpawnRequest retry = follow_up(1);
  retry.retry_of = 2;
  table.spawn(std::move(retry), 3.0, a);  // 4
  ends_with_result(table, 4, "S", 0.10,
                   {{"m", {{"inputTokens", 1000}, {"costUSD", 0.10}, {"contextWindow", 1000}}},
                    {"small", {{"inputTokens", 5}}}});
  CHECK(table.find(4)->result->cost_usd == Approx(0.04));
  CHECK(table.find(4)->result->model_usage["m"]["inputTokens"] == 400);
  CHECK(table.find(4)->result->model_usage["small"]["inputTokens"] == 0);

  // A figure below the session's earlier total: the CLI counted from zero, so it is the run's own.
  table.spawn(follow_up(1), 4.0, a);  // 5
  ends_with_result(table, 5, "S", 0.005);
  CHECK(table.find(5)->result->cost_usd == Approx(0.005));
}
