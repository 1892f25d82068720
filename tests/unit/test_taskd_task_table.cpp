#include <catch2/catch.hpp>

#include <algorithm>

#include "agent_result_of.h"
#include "task_table_fixture.h"
#include "taskd/task_table.h"

using namespace ptt::taskd;
using ptt::protocol::TaskState;
using Kind = TableAction::Kind;
using namespace ptt::taskd::test;

namespace {

AgentExit exited(int code) { return AgentExit{code, 0, 0, false}; }

StreamUpdate success_result() {
  StreamUpdate u;
  u.result = agent_result_of("success", false, "done", 0.01, 2, 100);
  return u;
}

}  // namespace

TEST_CASE("spawn creates, persists, announces and starts within the limit", "[taskd][table]") {
  TaskTable table(2);
  TableActions a;
  TaskId id = table.spawn(spawn_request("one"), 100.0, a);
  CHECK(id == 1);
  // The start is not persisted in the record (the supervisor status file has it).
  CHECK(a == TableActions{{Kind::kPersist, 1, ""}, {Kind::kEmit, 1, "created"}, {Kind::kStartAgent, 1, ""}});
  CHECK(table.find(1)->state == TaskState::kStarting);
  CHECK(table.find(1)->started_at == 100.0);
  // Running once its agent has started, and only then announced as started.
  TableActions b;
  table.agent_started(1, 4242, b);
  CHECK(b == TableActions{{Kind::kEmit, 1, "started"}});
  CHECK(table.find(1)->state == TaskState::kRunning);
  CHECK(table.find(1)->pid == 4242);
  TableActions again;
  table.agent_started(1, 4242, again);
  CHECK(again.empty());
}

TEST_CASE("an agent that writes its stream has started, even before its pid is read", "[taskd][table]") {
  TaskTable table(1);
  TableActions a;
  table.spawn(spawn_request("one"), 1.0, a);
  TableActions b;
  StreamUpdate init;
  init.session_id = std::string("session-1");
  table.stream_update(1, init, b);
  CHECK(b == TableActions{{Kind::kEmit, 1, "started"}});
  CHECK(table.find(1)->state == TaskState::kRunning);
}

TEST_CASE("an agent that never started: starting, then failed, never running", "[taskd][table]") {
  TaskTable table(1);
  TableActions a;
  table.spawn(spawn_request("one"), 1.0, a);
  TableActions b;
  table.agent_exited(1, AgentExit{127, 0, 2, false}, "cannot run", 2.0, b);
  CHECK(table.find(1)->state == TaskState::kFailed);
  CHECK(table.find(1)->reason == "agent_missing");
  CHECK_FALSE(has(b, Kind::kEmit, 1, "started"));
}

TEST_CASE("the queue is FIFO under the concurrency limit", "[taskd][table]") {
  TaskTable table(2);
  TableActions a;
  for (int i = 0; i < 5; ++i) table.spawn(spawn_request("t"), 1.0, a);
  CHECK(started(a) == std::vector<TaskId>{1, 2});
  CHECK(table.running_count() == 2);
  CHECK(table.find(3)->state == TaskState::kQueued);

  TableActions b;
  table.stream_update(2, success_result(), b);
  table.agent_exited(2, exited(0), "", 2.0, b);
  CHECK(table.find(2)->state == TaskState::kSucceeded);
  CHECK(started(b) == std::vector<TaskId>{3});
  TableActions c;
  table.agent_exited(1, exited(1), "oops", 3.0, c);
  CHECK(started(c) == std::vector<TaskId>{4});
  CHECK(table.find(1)->reason == "exit_code");
  CHECK(table.find(1)->stderr_tail == "oops");
  CHECK(has(c, Kind::kEmit, 1, "finished"));
}

TEST_CASE("after: a task waits for its dependencies to succeed", "[taskd][table]") {
  TaskTable table(4);
  TableActions a;
  table.spawn(spawn_request("build"), 1.0, a);
  table.spawn(spawn_request("test", {1}), 1.0, a);
  CHECK(started(a) == std::vector<TaskId>{1});
  CHECK(table.find(2)->state == TaskState::kQueued);
  TableActions b;
  table.stream_update(1, success_result(), b);
  table.agent_exited(1, exited(0), "", 2.0, b);
  CHECK(started(b) == std::vector<TaskId>{2});
}

