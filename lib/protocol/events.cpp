#include "protocol/events.h"

#include "core/overloaded.h"
#include "protocol/json_fields.h"

namespace ptt::protocol {
using nlohmann::json;
namespace f = record_field;

namespace {

constexpr const char* kEventKey = "event";
constexpr const char* kTaskKey = "task";
constexpr const char* kLineKey = "line";
constexpr const char* kOmittedBytesKey = "omitted_bytes";
constexpr const char* kNextOffsetKey = "next_offset";

TaskState state_from(const json& j) {
  auto state = parse_task_state(j.at(f::kState).get<std::string>());
  if (!state) throw json::type_error::create(302, "unknown task state", &j);
  return *state;
}

TaskProgress progress_of(const TaskRecord& t) {
  return {.id = t.id,
          .state = t.state,
          .started_at = t.started_at,
          .pid = t.pid,
          .session_id = t.session_id,
          .model = t.model,
          .activity = t.activity,
          .cancel_requested = t.cancel_requested,
          .waiting = t.waiting};
}

TaskEnd end_of(const TaskRecord& t) {
  return {.id = t.id,
          .name = t.name,
          .state = t.state,
          .reason = t.reason,
          .finished_at = t.finished_at,
          .session_id = t.session_id,
          .model = t.model,
          .exit_code = t.exit_code,
          .stderr_tail = t.stderr_tail,
          .result = t.result,
          .changes = t.worktree ? t.worktree->changes : std::nullopt};
}

TaskWorktreeState worktree_state_of(const TaskRecord& t) {
  return {.id = t.id, .name = t.name, .state = t.state, .worktree = t.worktree.value_or(TaskWorktree{})};
}

template <typename E>
E with_task(const json& j) {
  E e;
  e.task = j.at(kTaskKey).get<decltype(e.task)>();
  return e;
}

}  // namespace

void to_json(json& j, const TaskProgress& p) {
  j = json::object();
  j[f::kId] = p.id;
  j[f::kState] = to_string(p.state);
  put_nullable(j, f::kStartedAt, p.started_at);
  put_nullable(j, f::kPid, p.pid);
  put_nullable(j, f::kSessionId, p.session_id);
  put_nullable(j, f::kModel, p.model);
  put_nullable(j, f::kActivity, p.activity);
  if (p.cancel_requested) j[f::kCancelRequested] = true;
  if (p.waiting) j[f::kWaiting] = *p.waiting;
}

void from_json(const json& j, TaskProgress& p) {
  p = {};
  p.id = checked_integer<std::int64_t>(j.at(f::kId));
  p.state = state_from(j);
  get_nullable(j, f::kStartedAt, p.started_at);
  get_nullable(j, f::kPid, p.pid);
  get_nullable(j, f::kSessionId, p.session_id);
  get_nullable(j, f::kModel, p.model);
  get_nullable(j, f::kActivity, p.activity);
  p.cancel_requested = field_or(j, f::kCancelRequested, false);
  if (auto it = j.find(f::kWaiting); it != j.end() && it->is_string()) p.waiting = it->get<std::string>();
}

void to_json(json& j, const TaskEnd& e) {
  j = json::object();
  j[f::kId] = e.id;
  put_nullable(j, f::kName, e.name);
  j[f::kState] = to_string(e.state);
  put_nullable(j, f::kReason, e.reason);
  put_nullable(j, f::kFinishedAt, e.finished_at);
  put_nullable(j, f::kSessionId, e.session_id);
  put_nullable(j, f::kModel, e.model);
  put_nullable(j, f::kExitCode, e.exit_code);
  put_nullable(j, f::kStderrTail, e.stderr_tail);
  put_nullable(j, f::kResult, e.result);
  if (e.changes) j[f::kWorktreeChanges] = changes_json(*e.changes);
}

void from_json(const json& j, TaskEnd& e) {
  e = {};
  e.id = checked_integer<std::int64_t>(j.at(f::kId));
  get_nullable(j, f::kName, e.name);
  e.state = state_from(j);
  get_nullable(j, f::kReason, e.reason);
  get_nullable(j, f::kFinishedAt, e.finished_at);
  get_nullable(j, f::kSessionId, e.session_id);
  get_nullable(j, f::kModel, e.model);
  get_nullable(j, f::kExitCode, e.exit_code);
  get_nullable(j, f::kStderrTail, e.stderr_tail);
  get_nullable(j, f::kResult, e.result);
  if (auto it = j.find(f::kWorktreeChanges); it != j.end() && it->is_object())
    e.changes = changes_of_json(*it);
}

void to_json(json& j, const TaskWorktreeState& w) {
  j = json::object();
  j[f::kId] = w.id;
  put_nullable(j, f::kName, w.name);
  j[f::kState] = to_string(w.state);
  j[f::kWorktree] = w.worktree;
}

void from_json(const json& j, TaskWorktreeState& w) {
  w = {};
  w.id = checked_integer<std::int64_t>(j.at(f::kId));
  get_nullable(j, f::kName, w.name);
  w.state = state_from(j);
  const json& worktree = j.at(f::kWorktree);
  if (!worktree.is_object()) throw json::type_error::create(302, "worktree is not an object", &j);
  w.worktree = worktree.get<TaskWorktree>();
}

void from_json(const json& j, LogLine& l) {
  l = {};
  l.task = checked_integer<std::int64_t>(j.at(kTaskKey));
  get_nullable(j, kLineKey, l.line);
  get_nullable(j, kOmittedBytesKey, l.omitted_bytes);
  l.next_offset = checked_integer<std::uint64_t>(j.at(kNextOffsetKey));
}

std::string_view event_name(const Event& e) {
  return std::visit([](const auto& ev) { return std::decay_t<decltype(ev)>::kEvent; }, e);
}

json event_json(const Event& e) {
  json j = {{kEventKey, event_name(e)}};
  std::visit(Overloaded{
                 [&](const LogLine& l) {
                   j[kTaskKey] = l.task;
                   if (l.line) j[kLineKey] = *l.line;
                   if (l.omitted_bytes) j[kOmittedBytesKey] = *l.omitted_bytes;
                   j[kNextOffsetKey] = l.next_offset;
                 },
                 [&](const LogEnd& l) { j[kTaskKey] = l.task; },
                 [&](const auto& task_event) { j[kTaskKey] = task_event.task; },
             },
             e);
  return j;
}

std::optional<Event> parse_event(const json& j) {
  if (!j.is_object()) return std::nullopt;
  std::string name = field_or(j, kEventKey, "");
  try {
    if (name == TaskCreated::kEvent) return with_task<TaskCreated>(j);
    if (name == TaskStarted::kEvent) return with_task<TaskStarted>(j);
    if (name == TaskActivity::kEvent) return with_task<TaskActivity>(j);
    if (name == TaskStalled::kEvent) return with_task<TaskStalled>(j);
    if (name == TaskFinished::kEvent) return with_task<TaskFinished>(j);
    if (name == TaskWorktreeChanged::kEvent) return with_task<TaskWorktreeChanged>(j);
    if (name == LogLine::kEvent) return j.get<LogLine>();
    if (name == LogEnd::kEvent) return LogEnd{.task = checked_integer<std::int64_t>(j.at(kTaskKey))};
  } catch (const json::exception&) {
    // Missing or mistyped fields: not an event this client can use.
  }
  return std::nullopt;
}

Event task_event(std::string_view name, const TaskRecord& t) {
  if (name == TaskCreated::kEvent) return TaskCreated{t};
  if (name == TaskStarted::kEvent) return TaskStarted{progress_of(t)};
  if (name == TaskFinished::kEvent) return TaskFinished{end_of(t)};
  if (name == TaskStalled::kEvent) return TaskStalled{progress_of(t)};
  if (name == TaskWorktreeChanged::kEvent) return TaskWorktreeChanged{worktree_state_of(t)};
  return TaskActivity{progress_of(t)};
}

std::int64_t task_of(const Event& e) {
  return std::visit(Overloaded{
                        [](const TaskCreated& c) { return c.task.id; },
                        [](const TaskStarted& s) { return s.task.id; },
                        [](const TaskActivity& a) { return a.task.id; },
                        [](const TaskStalled& a) { return a.task.id; },
                        [](const TaskFinished& f) { return f.task.id; },
                        [](const TaskWorktreeChanged& w) { return w.task.id; },
                        [](const LogLine& l) { return l.task; },
                        [](const LogEnd& l) { return l.task; },
                    },
                    e);
}

}  // namespace ptt::protocol
