#pragma once
// Which machine's daemon a voice tool call goes to (issue 22, docs/hosts.md). Task ids
// are per host, so a task is named by its number (or name) and its host: the tools take
// an optional `host` ("local" or a host the projects name); without it a call goes to
// this machine, or, when every project is on one other host, to that one. spawn_task
// goes to its project's host. A task is named to the user with its host when it is
// not local ("task 3 on devbox"). Pure.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "realtime/config.h"

namespace ptt::realtime {

inline constexpr const char* kLocalHostName = "local";

// The hosts other than this machine that the projects name, each once, in their order.
std::vector<std::string> remote_hosts(const SessionConfig& config);

// The host a call goes to ("" for this machine), or `error` (what the model is told).
struct CallHost {
  std::string host;
  std::string error;
};
CallHost call_host(const SessionConfig& config, const std::string& tool, const nlohmann::json& args);

// "" for this machine, else " on devbox".
std::string on_host(const std::string& host);

}  // namespace ptt::realtime