TEST_CASE("a failed dependency fails the whole chain", "[taskd][table]") {
  TaskTable table(4);
  TableActions a;
  table.spawn(spawn_request("build"), 1.0, a);
  table.spawn(spawn_request("test", {1}), 1.0, a);
  table.spawn(spawn_request("deploy", {2}), 1.0, a);
  table.spawn(spawn_request("independent"), 1.0, a);
  TableActions b;
  table.agent_exited(1, exited(2), "", 2.0, b);
  CHECK(table.find(2)->state == TaskState::kFailed);
  CHECK(table.find(2)->reason == "dependency failed");
  CHECK(table.find(3)->reason == "dependency failed");
  CHECK(started(b).empty());
  CHECK(has(b, Kind::kEmit, 3, "finished"));
}

TEST_CASE("cancel: a queued task at once, a running one via its agent", "[taskd][table]") {
  TaskTable table(1);
  TableActions a;
  table.spawn(spawn_request("run"), 1.0, a);
  table.spawn(spawn_request("wait"), 1.0, a);
  TableActions b;
  table.cancel(2, 2.0, b);
  CHECK(table.find(2)->state == TaskState::kCancelled);
  CHECK(has(b, Kind::kEmit, 2, "finished"));
  TableActions running;
  table.agent_started(1, 77, running);
  TableActions c;
  table.cancel(1, 3.0, c);
  CHECK(c == TableActions{{Kind::kCancelAgent, 1, ""}, {Kind::kEmit, 1, "activity"}});
  CHECK(table.find(1)->state == TaskState::kRunning);
  CHECK(table.find(1)->cancel_requested);  // shown as `cancelling` until the agent exits
  TableActions again;
  table.cancel(1, 3.5, again);
  CHECK(again.empty());  // one cancel request per task
  TableActions d;
  table.agent_exited(1, AgentExit{143, 15, 0, true}, "", 4.0, d);
  CHECK(table.find(1)->state == TaskState::kCancelled);
  CHECK(table.find(1)->reason == "cancelled");
}

TEST_CASE("cancel while starting: cancelled at once without running, and the queue moves on",
          "[taskd][table]") {
  TaskTable table(1);
  TableActions a;
  table.spawn(spawn_request("early"), 1.0, a);
  table.spawn(spawn_request("next"), 1.0, a);
  CHECK(has(a, Kind::kStartAgent, 1));
  REQUIRE(table.find(1)->state == TaskState::kStarting);
  TableActions b;
  table.cancel(1, 1.5, b);  // no round trip to the agent: it has none yet
  CHECK(table.find(1)->state == TaskState::kCancelled);
  CHECK(table.find(1)->reason == "cancelled");
  CHECK_FALSE(table.find(1)->exit_code);  // it never ran
  CHECK(has(b, Kind::kEmit, 1, "finished"));
  CHECK(has(b, Kind::kCancelAgent, 1));  // a supervisor starting it right now stops it
  CHECK(has(b, Kind::kStartAgent, 2));
  CHECK(table.find(2)->state == TaskState::kStarting);
  // What the stopped start reports later changes nothing.
  TableActions late;
  table.agent_started(1, 88, late);
  table.agent_exited(1, AgentExit{143, 15, 0, true}, "", 2.0, late);
  CHECK(table.find(1)->state == TaskState::kCancelled);
  CHECK_FALSE(has(late, Kind::kEmit, 1, "started"));
}

