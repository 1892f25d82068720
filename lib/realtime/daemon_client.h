#pragma once
// An asynchronous ptt-taskd client on the session's libuv loop: requests with
// callbacks, pushed task events, never blocking. When the daemon is down every
// request is answered at once with an "unreachable" error reply, and the client
// keeps trying to come back (and re-subscribes) in the background. The daemon
// counts as connected only once it answered the hello with our protocol version;
// a daemon speaking another version is reported through on_problem (once, until
// that changes) and requests are answered with a version_mismatch error.
// The daemon is this machine's (a Unix socket) or a host's, reached through a command
// such as `ssh HOST 'ptt-task dial-stdio'` (daemon_transport.h): a child that dies is a
// dropped connection, retried as a socket's is.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <uv.h>
#include <nlohmann/json.hpp>

#include "client/client_session.h"
#include "client/reply_timeout.h"
#include "core/ndjson.h"
#include "protocol/permissions.h"
#include "realtime/daemon_transport.h"
#include "realtime/task_updates.h"

namespace ptt::realtime {

class DaemonClient {
 public:
  using ReplyFn = std::function<void(const nlohmann::json& reply)>;
  // A task event, with the task's whole record after it (no prompt).
  using EventFn = std::function<void(const TaskUpdate& update)>;
  using StateFn = std::function<void(bool connected)>;
  using ProblemFn = std::function<void(const std::string& message)>;
  // A permission_requested or permission_answered event (protocol/permissions.h).
  using PermissionFn = std::function<void(const protocol::PermissionEvent& event)>;

  DaemonClient(uv_loop_t* loop, DaemonEndpoint endpoint, EventFn on_event, StateFn on_state,
               ProblemFn on_problem);
  ~DaemonClient();
  DaemonClient(const DaemonClient&) = delete;
  DaemonClient& operator=(const DaemonClient&) = delete;

  void start();  // connect, hello, subscribe; retried every few seconds while down
  void on_permission(PermissionFn fn) { on_permission_ = std::move(fn); }
  void request(nlohmann::json request, ReplyFn on_reply);
  void stop();  // closes handles; no callbacks after this
  bool connected() const { return state_ == State::kReady; }

  static constexpr std::uint64_t kRetryMs = 2000;
  // ssh may take seconds to connect and authenticate before the hello can be answered.
  static constexpr std::uint64_t kCommandHelloTimeoutMs = 15000;
  // As ptt-task's: a tool call the daemon does not answer gets an error result.
  static constexpr std::uint64_t kRequestTimeoutMs = client::kDefaultReplyTimeout.count();

 private:
  enum class State { kDown, kConnecting, kHello, kReady };
  struct Pending {
    ReplyFn on_reply;
    std::uint64_t deadline_ms;
    bool changes_state;  // a spawn, a cancel...: said to be maybe carried out later
  };

  void connect();
  void on_open();
  void on_line(nlohmann::json&& value);
  // A task event applied to updates_, passed on with the task's record as it is now;
  // a permission event passed on as it is.
  void on_task_event(const nlohmann::json& message);
  void on_hello_accepted();
  void on_hello_refused(const std::string& problem);
  void write_line(const nlohmann::json& message);
  void send_now(nlohmann::json request, ReplyFn on_reply);
  void lost(const std::string& why);
  void drop_connection(const nlohmann::json& reply);  // answering what waits with reply
  void fail_all(const nlohmann::json& reply);
  void say_once(const std::string& problem);  // on_problem, unless it was the last one said
  void say_remote_problem(const nlohmann::json& reply);
  void tick();
  nlohmann::json unreachable_reply(const std::string& why) const;
  // `waited`: the request's limit, or the hello's (longer through a command).
  nlohmann::json no_answer_reply(bool changes_state, std::uint64_t waited_ms = kRequestTimeoutMs) const;
  std::uint64_t hello_timeout_ms() const;

  uv_loop_t* loop_;
  DaemonTransport transport_;
  EventFn on_event_;
  StateFn on_state_;
  ProblemFn on_problem_;
  PermissionFn on_permission_;
  std::string last_problem_;  // reported already; not repeated on every retry
  State state_ = State::kDown;
  uv_timer_t timer_{};
  bool timer_started_ = false;
  bool stopped_ = false;
  client::ClientSession session_{"ptt-realtime"};
  std::uint64_t hello_deadline_ms_ = 0;
  std::map<std::int64_t, Pending> pending_;
  std::deque<std::pair<nlohmann::json, ReplyFn>> waiting_;  // sent once connected
  TaskUpdates updates_;  // the unfinished tasks, from subscribe's reply and the events
  NdjsonReader reader_;
  std::uint64_t last_attempt_ms_ = 0;
};

}  // namespace ptt::realtime
