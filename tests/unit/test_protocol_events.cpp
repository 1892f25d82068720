// The protocol's events (protocol/events.h): task events carry what changed, never the
// prompt after `created`; every event survives its JSON form; a client's view built from
// a snapshot and events equals the daemon's record.
#include <catch2/catch.hpp>

#include "protocol/events.h"
#include "protocol/task_view.h"

using namespace ptt::protocol;
using nlohmann::json;

namespace {

TaskRecord running_task() {
  TaskRecord t;
  t.id = 7;
  t.name = "big";
  t.prompt = std::string(60000, 'x');
  t.cwd = "/work";
  t.state = TaskState::kRunning;
  t.created_at = 100;
  t.started_at = 101;
  t.pid = 4242;
  t.session_id = "s-1";
  t.activity = "Bash: npm test";
  return t;
}

}  // namespace

TEST_CASE("events: activity carries the id, state and what changed, not the prompt", "[protocol]") {
  TaskRecord t = running_task();
  json line = event_json(task_event(event::kActivity, t));
  CHECK(line["event"] == "activity");
  CHECK(line["task"]["id"] == 7);
  CHECK(line["task"]["state"] == "running");
  CHECK(line["task"]["activity"] == "Bash: npm test");
  CHECK_FALSE(line["task"].contains("prompt"));
  CHECK_FALSE(line["task"].contains("cancel_requested"));  // only when true, as in the record
  CHECK(line.dump().size() < 300);
  t.cancel_requested = true;
  CHECK(event_json(task_event(event::kActivity, t))["task"]["cancel_requested"] == true);
}

TEST_CASE("events: finished carries what a notifier needs, never the prompt", "[protocol]") {
  TaskRecord t = running_task();
  t.state = TaskState::kSucceeded;
  t.finished_at = 130;
  t.result = AgentResult{};
  t.result->subtype = "success";
  t.result->text = "done";
  t.result->cost_usd = 0.5;
  json line = event_json(task_event(event::kFinished, t));
  CHECK(line["task"]["name"] == "big");
  CHECK(line["task"]["state"] == "succeeded");
  CHECK(line["task"]["result"]["text"] == "done");
  CHECK_FALSE(line["task"].contains("prompt"));
  CHECK(event_json(task_event(event::kCreated, t))["task"]["prompt"] == t.prompt);
}

TEST_CASE("events: each event survives its JSON form", "[protocol]") {
  TaskRecord t = running_task();
  for (auto name : {event::kCreated, event::kStarted, event::kActivity, event::kFinished}) {
    Event e = task_event(name, t);
    auto back = parse_event(json::parse(event_json(e).dump()));
    REQUIRE(back);
    CHECK(*back == e);
    CHECK(event_name(*back) == name);
    CHECK(task_of(*back) == 7);
  }
  for (Event e :
       {Event(LogLine{.task = 3, .line = "{}", .omitted_bytes = {}, .next_offset = 3}),
        Event(LogLine{.task = 3, .line = {}, .omitted_bytes = 1 << 20, .next_offset = (1 << 20) + 4}),
        Event(LogEnd{.task = 3})}) {
    auto back = parse_event(json::parse(event_json(e).dump()));
    REQUIRE(back);
    CHECK(*back == e);
  }
}