TEST_CASE("stream updates fill the record unpersisted; a new activity is announced", "[taskd][table]") {
  TaskTable table;
  TableActions a;
  table.spawn(spawn_request("x"), 1.0, a);
  table.agent_started(1, 5, a);
  StreamUpdate init;
  init.session_id = std::string("session-1");
  init.model = std::string("claude-test-model");
  TableActions b;
  std::uint64_t before = table.revision(1);
  table.stream_update(1, init, b);
  CHECK(b.empty());                   // kept in memory only: a restart reads the stream again
  CHECK(table.revision(1) > before);  // but changed: copies of the record are stale
  CHECK(table.find(1)->model == "claude-test-model");
  StreamUpdate act;
  act.activity = "Bash: make";
  TableActions c;
  table.stream_update(1, act, c);
  CHECK(has(c, Kind::kEmit, 1, "activity"));
  TableActions same;
  table.stream_update(1, act, same);
  CHECK(same.empty());
  CHECK(table.find(1)->session_id == "session-1");
}

TEST_CASE("every change to a record bumps its revision, with or without an action", "[taskd][table]") {
  TaskTable table(1);
  CHECK(table.revision(1) == 0);  // no such task
  TableActions a;
  table.spawn(spawn_request("x"), 1.0, a);
  table.spawn(spawn_request("y"), 1.0, a);
  std::uint64_t spawned = table.revision(1);
  CHECK(spawned > 0);
  CHECK(table.revision(2) != spawned);

  TableActions none;
  table.agent_started(1, 4242, none);
  none.clear();
  CHECK(table.revision(1) > spawned);
  std::uint64_t started = table.revision(1);
  StreamUpdate model;
  model.model = std::string("claude-test-model");
  table.stream_update(1, model, none);
  CHECK(none.empty());
  CHECK(table.revision(1) > started);

  std::uint64_t before_cancel = table.revision(1);
  table.cancel(1, 2.0, none);
  CHECK(table.revision(1) > before_cancel);
  std::uint64_t queued = table.revision(2);
  table.agent_exited(1, AgentExit{143, 15, 0, true}, "", 3.0, none);
  CHECK(table.revision(2) > queued);  // it started in the freed slot
  CHECK(table.revision(1) > before_cancel);

  std::uint64_t unchanged = table.revision(1);
  table.find(1);
  table.resolve(1);
  CHECK(table.revision(1) == unchanged);  // reading is no change
}

TEST_CASE("outcomes: max turns, api error, missing agent, lost supervisor", "[taskd][table]") {
  TaskTable table(8);
  TableActions a;
  for (int i = 0; i < 4; ++i) table.spawn(spawn_request("t"), 1.0, a);
  StreamUpdate turns;
  turns.result = agent_result_of("error_max_turns", true, "", 0.2, 3, 10);
  table.stream_update(1, turns, a);
  table.agent_exited(1, exited(1), "", 2.0, a);
  CHECK(table.find(1)->reason == "error_max_turns");
  CHECK_FALSE(table.find(1)->stderr_tail);  // a result line explains it; no stderr needed
  StreamUpdate api;
  api.api_error = true;
  api.result = agent_result_of("success", true, "API Error", 0, 1, 10);
  table.stream_update(2, api, a);
  table.agent_exited(2, exited(1), "", 2.0, a);
  CHECK(table.find(2)->reason == "api_error");
  table.agent_exited(3, AgentExit{127, 0, 2, false}, "cannot run", 2.0, a);
  CHECK(table.find(3)->reason == "agent_missing");
  table.fail_running(4, reason_text(ptt::protocol::FailureReason::kSupervisorLost), "", 2.0, a);
  CHECK(table.find(4)->reason == "supervisor_lost");
  CHECK(table.running_count() == 0);
}

