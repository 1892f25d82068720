#include "client/hello.h"

#include <fmt/format.h>

#include "core/version.h"
#include "protocol/json_fields.h"
#include "protocol/protocol.h"

namespace ptt::client {
using nlohmann::json;

json hello_request(std::string_view client_name) {
  return {{"op", protocol::op::kHello},
          {"version", protocol::kVersion},
          {"client", fmt::format("{} {}", client_name, PTT_VERSION)}};
}

std::optional<std::string> hello_problem(const json& reply, std::string_view client_name) {
  if (!protocol::field_or(reply, "ok", false)) {
    const json& err = reply.contains("error") && reply["error"].is_object() ? reply["error"] : json::object();
    std::string message = protocol::field_or(err, "message", "the daemon refused the request");
    if (protocol::field_or(err, "code", "internal") == protocol::error::kVersionMismatch) {
      return fmt::format(
          "the daemon speaks another protocol version ({}); restart it with a "
          "matching ptt-taskd (`ptt-task shutdown`, then any ptt-task command)",
          message);
    }
    return fmt::format("the daemon refused the connection: {}", message);
  }
  int version = protocol::field_or(reply, "version", 0);
  if (version != protocol::kVersion) {
    return fmt::format(
        "the daemon speaks protocol {} but {} speaks {}; restart the daemon with a "
        "matching ptt-taskd",
        version, client_name, protocol::kVersion);
  }
  return std::nullopt;
}

}  // namespace ptt::client
