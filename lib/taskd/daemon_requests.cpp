// The daemon's side of a request: a line in, the handler of its op run against the
// daemon as its RequestContext (request_context.h), one reply out.
#include <utility>

#include <fmt/format.h>

#include "core/ndjson.h"
#include "core/overloaded.h"
#include "protocol/protocol.h"
#include "protocol/replies.h"
#include "protocol/requests.h"
#include "taskd/allowed_roots.h"
#include "taskd/daemon_state.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
namespace err = protocol::error;
using nlohmann::json;
using protocol::RequestRejected;

namespace {

json error_reply(const json& id, std::string_view code, std::string message) {
  return protocol::error_reply_json(id, {.code = std::string(code), .message = std::move(message)});
}

}  // namespace

HandlerResult Daemon::dispatch(ClientConnection& c, const json& id, const json& req) {
  auto op = protocol::known_op(req);
  if (op == protocol::op::kHello) {
    c.hello_refused = false;  // a new hello starts over, even one refused for a bad field
  } else if (op && c.hello_refused) {
    throw RequestRejected{err::kVersionMismatch,
                          "this connection's hello was refused (protocol version); nothing else runs on it"};
  }
  auto parsed = protocol::parse_request(req);
  if (auto* rejected = std::get_if<RequestRejected>(&parsed)) throw std::move(*rejected);
  RequestOrigin from{.connection = c.id(), .hello_refused = c.hello_refused, .subscribed = c.subscribed};
  return handle_request(*this, from, id, std::get<protocol::Request>(parsed));
}

void Daemon::handle_line(ClientConnection& c, std::string_view line) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
  auto refuse = [&](const json& id, std::string_view code, std::string message) {
    send_reply(c, to_ndjson(error_reply(id, code, std::move(message))));
  };
  JsonLine parsed = parse_json_line(line);
  if (!parsed.value) {
    refuse(nullptr, err::kBadRequest, "request is not JSON (" + parsed.error + ")");
    return;
  }
  const json& req = *parsed.value;
  if (!req.is_object()) {
    refuse(nullptr, err::kBadRequest, "a request must be a JSON object");
    return;
  }
  if (auto bad_id = protocol::check_request_id(req)) {
    refuse(nullptr, bad_id->code, bad_id->message);
    return;
  }
  json id = req.value("id", json());
  // Spawns of one loop turn share their fsync (commit_spawns); a hello tells nothing of
  // tasks. Any other request sees the table, so the spawns before it are committed first.
  auto op = protocol::known_op(req);
  bool spawns = op == protocol::op::kSpawn || op == protocol::op::kFollowUp || op == protocol::op::kRetry;
  if (!pending_spawns_.empty() && !spawns && op != protocol::op::kHello) commit_spawns();
  std::uint64_t appends_before = store_.appends();
  std::size_t pending_before = pending_spawns_.size();
  try {
    std::visit(Overloaded{
                   [&](const protocol::Reply& reply) {
                     std::string out = to_ndjson(protocol::reply_json(id, reply));
                     if (pending_spawns_.size() != pending_before) {
                       send_reply(c, std::move(out), &id);  // after the turn's fsync
                       return;
                     }
                     // What the reply tells (a cancel, a clean) is on disk first. Only
                     // what this request wrote: records that agents changed meanwhile
                     // are not synced on their own (docs/taskd.md, Durability), and a
                     // hello or a status would otherwise wait for their fsync.
                     if (store_.appends() != appends_before) keeper_.sync();
                     send_reply(c, std::move(out));
                   },
                   [&](const TasksById& tasks) {
                     send_reply(c, tasks_reply(id, tasks.ids, tasks.view, tasks.finished_omitted));
                   },
                   [](Deferred) {},
               },
               dispatch(c, id, req));
  } catch (const RequestRejected& e) {
    refuse(id, e.code, e.message);
  } catch (const json::exception& e) {
    refuse(id, err::kBadRequest, e.what());
  } catch (const std::exception& e) {
    refuse(id, err::kInternal, e.what());
  }
  if (std::exchange(shutdown_after_reply_, false)) begin_shutdown();
}

// RequestContext: what the handlers may do.

TaskId Daemon::spawn(SpawnRequest request) {
  claim_next_id();
  TableActions actions;
  TaskId id = table_.spawn(std::move(request), now(), actions);
  append_new_task(id, actions);
  // Synced with the turn's other spawns, then its actions applied and its reply sent.
  pending_spawns_.push_back({id, std::move(actions)});
  if (shutting_down_) {
    commit_spawns();  // its check handle is closed
  } else if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&commit_check_))) {
    uv_check_start(&commit_check_, [](uv_check_t* h) { static_cast<Daemon*>(h->data)->commit_spawns(); });
  }
  return id;
}

void Daemon::cancel(const std::vector<TaskId>& ids) {
  TableActions actions;
  for (TaskId id : ids) table_.cancel(id, now(), actions);
  apply(std::move(actions));
}

std::vector<TaskId> Daemon::clean(const CleanFilter& filter) {
  TableActions actions;
  auto removed = table_.clean(actions, filter);
  apply(std::move(actions));
  return removed;
}

fs::path Daemon::follow_log(std::uint64_t connection, TaskId task, protocol::LogStream stream, bool follow,
                            std::uint64_t from_offset) {
  // A log stream holds a descriptor while it lasts, from the clients' share (descriptor_budget.h).
  std::size_t allowed = fd_budget_.clients(config_.max_running, watches_.size());
  if (connections_.size() + followers_.size() >= allowed) {
    throw RequestRejected{
        err::kBusy, fmt::format("{} connections and log streams hold all the {} descriptors left for them "
                                "(descriptor limit {}); try again when some have ended",
                                connections_.size() + followers_.size(), allowed, fd_budget_.fd_limit)};
  }
  fs::path file = stream == protocol::LogStream::kStderr ? store_.stderr_log(task) : store_.stream_log(task);
  // Its lines go out from the pump, a later loop turn: after the reply.
  followers_.push_back(std::make_unique<LogFollower>(connection, task, file, follow, from_offset));
  mark_followers(task);
  return file;
}

void Daemon::wait_for(std::uint64_t connection, const json& id, std::vector<TaskId> tasks) {
  waits_.push_back({connection, id, std::move(tasks)});
  answer_waits();
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
