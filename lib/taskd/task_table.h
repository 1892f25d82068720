#pragma once
// The task table and queue: a pure state machine. Events go in (spawn, cancel,
// agent started, stream update, agent exit, clean), actions come out (start an
// agent, signal one, persist a record, emit an event). No I/O inside, so the
// queue, dependency and outcome rules are unit-tested without sockets.
// A record is persisted when a task is spawned and when it finishes, not in
// between: a restarted daemon learns of a start from the task's supervisor
// status file and re-reads its stream for the rest.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/record_view.h"
#include "protocol/task_record.h"
#include "taskd/finished_task.h"
#include "taskd/outcome.h"
#include "taskd/session_share.h"
#include "taskd/stream_reader.h"

namespace ptt::taskd {

using TaskId = std::int64_t;

struct TableAction {
  enum class Kind {
    kStartAgent,   // have the supervisor start the task's agent
    kCancelAgent,  // ask the running task's supervisor to stop the agent
    kPersist,      // write the task's record (atomically)
    kForget,       // delete the task's record and logs (clean)
    kSaveNextId,   // write the id counter before records are forgotten (ids are never reused)
    kEmit,         // push an event (created/started/activity/stalled/finished/worktree) to subscribers
  };
  Kind kind;
  TaskId task = 0;
  std::string event;  // for kEmit
  bool operator==(const TableAction&) const = default;
};
using TableActions = std::vector<TableAction>;

struct SpawnRequest {
  std::string prompt;
  std::string cwd;
  std::optional<std::string> name;
  std::vector<TaskId> after;
  std::optional<TaskId> parent;
  std::optional<std::string> resume_session;
  std::optional<TaskId> retry_of;
  protocol::AgentOptions options;
  std::optional<protocol::TaskWorktree> worktree;  // its branch and path name the id spawn gives
};

// What `clean` forgets: finished tasks, optionally only those in one end state
// and only those finished at or before a time.
struct CleanFilter {
  std::optional<protocol::TaskState> state;
  std::optional<double> finished_before;
};

class TaskTable {
 public:
  explicit TaskTable(int max_running = 4) : max_running_(max_running) {}

  // Start-up: records loaded from disk, and the saved id counter. `line`, when given,
  // is the journal line the record was read from: a finished record keeps it.
  void load(protocol::TaskRecord record, std::string line = {});
  // A finished task read from disk, kept as it is (its record is not made).
  void load_finished(TaskId id, FinishedTask task);
  void reserve_ids_below(TaskId next) { next_id_ = std::max(next_id_, next); }
  // What reads back the lines of finished tasks kept on disk (RecordSpan): the
  // daemon's RecordStore. Null (tests): every finished task keeps its line in memory.
  void read_lines_from(const RecordLineSource* disk) { disk_ = disk; }
  // A finished task's canonical line was written at `at` and synced (nothing for any other).
  void stored_at(TaskId id, RecordSpan at);

  TaskId spawn(SpawnRequest request, double now, TableActions& out);
  // Takes back a spawn whose record could not be written (its actions must be dropped).
  void discard(TaskId id);
  void cancel(TaskId id, double now, TableActions& out);
  // The agent runs (its pid is known): a starting task becomes running.
  void agent_started(TaskId id, int pid, TableActions& out);
  // Its worktree exists now (worktree_prepare.h): the record names the base commit.
  void worktree_made(TaskId id, std::string base_commit, std::optional<std::string> base_branch,
                     TableActions& out);
  // What the worktree task changed, counted as its agent ended (before agent_exited or
  // fail_running, which persist it).
  void worktree_changes(TaskId id, protocol::WorktreeChanges changes);
  // A finished worktree task was merged or discarded (protocol::resolution): persisted.
  void resolve_worktree(TaskId id, std::string resolution, TableActions& out);
  void stream_update(TaskId id, const StreamUpdate& update, TableActions& out);
  void agent_exited(TaskId id, const AgentExit& exit, std::string stderr_tail, double now, TableActions& out);
  // The agent has written nothing for a while: its activity says so (`activity`), a
  // `stalled` event goes out, and with `kill` the agent is cancelled; the task then ends
  // cancelled with reason `stalled`.
  void stalled(TaskId id, std::string activity, bool kill, TableActions& out);
  // Output came again after stalled(): the activity before it is back.
  void output_resumed(TaskId id, TableActions& out);
  // A running task's activity says what the daemon knows and its stream does not (an
  // interrupted session waiting for a message).
  void note_activity(TaskId id, std::string activity, TableActions& out);
  // Its agent waits for an answer to a question (`waiting`), or no longer: an `activity` event.
  void set_waiting(TaskId id, std::optional<std::string> waiting, TableActions& out);
  // A starting or running task that ended without an agent outcome (spawn failed,
  // supervisor lost).
  void fail_running(TaskId id, std::string reason, std::string detail, double now, TableActions& out);
  // Forgets finished tasks that pass `filter` and no unfinished task still depends
  // on; returns their ids.
  std::vector<TaskId> clean(TableActions& out, const CleanFilter& filter = {});
  // Starts what the concurrency limit and dependencies allow, in FIFO order.
  void schedule(double now, TableActions& out);
  // While held (a rate limit: protocol/queue_hold.h) no queued task starts; running
  // tasks go on and spawns still queue. Releasing schedules at once.
  void set_held(bool held, double now, TableActions& out);
  bool held() const { return held_; }

