#include "protocol/requests.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "core/json_integer.h"
#include "protocol/request_fields.h"

namespace ptt::protocol {
namespace err = error;
using nlohmann::json;

namespace {

void put_name(json& j, const std::optional<std::string>& name) {
  if (name) j["name"] = *name;
}

void put_options(json& j, const AgentOptions& options) {
  json o = options;
  if (!o.empty()) j["options"] = std::move(o);
}

HelloRequest parse_hello(const json& req) {
  HelloRequest r;
  if (auto v = req.find("version"); v != req.end()) {
    // A huge one must not wrap around into a version this daemon speaks.
    if (!v->is_number_integer() || *v < std::numeric_limits<int>::min() ||
        *v > std::numeric_limits<int>::max())
      mistyped("version", "an integer");
    r.version = v->get<int>();
  }
  r.client = optional_string(req, "client", "client");
  return r;
}

SpawnTaskRequest parse_spawn(const json& req) {
  SpawnTaskRequest r;
  r.prompt = required_string(req, "prompt");
  r.cwd = required_string(req, "cwd");
  r.name = optional_name(req);
  r.after = task_ref_list(req, "after");
  r.options = parse_options(req);
  r.worktree = optional_bool(req, "worktree");
  r.base = optional_string(req, "base", "base");
  r.setup = optional_string(req, "setup", "setup");
  if (r.worktree == false && (r.base || r.setup))
    throw RequestRejected{err::kInvalidArgument, "`base` and `setup` need a worktree (`worktree`: true)"};
  if (r.base && (r.base->empty() || r.base->front() == '-'))
    throw RequestRejected{err::kInvalidArgument, "`base` must name a commit (a branch, tag or hash)"};
  return r;
}

FollowUpRequest parse_follow_up(const json& req) {
  FollowUpRequest r;
  r.task = required_task_ref(req);
  r.prompt = required_string(req, "prompt");
  r.name = optional_name(req);
  r.options = parse_options(req);
  return r;
}

RetryRequest parse_retry(const json& req) {
  return {.task = required_task_ref(req), .name = optional_name(req)};
}

ListRequest parse_list(const json& req) {
  ListRequest r;
  r.state = optional_state(req, false);
  if (auto v = req.find("view"); v != req.end() && !v->is_null()) {
    if (!v->is_string() || (*v != "full" && *v != "table"))
      throw RequestRejected{err::kInvalidArgument, "`view` must be \"full\" or \"table\""};
    r.table_view = *v == "table";
  }
  if (auto v = req.find("finished_limit"); v != req.end() && !v->is_null()) {
    r.finished_limit = integer_if<std::uint64_t>(*v);
    if (!r.finished_limit) mistyped("finished_limit", "a count (an integer from 0)");
  }
  return r;
}

GetRequest parse_get(const json& req) { return {.task = required_task_ref(req)}; }

ResultRequest parse_result(const json& req) { return {.task = required_task_ref(req)}; }

CancelRequest parse_cancel(const json& req) {
  if (optional_bool(req, "all").value_or(false)) return {.task = std::nullopt, .all = true};
  return {.task = required_task_ref(req), .all = false};
}

LogsRequest parse_logs(const json& req) {
  LogsRequest r;
  r.task = required_task_ref(req);
  if (auto s = req.find("stream"); s != req.end() && !s->is_null()) {
    if (!s->is_string() || (*s != "stdout" && *s != "stderr")) {
      throw RequestRejected{err::kInvalidArgument, "`stream` must be \"stdout\" or \"stderr\""};
    }
    r.stream = *s == "stderr" ? LogStream::kStderr : LogStream::kStdout;
  }
  r.follow = optional_bool(req, "follow").value_or(false);
  if (auto v = req.find("from_offset"); v != req.end() && !v->is_null()) {
    auto offset = integer_if<std::uint64_t>(*v);
    if (!offset) mistyped("from_offset", "a byte offset (an integer from 0)");
    r.from_offset = *offset;
  }
  return r;
}

SubscribeRequest parse_subscribe(const json&) { return {}; }

WaitRequest parse_wait(const json& req) {
  WaitRequest r;
  if (optional_bool(req, "all").value_or(false)) {
    r.all = true;
    return r;
  }
  r.tasks = task_ref_list(req, "tasks");
  if (r.tasks.empty()) {
    throw RequestRejected{err::kBadRequest,
                          "`tasks` must be a non-empty array of task ids or names (or give \"all\": true)"};
  }
  return r;
}

CleanRequest parse_clean(const json& req) {
  CleanRequest r;
  r.state = optional_state(req, true);
  if (auto o = req.find("older_than_s"); o != req.end() && !o->is_null()) {
    if (!o->is_number() || o->get<double>() < 0)
      throw RequestRejected{err::kBadRequest, "`older_than_s` must be a number of seconds, 0 or more"};
    r.older_than_s = o->get<double>();
  }
  return r;
}

ShutdownRequest parse_shutdown(const json&) { return {}; }

QueueResumeRequest parse_queue_resume(const json&) { return {}; }
SendRequest parse_send(const json& req) {
  SendRequest r;
  r.task = required_task_ref(req);
  r.text = required_string(req, "text");
  return r;
}

InterruptRequest parse_interrupt(const json& req) { return {required_task_ref(req)}; }

PendingRequest parse_pending(const json&) { return {}; }

ResolveWorktreeRequest parse_resolve_worktree(const json& req) {
  ResolveWorktreeRequest r{.task = required_task_ref(req), .resolution = required_string(req, "resolution")};
  if (!is_resolution(r.resolution))
    throw RequestRejected{err::kInvalidArgument, "`resolution` must be \"merged\" or \"discarded\""};
  return r;
}

AnswerPermissionRequest parse_answer_permission(const json& req) {
  AnswerPermissionRequest r;
  r.task = required_task_ref(req);
  r.request = optional_string(req, "request", "request");
  auto allow = optional_bool(req, "allow");
  if (!allow) throw RequestRejected{err::kBadRequest, "`allow` must be true or false"};
  r.allow = *allow;
  r.always = optional_bool(req, "always").value_or(false);
  r.reason = optional_string(req, "reason", "reason");
  if (auto by = optional_string(req, "by", "by")) {
    if (by->empty()) throw RequestRejected{err::kInvalidArgument, "`by` must not be empty"};
    r.by = std::move(*by);
  }
  return r;
}

using Parser = Request (*)(const json&);

template <auto Parse>
Request parse_as(const json& req) {
  return Parse(req);
}

constexpr std::array<std::pair<std::string_view, Parser>, op::kAll.size()> kParsers = {{
    {op::kHello, parse_as<parse_hello>},
    {op::kSpawn, parse_as<parse_spawn>},
    {op::kList, parse_as<parse_list>},
    {op::kGet, parse_as<parse_get>},
    {op::kResult, parse_as<parse_result>},
    {op::kCancel, parse_as<parse_cancel>},
    {op::kLogs, parse_as<parse_logs>},
    {op::kSubscribe, parse_as<parse_subscribe>},
    {op::kWait, parse_as<parse_wait>},
    {op::kFollowUp, parse_as<parse_follow_up>},
    {op::kClean, parse_as<parse_clean>},
    {op::kRetry, parse_as<parse_retry>},
    {op::kShutdown, parse_as<parse_shutdown>},
    {op::kQueueResume, parse_as<parse_queue_resume>},
    {op::kSend, parse_as<parse_send>},
    {op::kInterrupt, parse_as<parse_interrupt>},
    {op::kPending, parse_as<parse_pending>},
    {op::kAnswerPermission, parse_as<parse_answer_permission>},
    {op::kResolveWorktree, parse_as<parse_resolve_worktree>},
}};

Parser parser_for(std::string_view name) {
  for (const auto& [op, parse] : kParsers) {
    if (op == name) return parse;
  }
  return nullptr;
}

}  // namespace

void to_json(json& j, const HelloRequest& r) {
  j = json::object();
  if (r.version) j["version"] = *r.version;
  if (r.client) j["client"] = *r.client;
}

void to_json(json& j, const SpawnTaskRequest& r) {
  j = {{"prompt", r.prompt}, {"cwd", r.cwd}};
  put_name(j, r.name);
  if (!r.after.empty()) j["after"] = r.after;
  put_options(j, r.options);
  if (r.worktree) j["worktree"] = *r.worktree;
  if (r.base) j["base"] = *r.base;
  if (r.setup) j["setup"] = *r.setup;
}

void to_json(json& j, const FollowUpRequest& r) {
  j = {{"task", r.task}, {"prompt", r.prompt}};
  put_name(j, r.name);
  put_options(j, r.options);
}

void to_json(json& j, const RetryRequest& r) {
  j = {{"task", r.task}};
  put_name(j, r.name);
}

void to_json(json& j, const ListRequest& r) {
  j = json::object();
  if (r.state) j["state"] = to_string(*r.state);
  if (r.table_view) j["view"] = "table";
  if (r.finished_limit) j["finished_limit"] = *r.finished_limit;
}

void to_json(json& j, const GetRequest& r) { j = {{"task", r.task}}; }

void to_json(json& j, const ResultRequest& r) { j = {{"task", r.task}}; }

void to_json(json& j, const CancelRequest& r) {
  j = r.all || !r.task ? json{{"all", true}} : json{{"task", *r.task}};
}

void to_json(json& j, const LogsRequest& r) {
  j = {{"task", r.task}, {"follow", r.follow}};
  if (r.stream == LogStream::kStderr) j["stream"] = "stderr";
  if (r.from_offset > 0) j["from_offset"] = r.from_offset;
}

void to_json(json& j, const SubscribeRequest&) { j = json::object(); }

void to_json(json& j, const WaitRequest& r) { j = r.all ? json{{"all", true}} : json{{"tasks", r.tasks}}; }

void to_json(json& j, const CleanRequest& r) {
  j = json::object();
  if (r.state) j["state"] = to_string(*r.state);
  if (r.older_than_s) j["older_than_s"] = *r.older_than_s;
}

void to_json(json& j, const ShutdownRequest&) { j = json::object(); }

void to_json(json& j, const QueueResumeRequest&) { j = json::object(); }
void to_json(json& j, const SendRequest& r) { j = {{"task", r.task}, {"text", r.text}}; }

void to_json(json& j, const InterruptRequest& r) { j = {{"task", r.task}}; }

void to_json(json& j, const PendingRequest&) { j = json::object(); }

void to_json(json& j, const AnswerPermissionRequest& r) {
  j = {{"task", r.task}, {"allow", r.allow}, {"by", r.by}};
  if (r.request) j["request"] = *r.request;
  if (r.always) j["always"] = true;
  if (r.reason) j["reason"] = *r.reason;
}

void to_json(json& j, const ResolveWorktreeRequest& r) {
  j = {{"task", r.task}, {"resolution", r.resolution}};
}

std::string_view op_of(const Request& r) {
  return std::visit([](const auto& req) { return std::decay_t<decltype(req)>::kOp; }, r);
}

json request_json(const Request& r) {
  json j = std::visit([](const auto& req) { return json(req); }, r);
  j["op"] = op_of(r);
  return j;
}

std::optional<std::string_view> known_op(const json& req) {
  auto op = req.find("op");
  if (op == req.end() || !op->is_string()) return std::nullopt;
  const auto& name = op->get_ref<const std::string&>();
  auto it = std::find(op::kAll.begin(), op::kAll.end(), name);
  if (it == op::kAll.end()) return std::nullopt;
  return *it;
}

std::optional<RequestRejected> check_request_id(const json& req) {
  auto id = req.find("id");
  // nlohmann keeps strings and 64-bit integers as sent; any other number it reads as a
  // double, which would come back changed (1e2 as 100.0, 2^70 rounded).
  if (id == req.end() || id->is_null() || id->is_string() || id->is_number_integer()) return std::nullopt;
  return RequestRejected{err::kBadRequest,
                         "`id` must be a string or an integer of at most 64 bits (it is echoed in the reply "
                         "as sent); this one was refused and not run"};
}

std::variant<Request, RequestRejected> parse_request(const json& req) {
  auto op = req.find("op");
  if (op == req.end() || !op->is_string())
    return RequestRejected{err::kBadRequest, "a request needs an \"op\" string"};
  Parser parse = parser_for(op->get_ref<const std::string&>());
  if (!parse) {
    return RequestRejected{err::kUnknownOp,
                           fmt::format("unknown op {}; see docs/protocol.md for the ops", op->dump())};
  }
  try {
    return parse(req);
  } catch (RequestRejected& e) {
    return std::move(e);
  } catch (const json::exception& e) {
    return RequestRejected{err::kBadRequest, e.what()};
  }
}

}  // namespace ptt::protocol
