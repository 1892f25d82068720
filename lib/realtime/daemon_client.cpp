#include "realtime/daemon_client.h"

#include <fmt/format.h>

#include "protocol/protocol.h"
#include "protocol/replies.h"
#include "protocol/requests.h"

namespace ptt::realtime {
using nlohmann::json;
namespace op = ptt::protocol::op;

namespace {

struct WriteReq {
  uv_write_t req;
  std::string data;
};

// A reply of this client's own (no id): the daemon is not reachable, does not answer, ...
json refusal(std::string code, std::string message) {
  return {
      {ptt::protocol::reply_field::kOk, false},
      {ptt::protocol::reply_field::kError, ptt::protocol::ErrorReply{std::move(code), std::move(message)}}};
}

void close_and_free(uv_pipe_t* pipe) {
  uv_close(reinterpret_cast<uv_handle_t*>(pipe),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_pipe_t*>(h); });
}

}  // namespace

DaemonClient::DaemonClient(uv_loop_t* loop, std::string socket_path, EventFn on_event, StateFn on_state,
                           ProblemFn on_problem)
    : loop_(loop),
      socket_path_(std::move(socket_path)),
      on_event_(std::move(on_event)),
      on_state_(std::move(on_state)),
      on_problem_(std::move(on_problem)),
      reader_([this](json&& v, std::size_t) { on_line(std::move(v)); },
              [](const std::string&, std::size_t) { /* a daemon bug; the line is skipped */ },
              ptt::protocol::kMaxLine * 64) {}

DaemonClient::~DaemonClient() { stop(); }

json DaemonClient::unreachable_reply(const std::string& why) {
  return refusal("unreachable",
                 fmt::format("the task daemon is not reachable ({}); start it with `ptt-task ping` "
                             "(it starts the daemon when none answers)",
                             why));
}

json DaemonClient::no_answer_reply(bool changes_state) const {
  uv_os_fd_t fd = -1;
  long pid = pipe_ && uv_fileno(reinterpret_cast<const uv_handle_t*>(pipe_), &fd) == 0
                 ? client::daemon_pid_of(fd)
                 : 0;
  std::string message = client::no_answer_message(std::chrono::milliseconds{kRequestTimeoutMs}, pid);
  // It sits in the socket: a daemon that was only stopped reads it when it goes on.
  if (changes_state) message += "; the request was sent and may still be carried out when the daemon goes on";
  return refusal("timeout", std::move(message));
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
  if (pipe_) {
    close_and_free(pipe_);
    pipe_ = nullptr;
  }
  pending_.clear();
  waiting_.clear();
}

void DaemonClient::connect() {
  if (stopped_ || state_ != State::kDown) return;
  last_attempt_ms_ = uv_now(loop_);
  state_ = State::kConnecting;
  pipe_ = new uv_pipe_t;
  uv_pipe_init(loop_, pipe_, 0);
  pipe_->data = this;
  auto* req = new uv_connect_t;
  req->data = this;
  uv_pipe_connect(req, pipe_, socket_path_.c_str(), [](uv_connect_t* r, int status) {
    auto* self = static_cast<DaemonClient*>(r->data);
    bool cancelled = status == UV_ECANCELED;
    delete r;
    if (!cancelled) self->on_connect(status);
  });
}

void DaemonClient::on_connect(int status) {
  if (stopped_) return;
  if (status < 0) {
    lost(uv_strerror(status));
    return;
  }
  state_ = State::kHello;
  reader_ = NdjsonReader([this](json&& v, std::size_t) { on_line(std::move(v)); },
                         [](const std::string&, std::size_t) {}, ptt::protocol::kMaxLine * 64);
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(pipe_),
      [](uv_handle_t*, std::size_t suggested, uv_buf_t* buf) {
        buf->base = new char[suggested];
        buf->len = suggested;
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
        static_cast<DaemonClient*>(s->data)->on_read(n, buf);
        delete[] buf->base;
      });
  // Nothing else goes out before the hello is answered: a daemon that refuses it runs
  // nothing else, and one that speaks another version must not be told to subscribe.
  hello_deadline_ms_ = uv_now(loop_) + kRequestTimeoutMs;
  write_line(session_.start());
}

void DaemonClient::on_hello_refused(const std::string& problem) {
  if (problem != last_problem_ && on_problem_) on_problem_(problem);
  last_problem_ = problem;
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

void DaemonClient::on_read(ssize_t nread, const uv_buf_t* buf) {
  if (nread < 0) {
    lost(nread == UV_EOF ? "the daemon closed the connection" : uv_strerror(static_cast<int>(nread)));
    return;
  }
  reader_.feed(std::string_view(buf->base, static_cast<std::size_t>(nread)));
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

void DaemonClient::write_line(const json& message) {
  auto* w = new WriteReq;
  w->data = to_ndjson(message);
  w->req.data = w;
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(pipe_), &buf, 1,
                    [](uv_write_t* r, int) { delete static_cast<WriteReq*>(r->data); });
  if (rc < 0) delete w;
}

void DaemonClient::lost(const std::string& why) { drop_connection(unreachable_reply(why)); }

void DaemonClient::drop_connection(const json& reply) {
  bool was_ready = state_ == State::kReady;
  state_ = State::kDown;
  if (pipe_) {
    close_and_free(pipe_);
    pipe_ = nullptr;
  }
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

void DaemonClient::tick() {
  std::uint64_t now = uv_now(loop_);
  if (state_ == State::kDown && now - last_attempt_ms_ >= kRetryMs) connect();
  if (state_ == State::kHello && now >= hello_deadline_ms_) {
    // Requests wait for the hello unsent: none can have been carried out.
    drop_connection(no_answer_reply(false));
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
