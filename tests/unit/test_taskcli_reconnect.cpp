// What `logs -f`, `wait` and `watch` do after a lost connection, without a daemon: when
// they try again (taskcli/reconnect.h) and what watch prints for the gap (watch_gap.h).
#include <catch2/catch.hpp>

#include "protocol/task_view.h"
#include "taskcli/reconnect.h"
#include "taskcli/watch_gap.h"

using namespace ptt;
using namespace ptt::taskcli;
using namespace std::chrono_literals;
using protocol::TaskRecord;
using protocol::TaskState;

TEST_CASE("reconnecting waits 0.2 s, doubling to 5 s, and gives up after 10 minutes", "[reconnect]") {
  auto lost = ReconnectSchedule::Clock::time_point{} + 1h;
  ReconnectSchedule schedule(lost);
  std::vector<long> delays;
  auto now = lost;
  while (auto d = schedule.next_delay(now)) {
    delays.push_back(static_cast<long>(d->count()));
    now += *d + 1s;  // each attempt takes a second to fail
  }
  REQUIRE(delays.size() > 8);
  CHECK(std::vector<long>(delays.begin(), delays.begin() + 7) ==
        std::vector<long>{200, 400, 800, 1600, 3200, 5000, 5000});
  CHECK(now - lost <= ReconnectSchedule::kGiveUpAfter + 6s);
  CHECK(now - lost > ReconnectSchedule::kGiveUpAfter - 6s);
  // Once given up, it stays so.
  CHECK_FALSE(schedule.next_delay(now));
}

namespace {

TaskRecord task(std::int64_t id, TaskState state) {
  TaskRecord t;
  t.id = id;
  t.state = state;
  t.prompt = "task " + std::to_string(id);
  t.cwd = "/src";
  t.created_at = 100.0 + static_cast<double>(id);
  if (state != TaskState::kQueued) {
    t.started_at = 200.0;
    t.pid = 4000 + static_cast<int>(id);
    t.session_id = "s" + std::to_string(id);
    t.activity = "Bash: make";
  }
  if (protocol::is_finished(state)) {
    t.finished_at = 300.0;
    t.exit_code = 0;
    t.activity.reset();
  }
  return t;
}

std::vector<std::string> kinds(const std::vector<protocol::Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events)
    out.push_back(std::string(protocol::event_name(e)) + " " + std::to_string(protocol::task_of(e)));
  return out;
}

}  // namespace

TEST_CASE("watch's gap: each change since the connection broke, once, in id order", "[reconnect]") {
  WatchGap gap;
  gap.before = {{1, task(1, TaskState::kRunning)},
                {2, task(2, TaskState::kQueued)},
                {3, task(3, TaskState::kRunning)},
                {4, task(4, TaskState::kRunning)}};
  gap.seen_up_to = 5;  // task 5 finished before the connection broke
  TaskRecord busier = task(4, TaskState::kRunning);
  busier.activity = "Edit x.py";
  TaskRecord new_running = task(7, TaskState::kRunning);
  gap.unfinished_now = {task(2, TaskState::kRunning), task(3, TaskState::kRunning), busier,
                        task(8, TaskState::kQueued), new_running};
  gap.finished = {task(1, TaskState::kSucceeded), task(5, TaskState::kSucceeded),
                  task(6, TaskState::kFailed)};
  CHECK(kinds(gap_events(gap)) == std::vector<std::string>{"finished 1", "started 2", "activity 4",
                                                           "created 6", "started 6", "finished 6",
                                                           "created 7", "started 7", "created 8"});
}

TEST_CASE("watch's gap: its events turn the view before into the records now", "[reconnect]") {
  WatchGap gap;
  gap.before = {{1, task(1, TaskState::kQueued)}};
  gap.seen_up_to = 1;
  gap.finished = {task(1, TaskState::kCancelled), task(2, TaskState::kSucceeded)};
  gap.finished[0].started_at.reset();  // cancelled while queued: never started
  gap.finished[0].pid.reset();
  gap.finished[0].session_id.reset();
  protocol::TaskView view;
  view.reset({gap.before.at(1)});
  std::vector<TaskRecord> ended;
  for (const auto& ev : gap_events(gap)) {
    const TaskRecord* t = view.apply(ev);
    REQUIRE(t);
    if (std::holds_alternative<protocol::TaskCreated>(ev)) CHECK(t->state == TaskState::kQueued);
    if (std::holds_alternative<protocol::TaskStarted>(ev)) CHECK(t->state == TaskState::kRunning);
    if (std::holds_alternative<protocol::TaskFinished>(ev)) ended.push_back(*t);
  }
  CHECK(kinds(gap_events(gap)) ==
        std::vector<std::string>{"finished 1", "created 2", "started 2", "finished 2"});
  REQUIRE(ended.size() == 2);
  CHECK(ended[0] == gap.finished[0]);
  CHECK(ended[1] == gap.finished[1]);
}

TEST_CASE("watch's gap: nothing changed, nothing printed", "[reconnect]") {
  WatchGap gap;
  gap.before = {{3, task(3, TaskState::kRunning)}};
  gap.seen_up_to = 9;
  gap.unfinished_now = {task(3, TaskState::kRunning)};
  gap.finished = {task(9, TaskState::kSucceeded)};  // finished before: already told
  CHECK(gap_events(gap).empty());
}
