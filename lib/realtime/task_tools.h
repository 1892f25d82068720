#pragma once
// The model's task tools, as pure translations: a function call becomes a ptt-taskd
// request, and the daemon's reply becomes a short output the model can speak.
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "protocol/task_record.h"
#include "realtime/config.h"

namespace ptt::realtime {

// Either a daemon request (without "id") or, when the call itself is wrong (unknown
// tool, bad arguments, unknown project), the output to answer the model with.
struct ToolRequest {
  nlohmann::json request;  // null when `immediate_output` is set
  std::string immediate_output;
};

ToolRequest tool_call_to_request(const SessionConfig& config, const std::string& name,
                                 const std::string& arguments_json);

// The function_call_output text for a daemon reply ({"ok":...}) to a tool call; the
// reply of another host's daemon (`host`, task_hosts.h) names it with each task.
std::string tool_reply_to_output(const SessionConfig& config, const std::string& name,
                                 const nlohmann::json& reply, const std::string& host = {});

// "Refused: Bash: curl …. Reached maximum number of turns (2).": a result's refused
// calls and Claude's errors[], as a sentence or two ("" when it has none).
std::string refused_and_errors(const protocol::AgentResult& result);

// A task in a few fields, for the model and the conversation: its number under `id_key`
// ("task" in tool outputs, "id" in the session's task lines), its state, host (when not
// this machine), name, activity and reason, and what a worktree task changed.
nlohmann::json task_brief(const protocol::TaskRecord& t, const std::string& host, const char* id_key);
// "task 3 'fix-tests' succeeded: ..." for a finished task record; "task 3 on devbox ..."
// for one of another host.
std::string announcement_text(const SessionConfig& config, const protocol::TaskRecord& task,
                              const std::string& host = {});

// Cuts `text` to about `max_chars` (at a UTF-8 boundary) with a pointer to the full result
// (`ptt-task result 3`, or `ptt-task --host devbox result 3`).
std::string shorten_for_speech(const std::string& text, std::size_t max_chars, long long task_id,
                               const std::string& host = {});

}  // namespace ptt::realtime
