#pragma once
// Reading and checking request fields, shared by the op handlers. Pure: a bad
// field throws RequestError with the protocol's error code and a clear message.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/task_record.h"
#include "taskd/daemon_state.h"

namespace ptt::taskd {

std::string required_string(const nlohmann::json& req, const char* field);
// `name`: optional, non-empty, not all digits (numbers are ids).
std::optional<std::string> optional_name(const nlohmann::json& req);
// `options` (docs/protocol.md); absent means all defaults.
protocol::AgentOptions parse_options(const nlohmann::json& req);
// True when `roots` is empty or `dir` (canonical) is one of them or inside one.
bool cwd_allowed(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& roots);

}  // namespace ptt::taskd
