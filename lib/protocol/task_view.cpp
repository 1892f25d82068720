#include "protocol/task_view.h"

namespace ptt::protocol {

namespace {

void apply_progress(TaskRecord& t, const TaskProgress& p) {
  t.id = p.id;
  t.state = p.state;
  t.started_at = p.started_at;
  t.pid = p.pid;
  t.session_id = p.session_id;
  t.model = p.model;
  t.activity = p.activity;
  t.cancel_requested = p.cancel_requested;
  t.waiting = p.waiting;
}

void apply_end(TaskRecord& t, const TaskEnd& e) {
  t.id = e.id;
  t.name = e.name;
  t.state = e.state;
  t.reason = e.reason;
  t.finished_at = e.finished_at;
  t.session_id = e.session_id;
  t.model = e.model;
  t.exit_code = e.exit_code;
  t.stderr_tail = e.stderr_tail;
  t.result = e.result;
  if (e.changes) {
    if (!t.worktree) t.worktree.emplace();
    t.worktree->changes = e.changes;
  }
}

}  // namespace

void apply_event(TaskRecord& t, const Event& e) {
  if (const auto* c = std::get_if<TaskCreated>(&e)) {
    t = c->task;
  } else if (const auto* s = std::get_if<TaskStarted>(&e)) {
    apply_progress(t, s->task);
  } else if (const auto* a = std::get_if<TaskActivity>(&e)) {
    apply_progress(t, a->task);
  } else if (const auto* st = std::get_if<TaskStalled>(&e)) {
    apply_progress(t, st->task);
  } else if (const auto* f = std::get_if<TaskFinished>(&e)) {
    apply_end(t, f->task);
  } else if (const auto* w = std::get_if<TaskWorktreeChanged>(&e)) {
    t.id = w->task.id;
    t.name = w->task.name;
    t.state = w->task.state;
    t.worktree = w->task.worktree;
  }
}

void TaskView::reset(std::vector<TaskRecord> tasks) {
  tasks_.clear();
  for (auto& t : tasks) tasks_[t.id] = std::move(t);
}

TaskRecord* TaskView::apply(const Event& e) {
  if (std::holds_alternative<LogLine>(e) || std::holds_alternative<LogEnd>(e)) return nullptr;
  TaskRecord& t = tasks_[task_of(e)];
  apply_event(t, e);
  return &t;
}

const TaskRecord* TaskView::find(std::int64_t id) const {
  auto it = tasks_.find(id);
  return it == tasks_.end() ? nullptr : &it->second;
}

}  // namespace ptt::protocol
