#include "taskd/task_table.h"

#include <fmt/format.h>

#include "protocol/protocol.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ptt::taskd {
using protocol::TaskRecord;
using protocol::TaskState;

namespace {

TableAction emit(TaskId id, std::string_view event) {
  return {TableAction::Kind::kEmit, id, std::string(event)};
}
TableAction persist(TaskId id) { return {TableAction::Kind::kPersist, id, {}}; }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

void TaskTable::load(TaskRecord record, std::string line) {
  next_id_ = std::max(next_id_, record.id + 1);
  Task& task = tasks_[record.id];
  task.revision = ++last_revision_;
  if (protocol::is_finished(record.state)) {
    task.live.reset();
    task.finished = line.empty() ? FinishedTask::of(record) : FinishedTask(record, std::move(line), false);
    runtime_.erase(record.id);
    unfinished_.erase(record.id);
    return;
  }
  // A cancel asked of the previous daemon run is not known to this one's supervisor.
  record.cancel_requested = false;
  runtime_[record.id] = Runtime{};
  unfinished_.insert(record.id);
  task.live = std::make_unique<TaskRecord>(std::move(record));
}

void TaskTable::load_finished(TaskId id, FinishedTask finished) {
  next_id_ = std::max(next_id_, id + 1);
  Task& task = tasks_[id];
  task.revision = ++last_revision_;
  task.live.reset();
  task.finished = std::move(finished);
  runtime_.erase(id);
  unfinished_.erase(id);
}

TaskRecord& TaskTable::changing(TaskId id) {
  Task& task = tasks_.at(id);
  task.revision = ++last_revision_;
  if (!task.live) {
    task.live = std::make_unique<TaskRecord>(task.finished.record(disk_));
    task.finished = {};
  }
  return *task.live;
}

void TaskTable::keep_finished(TaskId id) {
  Task& task = tasks_.at(id);
  task.finished = FinishedTask::of(*task.live);
  task.live.reset();
  runtime_.erase(id);
}

void TaskTable::stored_at(TaskId id, RecordSpan at) {
  auto it = tasks_.find(id);
  if (it != tasks_.end() && !it->second.live) it->second.finished.stored_at(at);
}

std::uint64_t TaskTable::revision(TaskId id) const {
  auto it = tasks_.find(id);
  return it == tasks_.end() ? 0 : it->second.revision;
}

std::shared_ptr<const TaskRecord> TaskTable::find(TaskId id) const {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return nullptr;
  if (it->second.live) return std::make_shared<const TaskRecord>(*it->second.live);
  auto record = std::make_shared<const TaskRecord>(it->second.finished.record(disk_));
  if (record->id != id)
    throw std::runtime_error(fmt::format("task {}'s record reads back as task {}'s", id, record->id));
  return record;
}

const TaskRecord* TaskTable::live(TaskId id) const {
  auto it = tasks_.find(id);
  return it == tasks_.end() ? nullptr : it->second.live.get();
}

std::optional<TaskState> TaskTable::state(TaskId id) const {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second.live ? it->second.live->state : it->second.finished.state();
}

const std::string* TaskTable::finished_line(TaskId id, protocol::RecordView view) const {
  auto it = tasks_.find(id);
  return it == tasks_.end() || it->second.live ? nullptr : &it->second.finished.line(view, disk_);
}

std::vector<TaskId> TaskTable::ids(std::optional<TaskState> only) const {
  std::vector<TaskId> out;
  out.reserve(tasks_.size());
  for (const auto& [id, task] : tasks_) {
    if (!only || (task.live ? task.live->state : task.finished.state()) == *only) out.push_back(id);
  }
  return out;
}

TaskTable::Listed TaskTable::listed(std::optional<TaskState> state,
                                    std::optional<std::uint64_t> finished_limit) const {
  Listed out{.ids = ids(state), .finished_omitted = 0};
  if (!finished_limit) return out;
  // From the newest back: the first `finished_limit` finished ones stay, as do all others.
  std::uint64_t finished_kept = 0;
  auto kept_from = std::remove_if(out.ids.rbegin(), out.ids.rend(), [&](TaskId id) {
    if (unfinished_.contains(id)) return false;
    if (finished_kept < *finished_limit) return ++finished_kept, false;
    ++out.finished_omitted;
    return true;
  });
  out.ids.erase(out.ids.begin(), kept_from.base());
  return out;
}

TaskId TaskTable::spawn(SpawnRequest request, double now, TableActions& out) {
  TaskRecord t;
  t.id = next_id_++;
  t.name = std::move(request.name);
  t.prompt = std::move(request.prompt);
  t.cwd = std::move(request.cwd);
  t.after = std::move(request.after);
  t.parent = request.parent;
  t.resume_session = std::move(request.resume_session);
  t.retry_of = request.retry_of;
  t.options = std::move(request.options);
  t.worktree = std::move(request.worktree);
  t.created_at = now;
  TaskId id = t.id;
  tasks_[id] =
      Task{.live = std::make_unique<TaskRecord>(std::move(t)), .finished = {}, .revision = ++last_revision_};
  unfinished_.insert(id);
  runtime_[id] = Runtime{};
  out.push_back(persist(id));
  out.push_back(emit(id, "created"));
  schedule(now, out);
  return id;
}

void TaskTable::discard(TaskId id) {
  tasks_.erase(id);
  unfinished_.erase(id);
  runtime_.erase(id);
}

int TaskTable::running_count() const {
  return static_cast<int>(std::count_if(unfinished_.begin(), unfinished_.end(), [this](TaskId id) {
    TaskState state = tasks_.at(id).live->state;
    return state == TaskState::kStarting || state == TaskState::kRunning;
  }));
}

void TaskTable::schedule(double now, TableActions& out) {
  int running = running_count();
  // Two `--resume` runs of one Claude session at once interleave into one transcript, so
  // a task that resumes a session waits until every earlier unfinished task using it has
  // ended: this maps each session to the latest unfinished task so far that uses it.
  std::map<std::string_view, TaskId> session_users;
  // Dependencies always have smaller ids than their dependents, so one pass in
  // id order also settles chains (a failed dependency fails the whole chain).
  // A copy: finishing a task (a failed dependency) takes it out of unfinished_.
  const std::vector<TaskId> candidates(unfinished_.begin(), unfinished_.end());
  for (TaskId id : candidates) {
    TaskRecord& t = live_record(id);
    if (t.state == TaskState::kQueued && !schedule_queued(t, session_users, running, now, out)) continue;
    for (const auto* session : {&t.resume_session, &t.session_id}) {
      if (*session) session_users[**session] = id;
    }
  }
}

bool TaskTable::schedule_queued(TaskRecord& t, const std::map<std::string_view, TaskId>& session_users,
                                int& running, double now, TableActions& out) {
  bool blocked = false, dependency_failed = false;
  for (TaskId dep : t.after) {
    auto dep_state = state(dep);
    if (!dep_state || (protocol::is_finished(*dep_state) && *dep_state != TaskState::kSucceeded)) {
      dependency_failed = true;
    } else if (*dep_state != TaskState::kSucceeded) {
      blocked = true;
    }
  }
  if (dependency_failed) {
    finish(t, TaskState::kFailed, reason_text(protocol::FailureReason::kDependencyFailed), now, out);
    return false;
  }
  std::optional<TaskId> session_busy;
  if (t.resume_session) {
    if (auto user = session_users.find(*t.resume_session); user != session_users.end())
      session_busy = user->second;
  }
  note_session_wait(t, session_busy, out);
  if (blocked || session_busy || held_ || running >= max_running_) return true;
  changing(t.id);
  t.state = TaskState::kStarting;
  t.started_at = now;
  ++running;
  // Not persisted: the daemon records the start in the task's supervisor
  // status file (see RecordStore); the record is written again when it ends.
  // "started" is announced once the agent has started (agent_started()).
  out.push_back({TableAction::Kind::kStartAgent, t.id, {}});
  return true;
}

void TaskTable::note_session_wait(TaskRecord& t, std::optional<TaskId> busy_with, TableActions& out) {
  // A queued task has no agent, so its activity is free to say what it waits for; a
  // restarted daemon finds the note in the record and puts it right here.
  std::optional<std::string> note;
  if (busy_with) note = fmt::format("waits for task {} (same session)", *busy_with);
  if (t.activity == note) return;
  changing(t.id).activity = std::move(note);
  out.push_back(emit(t.id, protocol::event::kActivity));
}

void TaskTable::set_held(bool held, double now, TableActions& out) {
  held_ = held;
  if (!held) schedule(now, out);
}

void TaskTable::mark_running(TaskRecord& t, TableActions& out) {
  if (t.state != TaskState::kStarting) return;
  changing(t.id).state = TaskState::kRunning;
  out.push_back(emit(t.id, "started"));
}

void TaskTable::cancel(TaskId id, double now, TableActions& out) {
  const TaskRecord* found = live(id);
  if (!found || protocol::is_finished(found->state)) return;
  TaskRecord& t = live_record(id);
  if (t.state == TaskState::kQueued || t.state == TaskState::kStarting) {
    // A starting task has no agent yet: it ends at once. Should the supervisor be
    // starting it right now, the cancel stops it there (its exit is then ignored).
    bool starting = t.state == TaskState::kStarting;
    finish(t, TaskState::kCancelled, reason_text(protocol::FailureReason::kCancelled), now, out);
    if (starting) out.push_back({TableAction::Kind::kCancelAgent, id, {}});
    schedule(now, out);
  } else if (t.state == TaskState::kRunning && !t.cancel_requested) {
    changing(id).cancel_requested = true;
    out.push_back({TableAction::Kind::kCancelAgent, id, {}});
    out.push_back(emit(id, "activity"));  // watchers show it as cancelling
  }
}

bool TaskTable::cancel_requested(TaskId id) const {
  const TaskRecord* t = live(id);
  return t && t->cancel_requested;
}

void TaskTable::agent_started(TaskId id, int pid, TableActions& out) {
  if (!tasks_.count(id)) return;
  TaskRecord& t = changing(id);
  t.pid = pid;  // the agent's; the status file has it for a restart
  mark_running(t, out);
}

void TaskTable::worktree_made(TaskId id, std::string base_commit, std::optional<std::string> base_branch,
                              TableActions& out) {
  const TaskRecord* found = live(id);
  if (!found || !found->worktree) return;
  TaskRecord& t = changing(id);
  t.worktree->base_commit = std::move(base_commit);
  t.worktree->base_branch = std::move(base_branch);
  out.push_back(persist(id));  // a restarted daemon must know the commit a diff starts from
}

void TaskTable::stream_update(TaskId id, const StreamUpdate& u, TableActions& out) {
  if (!tasks_.count(id) || u.empty()) return;
  TaskRecord& t = changing(id);
  mark_running(t, out);  // it writes, so it runs (its pid may be read later)
  // Not persisted: after a restart the stream is read again from its start.
  auto set = [](auto& field, const auto& value) {
    if (value && field != value) field = value;
  };
  set(t.session_id, u.session_id);
  set(t.model, u.model);
  if (u.api_error) runtime_[id].api_error = true;
  StreamUpdate named = u;
  note_stream_facts(id, t, named);
  if (named.activity) runtime_[id].stalled = false;
  if (named.result) {
    take_off_earlier_runs(session_before(t), *named.result);
    for (const auto& d : runtime_[id].denials) add_denial(*named.result, d);
    set(t.result, named.result);
  }
  bool new_activity = named.activity && t.activity != named.activity;
  set(t.activity, named.activity);
  if (new_activity) out.push_back(emit(id, "activity"));
}

void TaskTable::note_stream_facts(TaskId id, TaskRecord& t, StreamUpdate& u) {
  constexpr std::size_t kRememberedToolUses = 256;
  Runtime& rt = runtime_[id];
  for (const auto& use : u.tool_uses) {
    rt.recent_tool_uses.push_back(use);
    if (rt.recent_tool_uses.size() > kRememberedToolUses) rt.recent_tool_uses.pop_front();
  }
  if (!u.denied) return;
  protocol::PermissionDenial denial = *u.denied;
  for (const auto& use : rt.recent_tool_uses) {
    if (use.id == denial.tool_use_id) denial.description = use.description;
  }
  u.activity = "refused: " + denial.description;
  rt.denials.push_back(denial);
  if (t.result) add_denial(*t.result, denial);  // a late line: the result is in already
}

SessionSoFar TaskTable::session_before(const TaskRecord& t) const {
  SessionSoFar so_far;
  if (!t.resume_session) return so_far;
  // The session began with the root of t's follow-up chain (ids only grow: a parent is
  // older), so its earlier runs all lie between that root and t.
  TaskId first = t.id;
  for (std::optional<TaskId> p = t.parent; p && *p < first;) {
    first = *p;
    auto parent = find(*p);
    p = parent ? parent->parent : std::nullopt;
  }
  for (auto it = tasks_.lower_bound(first); it != tasks_.end() && it->first < t.id; ++it) {
    const Task& task = it->second;
    // A finished task is a line: one that does not name the session is not parsed.
    if (!task.live &&
        task.finished.line(protocol::RecordView::kFull, disk_).find(*t.resume_session) == std::string::npos)
      continue;
    auto u = task.live ? nullptr : std::make_shared<const TaskRecord>(task.finished.record(disk_));
    const TaskRecord& run = task.live ? *task.live : *u;
    if (run.result && (run.session_id == t.resume_session || run.resume_session == t.resume_session))
      so_far.add(*run.result);
  }
  return so_far;
}

void TaskTable::agent_exited(TaskId id, const AgentExit& exit, std::string tail, double now,
                             TableActions& out) {
  const TaskRecord* found = live(id);
  if (!found || protocol::is_finished(found->state)) return;
  TaskRecord& t = changing(id);
  AgentExit ended = exit;
  // The daemon ended an agent that did not exit after its result line: the outcome is
  // the result's. (A cancel someone asked for still ends the task cancelled.)
  if (t.result && !t.cancel_requested) ended.cancelled = false;
  const auto& denials = runtime_[id].denials;
  Outcome o = decide_outcome(t.result, runtime_[id].api_error, ended, !denials.empty());
  if (o.state == TaskState::kCancelled && runtime_[id].stall_kill)
    o.reason = reason_text(protocol::FailureReason::kStalled);
  if (!t.result && protocol::reason_is(o.reason, protocol::FailureReason::kPermissionDenied)) {
    // No result line to carry permission_denials: the activity names every refused call.
    std::string refused;
    for (const auto& d : denials) refused += (refused.empty() ? "" : ", ") + d.description;
    t.activity = "refused: " + refused;
  }
  runtime_[id].recent_tool_uses = {};
  runtime_[id].denials = {};
  if (exit.exec_errno == 0) t.exit_code = exit.exit_code;
  // Kept with a result line too: what the CLI printed may say more than its errors[].
  if (o.state == TaskState::kFailed && !tail.empty()) t.stderr_tail = std::move(tail);
  finish(t, o.state, o.reason, now, out);
  schedule(now, out);
}

void TaskTable::worktree_changes(TaskId id, protocol::WorktreeChanges changes) {
  const TaskRecord* found = live(id);
  if (!found || !found->worktree || protocol::is_finished(found->state)) return;
  changing(id).worktree->changes = changes;
}

void TaskTable::resolve_worktree(TaskId id, std::string resolution, TableActions& out) {
  auto now_state = state(id);
  if (!now_state || !protocol::is_finished(*now_state)) return;
  TaskRecord& t = changing(id);
  if (t.worktree) {
    t.worktree->resolution = std::move(resolution);
    out.push_back(persist(id));
    out.push_back(emit(id, protocol::event::kWorktree));  // open dashboards and sessions learn it
  }
  keep_finished(id);
}

void TaskTable::stalled(TaskId id, std::string activity, bool kill, TableActions& out) {
  const TaskRecord* found = live(id);
  if (!found || found->state != TaskState::kRunning) return;
  Runtime& rt = runtime_[id];
  TaskRecord& t = changing(id);
  if (!rt.stalled) rt.activity_before_stall = t.activity;
  rt.stalled = true;
  t.activity = std::move(activity);
  out.push_back(emit(id, protocol::event::kStalled));
  if (kill && !t.cancel_requested) {
    rt.stall_kill = true;
    t.cancel_requested = true;
    out.push_back({TableAction::Kind::kCancelAgent, id, {}});
  }
}

void TaskTable::note_activity(TaskId id, std::string activity, TableActions& out) {
  const TaskRecord* found = live(id);
  if (!found || found->state != TaskState::kRunning || found->activity == activity) return;
  changing(id).activity = std::move(activity);
  out.push_back(emit(id, "activity"));
}

void TaskTable::output_resumed(TaskId id, TableActions& out) {
  const TaskRecord* found = live(id);
  auto rt_it = runtime_.find(id);
  if (!found || rt_it == runtime_.end() || !rt_it->second.stalled || protocol::is_finished(found->state))
    return;
  Runtime& rt = rt_it->second;
  rt.stalled = false;
  changing(id).activity = std::move(rt.activity_before_stall);
  out.push_back(emit(id, "activity"));
}

void TaskTable::set_waiting(TaskId id, std::optional<std::string> waiting, TableActions& out) {
  const TaskRecord* found = live(id);
  if (!found || found->waiting == waiting) return;
  changing(id).waiting = std::move(waiting);
  if (!protocol::is_finished(found->state)) out.push_back(emit(id, protocol::event::kActivity));
}

void TaskTable::fail_running(TaskId id, std::string why, std::string detail, double now, TableActions& out) {
  end_running(id, TaskState::kFailed, std::move(why), std::move(detail), now, out);
}

void TaskTable::end_running(TaskId id, TaskState state, std::string why, std::string detail, double now,
                            TableActions& out) {
  const TaskRecord* found = live(id);
  if (!found || protocol::is_finished(found->state)) return;
  TaskRecord& t = changing(id);
  if (!detail.empty()) t.stderr_tail = std::move(detail);
  finish(t, state, std::move(why), now, out);
  schedule(now, out);
}

void TaskTable::finish(TaskRecord& t, TaskState state, std::string reason, double now, TableActions& out) {
  changing(t.id);
  unfinished_.erase(t.id);
  if (t.state == TaskState::kQueued) t.activity.reset();  // what it waited for, if anything
  t.state = state;
  t.reason = reason.empty() ? std::nullopt : std::optional<std::string>(std::move(reason));
  t.finished_at = now;
  TaskId id = t.id;
  out.push_back(persist(id));
  out.push_back(emit(id, "finished"));
  keep_finished(id);  // `t` is gone from here on
}

std::vector<TaskId> TaskTable::clean(TableActions& out, const CleanFilter& filter) {
  std::vector<TaskId> removed;
  // The records carry the highest id until they are forgotten; from then on the
  // counter file must (ids are never reused).
  out.push_back({TableAction::Kind::kSaveNextId, 0, {}});
  // Finished tasks an unfinished one still waits for stay (its dependency check reads them).
  std::set<TaskId> needed_by_unfinished;
  for (TaskId waiting : unfinished_) {
    const auto& after = live_record(waiting).after;
    needed_by_unfinished.insert(after.begin(), after.end());
  }
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    TaskId id = it->first;
    bool needed = needed_by_unfinished.count(id) > 0;
    // A finished task is kept as a FinishedTask, unless something changed it since.
    const Task& task = it->second;
    TaskState state = task.live ? task.live->state : task.finished.state();
    double when = task.live ? task.live->finished_at.value_or(task.live->created_at)
                            : task.finished.finished_or_created_at();
    bool wanted = protocol::is_finished(state) && (!filter.state || state == *filter.state) &&
                  (!filter.finished_before || when <= *filter.finished_before);
    if (wanted && !needed) {
      removed.push_back(id);
      out.push_back({TableAction::Kind::kForget, id, {}});
      runtime_.erase(id);
      it = tasks_.erase(it);
    } else {
      ++it;
    }
  }
  return removed;
}

std::optional<TaskId> TaskTable::unfinished_named(const std::string& name) const {
  for (TaskId id : unfinished_) {
    if (tasks_.at(id).live->name == name) return id;
  }
  return std::nullopt;
}

std::optional<TaskId> TaskTable::resolve(const nlohmann::json& ref) const {
  std::optional<TaskId> id;
  if (ref.is_number_integer()) {
    id = ref.get<TaskId>();
  } else if (ref.is_string()) {
    const auto& s = ref.get_ref<const std::string&>();
    if (all_digits(s) && s.size() < 18) {
      id = std::stoll(s);
    } else {
      for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it) {
        const Task& task = it->second;
        if ((task.live ? task.live->name : task.finished.name()) == s) return it->first;
      }
      return std::nullopt;
    }
  }
  if (id && tasks_.count(*id)) return id;
  return std::nullopt;
}

}  // namespace ptt::taskd
