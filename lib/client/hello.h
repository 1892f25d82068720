#pragma once
// The hello both daemon clients send first (the blocking one in lib/client and the
// libuv one in lib/realtime), and the one check of its reply, so that a daemon
// speaking another protocol version is the same clear error in every tool.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ptt::client {

// {"op": "hello", "version": <ours>, "client": "<client_name> <ptt version>"} (no id).
nlohmann::json hello_request(std::string_view client_name);

// Why the connection cannot be used, from the daemon's reply to the hello (ok or
// not), phrased for a person with what to do next; nullopt when the daemon speaks
// our protocol version. client_name is the tool, as in hello_request.
std::optional<std::string> hello_problem(const nlohmann::json& reply, std::string_view client_name);

}  // namespace ptt::client
