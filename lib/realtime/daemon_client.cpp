#include "realtime/daemon_client.h"

#include <fmt/format.h>

#include "protocol/protocol.h"
#include "protocol/replies.h"
#include "protocol/requests.h"

namespace ptt::realtime {
using nlohmann::json;
namespace op = ptt::protocol::op;

namespace {

// Refusals of this client's own, not the daemon's (protocol::error): it cannot be
// reached, or it did not answer in time.
constexpr const char* kUnreachable = "unreachable";
constexpr const char* kTimeout = "timeout";

// A reply of this client's own (its id null): the daemon is not reachable, does not answer, ...
json refusal(std::string code, std::string message) {
  return ptt::protocol::error_reply_json(nullptr, {.code = std::move(code), .message = std::move(message)});
}

}  // namespace

DaemonClient::DaemonClient(uv_loop_t* loop, DaemonEndpoint endpoint, EventFn on_event, StateFn on_state,
                           ProblemFn on_problem)
    : loop_(loop),
      transport_(
          loop, std::move(endpoint), [this] { on_open(); },
          [this](std::string_view bytes) { reader_.feed(bytes); },
          [this](const std::string& why) { lost(why); }),
      on_event_(std::move(on_event)),
      on_state_(std::move(on_state)),
      on_problem_(std::move(on_problem)),
      reader_([this](json&& v, std::size_t) { on_line(std::move(v)); },
              [](const std::string&, std::size_t) { /* a daemon bug; the line is skipped */ },
              ptt::protocol::kMaxLine * 64) {}

DaemonClient::~DaemonClient() { stop(); }

json DaemonClient::unreachable_reply(const std::string& why) const {
  // A host's reason names the host and the step that failed (the endpoint's explain_end).
  if (!transport_.endpoint().local()) return refusal(kUnreachable, why);
  return refusal(kUnreachable,
                 fmt::format("the task daemon is not reachable ({}); start it with `ptt-task ping` "
                             "(it starts the daemon when none answers)",
                             why));
}

json DaemonClient::no_answer_reply(bool changes_state, std::uint64_t waited_ms) const {
  std::chrono::milliseconds waited{waited_ms};
  const std::string& host = transport_.endpoint().host;
  std::string message =
      host.empty() ? client::no_answer_message(waited, transport_.peer_pid())
                   : fmt::format(
                         "host {}: ptt-taskd did not answer within {}; check it with `ptt-task --host {} "
                         "doctor`",
                         host, client::seconds_text(waited), host);
  // It sits in the socket: a daemon that was only stopped reads it when it goes on.
  if (changes_state) message += "; the request was sent and may still be carried out when the daemon goes on";
  return refusal(kTimeout, std::move(message));
}

void DaemonClient::start() {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  timer_started_ = true;
  uv_timer_start(
      &timer_, [](uv_timer_t* t) { static_cast<DaemonClient*>(t->data)->tick(); }, 500, 500);
  connect();
}

void DaemonClient::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (timer_started_) uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
  transport_.close();
  pending_.clear();
  waiting_.clear();
}

void DaemonClient::connect() {
  if (stopped_ || state_ != State::kDown) return;
  last_attempt_ms_ = uv_now(loop_);
  state_ = State::kConnecting;
  transport_.open();  // on_open, or lost() (at once when a command cannot be started)
}

std::uint64_t DaemonClient::hello_timeout_ms() const {
  return transport_.endpoint().local() ? kRequestTimeoutMs : kCommandHelloTimeoutMs;
}

void DaemonClient::on_open() {
  if (stopped_) return;
  state_ = State::kHello;
  reader_ = NdjsonReader([this](json&& v, std::size_t) { on_line(std::move(v)); },
                         [](const std::string&, std::size_t) {}, ptt::protocol::kMaxLine * 64);
  // Nothing else goes out before the hello is answered: a daemon that refuses it runs
  // nothing else, and one that speaks another version must not be told to subscribe.
  hello_deadline_ms_ = uv_now(loop_) + hello_timeout_ms();
  write_line(session_.start());
}

void DaemonClient::on_hello_refused(const std::string& refusal_text) {
  const std::string& host = transport_.endpoint().host;
  std::string problem = host.empty() ? refusal_text : fmt::format("host {}: {}", host, refusal_text);
  say_once(problem);
  drop_connection(refusal(std::string(ptt::protocol::error::kVersionMismatch), problem));
}