TEST_CASE("events: what a client cannot read is skipped, not thrown", "[protocol]") {
  CHECK_FALSE(parse_event(json::array()));
  CHECK_FALSE(parse_event({{"event", "activity"}, {"task", {{"id", "seven"}, {"state", "running"}}}}));
  CHECK_FALSE(parse_event({{"event", "activity"}, {"task", {{"id", 7}, {"state", "sleeping"}}}}));
  CHECK_FALSE(parse_event({{"event", "finished"}, {"task", 7}}));
  CHECK_FALSE(parse_event({{"event", "log"}, {"task", 3}, {"line", 12}}));
  CHECK_FALSE(parse_event({{"event", "log"}, {"task", 3}, {"line", "{}"}}));  // next_offset is required
  CHECK_THROWS_AS((json{{"task", 3}, {"line", "{}"}}.get<LogLine>()), json::exception);
  CHECK_FALSE(parse_event({{"event", "log"}, {"task", 3}, {"line", "{}"}, {"next_offset", -1}}));
  CHECK_FALSE(parse_event({{"event", "log"}, {"task", 3}, {"line", "{}"}, {"next_offset", 1e300}}));
  CHECK_FALSE(parse_event({{"event", "renamed"}, {"task", {{"id", 7}, {"state", "running"}}}}));
  CHECK_FALSE(parse_event({{"id", 1}, {"ok", true}}));
}

TEST_CASE("events: a view from the snapshot and the events equals the daemon's record", "[protocol]") {
  TaskRecord daemon = running_task();
  daemon.state = TaskState::kQueued;
  daemon.started_at.reset();
  daemon.pid.reset();
  daemon.session_id.reset();
  daemon.activity.reset();
  TaskView view;
  view.reset({daemon});
  daemon.state = TaskState::kRunning;
  daemon.started_at = 101;
  daemon.pid = 4242;
  view.apply(task_event(event::kStarted, daemon));
  for (int i = 0; i < 3; ++i) {
    daemon.activity = "Bash: step-" + std::to_string(i);
    daemon.session_id = "s-1";
    view.apply(task_event(event::kActivity, daemon));
  }
  daemon.cancel_requested = true;
  view.apply(task_event(event::kActivity, daemon));
  daemon.state = TaskState::kCancelled;
  daemon.reason = "cancelled";
  daemon.finished_at = 140;
  daemon.exit_code = 143;
  const TaskRecord* seen = view.apply(task_event(event::kFinished, daemon));
  REQUIRE(seen);
  CHECK(*seen == daemon);
  // A task whose `created` came before the client subscribed: what the event says.
  TaskRecord other = running_task();
  other.id = 9;
  const TaskRecord* partial = view.apply(task_event(event::kActivity, other));
  REQUIRE(partial);
  CHECK(partial->id == 9);
  CHECK(partial->activity == other.activity);
  CHECK(partial->prompt.empty());
  CHECK(view.apply(LogEnd{.task = 9}) == nullptr);
}

TEST_CASE("events: worktree carries a finished task's worktree whole, and a view takes it", "[protocol]") {
  TaskRecord t = running_task();
  t.state = TaskState::kSucceeded;
  t.worktree.emplace();
  t.worktree->repo = "/src";
  t.worktree->path = "/state/worktrees/src-7";
  t.worktree->branch = "ptt/7-big";
  t.worktree->base_commit = "abc";
  t.worktree->changes = WorktreeChanges{.files = 2, .insertions = 5, .deletions = 1};
  TaskView view;
  view.reset({t});
  t.worktree->resolution = "merged";
  Event e = task_event(event::kWorktree, t);
  json line = event_json(e);
  CHECK(line["event"] == "worktree");
  CHECK(line["task"]["name"] == "big");
  CHECK(line["task"]["state"] == "succeeded");
  CHECK(line["task"]["worktree"]["resolution"] == "merged");
  CHECK(line["task"]["worktree"]["changes"]["files"] == 2);
  CHECK_FALSE(line["task"].contains("prompt"));
  auto back = parse_event(json::parse(line.dump()));
  REQUIRE(back);
  CHECK(*back == e);
  CHECK(task_of(*back) == 7);
  const TaskRecord* seen = view.apply(e);
  REQUIRE(seen);
  CHECK(*seen == t);
  CHECK_FALSE(parse_event({{"event", "worktree"}, {"task", {{"id", 7}, {"state", "succeeded"}}}}));
  CHECK_FALSE(
      parse_event({{"event", "worktree"}, {"task", {{"id", 7}, {"state", "succeeded"}, {"worktree", 3}}}}));
}
