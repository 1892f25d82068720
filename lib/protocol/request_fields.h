#pragma once
// Reading and checking one request field, for the request parser (requests.cpp).
// A bad field throws RequestRejected with the protocol's error code and a clear message.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/request_rejected.h"
#include "protocol/task_record.h"

namespace ptt::protocol {

// A field of the wrong type: throws bad_request naming the field and what it must be
// ("`all` must be true or false"), never the JSON library's own words.
[[noreturn]] void mistyped(std::string_view field, std::string_view expected);

std::string required_string(const nlohmann::json& req, const char* field);
// `field` in `object`: absent or null (nullopt), else a string. `shown` names it in errors.
std::optional<std::string> optional_string(const nlohmann::json& object, const char* field,
                                           std::string_view shown);
// `field`: absent or null (nullopt), or true or false.
std::optional<bool> optional_bool(const nlohmann::json& req, const char* field);
// `field`: absent or null (empty), or an array of task ids or names.
std::vector<nlohmann::json> task_ref_list(const nlohmann::json& req, const char* field);
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
