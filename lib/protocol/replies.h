#pragma once
// Every reply of the ptt-taskd protocol as a typed struct (docs/protocol.md, "Requests
// and replies"), with one to_json/from_json each. Each request names its reply type
// (SpawnTaskRequest::Reply, ...). On the wire a reply is its fields plus "id" and
// "ok" (reply_json); a refusal is ErrorReply under "error" (error_reply_json).
// The daemon's `list` and `wait` replies are joined from cached record lines
// (tasks_reply_line) and ptt-task reads a list with a SAX reader: both write and read
// the shape TasksReply defines (tests/unit/test_replies.cpp checks it).
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/permissions.h"
#include "protocol/protocol.h"
#include "protocol/queue_hold.h"
#include "protocol/record_view.h"
#include "protocol/task_record.h"

namespace ptt::protocol {

// The field names of replies, once.
namespace reply_field {
inline constexpr const char* kId = "id";
inline constexpr const char* kOk = "ok";
inline constexpr const char* kError = "error";
inline constexpr const char* kCode = "code";
inline constexpr const char* kMessage = "message";
inline constexpr const char* kVersion = "version";
inline constexpr const char* kServer = "server";
inline constexpr const char* kPid = "pid";
inline constexpr const char* kTask = "task";
inline constexpr const char* kTasks = "tasks";
inline constexpr const char* kText = "text";
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kPath = "path";
inline constexpr const char* kRemoved = "removed";
inline constexpr const char* kQueueHold = "queue_hold";
inline constexpr const char* kFinishedOmitted = "finished_omitted";
inline constexpr const char* kReleased = "released";
inline constexpr const char* kUuid = "uuid";
inline constexpr const char* kRequest = "request";
inline constexpr const char* kQuestions = "questions";
}  // namespace reply_field

// {"ok":false,"error":{"code","message"}}: `code` is one of protocol::error from the
// daemon (a client may make up its own, e.g. realtime's "unreachable").
struct ErrorReply {
  std::string code;
  std::string message;
  static constexpr std::array kFields = {reply_field::kCode, reply_field::kMessage};
  bool operator==(const ErrorReply&) const = default;
  // What a refusal that names neither reads as.
  static constexpr std::string_view kUnnamedCode = error::kInternal;
  static constexpr std::string_view kUnnamedMessage = "the daemon refused the request";
};

// hello
struct HelloReply {
  int version = 0;
  std::string server;  // "ptt-taskd <version>"
  std::int64_t pid = 0;
  static constexpr std::array kFields = {reply_field::kVersion, reply_field::kServer, reply_field::kPid};
  bool operator==(const HelloReply&) const = default;
};

// spawn, follow_up, retry (the new task's record) and get; queue_hold while the queue is held.
struct TaskReply {
  TaskRecord task;
  std::optional<QueueHold> queue_hold{};  // absent on the wire when there is none
  static constexpr std::array kFields = {reply_field::kTask, reply_field::kQueueHold};
  bool operator==(const TaskReply&) const = default;
};

// list, wait and subscribe. Each record whole, or (list's "view":"table") its table view;
// from_json reads either (a table view's missing fields stay empty) and gives view kFull.
// queue_hold: while the queue is held (absent on the wire otherwise).
struct TasksReply {
  std::vector<TaskRecord> tasks;
  RecordView view = RecordView::kFull;
  std::optional<QueueHold> queue_hold{};
  // list with finished_limit: the finished tasks left out (absent on the wire when none were).
  std::optional<std::uint64_t> finished_omitted{};
  static constexpr std::array kFields = {reply_field::kFinishedOmitted, reply_field::kQueueHold,
                                         reply_field::kTasks};
  bool operator==(const TasksReply&) const = default;
};

// result: the record and Claude's result text (null on the wire when it ended without one).
struct ResultReply {
  TaskRecord task;
  std::optional<std::string> text;
  static constexpr std::array kFields = {reply_field::kTask, reply_field::kText};
  bool operator==(const ResultReply&) const = default;
};

// cancel: the tasks it cancelled; for a cancel of one task also that task's record.
struct CancelReply {
  std::vector<std::int64_t> cancelled;
  std::optional<TaskRecord> task;  // absent on the wire for `all`
  static constexpr std::array kFields = {reply_field::kCancelled, reply_field::kTask};
  bool operator==(const CancelReply&) const = default;
};

// logs: the first reply; `log` and `log_end` events follow.
struct LogsReply {
  TaskRecord task;
  std::string path;  // the raw log file
  static constexpr std::array kFields = {reply_field::kTask, reply_field::kPath};
  bool operator==(const LogsReply&) const = default;
};

// clean: the finished tasks forgotten.
struct CleanReply {
  std::vector<std::int64_t> removed;
  static constexpr std::array kFields = {reply_field::kRemoved};
  bool operator==(const CleanReply&) const = default;
};

// shutdown: ok and nothing else.
struct ShutdownReply {
  static constexpr std::array<const char*, 0> kFields = {};
  bool operator==(const ShutdownReply&) const = default;
};

// queue_resume: the hold it ended (absent on the wire when the queue was not held).
struct QueueResumeReply {
  std::optional<QueueHold> released{};
  static constexpr std::array kFields = {reply_field::kReleased};
  bool operator==(const QueueResumeReply&) const = default;
};

// send: the task's record and the uuid the message went with (the CLI echoes it in the
// task's stream once it has taken the message).
struct SendReply {
  TaskRecord task;
  std::string uuid;
  static constexpr std::array kFields = {reply_field::kTask, reply_field::kUuid};
  bool operator==(const SendReply&) const = default;
};

// pending: every task's open questions, oldest first.
struct PendingReply {
  std::vector<PermissionQuestion> questions;
  static constexpr std::array kFields = {reply_field::kQuestions};
  bool operator==(const PendingReply&) const = default;
};

// answer_permission: the request id of the question it answered.
struct AnswerPermissionReply {
  std::string request;
  static constexpr std::array kFields = {reply_field::kRequest};
  bool operator==(const AnswerPermissionReply&) const = default;
};

using Reply = std::variant<HelloReply, TaskReply, TasksReply, ResultReply, CancelReply, LogsReply, CleanReply,
                           ShutdownReply, QueueResumeReply, SendReply, PendingReply, AnswerPermissionReply>;

// The reply's fields (without "id" and "ok"). from_json throws nlohmann::json::exception
// on a missing or mistyped field, as TaskRecord's does.
void to_json(nlohmann::json& j, const ErrorReply& r);
void from_json(const nlohmann::json& j, ErrorReply& r);
void to_json(nlohmann::json& j, const HelloReply& r);
void from_json(const nlohmann::json& j, HelloReply& r);
void to_json(nlohmann::json& j, const TaskReply& r);
void from_json(const nlohmann::json& j, TaskReply& r);
void to_json(nlohmann::json& j, const TasksReply& r);
void from_json(const nlohmann::json& j, TasksReply& r);
void to_json(nlohmann::json& j, const ResultReply& r);
void from_json(const nlohmann::json& j, ResultReply& r);
void to_json(nlohmann::json& j, const CancelReply& r);
void to_json(nlohmann::json& j, const SendReply& r);
void from_json(const nlohmann::json& j, SendReply& r);
void from_json(const nlohmann::json& j, CancelReply& r);
void to_json(nlohmann::json& j, const LogsReply& r);
void from_json(const nlohmann::json& j, LogsReply& r);
void to_json(nlohmann::json& j, const CleanReply& r);
void from_json(const nlohmann::json& j, CleanReply& r);
void to_json(nlohmann::json& j, const ShutdownReply& r);
void from_json(const nlohmann::json& j, ShutdownReply& r);
void to_json(nlohmann::json& j, const QueueResumeReply& r);
void from_json(const nlohmann::json& j, QueueResumeReply& r);
void to_json(nlohmann::json& j, const PendingReply& r);
void from_json(const nlohmann::json& j, PendingReply& r);
void to_json(nlohmann::json& j, const AnswerPermissionReply& r);
void from_json(const nlohmann::json& j, AnswerPermissionReply& r);

// The whole reply object: {"id": id, "ok": true, ...its fields}.
nlohmann::json reply_json(const nlohmann::json& id, const Reply& r);
// {"id": id, "ok": false, "error": {"code", "message"}}.
nlohmann::json error_reply_json(const nlohmann::json& id, const ErrorReply& e);
// A reply object as a line ('\n' included), as the daemon writes it.
std::string reply_line(const nlohmann::json& reply);

// Whether a reply message says ok (absent or not a boolean: not ok).
bool reply_is_ok(const nlohmann::json& message);
// The refusal in a reply message that is not ok. Never throws: a missing or mistyped
// code is "internal", a missing message "the daemon refused the request".
ErrorReply error_of(const nlohmann::json& message);

// A TasksReply without the records this version cannot read (an unreadable "tasks" is
// none), with its queue_hold (an unreadable one is none): for the views that live on
// (top, realtime), where one odd record must not hide the others. Never throws.
TasksReply readable_tasks(const nlohmann::json& reply);

// The fast path for a reply with many records (list, wait): the bytes of
// reply_line(reply_json(id, TasksReply{records, view})), joined from each record's
// record_line(record, view) (which the daemon caches) instead of built as one JSON tree.
std::string tasks_reply_line(const nlohmann::json& id, std::size_t count,
                             const std::function<const std::string&(std::size_t)>& record_line_at,
                             const std::optional<QueueHold>& queue_hold = std::nullopt,
                             std::optional<std::uint64_t> finished_omitted = std::nullopt);

}  // namespace ptt::protocol
