#include "client/client.h"

#include <utility>

#include "protocol/json_fields.h"
#include "protocol/protocol.h"

namespace ptt::client {
using nlohmann::json;

Client::Client(const ConnectOptions& options) : conn_(connect_or_start(options)) {
  unsent_hello_ = to_ndjson(session_.start());
}

const json& Client::hello_reply() {
  if (hello_pending_) finish_hello();
  return hello_;
}

void Client::finish_hello() {
  hello_pending_ = false;
  if (!unsent_hello_.empty()) conn_.send_line(std::exchange(unsent_hello_, {}));
  for (;;) {
    json msg = conn_.read();
    ClientSession::Incoming in = session_.on_message(msg);
    if (in.kind == ClientSession::Incoming::Kind::kHelloRefused) throw UnreachableError(in.problem);
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
    conn_.send_line(std::exchange(unsent_hello_, {}) + to_ndjson(fields));
  } catch (const UnreachableError&) {
    if (hello_pending_) finish_hello();  // a refusal already sent says more than the broken pipe
    throw;
  }
  if (hello_pending_) finish_hello();
  return id;
}

json Client::request(std::string_view op, json fields, const EventFn& on_event) {
  return read_reply(send_request(op, std::move(fields)), on_event);
}

json Client::read_reply(long id, const EventFn& on_event) {
  json msg = read_reply_message(id, on_event);
  if (protocol::field_or(msg, "ok", false)) return msg;
  const json& err = msg.contains("error") && msg["error"].is_object() ? msg["error"] : json::object();
  throw RequestError(protocol::field_or(err, "code", "internal"),
                     protocol::field_or(err, "message", "the daemon refused the request"));
}

json Client::read_reply_message(long id, const EventFn& on_event) {
  using Kind = ClientSession::Incoming::Kind;
  for (;;) {
    json msg = conn_.read();
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
    json msg = conn_.read();
    if (msg.is_object() && msg.contains("event") && !on_event(msg)) return;
  }
}

}  // namespace ptt::client