TEST_CASE("clean forgets finished tasks except live dependencies, ids are never reused", "[taskd][table]") {
  TaskTable table(1);
  TableActions a;
  table.spawn(spawn_request("a"), 1.0, a);
  table.stream_update(1, success_result(), a);
  table.agent_exited(1, exited(0), "", 2.0, a);     // 1 succeeded
  table.spawn(spawn_request("b"), 1.0, a);          // 2 running
  table.spawn(spawn_request("c", {1, 2}), 1.0, a);  // 3 waits for 1 and 2
  TableActions b;
  CHECK(table.clean(b).empty());  // 1 is still needed by 3
  table.stream_update(2, success_result(), a);
  table.agent_exited(2, exited(0), "", 3.0, a);
  table.cancel(3, 3.0, a);
  table.agent_exited(3, AgentExit{143, 15, 0, true}, "", 4.0, a);
  TableActions c;
  CHECK(table.clean(c) == std::vector<TaskId>{1, 2, 3});
  CHECK(has(c, Kind::kForget, 2));
  CHECK(c.front() == TableAction{Kind::kSaveNextId, 0, ""});  // the counter is saved before records go
  CHECK(table.size() == 0);
  TableActions d;
  CHECK(table.spawn(spawn_request("d"), 5.0, d) == 4);

  TaskTable restarted;
  restarted.reserve_ids_below(5);
  ptt::protocol::TaskRecord old;
  old.id = 2;
  restarted.load(old);
  CHECK(restarted.spawn(spawn_request("e"), 6.0, d) == 5);
}

TEST_CASE("tasks resolve by id, numeric string or newest name", "[taskd][table]") {
  TaskTable table(0);
  TableActions a;
  auto named = spawn_request("x");
  named.name = "fix";
  table.spawn(named, 1.0, a);
  table.spawn(named, 1.0, a);
  CHECK(table.resolve(1) == 1);
  CHECK(table.resolve("2") == 2);
  CHECK(table.resolve("fix") == 2);
  CHECK_FALSE(table.resolve(9));
  CHECK_FALSE(table.resolve("nope"));
  CHECK_FALSE(table.resolve(nlohmann::json::array()));
}

TEST_CASE("clean with a filter: only that end state, only those finished before a time", "[taskd][table]") {
  TaskTable table(4);
  TableActions a;
  for (const char* p : {"ok-early", "fail", "ok-late", "running"}) table.spawn(spawn_request(p), 1.0, a);
  StreamUpdate success;
  success.result = agent_result_of("success", false, "done", 0.01, 1, 10);
  table.stream_update(1, success, a);
  table.stream_update(3, success, a);
  table.agent_exited(1, AgentExit{0, 0, 0, false}, "", 10.0, a);
  table.agent_exited(2, AgentExit{1, 0, 0, false}, "", 10.0, a);
  table.agent_exited(3, AgentExit{0, 0, 0, false}, "", 50.0, a);
  REQUIRE(table.find(2)->state == TaskState::kFailed);
  TableActions b;
  CHECK(table.clean(b, {TaskState::kRunning, std::nullopt}).empty());  // never an unfinished task
  CHECK(table.clean(b, {std::nullopt, 20.0}) == std::vector<TaskId>{1, 2});
  CHECK(table.clean(b, {TaskState::kFailed, std::nullopt}).empty());
  CHECK(table.clean(b, {TaskState::kSucceeded, std::nullopt}) == std::vector<TaskId>{3});
  CHECK(table.find(4));
}

TEST_CASE("a name is unfinished-unique: a finished task's name is free again", "[taskd][table]") {
  TaskTable table(1);
  TableActions a;
  SpawnRequest r = spawn_request("named");
  r.name = "fix";
  table.spawn(r, 1.0, a);
  CHECK(table.unfinished_named("fix") == TaskId{1});
  CHECK_FALSE(table.unfinished_named("other"));
  table.agent_exited(1, AgentExit{0, 0, 0, false}, "", 2.0, a);
  CHECK_FALSE(table.unfinished_named("fix"));
  table.spawn(r, 3.0, a);
  CHECK(table.resolve("fix") == TaskId{2});  // the newest task with the name
}

TEST_CASE("an agent ended after its result keeps the result's outcome; a cancel asked for still cancels",
          "[taskd][table]") {
  TaskTable table(2);
  TableActions a;
  table.spawn(spawn_request("hangs after its result"), 1.0, a);
  table.spawn(spawn_request("cancelled after its result"), 1.0, a);
  table.agent_started(1, 71, a);
  table.agent_started(2, 72, a);
  table.stream_update(1, success_result(), a);
  table.stream_update(2, success_result(), a);
  // Task 1: the daemon ended it (its agent did not exit): the supervisor reports a cancel.
  table.agent_exited(1, AgentExit{143, 15, 0, true}, "", 2.0, a);
  CHECK(table.find(1)->state == TaskState::kSucceeded);
  CHECK(table.find(1)->exit_code == 143);
  // Task 2: someone cancelled it.
  table.cancel(2, 2.0, a);
  table.agent_exited(2, AgentExit{143, 15, 0, true}, "", 3.0, a);
  CHECK(table.find(2)->state == TaskState::kCancelled);
}