  // The task's whole record (a copy; a finished one is parsed from its line), or null.
  std::shared_ptr<const protocol::TaskRecord> find(TaskId id) const;
  // The record of a task that is not finished (finished ones are kept as lines), or
  // null. Valid until the table changes.
  const protocol::TaskRecord* live(TaskId id) const;
  std::optional<protocol::TaskState> state(TaskId id) const;
  // A finished task's record line (FinishedTask::line: a full one read from disk is
  // valid until the next call), or null for any other task.
  const std::string* finished_line(TaskId id, protocol::RecordView view) const;
  // The tasks' ids in order, those in `state` only when given.
  std::vector<TaskId> ids(std::optional<protocol::TaskState> state = std::nullopt) const;
  // ids(state) with only the newest `finished_limit` finished tasks (every unfinished one
  // stays), and how many finished ones that left out: `list` over a long history.
  struct Listed {
    std::vector<TaskId> ids;
    std::uint64_t finished_omitted = 0;
  };
  Listed listed(std::optional<protocol::TaskState> state, std::optional<std::uint64_t> finished_limit) const;
  std::size_t size() const { return tasks_.size(); }
  // Each record's id and full line (protocol::record_line), in id order: what
  // compaction writes. Whether the task is finished (the line can be kept on disk).
  template <typename Fn>
  void for_each_line(Fn&& fn) const {
    for (const auto& [id, task] : tasks_) {
      if (task.live) {
        fn(id, protocol::record_line(*task.live, protocol::RecordView::kFull), false);
      } else {
        fn(id, task.finished.line(protocol::RecordView::kFull, disk_), true);
      }
    }
  }
  // An id (number or numeric string) or a name (the newest task with it).
  std::optional<TaskId> resolve(const nlohmann::json& ref) const;
  // The queued or running task called `name`, if any (names are unique among them).
  std::optional<TaskId> unfinished_named(const std::string& name) const;
  // The queued, starting and running tasks, in id order.
  const std::set<TaskId>& unfinished() const { return unfinished_; }
  TaskId next_id() const { return next_id_; }
  int running_count() const;
  int max_running() const { return max_running_; }
  bool cancel_requested(TaskId id) const;
  // Bumped by every change to the task's record (0: no such task), so a copy
  // made from the record (the daemon's cached JSON lines) is current while its
  // revision is, whatever changed it.
  std::uint64_t revision(TaskId id) const;

 private:
  // A task: its record while it can change, a FinishedTask once it cannot.
  struct Task {
    std::unique_ptr<protocol::TaskRecord> live;
    FinishedTask finished;  // when !live
    std::uint64_t revision = 0;
  };
  // What the table knows of a task that is not finished, beyond its record.
  struct Runtime {
    bool api_error = false;
    // While it runs: its latest tool calls (a permission_denied line names only the
    // id) and the calls refused so far, which join its result's permission_denials.
    std::deque<ToolUse> recent_tool_uses;
    std::vector<protocol::PermissionDenial> denials;
    bool stalled = false;
    std::optional<std::string> activity_before_stall{};
    bool stall_kill = false;  // the cancel came from the stall watchdog
  };
  void note_stream_facts(TaskId id, protocol::TaskRecord& t, StreamUpdate& u);
  // What the earlier runs of the Claude session that `t` resumes reported (none for a
  // task that resumes none): a resumed run's figures count them too.
  SessionSoFar session_before(const protocol::TaskRecord& t) const;
  // The record of `id`, which the caller is about to change (a finished one is read
  // back from its line and kept whole from then on).
  protocol::TaskRecord& changing(TaskId id);
  protocol::TaskRecord& live_record(TaskId id) { return *tasks_.at(id).live; }
  // A finished task's record becomes its line; its runtime goes.
  void keep_finished(TaskId id);
  void mark_running(protocol::TaskRecord& t, TableActions& out);
  // One queued task's turn in schedule(): fails it when a dependency did, else starts it
  // when nothing holds it back; false when it has finished.
  bool schedule_queued(protocol::TaskRecord& t, const std::map<std::string_view, TaskId>& session_users,
                       int& running, double now, TableActions& out);
  // A queued task's activity says which earlier task of its Claude session it waits for.
  void note_session_wait(protocol::TaskRecord& t, std::optional<TaskId> busy_with, TableActions& out);
  void end_running(TaskId id, protocol::TaskState state, std::string reason, std::string detail, double now,
                   TableActions& out);
  void finish(protocol::TaskRecord& t, protocol::TaskState state, std::string reason, double now,
              TableActions& out);

  int max_running_;
  bool held_ = false;
  TaskId next_id_ = 1;
  std::map<TaskId, Task> tasks_;
  // The queued and running tasks, in id (FIFO) order: what schedule, running_count and
  // unfinished_named look at, so a spawn costs the same with 10 or 100,000 finished tasks.
  std::set<TaskId> unfinished_;
  std::map<TaskId, Runtime> runtime_;  // of unfinished tasks only
  std::uint64_t last_revision_ = 0;
  const RecordLineSource* disk_ = nullptr;
};

}  // namespace ptt::taskd
