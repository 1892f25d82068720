#pragma once
// Internal to the daemon: the state the libuv adapter and the request handlers
// share. The logic itself lives in TaskTable (pure); this is the wiring.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <uv.h>

#include <nlohmann/json.hpp>

#include "protocol/request_rejected.h"
#include "protocol/requests.h"
#include "taskd/agent_input.h"
#include "taskd/child_commands.h"
#include "taskd/client_connection.h"
#include "taskd/daemon.h"
#include "taskd/daemon_log.h"
#include "taskd/descriptor_budget.h"
#include "taskd/log_follower.h"
#include "taskd/open_questions.h"
#include "taskd/permission_log.h"
#include "taskd/record_keeper.h"
#include "taskd/record_store.h"
#include "taskd/recovery.h"
#include "taskd/request_context.h"
#include "taskd/supervisor_launch.h"
#include "taskd/task_table.h"
#include "taskd/task_watch.h"

namespace ptt::taskd {

struct PendingWait {
  std::uint64_t connection;
  nlohmann::json request_id;
  std::vector<TaskId> tasks;
};

class Daemon final : public RequestContext {
 public:
  explicit Daemon(const DaemonConfig& config);
  int run();

  // A request line in, its reply out (daemon_requests.cpp).
  void handle_line(ClientConnection& c, std::string_view line);
  // Throws protocol::RequestRejected.
  HandlerResult dispatch(ClientConnection& c, const nlohmann::json& id, const nlohmann::json& request);
  void apply(TableActions actions);
  // apply(), with any agent start (and what follows it) left to the pump, so a
  // request's reply is written before the agent is started.
  void apply_after_reply(TableActions actions) {
    defer_starts_ = true;
    apply(std::move(actions));
    defer_starts_ = false;
  }
  // Claims the next task id on disk (its log dir) before a spawn takes it; throws a
  // storage_error when it cannot.
  void claim_next_id();
  // Appends a just-spawned task's record (synced by commit_spawns); when that fails the
  // spawn is taken back and a storage_error thrown (no id without a record).
  void append_new_task(TaskId id, TableActions& actions);
  // Group commit: a spawn's record is appended at once and made durable by one fsync for
  // all the spawns of the loop turn (commit_spawns, from a check handle, after the turn's
  // input). Until then the spawns' replies, their events and every other reply wait
  // (held_replies_), and whatever else would use the table commits first (a request
  // other than a spawn or hello, any apply()): nothing tells of a task before its record
  // is on disk. When the fsync fails, each spawn of the group is taken back and answered
  // with a storage_error.
  void commit_spawns();
  // Sends the reply line now, or after the pending commit when there is one; a spawn's
  // reply (`spawn_id`: its request's id) becomes a storage_error when the commit fails.
  void send_reply(ClientConnection& c, std::string line, const nlohmann::json* spawn_id = nullptr);
  // The task's record as one serialized JSON object ("null" when unknown),
  // cached until the task's revision changes: a `list` over thousands of tasks
  // is then a string join instead of building and dumping a JSON tree per record.
  const std::string& record_line(TaskId id, bool table = false) const;
  // The TasksReply of `ids` as a line (protocol::tasks_reply_line), built record by
  // record: a reply listing thousands of tasks never exists as one JSON tree.
  std::string tasks_reply(const nlohmann::json& request_id, const std::vector<TaskId>& ids,
                          protocol::RecordView view = protocol::RecordView::kFull,
                          std::optional<std::uint64_t> finished_omitted = std::nullopt) const;

