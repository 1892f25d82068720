#include "client/client.h"

#include <cstdio>
#include <utility>

#include <fmt/format.h>

#include "client/hello.h"
#include "protocol/json_fields.h"
#include "protocol/protocol.h"
#include "protocol/replies.h"

namespace ptt::client {
using nlohmann::json;

namespace {

// ptt-task's way to wait longer; the other clients (the dashboard, the doctor) share it.
constexpr const char* kRaiseHint = ", or allow it longer with --timeout";

}  // namespace

Client::Client(const ConnectOptions& options)
    : timeout_(options.reply_timeout),
      host_prefix_(options.host.local() ? std::string() : "host " + options.host.name + ": "),
      liveness_(options.reply_timeout, Liveness::Clock::now()),
      conn_(connect_or_start(options)) {
  unsent_hello_ = to_ndjson(session_.start());
  set_notice({});
}

void Client::set_notice(NoticeFn notice) {
  notice_ = notice ? std::move(notice) : [](const std::string& line) { std::fputs(line.c_str(), stderr); };
}

void Client::send_ping() {
  json ping = hello_request("ptt-task");
  session_.stamp(ping);
  try {
    conn_.send_line(std::exchange(unsent_hello_, {}) + to_ndjson(ping));
  } catch (const NoAnswerError&) {
    // It takes nothing: the unanswered ping tells the user soon.
  }
}

json Client::read_message_patiently() {
  for (;;) {
    auto now = Liveness::Clock::now();
    switch (liveness_.check(now)) {
      case Liveness::Due::kPing:
        send_ping();
        break;
      case Liveness::Due::kUnresponsive:
        notice_(fmt::format("ptt-task: warning: {}{}; still waiting\n", host_prefix_,
                            no_answer_message(timeout_, daemon_pid_of(conn_.fd()))));
        break;
      case Liveness::Due::kNothing:
        break;
    }
    conn_.set_receive_timeout(liveness_.until_next_check(now).value_or(std::chrono::milliseconds{0}));
    try {
      json msg = conn_.read();
      if (liveness_.heard(Liveness::Clock::now())) notice_("ptt-task: ptt-taskd answers again\n");
      return msg;
    } catch (const NoAnswerError&) {
      // Quiet so far: see whether a ping or a word to the user is due.
    }
  }
}

void Client::throw_no_answer() const {
  throw NoAnswerError(host_prefix_ + no_answer_message(timeout_, daemon_pid_of(conn_.fd()), kRaiseHint));
}

json Client::read_message(Bound bound) {
  // A zero timeout is none: nothing to ping by.
  if ((bound == Bound::kNone || patient_) && timeout_.count() > 0) return read_message_patiently();
  conn_.set_receive_timeout(timeout_);
  try {
    json msg = conn_.read();
    liveness_.heard(Liveness::Clock::now());
    return msg;
  } catch (const NoAnswerError&) {
    throw_no_answer();
  }
}

std::string Client::read_reply_line() {
  conn_.set_receive_timeout(timeout_);
  try {
    std::string line = conn_.read_line();
    liveness_.heard(Liveness::Clock::now());
    return line;
  } catch (const NoAnswerError&) {
    throw_no_answer();
  }
}

void Client::send_line(std::string_view line) {
  try {
    conn_.send_line(line);
  } catch (const NoAnswerError&) {
    throw_no_answer();
  }
}

const json& Client::hello_reply() {
  if (hello_pending_) finish_hello();
  return hello_;
}

void Client::finish_hello() {
  hello_pending_ = false;
  if (!unsent_hello_.empty()) send_line(std::exchange(unsent_hello_, {}));
  for (;;) {
    json msg = read_message(Bound::kReplyTimeout);
    ClientSession::Incoming in = session_.on_message(msg);
    if (in.kind == ClientSession::Incoming::Kind::kHelloRefused)
      throw HelloRefusedError(host_prefix_ + in.problem);
    if (in.kind == ClientSession::Incoming::Kind::kHelloAccepted) {
      hello_ = std::move(msg);
      return;
    }
  }
}

long Client::send_request(std::string_view op, json fields) {
  long id = session_.stamp(fields);
  fields["op"] = op;
  try {
    send_line(std::exchange(unsent_hello_, {}) + to_ndjson(fields));
  } catch (const NoAnswerError&) {
    throw;  // a daemon that takes nothing would not answer the hello either
  } catch (const UnreachableError&) {
    if (hello_pending_) finish_hello();  // a refusal already sent says more than the broken pipe
    throw;
  }
  if (hello_pending_) finish_hello();
  return id;
}

json Client::request(std::string_view op, json fields, const EventFn& on_event) {
  Bound bound = reply_waits_for_tasks(op) ? Bound::kNone : Bound::kReplyTimeout;
  try {
    return read_reply(send_request(op, std::move(fields)), on_event, bound);
  } catch (const NoAnswerError& e) {
    if (!request_changes_state(op)) throw;
    // It sits in the socket: a daemon that was only stopped reads it when it goes on.
    throw NoAnswerError(
        fmt::format("{}; the {} request was sent and may still be carried out when the daemon goes on (see "
                    "`ptt-task list`)",
                    e.what(), op));
  }
}

json Client::read_reply(long id, const EventFn& on_event, Bound bound) {
  return ok_reply_or_throw(read_reply_message(id, on_event, bound));
}

json ok_reply_or_throw(json msg) {
  if (protocol::reply_is_ok(msg)) return msg;
  protocol::ErrorReply error = protocol::error_of(msg);
  throw RequestError(std::move(error.code), error.message);
}

json Client::read_reply_message(long id, const EventFn& on_event, Bound bound) {
  using Kind = ClientSession::Incoming::Kind;
  for (;;) {
    json msg = read_message(bound);
    ClientSession::Incoming in = session_.on_message(msg);
    if (in.kind == Kind::kEvent) {
      if (on_event) on_event(msg);
      continue;
    }
    if (in.kind == Kind::kConnectionError || (in.kind == Kind::kReply && in.id == id)) return msg;
  }
}

void Client::read_events(const EventFn& on_event) {
  for (;;) {
    json msg = read_message(Bound::kNone);
    if (msg.is_object() && msg.contains("event") && !on_event(msg)) return;
  }
}

}  // namespace ptt::client