TEST_CASE("a stall: reported with its activity, given back when output comes; with kill, cancelled stalled",
          "[taskd][table]") {
  TaskTable table(2);
  TableActions a;
  table.spawn(spawn_request("quiet"), 1.0, a);
  table.spawn(spawn_request("killed"), 1.0, a);
  table.agent_started(1, 71, a);
  table.agent_started(2, 72, a);
  StreamUpdate tool;
  tool.activity = "Bash: npm test";
  table.stream_update(1, tool, a);
  TableActions s;
  table.stalled(1, "stalled: no output for 10 min", false, s);
  CHECK(s == TableActions{{Kind::kEmit, 1, "stalled"}});
  CHECK(table.find(1)->activity == "stalled: no output for 10 min");
  CHECK_FALSE(table.find(1)->cancel_requested);
  TableActions r;
  table.output_resumed(1, r);
  CHECK(r == TableActions{{Kind::kEmit, 1, "activity"}});
  CHECK(table.find(1)->activity == "Bash: npm test");
  TableActions none;
  table.output_resumed(1, none);  // once
  CHECK(none.empty());

  TableActions k;
  table.stalled(2, "stalled: no output for 10 min", true, k);
  CHECK(k == TableActions{{Kind::kEmit, 2, "stalled"}, {Kind::kCancelAgent, 2, ""}});
  CHECK(table.find(2)->cancel_requested);
  table.agent_exited(2, AgentExit{143, 15, 0, true}, "", 2.0, k);
  CHECK(table.find(2)->state == TaskState::kCancelled);
  CHECK(table.find(2)->reason == "stalled");
}

TEST_CASE(
    "a refused call and then no result line: permission_denied naming the call, exit code and stderr kept",
    "[taskd][table]") {
  TaskTable table(1);
  TableActions a;
  table.spawn(spawn_request("fetch"), 1.0, a);
  table.agent_started(1, 42, a);
  StreamUpdate call;
  call.tool_uses.push_back(ToolUse{"toolu_1", "Bash", "Bash: curl -s http://x"});
  call.activity = "Bash: curl -s http://x";
  table.stream_update(1, call, a);
  StreamUpdate refused;
  refused.denied = ptt::protocol::PermissionDenial{"Bash", "Bash", "toolu_1"};
  refused.activity = "refused: Bash";
  table.stream_update(1, refused, a);
  StreamUpdate later;  // another call after the refusal: the end still names the refused one
  later.activity = "Read notes.md";
  table.stream_update(1, later, a);
  table.agent_exited(1, exited(1), "Error: gave up", 2.0, a);
  auto t = table.find(1);
  CHECK(t->state == TaskState::kFailed);
  CHECK(t->reason == "permission_denied");
  CHECK(t->activity == "refused: Bash: curl -s http://x");
  CHECK(t->exit_code == 1);
  CHECK(t->stderr_tail == "Error: gave up");
  CHECK(!t->result);  // no result line came: none is made up
}

