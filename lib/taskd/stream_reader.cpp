#include "taskd/stream_reader.h"

namespace ptt::taskd {
using nlohmann::json;

namespace {

constexpr std::size_t kMaxActivity = 120;

std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) {
    // Cut only before a UTF-8 lead byte, never inside a character.
    if (out.size() >= kMaxActivity && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      out += "…";
      break;
    }
    out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string str_field(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string relative_to(std::string_view path, std::string_view cwd) {
  if (cwd.empty() || path.size() <= cwd.size() || path.substr(0, cwd.size()) != cwd) return std::string(path);
  std::string_view rest = path.substr(cwd.size());
  if (cwd.back() != '/') {
    if (rest.front() != '/') return std::string(path);
    rest.remove_prefix(1);
  }
  return std::string(rest);
}

template <typename T>
T num_field(const json& obj, const char* key, T fallback) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number() ? it->get<T>() : fallback;
}

protocol::AgentResult read_result(const json& line) {
  protocol::AgentResult r;
  r.subtype = str_field(line, "subtype");
  auto err = line.find("is_error");
  r.is_error = err != line.end() && err->is_boolean() ? err->get<bool>() : r.subtype != "success";
  r.text = str_field(line, "result");
  r.cost_usd = num_field(line, "total_cost_usd", 0.0);
  r.num_turns = num_field(line, "num_turns", 0);
  r.duration_ms = num_field(line, "duration_ms", std::int64_t{0});
  return r;
}

}  // namespace

std::string describe_tool_use(std::string_view tool, const json& input, std::string_view cwd) {
  std::string name(tool);
  auto path_arg = [&](const char* key) {
    std::string p = str_field(input, key);
    return p.empty() ? name : one_line(name + " " + relative_to(p, cwd));
  };
  auto text_arg = [&](const char* key) {
    std::string v = str_field(input, key);
    return v.empty() ? name : one_line(name + ": " + v);
  };
  if (name == "Edit" || name == "MultiEdit" || name == "Write" || name == "Read")
    return path_arg("file_path");
  if (name == "NotebookEdit") return path_arg("notebook_path");
  if (name == "Bash") return text_arg("command");
  if (name == "Grep" || name == "Glob") return text_arg("pattern");
  if (name == "WebFetch") return text_arg("url");
  if (name == "WebSearch") return text_arg("query");
  if (name == "Task") return text_arg("description");
  // Unknown tools (MCP and future ones): the first string argument, if any.
  if (input.is_object()) {
    for (const auto& [key, value] : input.items()) {
      if (value.is_string()) return one_line(name + ": " + value.get<std::string>());
    }
  }
  return one_line(name);
}

StreamUpdate read_stream_line(const json& line, std::string_view cwd) {
  StreamUpdate u;
  if (!line.is_object()) return u;
  const std::string type = str_field(line, "type");
  if (type == "system" && str_field(line, "subtype") == "init") {
    if (auto s = str_field(line, "session_id"); !s.empty()) u.session_id = s;
    if (auto m = str_field(line, "model"); !m.empty()) u.model = m;
    // The session is up and the model at work: no longer "starting", even for a
    // run that never calls a tool (tool uses replace this as they come).
    u.activity = "thinking";
  } else if (type == "assistant") {
    if (auto flag = line.find("is_api_error_message");
        flag != line.end() && flag->is_boolean() && flag->get<bool>()) {
      u.api_error = true;
    }
    auto message = line.find("message");
    if (message == line.end() || !message->is_object()) return u;
    auto content = message->find("content");
    if (content == message->end() || !content->is_array()) return u;
    // The last tool_use of a message is what the agent is doing now.
    for (const auto& block : *content) {
      if (str_field(block, "type") != "tool_use") continue;
      auto input = block.find("input");
      u.activity = describe_tool_use(str_field(block, "name"), input != block.end() ? *input : json(), cwd);
    }
  } else if (type == "result") {
    u.result = read_result(line);
    if (str_field(line, "terminal_reason") == "api_error") u.api_error = true;
  }
  return u;
}

}  // namespace ptt::taskd