  // RequestContext (daemon_requests.cpp)
  const TaskTable& table() const override { return table_; }
  const DaemonConfig& config() const override { return config_; }
  double time_now() const override { return now(); }
  TaskId resolve_task(const protocol::TaskRef& ref) const override;
  std::string check_cwd(const std::string& cwd) const override;
  TaskId spawn(SpawnRequest request) override;
  void cancel(const std::vector<TaskId>& ids) override;
  std::vector<TaskId> clean(const CleanFilter& filter) override;
  std::filesystem::path follow_log(std::uint64_t connection, TaskId task, protocol::LogStream stream,
                                   bool follow, std::uint64_t from_offset) override;
  void wait_for(std::uint64_t connection, const nlohmann::json& id, std::vector<TaskId> tasks) override;
  void shut_down_after_reply() override { shutdown_after_reply_ = true; }
  std::optional<protocol::QueueHold> queue_hold() const override { return hold_; }
  std::optional<protocol::QueueHold> resume_queue() override { return release_queue("resume"); }
  std::string send_message(TaskId task, const std::string& text) override;
  void interrupt_turn(TaskId task) override;
  // The task's input, open, when its session takes `what` (messages, interrupts) now;
  // throws not_running saying why not.
  AgentInput& open_session_input(TaskId id, std::string_view what);
  std::uint64_t stall_timeout_ms(TaskId id) const;
  // How long an interrupted session waits for a message: the task's stall timeout, or
  // kMessageWaitDefaultMs when that is 0 (never).
  std::uint64_t message_wait_ms(TaskId id) const {
    std::uint64_t stall = stall_timeout_ms(id);
    return stall > 0 ? stall : kMessageWaitDefaultMs;
  }
  static constexpr std::uint64_t kMessageWaitDefaultMs = 600'000;
  void on_message_wait_over(TaskId id);
  std::vector<protocol::PermissionQuestion> open_questions() const override { return questions_.all(); }
  std::string answer_question(TaskId task, const protocol::AnswerPermissionRequest& answer) override;
  void resolve_worktree(TaskId task, const std::string& resolution) override;

  void begin_shutdown();
  void on_finished(TaskId id);  // answers waits that are now complete, wakes log followers
  void answer_waits();          // replies to each wait whose tasks have all finished
  void mark_followers(TaskId task);
  static double now();

  DaemonConfig config_;
  uv_loop_t* loop_ = nullptr;
  RecordStore store_;
  TaskTable table_;
  std::map<std::uint64_t, std::unique_ptr<ClientConnection>> connections_;
  std::map<TaskId, TaskWatch*> watches_;
  std::map<TaskId, std::unique_ptr<AgentInput>> inputs_;  // running tasks' stdin (agent_input.h)
  ChildCommands commands_;                                // git and setup commands (worktree_prepare.h)
  std::map<TaskId, pid_t> preparing_;  // tasks whose worktree is being made: the step running
  // Worktree tasks whose agent has ended, while their changes are counted (their end
  // waits for that: the finished record and event carry the count).
  std::set<TaskId> counting_changes_;
  std::vector<std::unique_ptr<LogFollower>> followers_;
  std::vector<PendingWait> waits_;
  std::uint64_t next_connection_ = 1;
  bool shutting_down_ = false;
  bool shutdown_after_reply_ = false;  // set by a shutdown request, done once its reply is out
  mode_t user_umask_ = 022;
  std::string supervisor_exe_;                   // ptt-supervise
  std::unique_ptr<SupervisorLink> supervisors_;  // the server running this daemon's agents
  int exit_status_ = 0;                          // 130 after SIGINT
  DescriptorBudget fd_budget_;                   // how many clients the descriptor limit allows
  LogThrottle accept_failures_log_{10'000}, refusals_log_{10'000};

