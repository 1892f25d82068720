#include "taskcli/watch_gap.h"

#include "protocol/task_state.h"

namespace ptt::taskcli {
using protocol::TaskRecord;
using protocol::TaskState;

namespace {

// A record as its `created` event had it: queued, nothing of its run yet.
TaskRecord as_created(TaskRecord t) {
  t.state = TaskState::kQueued;
  t.reason.reset();
  t.started_at.reset();
  t.finished_at.reset();
  t.pid.reset();
  t.session_id.reset();
  t.model.reset();
  t.activity.reset();
  t.exit_code.reset();
  t.stderr_tail.reset();
  t.result.reset();
  t.cancel_requested = false;
  t.waiting.reset();
  if (t.worktree) t.worktree->changes.reset();
  return t;
}

bool same_progress(const TaskRecord& a, const TaskRecord& b) {
  return a.state == b.state && a.activity == b.activity && a.cancel_requested == b.cancel_requested &&
         a.waiting == b.waiting;
}

}  // namespace

std::vector<protocol::Event> gap_events(const WatchGap& gap) {
  std::map<std::int64_t, const TaskRecord*> now;
  for (const auto& t : gap.unfinished_now) now[t.id] = &t;
  for (const auto& t : gap.finished) {
    if (protocol::is_finished(t.state) && (gap.before.count(t.id) || t.id > gap.seen_up_to)) now[t.id] = &t;
  }
  std::vector<protocol::Event> events;
  for (const auto& [id, t] : now) {
    auto was = gap.before.find(id);
    const TaskRecord* old = was == gap.before.end() ? nullptr : &was->second;
    if (!old && id <= gap.seen_up_to) continue;  // seen and finished before: told then
    if (!old) events.emplace_back(protocol::TaskCreated{as_created(*t)});
    bool finished = protocol::is_finished(t->state);
    if (t->started_at && (!old || !old->started_at)) {
      auto started = std::get<protocol::TaskStarted>(protocol::task_event(protocol::event::kStarted, *t));
      if (finished) {  // as it was while it ran
        started.task.state = TaskState::kRunning;
        started.task.cancel_requested = false;
        started.task.waiting.reset();
      }
      events.emplace_back(std::move(started));
    } else if (old && old->started_at && !finished && !same_progress(*old, *t)) {
      events.push_back(protocol::task_event(protocol::event::kActivity, *t));
    }
    if (finished) events.emplace_back(protocol::task_event(protocol::event::kFinished, *t));
  }
  return events;
}

}  // namespace ptt::taskcli
