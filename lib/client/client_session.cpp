#include "client/client_session.h"

#include "client/hello.h"
#include "protocol/json_fields.h"
#include "protocol/protocol.h"

namespace ptt::client {
using nlohmann::json;

bool reply_waits_for_tasks(std::string_view op) { return op == protocol::op::kWait; }

bool request_changes_state(std::string_view op) {
  namespace o = protocol::op;
  for (std::string_view changing :
       {o::kSpawn, o::kCancel, o::kFollowUp, o::kClean, o::kRetry, o::kShutdown, o::kSend, o::kInterrupt}) {
    if (op == changing) return true;
  }
  return false;
}

json ClientSession::start() {
  json hello = hello_request(client_name_);
  hello_id_ = stamp(hello);
  return hello;
}

std::int64_t ClientSession::stamp(json& request) {
  std::int64_t id = next_id_++;
  request["id"] = id;
  return id;
}

ClientSession::Incoming ClientSession::on_message(const json& message) {
  using Kind = Incoming::Kind;
  if (!message.is_object()) return {};
  if (message.contains("event")) return {Kind::kEvent, 0, {}};
  auto id = message.find("id");
  if (id != message.end() && id->is_null() && !protocol::field_or(message, "ok", true)) {
    // About the connection itself: during the hello it is the hello's answer.
    if (!hello_pending()) return {Kind::kConnectionError, 0, {}};
  } else if (id == message.end() || !id->is_number_integer()) {
    return {};
  } else if (id->get<std::int64_t>() != hello_id_ || !hello_pending()) {
    return {Kind::kReply, id->get<std::int64_t>(), {}};
  }
  std::int64_t hello_id = hello_id_;
  hello_id_ = 0;
  if (auto problem = hello_problem(message, client_name_)) return {Kind::kHelloRefused, hello_id, *problem};
  return {Kind::kHelloAccepted, hello_id, {}};
}

}  // namespace ptt::client