void DaemonClient::on_hello_accepted() {
  last_problem_.clear();
  state_ = State::kReady;
  // The reply has the unfinished tasks whole; events then carry only what changed.
  send_now(ptt::protocol::request_json(ptt::protocol::SubscribeRequest{}),
           [this](const json& reply) { updates_.reset(ptt::protocol::readable_tasks(reply).tasks); });
  if (on_state_) on_state_(true);
  while (!waiting_.empty()) {
    auto [request, fn] = std::move(waiting_.front());
    waiting_.pop_front();
    send_now(std::move(request), std::move(fn));
  }
}

void DaemonClient::on_task_event(const json& message) {
  if (auto permission = ptt::protocol::parse_permission_event(message)) {
    if (on_permission_) on_permission_(*permission);
    return;
  }
  auto update = updates_.apply(message);
  if (update && on_event_) on_event_(*update);
}

void DaemonClient::on_line(json&& value) {
  // Lines after a refused hello, still in the chunk being fed, are from a closed connection.
  if (state_ != State::kHello && state_ != State::kReady) return;
  using Kind = client::ClientSession::Incoming::Kind;
  client::ClientSession::Incoming in = session_.on_message(value);
  switch (in.kind) {
    case Kind::kEvent:
      on_task_event(value);
      return;
    case Kind::kHelloAccepted:
      on_hello_accepted();
      return;
    case Kind::kHelloRefused:
      on_hello_refused(in.problem);
      return;
    case Kind::kReply:
      break;
    case Kind::kIgnored:
    case Kind::kConnectionError:
      return;
  }
  auto it = pending_.find(in.id);
  if (it == pending_.end()) return;
  ReplyFn fn = std::move(it->second.on_reply);
  pending_.erase(it);
  fn(value);
}

void DaemonClient::request(json request, ReplyFn on_reply) {
  if (stopped_) return;
  switch (state_) {
    case State::kReady:
      send_now(std::move(request), std::move(on_reply));
      break;
    case State::kConnecting:
    case State::kHello:
      waiting_.emplace_back(std::move(request), std::move(on_reply));
      break;
    case State::kDown:
      // One fresh attempt per request, so a daemon started a moment ago is found;
      // if it fails the request is answered with the error at once.
      waiting_.emplace_back(std::move(request), std::move(on_reply));
      connect();
      break;
  }
}

void DaemonClient::send_now(json request, ReplyFn on_reply) {
  bool changes_state = client::request_changes_state(request.value("op", ""));
  std::int64_t id = session_.stamp(request);
  pending_[id] = {std::move(on_reply), uv_now(loop_) + kRequestTimeoutMs, changes_state};
  write_line(request);
}

void DaemonClient::write_line(const json& message) { transport_.write(to_ndjson(message)); }

void DaemonClient::lost(const std::string& why) {
  json reply = unreachable_reply(why);
  say_remote_problem(reply);
  drop_connection(reply);
}

void DaemonClient::drop_connection(const json& reply) {
  bool was_ready = state_ == State::kReady;
  state_ = State::kDown;
  transport_.close();
  fail_all(reply);
  if (was_ready && on_state_) on_state_(false);
}

void DaemonClient::fail_all(const json& reply) {
  auto pending = std::move(pending_);
  pending_.clear();
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [id, p] : pending) p.on_reply(reply);
  for (auto& [req, fn] : waiting) fn(reply);
}

void DaemonClient::say_once(const std::string& problem) {
  if (problem != last_problem_ && on_problem_) on_problem_(problem);
  last_problem_ = problem;
}

// A host's daemon is reached through ssh: why it is not (a refused connection, a key
// refused, ptt-task missing there, no answer) is said once on stderr, not only to a tool call.
void DaemonClient::say_remote_problem(const json& reply) {
  if (transport_.endpoint().local()) return;
  say_once(fmt::format("{}; retrying every {} s", ptt::protocol::error_of(reply).message, kRetryMs / 1000));
}

void DaemonClient::tick() {
  std::uint64_t now = uv_now(loop_);
  if (state_ == State::kDown && now - last_attempt_ms_ >= kRetryMs) connect();
  if (state_ == State::kHello && now >= hello_deadline_ms_) {
    // Requests wait for the hello unsent: none can have been carried out.
    json reply = no_answer_reply(false, hello_timeout_ms());
    say_remote_problem(reply);
    drop_connection(reply);
  }
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline_ms > now) {
      ++it;
      continue;
    }
    ReplyFn fn = std::move(it->second.on_reply);
    json reply = no_answer_reply(it->second.changes_state);
    it = pending_.erase(it);
    fn(reply);
  }
}

}  // namespace ptt::realtime
