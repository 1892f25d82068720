#include "client/client.h"

#include <utility>

#include "client/hello.h"
#include "protocol/json_fields.h"
#include "protocol/protocol.h"

namespace ptt::client {
using nlohmann::json;

namespace {
constexpr std::string_view kClientName = "ptt-task";
}  // namespace

Client::Client(const ConnectOptions& options) : conn_(connect_or_start(options)) {
  nlohmann::json hello = hello_request(kClientName);
  hello["id"] = next_id_++;
  unsent_hello_ = to_ndjson(hello);
}

const json& Client::hello_reply() {
  if (hello_pending_) finish_hello();
  return hello_;
}

void Client::finish_hello() {
  hello_pending_ = false;
  if (!unsent_hello_.empty()) conn_.send_line(std::exchange(unsent_hello_, {}));
  hello_ = read_reply_message(1, {});
  if (auto problem = hello_problem(hello_, kClientName)) throw UnreachableError(*problem);
}

long Client::send_request(std::string_view op, json fields) {
  long id = next_id_++;
  fields["id"] = id;
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
  for (;;) {
    json msg = conn_.read();
    if (!msg.is_object()) continue;
    if (msg.contains("event")) {
      if (on_event) on_event(msg);
      continue;
    }
    auto rid = msg.find("id");
    // An id-less error is about the connection itself (e.g. permission_denied).
    bool connection_error = rid != msg.end() && rid->is_null() && !protocol::field_or(msg, "ok", true);
    if (!connection_error && (rid == msg.end() || !rid->is_number_integer() || rid->get<long>() != id))
      continue;
    return msg;
  }
}

void Client::read_events(const EventFn& on_event) {
  for (;;) {
    json msg = conn_.read();
    if (msg.is_object() && msg.contains("event") && !on_event(msg)) return;
  }
}

}  // namespace ptt::client
