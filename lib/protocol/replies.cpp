#include "protocol/replies.h"

#include <fmt/format.h>

#include "core/ndjson.h"
#include "protocol/json_fields.h"

namespace ptt::protocol {
using nlohmann::json;
namespace f = reply_field;

namespace {

// An integer field as sent; a float or one out of Int's range is refused as mistyped
// (core/json_integer.h says why).
template <typename Int>
Int integer_at(const json& j, const char* key) {
  if (auto v = integer_if<Int>(j.at(key))) return *v;
  throw json::type_error::create(302, std::string("`") + key + "` must be an integer", &j);
}

std::vector<std::int64_t> ids_at(const json& j, const char* key) {
  const json& v = j.at(key);
  if (!v.is_array()) throw json::type_error::create(302, std::string("`") + key + "` must be an array", &j);
  std::vector<std::int64_t> ids;
  ids.reserve(v.size());
  for (const auto& id : v) {
    auto task = integer_if<std::int64_t>(id);
    if (!task) throw json::type_error::create(302, std::string("`") + key + "` must hold task ids", &j);
    ids.push_back(*task);
  }
  return ids;
}

}  // namespace

void to_json(json& j, const ErrorReply& r) { j = {{f::kCode, r.code}, {f::kMessage, r.message}}; }

void from_json(const json& j, ErrorReply& r) {
  r.code = field_or(j, f::kCode, std::string(ErrorReply::kUnnamedCode));
  r.message = field_or(j, f::kMessage, std::string(ErrorReply::kUnnamedMessage));
}

void to_json(json& j, const HelloReply& r) {
  j = {{f::kVersion, r.version}, {f::kServer, r.server}, {f::kPid, r.pid}};
}

void from_json(const json& j, HelloReply& r) {
  r.version = integer_at<int>(j, f::kVersion);
  r.server = j.at(f::kServer).get<std::string>();
  r.pid = integer_at<std::int64_t>(j, f::kPid);
}

void to_json(json& j, const TaskReply& r) {
  j = {{f::kTask, r.task}};
  if (r.queue_hold) j[f::kQueueHold] = *r.queue_hold;
}

void from_json(const json& j, TaskReply& r) {
  r.task = j.at(f::kTask).get<TaskRecord>();
  get_nullable(j, f::kQueueHold, r.queue_hold);
}

void to_json(json& j, const TasksReply& r) {
  json tasks = json::array();
  for (const auto& t : r.tasks) tasks.push_back(record_json(t, r.view));
  j = {{f::kTasks, std::move(tasks)}};
  if (r.queue_hold) j[f::kQueueHold] = *r.queue_hold;
  if (r.finished_omitted) j[f::kFinishedOmitted] = *r.finished_omitted;
}

void from_json(const json& j, TasksReply& r) {
  const json& tasks = j.at(f::kTasks);
  if (!tasks.is_array()) throw json::type_error::create(302, "`tasks` must be an array", &j);
  r.tasks = tasks.get<std::vector<TaskRecord>>();
  r.view = RecordView::kFull;
  get_nullable(j, f::kQueueHold, r.queue_hold);
  get_nullable(j, f::kFinishedOmitted, r.finished_omitted);
}

void to_json(json& j, const ResultReply& r) {
  j = {{f::kTask, r.task}};
  put_nullable(j, f::kText, r.text);
}

void from_json(const json& j, ResultReply& r) {
  r.task = j.at(f::kTask).get<TaskRecord>();
  get_nullable(j, f::kText, r.text);
}

void to_json(json& j, const CancelReply& r) {
  j = {{f::kCancelled, r.cancelled}};
  if (r.task) j[f::kTask] = *r.task;
}

void from_json(const json& j, CancelReply& r) {
  r.cancelled = ids_at(j, f::kCancelled);
  get_nullable(j, f::kTask, r.task);
}

void to_json(json& j, const LogsReply& r) { j = {{f::kTask, r.task}, {f::kPath, r.path}}; }

void from_json(const json& j, LogsReply& r) {
  r.task = j.at(f::kTask).get<TaskRecord>();
  r.path = j.at(f::kPath).get<std::string>();
}

void to_json(json& j, const CleanReply& r) { j = {{f::kRemoved, r.removed}}; }

void from_json(const json& j, CleanReply& r) { r.removed = ids_at(j, f::kRemoved); }

void to_json(json& j, const ShutdownReply&) { j = json::object(); }

void from_json(const json&, ShutdownReply&) {}

void to_json(json& j, const QueueResumeReply& r) {
  j = json::object();
  if (r.released) j[f::kReleased] = *r.released;
}

void from_json(const json& j, QueueResumeReply& r) { get_nullable(j, f::kReleased, r.released); }

void to_json(json& j, const SendReply& r) { j = {{f::kTask, r.task}, {f::kUuid, r.uuid}}; }

void from_json(const json& j, SendReply& r) {
  r.task = j.at(f::kTask).get<TaskRecord>();
  r.uuid = j.at(f::kUuid).get<std::string>();
}

void to_json(json& j, const PendingReply& r) { j = {{f::kQuestions, r.questions}}; }

void from_json(const json& j, PendingReply& r) {
  const json& questions = j.at(f::kQuestions);
  if (!questions.is_array()) throw json::type_error::create(302, "`questions` must be an array", &j);
  r.questions = questions.get<std::vector<PermissionQuestion>>();
}

void to_json(json& j, const AnswerPermissionReply& r) { j = {{f::kRequest, r.request}}; }

void from_json(const json& j, AnswerPermissionReply& r) {
  const json& request = j.at(f::kRequest);
  if (!request.is_string()) throw json::type_error::create(302, "`request` must be a string", &j);
  r.request = request.get<std::string>();
}

json reply_json(const json& id, const Reply& r) {
  json j = std::visit([](const auto& reply) { return json(reply); }, r);
  j[f::kId] = id;
  j[f::kOk] = true;
  return j;
}

json error_reply_json(const json& id, const ErrorReply& e) {
  return {{f::kId, id}, {f::kOk, false}, {f::kError, e}};
}

std::string reply_line(const json& reply) { return to_ndjson(reply); }

bool reply_is_ok(const json& message) { return field_or(message, f::kOk, false); }

ErrorReply error_of(const json& message) {
  auto it = message.is_object() ? message.find(f::kError) : message.end();
  return (it != message.end() && it->is_object() ? *it : json::object()).get<ErrorReply>();
}

TasksReply readable_tasks(const json& reply) {
  TasksReply out;
  auto tasks = reply.is_object() ? reply.find(f::kTasks) : reply.end();
  if (tasks == reply.end() || !tasks->is_array()) return out;
  for (const auto& record : *tasks) {
    try {
      out.tasks.push_back(record.get<TaskRecord>());
    } catch (const json::exception&) {
      // One record this version cannot read does not hide the others.
    }
  }
  auto hold = reply.find(f::kQueueHold);
  if (hold != reply.end()) {
    try {
      out.queue_hold = hold->get<QueueHold>();
    } catch (const json::exception&) {
      // A hold this version cannot read hides no task.
    }
  }
  return out;
}

std::string tasks_reply_line(const json& id, std::size_t count,
                             const std::function<const std::string&(std::size_t)>& record_line_at,
                             const std::optional<QueueHold>& queue_hold,
                             std::optional<std::uint64_t> finished_omitted) {
  // The keys in the order nlohmann's object writes them (sorted):
  // finished_omitted, id, ok, queue_hold, tasks.
  std::string out = "{";
  if (finished_omitted) out += fmt::format(R"("{}":{},)", f::kFinishedOmitted, *finished_omitted);
  out += std::string(R"(")") + f::kId + R"(":)" + id.dump(-1, ' ', false, json::error_handler_t::replace) +
         R"(,")" + f::kOk + R"(":true,")";
  if (queue_hold) out += std::string(f::kQueueHold) + R"(":)" + json(*queue_hold).dump() + R"(,")";
  out += std::string(f::kTasks) + R"(":[)";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    out += record_line_at(i);
  }
  out += "]}\n";
  return out;
}

}  // namespace ptt::protocol
