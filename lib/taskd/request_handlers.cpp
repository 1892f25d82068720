// One handler per protocol op (docs/protocol.md). protocol::parse_request has
// checked the request's fields; each handler checks what needs the daemon's state,
// changes it through its RequestContext and returns its reply (request_context.h).
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
#include "taskd/request_context.h"
#include "taskd/worktree_names.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
namespace err = protocol::error;
using nlohmann::json;
using protocol::RequestRejected;

namespace {

using protocol::RecordView;

protocol::Reply handle(RequestContext&, RequestOrigin& from, const json&, const protocol::HelloRequest& req) {
  if (req.version && *req.version != protocol::kVersion) {
    from.hello_refused = true;
    throw RequestRejected{
        err::kVersionMismatch,
        fmt::format("this daemon speaks protocol version {}, the client {}; upgrade the older one",
                    protocol::kVersion, *req.version)};
  }
  return protocol::HelloReply{
      .version = protocol::kVersion, .server = std::string("ptt-taskd ") + PTT_VERSION, .pid = ::getpid()};
}

// A copy: a finished task's record is read back from its line (taskd/finished_task.h).
protocol::TaskRecord record_of(const RequestContext& d, TaskId id) { return *d.table().find(id); }

// A name must pick out one task while it can still be waited for or cancelled;
// once that task has finished the name may be used again (it then resolves to
// the newest task with it).
const std::optional<std::string>& free_name(const RequestContext& d, const std::optional<std::string>& name) {
  if (name) {
    if (auto holder = d.table().unfinished_named(*name)) {
      throw RequestRejected{
          err::kInvalidArgument,
          fmt::format("the name {} is taken by task {}, which is still {}; choose another name, "
                      "or wait for task {} to finish",
                      json(*name).dump(), *holder, protocol::to_string(*d.table().state(*holder)), *holder)};
    }
  }
  return name;
}

// What execve(2) would refuse of the agent's options is refused now, not accepted and
// then failed as agent_missing ("Argument list too long"); the prompt goes on stdin.
void check_agent_fits(const RequestContext& d, const SpawnRequest& s) {
  if (auto why = prompt_refusal(s.prompt)) throw RequestRejected{err::kTooLong, *why};
  auto argv = agent_argv(d.config().claude, merge_options(d.config().defaults, s.options), s.resume_session);
  auto env = merged_environment(environ, agent_environment(d.table().next_id()));
  if (auto why = exec_refusal(argv, env, exec_limits())) throw RequestRejected{err::kTooLong, *why};
}

// The worktree a new task gets (docs/taskd.md, "Worktrees"): asked for, or by the daemon's
// --isolate worktree in a git checkout; named after the id it is about to get.
std::optional<protocol::TaskWorktree> new_worktree(const RequestContext& d, const std::string& cwd,
                                                   const std::optional<std::string>& name,
                                                   std::optional<bool> asked, std::optional<std::string> base,
                                                   std::optional<std::string> setup) {
  bool wanted = asked.value_or(d.config().isolate_worktree || base || setup);
  if (!wanted) return std::nullopt;
  auto top = git_toplevel(cwd);
  if (!top) {
    if (!asked && !base && !setup) return std::nullopt;  // --isolate covers git projects only
    throw RequestRejected{err::kInvalidArgument,
                          fmt::format("{} is not in a git repository, so the task cannot have a worktree; "
                                      "spawn it without --worktree (--base, --setup), or `git init` there",
                                      cwd)};
  }
  TaskId id = d.table().next_id();
  protocol::TaskWorktree w;
  w.repo = top->string();
  w.subdir = fs::path(cwd).lexically_relative(*top).string();
  if (w.subdir == ".") w.subdir.clear();
  w.path = worktree_dir(fs::absolute(d.config().state_dir), *top, id).string();
  w.branch = worktree_branch(id, name);
  w.base = base.value_or("HEAD");
  w.setup = std::move(setup);
  return w;
}

protocol::Reply spawn_reply(RequestContext& d, SpawnRequest s) {
  check_agent_fits(d, s);
  TaskId id = d.spawn(std::move(s));
  return protocol::TaskReply{.task = record_of(d, id), .queue_hold = d.queue_hold()};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&,
                       const protocol::SpawnTaskRequest& req) {
  SpawnRequest s;
  s.prompt = req.prompt;
  s.cwd = d.check_cwd(req.cwd);
  s.name = free_name(d, req.name);
  for (const auto& ref : req.after) {
    auto id = d.table().resolve(ref);
    if (!id)
      throw RequestRejected{err::kNotFound,
                            fmt::format("no task {} to wait for; see `ptt-task list`", ref.dump())};
    s.after.push_back(*id);
  }
  s.options = req.options;
  // The record says whether it runs sandboxed, whatever the daemon's --sandbox later says:
  // its follow-ups and retries run the same way.
  if (!s.options.sandbox && d.config().defaults.sandbox.value_or(false)) s.options.sandbox = true;
  s.worktree = new_worktree(d, s.cwd, s.name, req.worktree, req.base, req.setup);
  return spawn_reply(d, std::move(s));
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::FollowUpRequest& req) {
  TaskId parent_id = d.resolve_task(req.task);
  const protocol::TaskRecord parent = record_of(d, parent_id);
  if (!protocol::is_finished(parent.state)) {
    throw RequestRejected{err::kNotFinished, fmt::format("task {} is still {}; wait for it first", parent_id,
                                                         protocol::to_string(parent.state))};
  }
  if (!parent.session_id) {
    throw RequestRejected{
        err::kInvalidArgument,
        fmt::format("task {} has no Claude session to continue (it never started one); run it again with "
                    "`ptt-task retry {}`, or spawn a new task",
                    parent_id, parent_id)};
  }
  SpawnRequest s;
  s.prompt = req.prompt;
  s.cwd = parent.cwd;
  s.name = free_name(d, req.name);
  s.parent = parent_id;
  s.resume_session = parent.session_id;
  // The session goes on as it ran: in or out of the sandbox (docs/taskd.md, "Sandbox").
  if (req.options.sandbox && *req.options.sandbox != parent.options.sandbox.value_or(false)) {
    throw RequestRejected{err::kInvalidArgument,
                          fmt::format("task {} ran {} the sandbox, and a follow-up runs as its parent did; "
                                      "spawn a new task to change that",
                                      parent_id, parent.options.sandbox.value_or(false) ? "in" : "outside")};
  }
  s.options = merge_options(parent.options, req.options);
  s.worktree = parent.worktree;  // the same worktree and branch: the session goes on there
  // ...but the change summary is counted anew when the follow-up ends (it may change more).
  if (s.worktree) s.worktree->changes.reset();
  return spawn_reply(d, std::move(s));
}

// The same prompt, cwd and options again (a follow-up's retry resumes the same
// session), without the old dependencies: they have finished one way or another.
protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::RetryRequest& req) {
  TaskId old_id = d.resolve_task(req.task);
  const protocol::TaskRecord old = record_of(d, old_id);
  if (!protocol::is_finished(old.state)) {
    throw RequestRejected{err::kNotFinished,
                          fmt::format("task {} is still {}; wait for it or cancel it, then retry", old_id,
                                      protocol::to_string(old.state))};
  }
  SpawnRequest s;
  s.prompt = old.prompt;
  s.cwd = old.cwd;
  s.name = free_name(d, req.name);
  s.parent = old.parent;
  s.resume_session = old.resume_session;
  s.retry_of = old_id;
  s.options = old.options;
  // A retry starts over in a fresh worktree from the same base; a follow-up's retry resumes
  // its session, which lives in the parent's.
  if (old.worktree && old.parent) {
    s.worktree = old.worktree;
  } else if (old.worktree) {
    s.worktree = new_worktree(d, old.cwd, s.name, true, old.worktree->base, old.worktree->setup);
  }
  return spawn_reply(d, std::move(s));
}