 private:
  void load_tasks();
  bool listen(int activated_fd);
  void start_handles();
  void start_agent(TaskId id);
  // Makes the task's worktree (daemon_worktrees.cpp), then starts its agent.
  void prepare_task_worktree(TaskId id);
  protocol::AgentOptions with_allowed_rules(protocol::AgentOptions options, const protocol::TaskRecord& t);
  void cancel_agent(TaskId id);
  // Asks the task's supervisor (a line, or for an earlier daemon's a queued signal) for
  // something about that task; false when it cannot be reached (errno set).
  bool tell_supervisor(TaskId id, const supervise::SupervisorRequest& request, int signo);
  // Closes the agent's input once what is queued is written: its session ends.
  void close_agent_input(TaskId id);
  // The input of a task adopted after a restart, when it was started with one.
  void adopt_input(TaskId id);
  void watch_task(TaskId id, pid_t supervisor, TaskWatch::Supervisor kind,
                  std::optional<std::uint64_t> supervisor_start = std::nullopt);
  void adopt_unfinished();  // and starts what may start: recovery_'s actions
  void on_connection(int status);
  // Clients over the descriptor budget are refused; true when this one was.
  bool refuse_over_limit(ClientConnection& c);
  void on_stream_value(TaskId id, const nlohmann::json& value);
  // The queue's hold (daemon_hold.cpp): a task's refused rate limit holds it until the
  // reset; the one timer runs only while a hold exists.
  void note_rate_limit(TaskId id, const RateLimit& limit);
  void hold_queue(const protocol::QueueHold& hold);
  void arm_hold_timer();
  std::optional<protocol::QueueHold> release_queue(std::string_view by);
  void send_queue_event(const protocol::QueueEvent& event);
  // Approvals (daemon_permissions.cpp). True when the stream line was a question (or a
  // withdrawn one) of the task's agent.
  bool relay_permission_line(TaskId id, const nlohmann::json& value, const protocol::TaskRecord& t);
  // Closes the question: answered (written to the agent), timed out, or closed (`who`
  // kClosed: nothing is written, the agent is gone or withdrew it).
  void close_question(protocol::PermissionQuestion q, bool allow, std::optional<std::string> reason,
                      std::string_view who, bool always = false);
  void close_questions_of(TaskId id);  // its task has ended
  void arm_approval_timer();
  void send_permission_event(const protocol::PermissionEvent& event);
  PermissionLog& permission_log(TaskId id);
  void write_agent_input(TaskId id, const std::string& line);
  // exit: nullopt when the supervisor could not record one; `why` then says why when known.
  // Without an exit: the task fails with `reason` (its agent group is killed, if still its).
  void on_task_ended(TaskId id, std::optional<AgentExit> exit, std::string why = {},
                     protocol::FailureReason reason = protocol::FailureReason::kSupervisorLost);
  // The rest of on_task_ended, once a worktree task's changes are counted (change_count.h).
  void end_task(TaskId id, std::optional<AgentExit> exit, std::string why, protocol::FailureReason reason);
  void reap_children();
  void pump();
  void want_pump();

  struct RecordLines {
    std::uint64_t revision = 0;  // TaskTable::revision() they were made at
    std::string full, table;
  };
  mutable std::unordered_map<TaskId, RecordLines> record_lines_;
  bool defer_flush_ = false;      // while the watches are pumped: one write per task per turn
  bool defer_starts_ = false;     // see apply_after_reply()
  TableActions deferred_starts_;  // run by the next pump()
  uv_pipe_t server_{};
  uv_signal_t sigchld_{}, sigterm_{}, sigint_{};
  uv_idle_t pump_idle_{};
  uv_timer_t retry_timer_{};  // RecordKeeper's, for records whose write failed
  uv_timer_t hold_timer_{};   // ends the queue's hold at its reset; armed only while held
  std::optional<protocol::QueueHold> hold_;
  OpenQuestions questions_;  // the agents' tool calls waiting for an answer (daemon_permissions.cpp)
  std::map<std::pair<TaskId, std::string>, std::vector<std::string>> always_rules_;  // per open question
  std::map<TaskId, PermissionLog> permission_logs_;  // read once per running task
  uv_timer_t approval_timer_{};                      // armed for the oldest open question's timeout
  RecordKeeper keeper_;
  bool pump_active_ = false;
  struct PendingSpawn {
    TaskId id;
    TableActions actions;  // applied once its record is durable
  };
  struct HeldReply {
    std::uint64_t connection;
    std::string line;
    bool spawn = false;  // a storage_error instead when the commit fails
    nlohmann::json request_id;
  };
  std::vector<PendingSpawn> pending_spawns_;
  std::vector<HeldReply> held_replies_;
  uv_check_t commit_check_{};
  bool committing_ = false;
  Recovery recovery_{TaskTable(), {}, {}};  // from load_tasks() until adopt_unfinished()
};

}  // namespace ptt::taskd
