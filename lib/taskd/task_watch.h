#pragma once
// Tails one running task's files: the agent's stream (stream.ndjson) is read
// as it grows (inotify on the task's log dir via uv_fs_event, no timer), and
// the task ends when the supervisor's exit line appears in supervisor.ndjson
// or the supervisor is gone. Works the same for the supervisor this daemon started and one
// adopted after a restart (watched through a pidfd). Reading is done in bounded slices
// from the daemon's pump so a huge line never stalls other clients. A read that
// fails (out of descriptors above all: EMFILE) is retried on a timer until it works,
// so no task waits for an event that already came; without inotify the watch polls.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include <signal.h>

#include <sys/types.h>
#include <uv.h>

#include <nlohmann/json.hpp>

#include "core/ndjson.h"
#include "taskd/outcome.h"

namespace ptt::taskd {

class TaskWatch {
 public:
  struct Callbacks {
    std::function<void(std::int64_t task, const nlohmann::json& value)> on_stream_value;
    std::function<void(std::int64_t task)> on_grew;  // log followers have news
    std::function<void()> want_pump;                 // schedule pump() soon
    // The agent's pid (its process group's leader), once the supervisor has written it.
    std::function<void(std::int64_t task, pid_t agent)> on_agent;
    // exit: nullopt when the supervisor vanished without writing its exit line.
    std::function<void(std::int64_t task, std::optional<AgentExit> exit)> on_ended;
    // The stream log cannot be read (not a regular file, or a read failed): the task
    // cannot be followed. `why` says what is wrong; the watch has ended.
    std::function<void(std::int64_t task, std::string why)> on_unreadable;
    // The agent has not exited this long after its result line (after_result()).
    std::function<void(std::int64_t task)> on_overdue;
    // wait_for_message()'s time is up with no message_came().
    std::function<void(std::int64_t task)> on_message_wait_over;
    // No stream output for the stall timeout (watch_for_stall()), and output again after one.
    std::function<void(std::int64_t task, std::uint64_t silent_ms)> on_stalled;
    std::function<void(std::int64_t task)> on_output_resumed;
  };

  // Stream lines longer than this are skipped here (the raw log keeps them).
  // (8 MiB: the CLI's echo of a prompt of taskd's largest, 1 MiB, must be read: session_input.h.)
  static constexpr std::size_t kMaxStreamLine = 8u << 20;
  // A failed open or read is tried again after this long (and inotify, when it could
  // not be had, is replaced by a poll this often).
  static constexpr std::uint64_t kRetryMs = 200;

  enum class Supervisor {
    kChild,    // our child: its exit comes as SIGCHLD (supervisor_exited())
    kAdopted,  // found after a restart: checked to be a supervisor, then watched with a pidfd
  };
  struct SupervisorId {
    pid_t pid = 0;
    std::optional<std::uint64_t> start;  // its start time; unknown when /proc could not tell it
  };
  static TaskWatch* start(uv_loop_t* loop, std::int64_t task, std::filesystem::path log_dir,
                          SupervisorId supervisor, Supervisor kind, Callbacks callbacks);
  // Closes the handles and frees the watch once libuv is done with them.
  void destroy();

  void supervisor_exited();
  // Reads at most `budget` bytes; true when more is waiting.
  bool pump(std::size_t budget);
  bool backlog() const { return backlog_; }
  pid_t supervisor() const { return supervisor_; }
  // Sends an adopted supervisor a queued signal through the pidfd held for it, which
  // names that very process; false (errno set) when there is none, or the supervisor
  // was not proven to be the task's (its status line has no start time).
  bool signal_supervisor(int signo, const sigval& value);
  // The result line has come: on_overdue() once `grace_ms` pass without the agent's
  // exit. The timer runs only from here to the task's end.
  void after_result(std::uint64_t grace_ms);
  // on_stalled() when the stream has not grown for `timeout_ms` (0: never). The timer is
  // armed only while the task runs and has no result yet; it is not re-armed on every
  // line, only when it fires (a deadline from the last output).
  void watch_for_stall(std::uint64_t timeout_ms);
  // An interrupted turn's result has come and the session waits for a message: no stall
  // watch meanwhile (a quiet agent is expected); on_message_wait_over() after `wait_ms`.
  void wait_for_message(std::uint64_t wait_ms);
  // A message was sent while waiting: the wait ends, the stall watch (`stall_ms`) is back.
  void message_came(std::uint64_t stall_ms);

 private:
  TaskWatch(std::int64_t task, std::filesystem::path log_dir, pid_t supervisor, Callbacks callbacks);
  ~TaskWatch();
  static void on_fs_event(uv_fs_event_t* h, const char* filename, int events, int status);
  static void on_pidfd(uv_poll_t* h, int status, int events);
  static void on_handle_closed(uv_handle_t* h);
  void mark();
  void watch_adopted();                         // opens the adopted supervisor's pidfd
  bool open_stream();                           // false: retry later
  void retry_later(const char* what, int err);  // logs the first failure of a run
  void schedule_retry();
  void start_file_events();

  uv_loop_t* loop_ = nullptr;
  SupervisorId adopted_;  // the supervisor to watch through a pidfd, once it can be opened
  bool pidfd_pending_ = false;
  bool failing_ = false;  // a read failed; logged once until one works again
  bool polling_logged_ = false;
  uv_timer_t retry_timer_{};
  uv_timer_t overdue_timer_{};  // after_result()'s, or wait_for_message()'s
  uv_timer_t stall_timer_{};    // watch_for_stall()'s
  std::uint64_t stall_timeout_ms_ = 0;
  std::uint64_t last_output_ms_ = 0;  // uv_now() of the last read that grew the stream
  bool stalled_ = false;              // on_stalled() said so, and no output came since
  void on_stall_timer();

  std::int64_t task_;
  std::filesystem::path log_dir_;
  pid_t supervisor_;
  Callbacks cb_;
  LineFramer framer_{kMaxStreamLine};
  int stream_fd_ = -1;
  int pidfd_ = -1;
  bool pidfd_proven_ = false;  // the pidfd's process started when its status file says
  off_t offset_ = 0;
  bool backlog_ = true;
  bool exit_seen_ = false;  // supervisor.ndjson changed: an agent pid or the exit may be there
  pid_t agent_ = 0;         // the agent pid already reported
  bool supervisor_gone_ = false;
  bool ended_ = false;
  std::string unreadable_;  // why the stream log cannot be read, once known
  int open_handles_ = 0;
  uv_fs_event_t fs_event_{};
  uv_poll_t pidfd_poll_{};
  bool fs_event_active_ = false;
  bool poll_active_ = false;
};

}  // namespace ptt::taskd