TEST_CASE("a held queue starts nothing; running tasks go on; a release starts what may start",
          "[taskd][table][rate_limit]") {
  TaskTable table(2);
  TableActions out;
  table.spawn(spawn_request("a"), 1, out);
  table.set_held(true, 2, out);
  out.clear();
  TaskId queued = table.spawn(spawn_request("b"), 3, out);
  CHECK(table.find(queued)->state == ptt::protocol::TaskState::kQueued);
  CHECK(std::none_of(out.begin(), out.end(),
                     [](const TableAction& a) { return a.kind == TableAction::Kind::kStartAgent; }));
  CHECK(table.find(1)->state == ptt::protocol::TaskState::kStarting);  // started before the hold
  // A task ending while held starts nobody.
  out.clear();
  table.fail_running(1, "x", "", 4, out);
  CHECK(table.find(queued)->state == ptt::protocol::TaskState::kQueued);
  out.clear();
  table.set_held(false, 5, out);
  CHECK(table.find(queued)->state == ptt::protocol::TaskState::kStarting);
  CHECK(out == TableActions{{TableAction::Kind::kStartAgent, queued, {}}});
}

TEST_CASE("listed: every unfinished task and only the newest N finished ones", "[taskd][table]") {
  TaskTable table(1);
  TableActions a;
  for (int i = 0; i < 6; ++i) table.spawn(spawn_request("t"), 1.0, a);
  // 1 and 2 finish (cancelled while queued or running), 3 runs, 4 and 6 finish, 5 waits.
  table.agent_started(1, 71, a);
  for (TaskId id : {2, 4, 6}) table.cancel(id, 2.0, a);
  table.agent_exited(1, exited(0), "", 3.0, a);
  REQUIRE(table.state(1) != std::nullopt);
  REQUIRE(ptt::protocol::is_finished(*table.state(1)));
  REQUIRE_FALSE(ptt::protocol::is_finished(*table.state(3)));
  REQUIRE_FALSE(ptt::protocol::is_finished(*table.state(5)));

  auto none = table.listed(std::nullopt, std::nullopt);
  CHECK(none.ids == std::vector<TaskId>{1, 2, 3, 4, 5, 6});
  CHECK(none.finished_omitted == 0);
  auto two = table.listed(std::nullopt, 2);
  CHECK(two.ids == std::vector<TaskId>{3, 4, 5, 6});
  CHECK(two.finished_omitted == 2);
  auto zero = table.listed(std::nullopt, 0);
  CHECK(zero.ids == std::vector<TaskId>{3, 5});
  CHECK(zero.finished_omitted == 4);
  auto plenty = table.listed(std::nullopt, 100);
  CHECK(plenty.ids == none.ids);
  CHECK(plenty.finished_omitted == 0);
  // With a state, the limit counts only the tasks in it.
  auto cancelled = table.listed(TaskState::kCancelled, 1);
  CHECK(cancelled.ids == std::vector<TaskId>{6});
  CHECK(cancelled.finished_omitted == 2);
}

TEST_CASE("a worktree task's changes go into its finished record; merged is recorded after",
          "[taskd][table]") {
  TaskTable table(4);
  TableActions a;
  SpawnRequest r = spawn_request("edit");
  r.worktree.emplace();
  r.worktree->repo = "/src";
  r.worktree->path = "/state/worktrees/src-1";
  r.worktree->branch = "ptt/1";
  table.spawn(std::move(r), 1.0, a);
  table.worktree_made(1, "abc", std::nullopt, a);
  TableActions b;
  table.stream_update(1, success_result(), b);
  table.worktree_changes(1, {.files = 2, .insertions = 5, .deletions = 1});
  table.agent_exited(1, exited(0), "", 2.0, b);
  CHECK(has(b, Kind::kEmit, 1, "finished"));
  auto done = table.find(1);
  REQUIRE(done->worktree->changes);
  CHECK(done->worktree->changes->files == 2);
  CHECK_FALSE(done->worktree->resolution);
  // Finished records no longer take changes; the resolution is persisted.
  table.worktree_changes(1, {.files = 9, .insertions = 0, .deletions = 0});
  TableActions c;
  table.resolve_worktree(1, "merged", c);
  CHECK(has(c, Kind::kPersist, 1));
  CHECK(has(c, Kind::kEmit, 1, "worktree"));  // subscribers learn it
  CHECK(table.find(1)->worktree->changes->files == 2);
  CHECK(table.find(1)->worktree->resolution == "merged");
  CHECK(table.state(1) == TaskState::kSucceeded);
  CHECK(table.live(1) == nullptr);  // kept as a finished task again
}
