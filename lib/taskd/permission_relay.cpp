#include "taskd/permission_relay.h"

#include "taskd/stream_reader.h"

namespace ptt::taskd {
using nlohmann::json;

namespace {

std::string string_in(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// describe_tool_use's "Bash: curl x" or "Read src/a.c" without the tool's name.
std::string summary_of(std::string_view tool, const json& input, std::string_view cwd) {
  std::string d = describe_tool_use(tool, input, cwd);
  if (d.size() > tool.size() && d.compare(0, tool.size(), tool) == 0) {
    std::size_t skip = tool.size() + (d[tool.size()] == ':' ? 2 : 1);
    if (skip < d.size()) return d.substr(skip);
  }
  return d;
}

std::vector<std::string> suggested_rules(const json& request) {
  std::vector<std::string> out;
  auto s = request.find("permission_suggestions");
  if (s == request.end() || !s->is_array()) return out;
  for (const auto& update : *s) {
    if (!update.is_object() || string_in(update, "type") != "addRules" ||
        string_in(update, "behavior") != "allow")
      continue;
    auto rules = update.find("rules");
    if (rules == update.end() || !rules->is_array()) continue;
    for (const auto& r : *rules) {
      if (!r.is_object()) continue;
      std::string tool = string_in(r, "toolName"), content = string_in(r, "ruleContent");
      if (tool.empty()) continue;
      out.push_back(content.empty() ? tool : tool + "(" + content + ")");
    }
  }
  return out;
}

std::vector<std::string> own_rules(const std::string& tool, const json& input) {
  if (tool == "Bash") {
    // Never the bare `Bash` (every command): a command with no program word to name
    // (blank, or only spaces) gets no rule, so --always allows just this call.
    std::string command = string_in(input, "command");
    auto start = command.find_first_not_of(" \t\n");
    if (start == std::string::npos) return {};
    auto end = command.find_first_of(" \t\n", start);
    return {"Bash(" + command.substr(start, end == std::string::npos ? end : end - start) + ":*)"};
  }
  return {tool};
}

}  // namespace

std::optional<AgentQuestion> question_of(const json& line, std::int64_t task, double now,
                                         std::string_view cwd) {
  if (!line.is_object() || string_in(line, "type") != "control_request") return std::nullopt;
  auto request = line.find("request");
  if (request == line.end() || !request->is_object() || string_in(*request, "subtype") != "can_use_tool")
    return std::nullopt;
  std::string id = string_in(line, "request_id"), tool = string_in(*request, "tool_name");
  if (id.empty() || tool.empty()) return std::nullopt;
  json input =
      request->contains("input") && (*request)["input"].is_object() ? (*request)["input"] : json::object();
  AgentQuestion q{.question = {.task = task,
                               .request = id,
                               .tool = tool,
                               .input = input,
                               .summary = summary_of(tool, input, cwd),
                               .requested_at = now},
                  .always_rules = {}};
  // The CLI suggests the exact Bash command (`Bash(curl -s https://a/b)`); --always means the
  // program's every call (`Bash(curl:*)`). Other tools: what the CLI suggests.
  q.always_rules = tool == "Bash" ? own_rules(tool, input) : suggested_rules(*request);
  if (q.always_rules.empty() && tool != "Bash") q.always_rules = own_rules(tool, input);
  return q;
}

std::optional<std::string> withdrawn_request(const json& line) {
  if (!line.is_object() || string_in(line, "type") != "control_cancel_request") return std::nullopt;
  std::string id = string_in(line, "request_id");
  if (id.empty()) return std::nullopt;
  return id;
}

json rule_value(std::string_view rule) {
  auto open = rule.find('(');
  if (open == std::string_view::npos || rule.back() != ')') return {{"toolName", rule}};
  return {{"toolName", rule.substr(0, open)}, {"ruleContent", rule.substr(open + 1, rule.size() - open - 2)}};
}

std::string permission_response_line(const std::string& request, bool allow, const json& input,
                                     std::string_view message, const std::vector<std::string>& rules) {
  json result;
  if (allow) {
    result = {{"behavior", "allow"}, {"updatedInput", input}};
    if (!rules.empty()) {
      json values = json::array();
      for (const auto& r : rules) values.push_back(rule_value(r));
      // "session": the rule lives as long as the agent; never written into the user's settings files.
      result["updatedPermissions"] = json::array(
          {{{"type", "addRules"}, {"rules", values}, {"behavior", "allow"}, {"destination", "session"}}});
    }
  } else {
    result = {{"behavior", "deny"}, {"message", message}};
  }
  json line = {{"type", "control_response"},
               {"response", {{"subtype", "success"}, {"request_id", request}, {"response", result}}}};
  return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace ptt::taskd
