#pragma once
// What a request handler (request_handlers.cpp) may see and do of the daemon: read the
// task table and the configuration, make the changes a request can make, and register
// what replies or streams later. The daemon implements it; its store, connections,
// watches, followers and waits are no handler's business.
//
// A handler returns its reply: a typed one (protocol/replies.h), the tasks of a `list`
// (written by the fast path, Daemon::tasks_reply), or Deferred when it replies later.
// A refusal is thrown as protocol::RequestRejected.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/replies.h"
#include "protocol/requests.h"
#include "taskd/daemon.h"
#include "taskd/task_table.h"

namespace ptt::taskd {

// What a handler knows of the connection its request came on.
struct RequestOrigin {
  std::uint64_t connection = 0;  // ClientConnection::id()
  bool& hello_refused;           // then nothing else runs on it
  bool& subscribed;              // it gets task events
};

// A TasksReply of these tasks, built from the cached record lines (a list of thousands
// of tasks never exists as one JSON tree).
struct TasksById {
  std::vector<TaskId> ids;
  protocol::RecordView view = protocol::RecordView::kFull;
  std::optional<std::uint64_t> finished_omitted{};  // list with a finished_limit
};

// The reply comes later (a wait), or was written already (a wait met at once).
struct Deferred {};

using HandlerResult = std::variant<protocol::Reply, TasksById, Deferred>;

class RequestContext {
 public:
  virtual const TaskTable& table() const = 0;
  virtual const DaemonConfig& config() const = 0;
  virtual double time_now() const = 0;
  // The task `ref` names, or throws not_found.
  virtual TaskId resolve_task(const protocol::TaskRef& ref) const = 0;
  // The canonical directory, or throws invalid_argument / cwd_not_allowed.
  virtual std::string check_cwd(const std::string& cwd) const = 0;

  // Makes the task: claims its id and records it durably (else throws storage_error and
  // no task is made); its agent is started after the reply has been written.
  virtual TaskId spawn(SpawnRequest request) = 0;
  virtual void cancel(const std::vector<TaskId>& ids) = 0;
  virtual std::vector<TaskId> clean(const CleanFilter& filter) = 0;

  // Streams the task's log to the connection as events after the reply, from byte
  // `from_offset` on; the file streamed. Throws busy when the descriptors left for clients
  // are all taken.
  virtual std::filesystem::path follow_log(std::uint64_t connection, TaskId task, protocol::LogStream stream,
                                           bool follow, std::uint64_t from_offset) = 0;
  // Replies to request `id` on the connection with the tasks' records once all have finished
  // (at once when they have).
  virtual void wait_for(std::uint64_t connection, const nlohmann::json& id, std::vector<TaskId> tasks) = 0;
  // Writes a user message into the task's session (its next turn); returns the uuid it
  // went with. Throws not_running when the task has no session to take it.
  virtual std::string send_message(TaskId task, const std::string& text) = 0;
  // Asks the task's agent to end its current turn; its session then waits for a message.
  // Throws not_running as send_message does.
  virtual void interrupt_turn(TaskId task) = 0;
  // The daemon shuts down once this request's reply has been written.
  virtual void shut_down_after_reply() = 0;
  // The queue's hold, while there is one (protocol/queue_hold.h).
  virtual std::optional<protocol::QueueHold> queue_hold() const = 0;
  // Ends the hold at once (queued tasks may start); the hold ended, if there was one.
  virtual std::optional<protocol::QueueHold> resume_queue() = 0;
  // Every task's open questions, oldest first (protocol/permissions.h).
  virtual std::vector<protocol::PermissionQuestion> open_questions() const = 0;
  // Answers the task's question `answer.request` (unset: its oldest) and returns its request
  // id; throws no_question when there is none such.
  virtual std::string answer_question(TaskId task, const protocol::AnswerPermissionRequest& answer) = 0;
  // Records (durably) what became of the finished task's worktree: protocol::resolution.
  virtual void resolve_worktree(TaskId task, const std::string& resolution) = 0;

 protected:
  ~RequestContext() = default;
};

// The handler of the request's op, run against `d`.
HandlerResult handle_request(RequestContext& d, RequestOrigin& from, const nlohmann::json& id,
                             const protocol::Request& request);

}  // namespace ptt::taskd
