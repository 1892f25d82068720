#pragma once
// Every event of the ptt-taskd protocol as a typed struct (docs/protocol.md, "Events").
// The daemon builds task events from its records with task_event() and sends
// event_json(); clients read a line with parse_event() and keep their view of the
// tasks with TaskView (protocol/task_view.h).
//
// Task events carry what changed, not the whole record: `created` carries the whole
// record (a client's first sight of a task; `subscribe`'s reply carries the unfinished
// ones), the others the task's id, its state and the fields their kind of change
// touches. The prompt crosses once per task, however busy the agent is.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "protocol/protocol.h"
#include "protocol/task_record.h"
#include "protocol/task_record_fields.h"

namespace ptt::protocol {

struct TaskCreated {
  static constexpr std::string_view kEvent = event::kCreated;
  TaskRecord task;
  bool operator==(const TaskCreated&) const = default;
};

// What a running task's progress changes: `started` (the agent has started) and
// `activity` (a new tool use, or a cancel asked for) carry these.
struct TaskProgress {
  std::int64_t id = 0;
  TaskState state = TaskState::kRunning;
  std::optional<double> started_at;
  std::optional<int> pid;
  std::optional<std::string> session_id;
  std::optional<std::string> model;
  std::optional<std::string> activity;
  bool cancel_requested = false;       // on the wire only when true, as in the record
  std::optional<std::string> waiting;  // on the wire only when set, as in the record
  static constexpr std::array kFields = {
      record_field::kId,       record_field::kState,           record_field::kStartedAt,
      record_field::kPid,      record_field::kSessionId,       record_field::kModel,
      record_field::kActivity, record_field::kCancelRequested, record_field::kWaiting};
  bool operator==(const TaskProgress&) const = default;
};

struct TaskStarted {
  static constexpr std::string_view kEvent = event::kStarted;
  TaskProgress task;
  bool operator==(const TaskStarted&) const = default;
};

struct TaskActivity {
  static constexpr std::string_view kEvent = event::kActivity;
  TaskProgress task;
  bool operator==(const TaskActivity&) const = default;
};

// The agent has written nothing for the stall timeout (its activity says for how long).
struct TaskStalled {
  static constexpr std::string_view kEvent = event::kStalled;
  TaskProgress task;
  bool operator==(const TaskStalled&) const = default;
};

// A task's end: what a notifier tells (its name, state, reason and result), never the prompt.
struct TaskEnd {
  std::int64_t id = 0;
  std::optional<std::string> name;
  TaskState state = TaskState::kSucceeded;
  std::optional<std::string> reason;
  std::optional<double> finished_at;
  std::optional<std::string> session_id;
  std::optional<std::string> model;
  std::optional<int> exit_code;
  std::optional<std::string> stderr_tail;
  std::optional<AgentResult> result;
  // A worktree task's changes (its record's worktree.changes), for the finish announcement.
  std::optional<WorktreeChanges> changes;
  static constexpr std::array kFields = {
      record_field::kId,     record_field::kName,           record_field::kState,
      record_field::kReason, record_field::kFinishedAt,     record_field::kSessionId,
      record_field::kModel,  record_field::kExitCode,       record_field::kStderrTail,
      record_field::kResult, record_field::kWorktreeChanges};
  bool operator==(const TaskEnd&) const = default;
};

struct TaskFinished {
  static constexpr std::string_view kEvent = event::kFinished;
  TaskEnd task;
  bool operator==(const TaskFinished&) const = default;
};

// A finished task's worktree as it is now, sent when it changes after the task's end:
// `resolve_worktree` recorded a merge or discard, or its changes were counted again.
struct TaskWorktreeState {
  std::int64_t id = 0;
  std::optional<std::string> name;
  TaskState state = TaskState::kSucceeded;
  TaskWorktree worktree;
  static constexpr std::array kFields = {record_field::kId, record_field::kName, record_field::kState,
                                         record_field::kWorktree};
  bool operator==(const TaskWorktreeState&) const = default;
};

struct TaskWorktreeChanged {
  static constexpr std::string_view kEvent = event::kWorktree;
  TaskWorktreeState task;
  bool operator==(const TaskWorktreeChanged&) const = default;
};

// One line of a followed log (`logs`): the raw line, or the size of one too long to send.
struct LogLine {
  static constexpr std::string_view kEvent = event::kLog;
  std::int64_t task = 0;
  std::optional<std::string> line;
  std::optional<std::uint64_t> omitted_bytes;
  // The byte offset just past this line in the log file: a `logs` request with it as
  // `from_offset` goes on with the next line. Required: a `log` event without it is unreadable.
  std::uint64_t next_offset = 0;
  bool operator==(const LogLine&) const = default;
};

struct LogEnd {
  static constexpr std::string_view kEvent = event::kLogEnd;
  std::int64_t task = 0;
  bool operator==(const LogEnd&) const = default;
};

using Event = std::variant<TaskCreated, TaskStarted, TaskActivity, TaskStalled, TaskFinished,
                           TaskWorktreeChanged, LogLine, LogEnd>;

void to_json(nlohmann::json& j, const TaskProgress& p);
void from_json(const nlohmann::json& j, TaskProgress& p);
void to_json(nlohmann::json& j, const TaskEnd& e);
void from_json(const nlohmann::json& j, TaskEnd& e);
void to_json(nlohmann::json& j, const TaskWorktreeState& w);
void from_json(const nlohmann::json& j, TaskWorktreeState& w);
// A `log` event's fields (not its "event"); throws json::exception for a missing or
// mistyped one, `next_offset` included.
void from_json(const nlohmann::json& j, LogLine& l);

std::string_view event_name(const Event& e);
// The whole event line's object: {"event": <name>, ...its fields}.
nlohmann::json event_json(const Event& e);
// A line's object to its typed event; nullopt for one that is not an event this
// version knows, or one whose fields are missing or mistyped (a client skips it).
std::optional<Event> parse_event(const nlohmann::json& j);

// The daemon's event of kind `name` (created, started, activity, stalled, finished or
// worktree) about `t`.
Event task_event(std::string_view name, const TaskRecord& t);

// The task an event is about.
std::int64_t task_of(const Event& e);

}  // namespace ptt::protocol
