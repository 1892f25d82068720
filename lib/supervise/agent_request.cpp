#include "supervise/agent_request.h"

#include <csignal>

#include <nlohmann/json.hpp>

#include "core/json_integer.h"
#include "core/ndjson.h"

namespace ptt::supervise {
using nlohmann::json;

std::string to_line(const SupervisorRequest& request) {
  json j;
  if (const auto* cancel = std::get_if<CancelAgentRequest>(&request)) {
    j = {{"cancel", cancel->task}};
  } else if (const auto* close = std::get_if<CloseInputRequest>(&request)) {
    j = {{"close_input", close->task}};
  } else {
    const auto& r = std::get<AgentRequest>(request);
    j = {{"task", r.task},        {"argv", r.argv},
         {"cwd", r.cwd},          {"log_dir", r.log_dir.string()},
         {"env", r.env},          {"kill_grace_ms", r.kill_grace_ms},
         {"umask", r.agent_umask}};
    if (!r.input_fifo.empty()) j["input_fifo"] = r.input_fifo;
    if (!r.first_input.empty()) j["first_input"] = r.first_input;
  }
  // Prompts are the user's text: invalid UTF-8 is replaced rather than refused.
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<SupervisorRequest> parse_supervisor_request(std::string_view line) {
  json j = parse_json_or_discarded(line);
  if (!j.is_object()) return std::nullopt;
  try {
    if (auto it = j.find("cancel"); it != j.end())
      return CancelAgentRequest{checked_integer<std::int64_t>(*it)};
    if (auto it = j.find("close_input"); it != j.end())
      return CloseInputRequest{checked_integer<std::int64_t>(*it)};
    AgentRequest r;
    r.task = checked_integer<std::int64_t>(j.at("task"));
    r.argv = j.at("argv").get<std::vector<std::string>>();
    r.cwd = j.at("cwd").get<std::string>();
    r.log_dir = j.at("log_dir").get<std::string>();
    r.env = j.value("env", std::vector<std::string>{});
    if (auto it = j.find("kill_grace_ms"); it != j.end()) r.kill_grace_ms = checked_integer<int>(*it);
    if (auto it = j.find("umask"); it != j.end()) r.agent_umask = checked_integer<mode_t>(*it);
    r.input_fifo = j.value("input_fifo", std::string());
    r.first_input = j.value("first_input", std::string());
    if (r.argv.empty() || r.log_dir.empty()) return std::nullopt;
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::string lost_line(std::int64_t task, std::string_view why) {
  return json{{"task", task}, {"lost", why}}.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

int cancel_signal() { return SIGRTMIN + 1; }
int close_input_signal() { return SIGRTMIN + 2; }

}  // namespace ptt::supervise
