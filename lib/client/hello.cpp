#include "client/hello.h"

#include <fmt/format.h>

#include "core/version.h"
#include "protocol/json_fields.h"
#include "protocol/protocol.h"
#include "protocol/replies.h"
#include "protocol/requests.h"

namespace ptt::client {
using nlohmann::json;

json hello_request(std::string_view client_name) {
  return protocol::request_json(protocol::HelloRequest{
      .version = protocol::kVersion, .client = fmt::format("{} {}", client_name, PTT_VERSION)});
}

std::optional<std::string> hello_problem(const json& reply, std::string_view client_name) {
  if (!protocol::reply_is_ok(reply)) {
    auto [code, message] = protocol::error_of(reply);
    if (code == protocol::error::kVersionMismatch) {
      return fmt::format(
          "the daemon speaks another protocol version ({}); restart it with a "
          "matching ptt-taskd (`ptt-task shutdown`, then any ptt-task command)",
          message);
    }
    return fmt::format("the daemon refused the connection: {}", message);
  }
  // Read by hand, not as a HelloReply: whatever a daemon of another version sends, the
  // version is what tells the person what to do.
  int version = protocol::field_or(reply, protocol::reply_field::kVersion, 0);
  if (version != protocol::kVersion) {
    return fmt::format(
        "the daemon speaks protocol {} but {} speaks {}; restart the daemon with a "
        "matching ptt-taskd",
        version, client_name, protocol::kVersion);
  }
  return std::nullopt;
}

}  // namespace ptt::client
