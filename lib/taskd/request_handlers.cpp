// One handler per protocol op (docs/protocol.md). Each validates its request,
// drives the TaskTable and returns its reply (or null when it replies later).
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <unordered_map>

#include <fmt/format.h>

#include "core/version.h"
#include "protocol/protocol.h"
#include "taskd/agent_command.h"
#include "taskd/daemon_state.h"
#include "taskd/request_fields.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
namespace err = protocol::error;
using nlohmann::json;
using protocol::TaskState;

namespace {

using Handler = json (*)(Daemon&, ClientConnection&, const json&);

json error_reply(const json& id, std::string_view code, const std::string& message) {
  return {{"id", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}

json on_hello(Daemon&, ClientConnection& c, const json& req) {
  c.hello_refused = false;
  if (auto v = req.find("version"); v != req.end()) {
    if (!v->is_number_integer()) throw RequestError{err::kBadRequest, "`version` must be an integer"};
    if (v->get<int>() != protocol::kVersion) {
      c.hello_refused = true;
      throw RequestError{
          err::kVersionMismatch,
          fmt::format("this daemon speaks protocol version {}, the client {}; upgrade the older one",
                      protocol::kVersion, v->get<int>())};
    }
  }
  return {{"version", protocol::kVersion},
          {"server", std::string("ptt-taskd ") + PTT_VERSION},
          {"pid", ::getpid()}};
}

// A name must pick out one task while it can still be waited for or cancelled;
// once that task has finished the name may be used again (it then resolves to
// the newest task with it).
std::optional<std::string> free_name(const Daemon& d, const json& req) {
  auto name = optional_name(req);
  if (name) {
    if (auto holder = d.table_.unfinished_named(*name)) {
      throw RequestError{
          err::kInvalidArgument,
          fmt::format("the name {} is taken by task {}, which is still {}; choose another name, "
                      "or wait for task {} to finish",
                      json(*name).dump(), *holder, protocol::to_string(d.table_.find(*holder)->state),
                      *holder)};
    }
  }
  return name;
}

json spawn_reply(Daemon& d, SpawnRequest s) {
  TableActions actions;
  TaskId id = d.table_.spawn(std::move(s), Daemon::now(), actions);
  d.record_new_task(id, actions);
  d.apply_after_reply(std::move(actions));
  return {{"task", d.record_json(id)}};
}

json on_spawn(Daemon& d, ClientConnection&, const json& req) {
  SpawnRequest s;
  s.prompt = required_string(req, "prompt");
  s.cwd = d.check_cwd(req);
  s.name = free_name(d, req);
  if (auto after = req.find("after"); after != req.end() && !after->is_null()) {
    if (!after->is_array())
      throw RequestError{err::kBadRequest, "`after` must be an array of task ids or names"};
    for (const auto& ref : *after) {
      auto id = d.table_.resolve(ref);
      if (!id)
        throw RequestError{err::kNotFound,
                           fmt::format("no task {} to wait for; see `ptt-task list`", ref.dump())};
      s.after.push_back(*id);
    }
  }
  s.options = parse_options(req);
  return spawn_reply(d, std::move(s));
}

json on_follow_up(Daemon& d, ClientConnection&, const json& req) {
  TaskId parent_id = d.resolve_task(req);
  const auto* parent = d.table_.find(parent_id);
  if (!protocol::is_finished(parent->state)) {
    throw RequestError{err::kNotFinished, fmt::format("task {} is still {}; wait for it first", parent_id,
                                                      protocol::to_string(parent->state))};
  }
  if (!parent->session_id) {
    throw RequestError{
        err::kInvalidArgument,
        fmt::format("task {} has no Claude session to continue (it never started one)", parent_id)};
  }
  SpawnRequest s;
  s.prompt = required_string(req, "prompt");
  s.cwd = parent->cwd;
  s.name = free_name(d, req);
  s.parent = parent_id;
  s.resume_session = parent->session_id;
  s.options = merge_options(parent->options, parse_options(req));
  return spawn_reply(d, std::move(s));
}

// The same prompt, cwd and options again (a follow-up's retry resumes the same
// session), without the old dependencies: they have finished one way or another.
json on_retry(Daemon& d, ClientConnection&, const json& req) {
  TaskId old_id = d.resolve_task(req);
  const auto* old = d.table_.find(old_id);
  if (!protocol::is_finished(old->state)) {
    throw RequestError{err::kNotFinished,
                       fmt::format("task {} is still {}; wait for it or cancel it, then retry", old_id,
                                   protocol::to_string(old->state))};
  }
  SpawnRequest s;
  s.prompt = old->prompt;
  s.cwd = old->cwd;
  s.name = free_name(d, req);
  s.parent = old->parent;
  s.resume_session = old->resume_session;
  s.retry_of = old_id;
  s.options = old->options;
  return spawn_reply(d, std::move(s));
}

json on_list(Daemon& d, ClientConnection& c, const json& req) {
  std::optional<TaskState> state;
  if (auto s = req.find("state"); s != req.end() && !s->is_null()) {
    if (!s->is_string()) throw RequestError{err::kBadRequest, "`state` must be a string"};
    state = protocol::parse_task_state(s->get<std::string>());
    if (!state) {
      throw RequestError{
          err::kInvalidArgument,
          fmt::format("unknown state {}; use queued, running, succeeded, failed or cancelled", s->dump())};
    }
  }
  bool table = false;
  if (auto v = req.find("view"); v != req.end() && !v->is_null()) {
    if (!v->is_string() || (*v != "full" && *v != "table"))
      throw RequestError{err::kInvalidArgument, "`view` must be \"full\" or \"table\""};
    table = *v == "table";
  }
  std::vector<TaskId> ids;
  for (const auto& [id, t] : d.table_.tasks()) {
    if (!state || t.state == *state) ids.push_back(id);
  }
  c.send_line(d.tasks_reply(req.value("id", json()), ids, table));
  return nullptr;
}

json on_get(Daemon& d, ClientConnection&, const json& req) {
  return {{"task", d.record_json(d.resolve_task(req))}};
}

json on_result(Daemon& d, ClientConnection&, const json& req) {
  TaskId id = d.resolve_task(req);
  const auto* t = d.table_.find(id);
  if (!protocol::is_finished(t->state)) {
    throw RequestError{err::kNotFinished, fmt::format("task {} is still {}; try `ptt-task wait {}`", id,
                                                      protocol::to_string(t->state), id)};
  }
  return {{"task", json(*t)}, {"text", t->result ? json(t->result->text) : json(nullptr)}};
}

json on_cancel(Daemon& d, ClientConnection&, const json& req) {
  std::vector<TaskId> targets;
  if (req.value("all", false)) {
    for (const auto& [id, t] : d.table_.tasks()) {
      if (!protocol::is_finished(t.state)) targets.push_back(id);
    }
  } else {
    TaskId id = d.resolve_task(req);
    if (!protocol::is_finished(d.table_.find(id)->state)) targets.push_back(id);
    TableActions actions;
    d.table_.cancel(id, Daemon::now(), actions);
    d.apply(std::move(actions));
    // The record says whether it had already finished (and how) or is now cancelling.
    return {{"cancelled", targets}, {"task", d.record_json(id)}};
  }
  TableActions actions;
  for (TaskId id : targets) d.table_.cancel(id, Daemon::now(), actions);
  d.apply(std::move(actions));
  return {{"cancelled", targets}};
}

json on_logs(Daemon& d, ClientConnection& c, const json& req) {
  TaskId id = d.resolve_task(req);
  std::string stream = "stdout";
  if (auto s = req.find("stream"); s != req.end() && !s->is_null()) {
    if (!s->is_string() || (*s != "stdout" && *s != "stderr")) {
      throw RequestError{err::kInvalidArgument, "`stream` must be \"stdout\" or \"stderr\""};
    }
    stream = s->get<std::string>();
  }
  auto follow = req.find("follow");
  if (follow != req.end() && !follow->is_boolean() && !follow->is_null()) {
    throw RequestError{err::kBadRequest, "`follow` must be true or false"};
  }
  fs::path file = stream == "stderr" ? d.store_.stderr_log(id) : d.store_.stream_log(id);
  c.send(
      {{"id", req.value("id", json())}, {"ok", true}, {"task", d.record_json(id)}, {"path", file.string()}});
  d.followers_.push_back(std::make_unique<LogFollower>(
      c.id(), id, file, follow != req.end() && follow->is_boolean() && follow->get<bool>()));
  d.mark_followers(id);
  return nullptr;
}

json on_subscribe(Daemon&, ClientConnection& c, const json&) {
  c.subscribed = true;
  return json::object();
}

json on_wait(Daemon& d, ClientConnection& c, const json& req) {
  PendingWait w{c.id(), req.value("id", json()), {}};
  auto all = req.find("all");
  if (all != req.end() && all->is_boolean() && all->get<bool>()) {
    // The tasks unfinished now; ones spawned later are not waited for.
    for (const auto& [id, t] : d.table_.tasks()) {
      if (!protocol::is_finished(t.state)) w.tasks.push_back(id);
    }
    d.waits_.push_back(std::move(w));
    d.on_finished(0);
    return nullptr;
  }
  auto tasks = req.find("tasks");
  if (tasks == req.end() || !tasks->is_array() || tasks->empty()) {
    throw RequestError{err::kBadRequest,
                       "`tasks` must be a non-empty array of task ids or names (or give \"all\": true)"};
  }
  for (const auto& ref : *tasks) {
    auto id = d.table_.resolve(ref);
    if (!id) throw RequestError{err::kNotFound, fmt::format("no task {}; see `ptt-task list`", ref.dump())};
    w.tasks.push_back(*id);
  }
  d.waits_.push_back(std::move(w));
  d.on_finished(0);  // replies at once when all are already finished
  return nullptr;
}

json on_clean(Daemon& d, ClientConnection&, const json& req) {
  CleanFilter filter;
  if (auto s = req.find("state"); s != req.end() && !s->is_null()) {
    if (!s->is_string()) throw RequestError{err::kBadRequest, "`state` must be a string"};
    filter.state = protocol::parse_task_state(s->get<std::string>());
    if (!filter.state || !protocol::is_finished(*filter.state)) {
      throw RequestError{
          err::kInvalidArgument,
          fmt::format("clean `state` {} is not an end state; use succeeded, failed or cancelled", s->dump())};
    }
  }
  if (auto o = req.find("older_than_s"); o != req.end() && !o->is_null()) {
    if (!o->is_number() || o->get<double>() < 0)
      throw RequestError{err::kBadRequest, "`older_than_s` must be a number of seconds, 0 or more"};
    filter.finished_before = Daemon::now() - o->get<double>();
  }
  TableActions actions;
  auto removed = d.table_.clean(actions, filter);
  d.apply(std::move(actions));
  return {{"removed", removed}};
}

json on_shutdown(Daemon& d, ClientConnection& c, const json& req) {
  c.send({{"id", req.value("id", json())}, {"ok", true}});
  d.begin_shutdown();
  return nullptr;
}

const std::unordered_map<std::string_view, Handler>& handlers() {
  namespace op = protocol::op;
  static const std::unordered_map<std::string_view, Handler> table = {
      {op::kHello, on_hello},   {op::kSpawn, on_spawn},
      {op::kList, on_list},     {op::kGet, on_get},
      {op::kResult, on_result}, {op::kCancel, on_cancel},
      {op::kLogs, on_logs},     {op::kSubscribe, on_subscribe},
      {op::kWait, on_wait},     {op::kFollowUp, on_follow_up},
      {op::kClean, on_clean},   {op::kShutdown, on_shutdown},
      {op::kRetry, on_retry},
  };
  return table;
}

}  // namespace

json Daemon::dispatch(ClientConnection& c, const json& req) {
  auto op = req.find("op");
  if (op == req.end() || !op->is_string())
    throw RequestError{err::kBadRequest, "a request needs an \"op\" string"};
  auto it = handlers().find(op->get_ref<const std::string&>());
  if (c.hello_refused && it != handlers().end() && it->second != on_hello) {
    throw RequestError{err::kVersionMismatch,
                       "this connection's hello was refused (protocol version); nothing else runs on it"};
  }
  if (it == handlers().end()) {
    throw RequestError{err::kUnknownOp,
                       fmt::format("unknown op {}; see docs/protocol.md for the ops", op->dump())};
  }
  return it->second(*this, c, req);
}

void Daemon::handle_line(ClientConnection& c, std::string_view line) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
  JsonLine parsed = parse_json_line(line);
  if (!parsed.value) {
    c.send(error_reply(nullptr, err::kBadRequest, "request is not JSON (" + parsed.error + ")"));
    return;
  }
  const json& req = *parsed.value;
  if (!req.is_object()) {
    c.send(error_reply(nullptr, err::kBadRequest, "a request must be a JSON object"));
    return;
  }
  json id = req.value("id", json());
  try {
    json reply = dispatch(c, req);
    if (reply.is_null()) return;
    reply["id"] = id;
    reply["ok"] = true;
    c.send(reply);
  } catch (const RequestError& e) {
    c.send(error_reply(id, e.code, e.message));
  } catch (const json::exception& e) {
    c.send(error_reply(id, err::kBadRequest, e.what()));
  } catch (const std::exception& e) {
    c.send(error_reply(id, err::kInternal, e.what()));
  }
}

json Daemon::record_json(TaskId id) const {
  const auto* t = table_.find(id);
  return t ? json(*t) : json(nullptr);
}

TaskId Daemon::resolve_task(const json& req, const char* field) const {
  auto ref = req.find(field);
  if (ref == req.end() || !(ref->is_string() || ref->is_number_integer())) {
    throw RequestError{err::kBadRequest, fmt::format("`{}` must be a task id or name", field)};
  }
  auto id = table_.resolve(*ref);
  if (!id) throw RequestError{err::kNotFound, fmt::format("no task {}; see `ptt-task list`", ref->dump())};
  return *id;
}

std::string Daemon::check_cwd(const json& req) const {
  std::string cwd = required_string(req, "cwd");
  std::error_code ec;
  fs::path canonical = fs::canonical(cwd, ec);
  if (!fs::path(cwd).is_absolute())
    throw RequestError{err::kInvalidArgument, "`cwd` must be an absolute path"};
  if (ec || !fs::is_directory(canonical)) {
    throw RequestError{err::kInvalidArgument, fmt::format("cwd {} is not an existing directory", cwd)};
  }
  if (!cwd_allowed(canonical, config_.allow_roots)) {
    throw RequestError{
        err::kCwdNotAllowed,
        fmt::format("cwd {} is outside the allowed roots; start ptt-taskd with --allow-root for it", cwd)};
  }
  return canonical.string();
}

}  // namespace ptt::taskd