TasksById handle(RequestContext& d, RequestOrigin&, const json&, const protocol::ListRequest& req) {
  TaskTable::Listed listed = d.table().listed(req.state, req.finished_limit);
  return TasksById{
      .ids = std::move(listed.ids),
      .view = req.table_view ? RecordView::kTable : RecordView::kFull,
      .finished_omitted = req.finished_limit ? std::optional(listed.finished_omitted) : std::nullopt};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::GetRequest& req) {
  return protocol::TaskReply{.task = record_of(d, d.resolve_task(req.task)), .queue_hold = d.queue_hold()};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::ResultRequest& req) {
  TaskId id = d.resolve_task(req.task);
  const protocol::TaskRecord t = record_of(d, id);
  if (!protocol::is_finished(t.state)) {
    throw RequestRejected{err::kNotFinished, fmt::format("task {} is still {}; try `ptt-task wait {}`", id,
                                                         protocol::to_string(t.state), id)};
  }
  return protocol::ResultReply{.task = t, .text = t.result ? std::optional(t.result->text) : std::nullopt};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::CancelRequest& req) {
  protocol::CancelReply reply;
  if (!req.all) {
    TaskId id = d.resolve_task(*req.task);
    if (!protocol::is_finished(*d.table().state(id))) reply.cancelled.push_back(id);
    d.cancel({id});
    // The record says whether it had already finished (and how) or is now cancelling.
    reply.task = record_of(d, id);
    return reply;
  }
  const auto& unfinished = d.table().unfinished();
  reply.cancelled.assign(unfinished.begin(), unfinished.end());
  d.cancel(reply.cancelled);
  return reply;
}

