// One handler per protocol op (docs/protocol.md). protocol::parse_request has
// checked the request's fields; each handler checks what needs the daemon's state,
// drives the TaskTable and returns its reply (or null when it replies later).
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <unordered_map>

#include <fmt/format.h>

#include "core/spawn.h"
#include "core/version.h"
#include "protocol/protocol.h"
#include "protocol/requests.h"
#include "taskd/agent_command.h"
#include "taskd/allowed_roots.h"
#include "taskd/daemon_state.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
namespace err = protocol::error;
using nlohmann::json;
using protocol::RequestRejected;

namespace {

json error_reply(const json& id, std::string_view code, const std::string& message) {
  return {{"id", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}

json handle(Daemon&, ClientConnection& c, const json&, const protocol::HelloRequest& req) {
  if (req.version && *req.version != protocol::kVersion) {
    c.hello_refused = true;
    throw RequestRejected{
        err::kVersionMismatch,
        fmt::format("this daemon speaks protocol version {}, the client {}; upgrade the older one",
                    protocol::kVersion, *req.version)};
  }
  return {{"version", protocol::kVersion},
          {"server", std::string("ptt-taskd ") + PTT_VERSION},
          {"pid", ::getpid()}};
}

// A name must pick out one task while it can still be waited for or cancelled;
// once that task has finished the name may be used again (it then resolves to
// the newest task with it).
const std::optional<std::string>& free_name(const Daemon& d, const std::optional<std::string>& name) {
  if (name) {
    if (auto holder = d.table_.unfinished_named(*name)) {
      throw RequestRejected{
          err::kInvalidArgument,
          fmt::format("the name {} is taken by task {}, which is still {}; choose another name, "
                      "or wait for task {} to finish",
                      json(*name).dump(), *holder, protocol::to_string(d.table_.find(*holder)->state),
                      *holder)};
    }
  }
  return name;
}

// The agent gets its prompt as an argument: what execve(2) would refuse is refused
// now, not accepted and then failed as agent_missing ("Argument list too long").
void check_agent_fits(const Daemon& d, const SpawnRequest& s) {
  auto argv =
      agent_argv(d.config_.claude, s.prompt, merge_options(d.config_.defaults, s.options), s.resume_session);
  auto env = merged_environment(environ, agent_environment(d.table_.next_id()));
  if (auto why = exec_refusal(argv, env, exec_limits())) throw RequestRejected{err::kTooLong, *why};
}

json spawn_reply(Daemon& d, SpawnRequest s) {
  check_agent_fits(d, s);
  d.claim_next_id();
  TableActions actions;
  TaskId id = d.table_.spawn(std::move(s), Daemon::now(), actions);
  d.record_new_task(id, actions);
  d.apply_after_reply(std::move(actions));
  return {{"task", d.record_json(id)}};
}

json handle(Daemon& d, ClientConnection&, const json&, const protocol::SpawnTaskRequest& req) {
  SpawnRequest s;
  s.prompt = req.prompt;
  s.cwd = d.check_cwd(req.cwd);
  s.name = free_name(d, req.name);
  for (const auto& ref : req.after) {
    auto id = d.table_.resolve(ref);
    if (!id)
      throw RequestRejected{err::kNotFound,
                            fmt::format("no task {} to wait for; see `ptt-task list`", ref.dump())};
    s.after.push_back(*id);
  }
  s.options = req.options;
  return spawn_reply(d, std::move(s));
}

json handle(Daemon& d, ClientConnection&, const json&, const protocol::FollowUpRequest& req) {
  TaskId parent_id = d.resolve_task(req.task);
  const auto* parent = d.table_.find(parent_id);
  if (!protocol::is_finished(parent->state)) {
    throw RequestRejected{err::kNotFinished, fmt::format("task {} is still {}; wait for it first", parent_id,
                                                         protocol::to_string(parent->state))};
  }
  if (!parent->session_id) {
    throw RequestRejected{
        err::kInvalidArgument,
        fmt::format("task {} has no Claude session to continue (it never started one)", parent_id)};
  }
  SpawnRequest s;
  s.prompt = req.prompt;
  s.cwd = parent->cwd;
  s.name = free_name(d, req.name);
  s.parent = parent_id;
  s.resume_session = parent->session_id;
  s.options = merge_options(parent->options, req.options);
  return spawn_reply(d, std::move(s));
}

// The same prompt, cwd and options again (a follow-up's retry resumes the same
// session), without the old dependencies: they have finished one way or another.
json handle(Daemon& d, ClientConnection&, const json&, const protocol::RetryRequest& req) {
  TaskId old_id = d.resolve_task(req.task);
  const auto* old = d.table_.find(old_id);
  if (!protocol::is_finished(old->state)) {
    throw RequestRejected{err::kNotFinished,
                          fmt::format("task {} is still {}; wait for it or cancel it, then retry", old_id,
                                      protocol::to_string(old->state))};
  }
  SpawnRequest s;
  s.prompt = old->prompt;
  s.cwd = old->cwd;
  s.name = free_name(d, req.name);
  s.parent = old->parent;
  s.resume_session = old->resume_session;
  s.retry_of = old_id;
  s.options = old->options;
  return spawn_reply(d, std::move(s));
}

json handle(Daemon& d, ClientConnection& c, const json& id, const protocol::ListRequest& req) {
  std::vector<TaskId> ids;
  for (const auto& [task_id, t] : d.table_.tasks()) {
    if (!req.state || t.state == *req.state) ids.push_back(task_id);
  }
  c.send_line(d.tasks_reply(id, ids, req.table_view));
  return nullptr;
}

json handle(Daemon& d, ClientConnection&, const json&, const protocol::GetRequest& req) {
  return {{"task", d.record_json(d.resolve_task(req.task))}};
}

json handle(Daemon& d, ClientConnection&, const json&, const protocol::ResultRequest& req) {
  TaskId id = d.resolve_task(req.task);
  const auto* t = d.table_.find(id);
  if (!protocol::is_finished(t->state)) {
    throw RequestRejected{err::kNotFinished, fmt::format("task {} is still {}; try `ptt-task wait {}`", id,
                                                         protocol::to_string(t->state), id)};
  }
  return {{"task", json(*t)}, {"text", t->result ? json(t->result->text) : json(nullptr)}};
}

json handle(Daemon& d, ClientConnection&, const json&, const protocol::CancelRequest& req) {
  std::vector<TaskId> targets;
  if (!req.all) {
    TaskId id = d.resolve_task(*req.task);
    if (!protocol::is_finished(d.table_.find(id)->state)) targets.push_back(id);
    TableActions actions;
    d.table_.cancel(id, Daemon::now(), actions);
    d.apply(std::move(actions));
    // The record says whether it had already finished (and how) or is now cancelling.
    return {{"cancelled", targets}, {"task", d.record_json(id)}};
  }
  for (const auto& [id, t] : d.table_.tasks()) {
    if (!protocol::is_finished(t.state)) targets.push_back(id);
  }
  TableActions actions;
  for (TaskId id : targets) d.table_.cancel(id, Daemon::now(), actions);
  d.apply(std::move(actions));
  return {{"cancelled", targets}};
}

json handle(Daemon& d, ClientConnection& c, const json& request_id, const protocol::LogsRequest& req) {
  TaskId id = d.resolve_task(req.task);
  // A log stream holds a descriptor while it lasts, from the clients' share (descriptor_budget.h).
  std::size_t allowed = d.fd_budget_.clients(d.config_.max_running, d.watches_.size());
  if (d.connections_.size() + d.followers_.size() >= allowed) {
    throw RequestRejected{
        err::kBusy, fmt::format("{} connections and log streams hold all the {} descriptors left for them "
                                "(descriptor limit {}); try again when some have ended",
                                d.connections_.size() + d.followers_.size(), allowed, d.fd_budget_.fd_limit)};
  }
  fs::path file =
      req.stream == protocol::LogStream::kStderr ? d.store_.stderr_log(id) : d.store_.stream_log(id);
  c.send({{"id", request_id}, {"ok", true}, {"task", d.record_json(id)}, {"path", file.string()}});
  d.followers_.push_back(std::make_unique<LogFollower>(c.id(), id, file, req.follow));
  d.mark_followers(id);
  return nullptr;
}

json handle(Daemon& d, ClientConnection& c, const json&, const protocol::SubscribeRequest&) {
  c.subscribed = true;
  // The snapshot events then change: the tasks that can still change, whole.
  json tasks = json::array();
  for (const auto& [id, t] : d.table_.tasks()) {
    if (!protocol::is_finished(t.state)) tasks.push_back(t);
  }
  return {{"tasks", std::move(tasks)}};
}

json handle(Daemon& d, ClientConnection& c, const json& id, const protocol::WaitRequest& req) {
  PendingWait w{c.id(), id, {}};
  if (req.all) {
    // The tasks unfinished now; ones spawned later are not waited for.
    for (const auto& [task_id, t] : d.table_.tasks()) {
      if (!protocol::is_finished(t.state)) w.tasks.push_back(task_id);
    }
  } else {
    for (const auto& ref : req.tasks) {
      auto task_id = d.table_.resolve(ref);
      if (!task_id)
        throw RequestRejected{err::kNotFound, fmt::format("no task {}; see `ptt-task list`", ref.dump())};
      w.tasks.push_back(*task_id);
    }
  }
  d.waits_.push_back(std::move(w));
  d.answer_waits();  // replies at once when all are already finished
  return nullptr;
}

json handle(Daemon& d, ClientConnection&, const json&, const protocol::CleanRequest& req) {
  CleanFilter filter;
  filter.state = req.state;
  if (req.older_than_s) filter.finished_before = Daemon::now() - *req.older_than_s;
  TableActions actions;
  auto removed = d.table_.clean(actions, filter);
  d.apply(std::move(actions));
  return {{"removed", removed}};
}

json handle(Daemon& d, ClientConnection& c, const json& id, const protocol::ShutdownRequest&) {
  c.send({{"id", id}, {"ok", true}});
  d.begin_shutdown();
  return nullptr;
}

}  // namespace

json Daemon::dispatch(ClientConnection& c, const json& id, const json& req) {
  auto op = protocol::known_op(req);
  if (op == protocol::op::kHello) {
    c.hello_refused = false;  // a new hello starts over, even one refused for a bad field
  } else if (op && c.hello_refused) {
    throw RequestRejected{err::kVersionMismatch,
                          "this connection's hello was refused (protocol version); nothing else runs on it"};
  }
  auto parsed = protocol::parse_request(req);
  if (auto* rejected = std::get_if<RequestRejected>(&parsed)) throw std::move(*rejected);
  return std::visit([&](const auto& request) { return handle(*this, c, id, request); },
                    std::get<protocol::Request>(parsed));
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
  if (auto bad_id = protocol::check_request_id(req)) {
    c.send(error_reply(nullptr, bad_id->code, bad_id->message));
    return;
  }
  json id = req.value("id", json());
  try {
    json reply = dispatch(c, id, req);
    if (reply.is_null()) return;
    reply["id"] = id;
    reply["ok"] = true;
    keeper_.sync();  // what the reply tells (a cancel, a clean) is on disk first
    c.send(reply);
  } catch (const RequestRejected& e) {
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

TaskId Daemon::resolve_task(const protocol::TaskRef& ref) const {
  auto id = table_.resolve(ref);
  if (!id) throw RequestRejected{err::kNotFound, fmt::format("no task {}; see `ptt-task list`", ref.dump())};
  return *id;
}

std::string Daemon::check_cwd(const std::string& cwd) const {
  std::error_code ec;
  fs::path canonical = fs::canonical(cwd, ec);
  if (!fs::path(cwd).is_absolute())
    throw RequestRejected{err::kInvalidArgument, "`cwd` must be an absolute path"};
  if (ec || !fs::is_directory(canonical)) {
    throw RequestRejected{err::kInvalidArgument, fmt::format("cwd {} is not an existing directory", cwd)};
  }
  if (!cwd_allowed(canonical, config_.allow_roots)) {
    throw RequestRejected{
        err::kCwdNotAllowed,
        fmt::format("cwd {} is outside the allowed roots; start ptt-taskd with --allow-root for it", cwd)};
  }
  return canonical.string();
}

}  // namespace ptt::taskd
