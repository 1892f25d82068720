#pragma once
// The one session.update the client sends on every (re)connect, in the GA shape:
// session.type "realtime", audio.input/output blocks, the task tools.
#include <nlohmann/json.hpp>

#include "realtime/config.h"

namespace ptt::realtime {

// The instructions used when --instructions-file is not given.
const std::string& builtin_instructions();

// The function tools offered to the model (spawn_task, list_tasks, ...).
nlohmann::json tool_definitions(const SessionConfig& config);

// The full client event: {"type":"session.update","session":{...}}.
nlohmann::json build_session_update(const SessionConfig& config);

}  // namespace ptt::realtime
