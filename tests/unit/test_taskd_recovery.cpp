// recover(): what a restarted daemon makes of the records and supervisor status
// files it read.
#include <catch2/catch.hpp>

#include "taskd/recovery.h"

using namespace ptt::taskd;
using ptt::protocol::TaskRecord;
using ptt::protocol::TaskState;
using Kind = TableAction::Kind;

namespace {

TaskRecord record(TaskId id, TaskState state, std::vector<TaskId> after = {}) {
  TaskRecord r;
  r.id = id;
  r.prompt = std::string("prompt ").append(std::to_string(id));
  r.cwd = "/src";
  r.state = state;
  r.created_at = 10.0 + static_cast<double>(id);
  r.after = std::move(after);
  return r;
}

ptt::supervise::SupervisorStatus started(double at, pid_t server, pid_t agent) {
  ptt::supervise::SupervisorStatus s;
  s.started_at = at;
  s.supervisor = server;
  s.agent = agent;
  return s;
}

std::vector<TaskId> starts(const TableActions& actions) {
  std::vector<TaskId> out;
  for (const auto& a : actions) {
    if (a.kind == Kind::kStartAgent) out.push_back(a.task);
  }
  return out;
}

}  // namespace

TEST_CASE("recovery: a started task runs on and is adopted, its pid is its agent's", "[taskd][recovery]") {
  auto r = recover({record(1, TaskState::kQueued)}, 2, {{1, started(50.0, 700, 701)}}, 4, 100.0);
  auto t = r.table.find(1);
  REQUIRE(t);
  CHECK(t->state == TaskState::kRunning);
  CHECK(t->started_at == 50.0);
  CHECK(t->pid == 701);
  CHECK(r.adopt == std::vector<Recovery::Adoption>{{1, 700, std::nullopt}});
  CHECK(r.actions.empty());  // nothing starts twice

  // The supervisor's start time goes with its pid: what proves it is still the task's.
  auto status = started(50.0, 700, 701);
  status.supervisor_start = 4242;
  auto timed = recover({record(1, TaskState::kRunning)}, 2, {{1, status}}, 4, 100.0);
  CHECK(timed.adopt == std::vector<Recovery::Adoption>{{1, 700, 4242}});
}

TEST_CASE("recovery: a 'running' record whose start never happened is queued and started",
          "[taskd][recovery]") {
  TaskRecord running = record(1, TaskState::kRunning);
  running.started_at = 20.0;
  running.pid = 99;
  running.cancel_requested = true;  // asked of the previous daemon run: its supervisor never knew
  auto r = recover({running}, 2, {}, 4, 100.0);
  auto t = r.table.find(1);
  CHECK(r.adopt.empty());
  CHECK(starts(r.actions) == std::vector<TaskId>{1});
  CHECK(t->started_at == 100.0);
  CHECK_FALSE(t->cancel_requested);
  CHECK(t->pid != 99);
}

TEST_CASE("recovery: a start without the server line is adopted with no pid, the time falls back to creation",
          "[taskd][recovery]") {
  ptt::supervise::SupervisorStatus half;
  half.started_at.reset();
  auto r = recover({record(3, TaskState::kRunning)}, 4, {{3, half}}, 4, 100.0);
  CHECK(r.adopt == std::vector<Recovery::Adoption>{{3, 0, std::nullopt}});
  CHECK(r.table.find(3)->state == TaskState::kStarting);  // no agent pid yet: starting
  CHECK(r.table.find(3)->started_at == 13.0);
  CHECK_FALSE(r.table.find(3)->pid);
}

TEST_CASE("recovery: queued tasks start within the limit, after the adopted ones, FIFO, dependencies hold",
          "[taskd][recovery]") {
  std::vector<TaskRecord> records = {record(1, TaskState::kSucceeded), record(2, TaskState::kRunning),
                                     record(3, TaskState::kQueued),    record(4, TaskState::kQueued, {2}),
                                     record(5, TaskState::kQueued),    record(6, TaskState::kQueued)};
  auto r = recover(records, 7, {{2, started(30.0, 800, 801)}}, 3, 100.0);
  CHECK(r.table.find(1)->state == TaskState::kSucceeded);
  CHECK(r.adopt == std::vector<Recovery::Adoption>{{2, 800, std::nullopt}});
  CHECK(starts(r.actions) == std::vector<TaskId>{3, 5});  // 4 waits for 2; 6 for a free slot
  CHECK(r.table.find(6)->state == TaskState::kQueued);
}

TEST_CASE("recovery: finished records stand as they are, whatever their logs say", "[taskd][recovery]") {
  TaskRecord done = record(1, TaskState::kFailed);
  done.reason = "exit_code";
  auto r = recover({done}, 2, {{1, started(5.0, 1, 2)}}, 4, 100.0);
  CHECK(*r.table.find(1) == done);
  CHECK(r.adopt.empty());
  CHECK(r.actions.empty());
}

TEST_CASE("recovery: ids stay above the saved counter and every record", "[taskd][recovery]") {
  auto r = recover({record(3, TaskState::kSucceeded)}, 9, {}, 4, 100.0);
  CHECK(r.table.next_id() == 9);
  auto s = recover({record(12, TaskState::kSucceeded)}, 9, {}, 4, 100.0);
  CHECK(s.table.next_id() == 13);
}

TEST_CASE("recovery keeps a finished record as its journal line, and it reads back the same",
          "[taskd][recovery]") {
  TaskRecord done = record(1, TaskState::kSucceeded);
  done.name = "a-name-longer-than-fifteen";
  done.finished_at = 20.0;
  TaskRecord queued = record(2, TaskState::kQueued);
  std::string line = ptt::protocol::record_line(done, ptt::protocol::RecordView::kFull);
  std::vector<std::string_view> lines = {line, "unused: an unfinished record is changed, not kept"};
  auto r = recover({done, queued}, 3, {}, 0, 100.0, lines);
  CHECK(r.table.live(1) == nullptr);  // kept as its line
  CHECK(*r.table.find(1) == done);
  CHECK(r.table.resolve("a-name-longer-than-fifteen") == 1);
  CHECK(r.table.state(2) == TaskState::kQueued);
  CHECK(r.table.next_id() == 3);
}
