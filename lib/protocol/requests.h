#pragma once
// Every request of the ptt-taskd protocol as a typed struct (docs/protocol.md,
// "Requests and replies"), each naming the type of its reply (protocol/replies.h). Clients build one and send
// json(request) under its kOp; the daemon (and fuzz/fuzz_request.cpp) reads a line with parse_request, the
// one place that checks a request's fields. What needs the daemon's state (does the task exist, is the cwd
// allowed, is the name free) the daemon checks afterwards.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/permissions.h"
#include "protocol/protocol.h"
#include "protocol/replies.h"
#include "protocol/request_rejected.h"
#include "protocol/task_record.h"

namespace ptt::protocol {

// A task id (an integer) or name (a string), as the client gave it.
using TaskRef = nlohmann::json;

struct HelloRequest {
  static constexpr std::string_view kOp = op::kHello;
  using Reply = HelloReply;
  std::optional<int> version{};  // absent: the daemon does not check it
  std::optional<std::string> client{};
  bool operator==(const HelloRequest&) const = default;
};

struct SpawnTaskRequest {
  static constexpr std::string_view kOp = op::kSpawn;
  using Reply = TaskReply;
  std::string prompt{};
  std::string cwd{};
  std::optional<std::string> name{};
  std::vector<TaskRef> after{};
  AgentOptions options{};
  // Its own git worktree: true, false, or unset (the daemon's --isolate decides).
  std::optional<bool> worktree{};
  std::optional<std::string> base{};   // the worktree's base (a commit-ish); needs a worktree
  std::optional<std::string> setup{};  // a shell command run in the new worktree first
  bool operator==(const SpawnTaskRequest&) const = default;
};

struct FollowUpRequest {
  static constexpr std::string_view kOp = op::kFollowUp;
  using Reply = TaskReply;
  TaskRef task{};
  std::string prompt{};
  std::optional<std::string> name{};
  AgentOptions options{};
  bool operator==(const FollowUpRequest&) const = default;
};

struct RetryRequest {
  static constexpr std::string_view kOp = op::kRetry;
  using Reply = TaskReply;
  TaskRef task{};
  std::optional<std::string> name{};
  bool operator==(const RetryRequest&) const = default;
};

struct ListRequest {
  static constexpr std::string_view kOp = op::kList;
  using Reply = TasksReply;
  std::optional<TaskState> state{};
  bool table_view = false;  // "view":"table": only what `ptt-task list` shows
  // "finished_limit": only the newest N finished tasks (by id), with every unfinished one;
  // the reply's finished_omitted counts the rest. A history of months is 100,000 tasks.
  std::optional<std::uint64_t> finished_limit{};
  bool operator==(const ListRequest&) const = default;
};

struct GetRequest {
  static constexpr std::string_view kOp = op::kGet;
  using Reply = TaskReply;
  TaskRef task{};
  bool operator==(const GetRequest&) const = default;
};

struct ResultRequest {
  static constexpr std::string_view kOp = op::kResult;
  using Reply = ResultReply;
  TaskRef task{};
  bool operator==(const ResultRequest&) const = default;
};

struct CancelRequest {
  static constexpr std::string_view kOp = op::kCancel;
  using Reply = CancelReply;
  std::optional<TaskRef> task{};  // unset with `all`
  bool all = false;
  bool operator==(const CancelRequest&) const = default;
};

enum class LogStream { kStdout, kStderr };

struct LogsRequest {
  static constexpr std::string_view kOp = op::kLogs;
  using Reply = LogsReply;
  TaskRef task{};
  LogStream stream = LogStream::kStdout;
  bool follow = false;
  // Where in the log file to begin (bytes): a `log` event's `next_offset`, so a client
  // that lost its connection goes on after the last line it had. 0: the start.
  std::uint64_t from_offset = 0;
  bool operator==(const LogsRequest&) const = default;
};

struct SubscribeRequest {
  static constexpr std::string_view kOp = op::kSubscribe;
  using Reply = TasksReply;
  bool operator==(const SubscribeRequest&) const = default;
};

struct WaitRequest {
  static constexpr std::string_view kOp = op::kWait;
  using Reply = TasksReply;
  std::vector<TaskRef> tasks{};  // empty with `all`
  bool all = false;              // every task unfinished when the request arrives
  bool operator==(const WaitRequest&) const = default;
};

struct CleanRequest {
  static constexpr std::string_view kOp = op::kClean;
  using Reply = CleanReply;
  std::optional<TaskState> state{};      // an end state
  std::optional<double> older_than_s{};  // ≥ 0
  bool operator==(const CleanRequest&) const = default;
};

struct ShutdownRequest {
  static constexpr std::string_view kOp = op::kShutdown;
  using Reply = ShutdownReply;
  bool operator==(const ShutdownRequest&) const = default;
};

// Ends the queue's hold at once (protocol/queue_hold.h).
struct QueueResumeRequest {
  static constexpr std::string_view kOp = op::kQueueResume;
  using Reply = QueueResumeReply;
  bool operator==(const QueueResumeRequest&) const = default;
};

// A user message into a running task's session: its next turn (docs/taskd.md, "Messages").
struct SendRequest {
  static constexpr std::string_view kOp = op::kSend;
  using Reply = SendReply;
  TaskRef task{};
  std::string text{};
  bool operator==(const SendRequest&) const = default;
};

// Ends a running task's current turn; its session waits for a message (docs/taskd.md,
// "Interrupts").
struct InterruptRequest {
  static constexpr std::string_view kOp = op::kInterrupt;
  using Reply = TaskReply;
  TaskRef task{};
  bool operator==(const InterruptRequest&) const = default;
};

// The open questions of every task's agent, oldest first (protocol/permissions.h).
struct PendingRequest {
  static constexpr std::string_view kOp = op::kPending;
  using Reply = PendingReply;
  bool operator==(const PendingRequest&) const = default;
};

// Answers one open question of a task: `request`, or when unset the task's oldest.
struct AnswerPermissionRequest {
  static constexpr std::string_view kOp = op::kAnswerPermission;
  using Reply = AnswerPermissionReply;
  TaskRef task{};
  std::optional<std::string> request{};
  bool allow = false;
  bool always = false;  // with allow: the tool pattern is allowed for the rest of the task and its follow-ups
  std::optional<std::string> reason{};  // with deny: what the agent is told
  std::string by{answered_by::kShell};
  bool operator==(const AnswerPermissionRequest&) const = default;
};

// Records what became of a finished task's worktree: `merged` or `discarded`, after the
// client did it with git (`ptt-task merge`/`discard`, the voice tools). The daemon keeps
// it in the record (TaskWorktree::resolution): `list` says `merged`.
struct ResolveWorktreeRequest {
  static constexpr std::string_view kOp = op::kResolveWorktree;
  using Reply = TaskReply;
  TaskRef task{};
  std::string resolution{};  // protocol::resolution::kMerged or kDiscarded
  bool operator==(const ResolveWorktreeRequest&) const = default;
};

using Request =
    std::variant<HelloRequest, SpawnTaskRequest, FollowUpRequest, RetryRequest, ListRequest, GetRequest,
                 ResultRequest, CancelRequest, LogsRequest, SubscribeRequest, WaitRequest, CleanRequest,
                 ShutdownRequest, QueueResumeRequest, SendRequest, InterruptRequest, PendingRequest,
                 AnswerPermissionRequest, ResolveWorktreeRequest>;

// The request's fields (without "op" and "id"), as the client sends them.
void to_json(nlohmann::json& j, const HelloRequest& r);
void to_json(nlohmann::json& j, const SpawnTaskRequest& r);
void to_json(nlohmann::json& j, const FollowUpRequest& r);
void to_json(nlohmann::json& j, const RetryRequest& r);
void to_json(nlohmann::json& j, const ListRequest& r);
void to_json(nlohmann::json& j, const GetRequest& r);
void to_json(nlohmann::json& j, const ResultRequest& r);
void to_json(nlohmann::json& j, const CancelRequest& r);
void to_json(nlohmann::json& j, const LogsRequest& r);
void to_json(nlohmann::json& j, const SubscribeRequest& r);
void to_json(nlohmann::json& j, const WaitRequest& r);
void to_json(nlohmann::json& j, const CleanRequest& r);
void to_json(nlohmann::json& j, const ShutdownRequest& r);
void to_json(nlohmann::json& j, const QueueResumeRequest& r);
void to_json(nlohmann::json& j, const SendRequest& r);
void to_json(nlohmann::json& j, const InterruptRequest& r);
void to_json(nlohmann::json& j, const PendingRequest& r);
void to_json(nlohmann::json& j, const AnswerPermissionRequest& r);
void to_json(nlohmann::json& j, const ResolveWorktreeRequest& r);

std::string_view op_of(const Request& r);
// The whole request object: its fields and "op" (no "id").
nlohmann::json request_json(const Request& r);

// The request's op when it names one the protocol defines, else nullopt.
std::optional<std::string_view> known_op(const nlohmann::json& req);

// Why the request's `id` cannot be echoed as sent (it must be absent, null, a string
// or an integer of at most 64 bits), or nullopt. A refused one is answered with id null.
std::optional<RequestRejected> check_request_id(const nlohmann::json& req);

// A request object (the daemon has checked it is one) to its typed request, or
// why it is refused: bad_request, unknown_op, version_mismatch, invalid_argument.
std::variant<Request, RequestRejected> parse_request(const nlohmann::json& req);

}  // namespace ptt::protocol
