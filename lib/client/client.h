#pragma once
// The ptt-taskd client: connect (auto-starting), hello with a version check, then
// requests whose replies are matched by id while events are handed to a callback.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "client/autostart.h"
#include "client/client_session.h"
#include "client/daemon_connection.h"
#include "client/liveness.h"

namespace ptt::client {

// The daemon answered a request with ok:false.
struct RequestError : std::runtime_error {
  RequestError(std::string code_, const std::string& message)
      : std::runtime_error(message), code(std::move(code_)) {}
  std::string code;
};

// The reply `msg` when it says ok; else throws RequestError with its code and message
// (either may be missing or mistyped: a fallback is used). What Client::request returns.
nlohmann::json ok_reply_or_throw(nlohmann::json msg);

// The daemon refused the hello (another protocol version): reconnecting will not help.
struct HelloRefusedError : UnreachableError {
  using UnreachableError::UnreachableError;
};

// Returns false to stop reading events.
using EventFn = std::function<bool(const nlohmann::json& event)>;

class Client {
 public:
  // Connects; throws UnreachableError. The hello goes out with the first request
  // (one write, one round trip) and its reply is checked before that request's;
  // a refused hello throws UnreachableError then (the daemon runs nothing else).
  // Every wait for a reply (but `wait`'s) and every send is bounded by
  // options.reply_timeout: past it, NoAnswerError says the daemon does not answer.
  explicit Client(const ConnectOptions& options);

  const nlohmann::json& hello_reply();
  // The daemon has accepted the hello: this connection worked (a loss later is not a
  // failure to connect).
  bool hello_accepted() const { return !hello_.is_null(); }

  // Sends {"op": op, ...fields} and returns the ok reply; events seen before it go
  // to on_event. Throws RequestError for ok:false, UnreachableError on a broken link.
  nlohmann::json request(std::string_view op, nlohmann::json fields = nlohmann::json::object(),
                         const EventFn& on_event = {});

  // Sends a request without waiting; returns its id. For callers that read the
  // reply themselves with read_reply_line().
  long send_request(std::string_view op, nlohmann::json fields = nlohmann::json::object());
  // The next line, unparsed, within the reply timeout (for a reply read by a faster
  // parser, e.g. a big `list`). Throws NoAnswerError, UnreachableError.
  std::string read_reply_line();
  DaemonConnection& connection() { return conn_; }

  // Reads events until on_event returns false (replies without a pending request are ignored).
  // No reply timeout: a quiet daemon is pinged, and told about when it does not answer.
  void read_events(const EventFn& on_event);

  // Patient: no reply timeout at all (for `wait`, `logs -f`, `watch`, which wait for the
  // tasks). While a wait without a timeout hears nothing, the daemon is pinged after the
  // reply timeout, and when the ping goes unanswered as long, `notice` gets a line saying
  // so ("ptt-task: warning: ... still waiting"), and another once the daemon answers again.
  using NoticeFn = std::function<void(const std::string& line)>;  // a whole line, '\n' included
  void set_patient(bool patient) { patient_ = patient; }
  void set_notice(NoticeFn notice);
  // Sends a cheap request whose reply only shows the daemon is alive (a hello).
  void send_ping();

 private:
  enum class Bound { kReplyTimeout, kNone };
  void finish_hello();
  nlohmann::json read_reply(long id, const EventFn& on_event, Bound bound);
  nlohmann::json read_reply_message(long id, const EventFn& on_event, Bound bound);  // ok or not
  nlohmann::json read_message(Bound bound);
  void send_line(std::string_view line);
  [[noreturn]] void throw_no_answer() const;
  nlohmann::json read_message_patiently();

  std::chrono::milliseconds timeout_;
  std::string host_prefix_;  // "host NAME: " before what a remote daemon's problems say; "" locally
  Liveness liveness_;
  bool patient_ = false;
  NoticeFn notice_;
  DaemonConnection conn_;
  ClientSession session_{"ptt-task"};
  nlohmann::json hello_;
  std::string unsent_hello_;
  bool hello_pending_ = true;
};

}  // namespace ptt::client
