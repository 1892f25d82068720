#pragma once
// Reading and checking one request field, for the request parser (requests.cpp).
// A bad field throws RequestRejected with the protocol's error code and a clear message.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "protocol/request_rejected.h"
#include "protocol/task_record.h"

namespace ptt::protocol {

std::string required_string(const nlohmann::json& req, const char* field);
// `name`: optional, non-empty, not all digits (numbers are ids).
std::optional<std::string> optional_name(const nlohmann::json& req);
// `options` (docs/protocol.md); absent means all defaults.
AgentOptions parse_options(const nlohmann::json& req);
// A task id or name in `field` (a string or an integer).
nlohmann::json required_task_ref(const nlohmann::json& req, const char* field = "task");
// `state`: absent or null, or a state's name; with `finished_only`, an end state's.
std::optional<TaskState> optional_state(const nlohmann::json& req, bool finished_only);
// What an unknown `state` in a list request is told (ptt-realtime says the same before asking).
std::string unknown_state_message(const nlohmann::json& state);

}  // namespace ptt::protocol