protocol::Reply handle(RequestContext& d, RequestOrigin& from, const json&,
                       const protocol::LogsRequest& req) {
  TaskId id = d.resolve_task(req.task);
  std::filesystem::path file = d.follow_log(from.connection, id, req.stream, req.follow, req.from_offset);
  return protocol::LogsReply{.task = record_of(d, id), .path = file.string()};
}

protocol::Reply handle(RequestContext& d, RequestOrigin& from, const json&,
                       const protocol::SubscribeRequest&) {
  from.subscribed = true;
  // The snapshot events then change: the tasks that can still change, whole.
  protocol::TasksReply reply;
  for (TaskId id : d.table().unfinished()) reply.tasks.push_back(*d.table().live(id));
  reply.queue_hold = d.queue_hold();
  return reply;
}

Deferred handle(RequestContext& d, RequestOrigin& from, const json& id, const protocol::WaitRequest& req) {
  std::vector<TaskId> tasks;
  if (req.all) {
    // The tasks unfinished now; ones spawned later are not waited for.
    const auto& unfinished = d.table().unfinished();
    tasks.assign(unfinished.begin(), unfinished.end());
  } else {
    for (const auto& ref : req.tasks) {
      auto task_id = d.table().resolve(ref);
      if (!task_id)
        throw RequestRejected{err::kNotFound, fmt::format("no task {}; see `ptt-task list`", ref.dump())};
      tasks.push_back(*task_id);
    }
  }
  d.wait_for(from.connection, id, std::move(tasks));  // replies at once when all are already finished
  return {};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::CleanRequest& req) {
  CleanFilter filter;
  filter.state = req.state;
  if (req.older_than_s) filter.finished_before = d.time_now() - *req.older_than_s;
  return protocol::CleanReply{d.clean(filter)};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::SendRequest& req) {
  TaskId id = d.resolve_task(req.task);
  if (auto why = prompt_refusal(req.text, "the message")) throw RequestRejected{err::kTooLong, *why};
  std::string uuid = d.send_message(id, req.text);
  return protocol::SendReply{record_of(d, id), std::move(uuid)};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&,
                       const protocol::InterruptRequest& req) {
  TaskId id = d.resolve_task(req.task);
  d.interrupt_turn(id);
  return protocol::TaskReply{.task = record_of(d, id), .queue_hold = d.queue_hold()};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::ShutdownRequest&) {
  d.shut_down_after_reply();
  return protocol::ShutdownReply{};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::QueueResumeRequest&) {
  return protocol::QueueResumeReply{.released = d.resume_queue()};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&, const protocol::PendingRequest&) {
  return protocol::PendingReply{d.open_questions()};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&,
                       const protocol::AnswerPermissionRequest& req) {
  return protocol::AnswerPermissionReply{d.answer_question(d.resolve_task(req.task), req)};
}

protocol::Reply handle(RequestContext& d, RequestOrigin&, const json&,
                       const protocol::ResolveWorktreeRequest& req) {
  TaskId id = d.resolve_task(req.task);
  auto t = d.table().find(id);
  if (!t->worktree)
    throw RequestRejected{err::kInvalidArgument,
                          fmt::format("task {} ran in {}, not in a worktree of its own", id, t->cwd)};
  if (!protocol::is_finished(t->state))
    throw RequestRejected{err::kNotFinished, fmt::format("task {} is still {}; wait for it first", id,
                                                         protocol::to_string(t->state))};
  d.resolve_worktree(id, req.resolution);
  return protocol::TaskReply{.task = record_of(d, id), .queue_hold = d.queue_hold()};
}

}  // namespace

HandlerResult handle_request(RequestContext& d, RequestOrigin& from, const json& id,
                             const protocol::Request& request) {
  return std::visit([&](const auto& req) { return HandlerResult(handle(d, from, id, req)); }, request);
}

}  // namespace ptt::taskd
