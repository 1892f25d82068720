#include "taskd/stream_reader.h"

#include <cmath>
#include <type_traits>

#include "core/json_integer.h"

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
  if (it == obj.end() || !it->is_number()) return fallback;
  // An agent's integers go through integer_if: get<int>() of 1e90 is undefined behaviour.
  if constexpr (std::is_integral_v<T>) {
    return integer_if<T>(*it).value_or(fallback);
  } else {
    return it->get<T>();
  }
}

protocol::AgentResult read_result(const json& line, std::string_view cwd) {
  protocol::AgentResult r;
  r.subtype = str_field(line, "subtype");
  auto err = line.find("is_error");
  r.is_error = err != line.end() && err->is_boolean() ? err->get<bool>() : r.subtype != "success";
  r.text = str_field(line, "result");
  // The session's running total; the daemon takes a follow-up's parent's share off.
  r.cost_usd = num_field(line, "total_cost_usd", 0.0);
  if (auto c = line.find("total_cost_usd"); c != line.end() && c->is_number())
    r.session_cost_usd = r.cost_usd;
  r.num_turns = num_field(line, "num_turns", 0);
  r.duration_ms = num_field(line, "duration_ms", std::int64_t{0});
  if (auto d = line.find("permission_denials"); d != line.end() && d->is_array()) {
    for (const auto& denial : *d) {
      if (!denial.is_object()) continue;
      std::string tool = str_field(denial, "tool_name");
      auto input = denial.find("tool_input");
      r.permission_denials.push_back({tool,
                                      describe_tool_use(tool, input != denial.end() ? *input : json(), cwd),
                                      str_field(denial, "tool_use_id")});
    }
  }
  if (auto e = line.find("errors"); e != line.end() && e->is_array()) {
    for (const auto& text : *e)
      if (text.is_string() && !text.get<std::string>().empty()) r.errors.push_back(text.get<std::string>());
  }
  r.terminal_reason = str_field(line, "terminal_reason");
  r.startup_failure_reason = str_field(line, "startup_failure_reason");
  if (auto u = line.find("usage"); u != line.end() && u->is_object()) r.usage = *u;
  if (auto m = line.find("modelUsage"); m != line.end() && m->is_object()) r.model_usage = *m;
  return r;
}

// "retrying the API (attempt 2 of 10, HTTP 529)": a system/api_retry line.
std::string describe_api_retry(const json& line) {
  std::string s = "retrying the API";
  auto attempt = num_field(line, "attempt", 0);
  auto max = num_field(line, "max_retries", 0);
  std::string status;
  if (auto e = line.find("error_status"); e != line.end())
    if (auto code = integer_if<int>(*e)) status = "HTTP " + std::to_string(*code);
  if (attempt > 0) {
    s += " (attempt " + std::to_string(attempt);
    if (max > 0) s += " of " + std::to_string(max);
    if (!status.empty()) s += ", " + status;
    s += ")";
  } else if (!status.empty()) {
    s += " (" + status + ")";
  }
  return s;
}

std::optional<RateLimit> read_rate_limit_info(const json& info) {
  if (!info.is_object()) return std::nullopt;
  RateLimit r;
  r.status = str_field(info, "status");
  if (r.status.empty()) return std::nullopt;
  // Unix seconds; the CLI sends an integer, but any finite number will do.
  if (auto at = info.find("resetsAt"); at != info.end() && at->is_number()) {
    double t = at->get<double>();
    if (std::isfinite(t) && t > 0) r.resets_at = t;
  }
  r.type = str_field(info, "rateLimitType");
  return r;
}

// "rate limited (five_hour)": a refused request's activity.
std::string describe_rate_limit(const RateLimit& r) {
  return r.type.empty() ? "rate limited" : one_line("rate limited (" + r.type + ")");
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
  // The subagent tool: `Agent` since 2.1 (the init line's tool list still says `Task`).
  if (name == "Task" || name == "Agent") return text_arg("description");
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
  } else if (type == "system") {
    const std::string subtype = str_field(line, "subtype");
    if (subtype == "permission_denied") {
      std::string tool = str_field(line, "tool_name");
      u.denied = protocol::PermissionDenial{tool, tool, str_field(line, "tool_use_id")};
      u.activity = one_line("refused: " + tool);  // the caller names the call when it knows it
    } else if (subtype == "api_retry") {
      u.activity = describe_api_retry(line);
    } else if (subtype == "status") {
      // "compacting" or "requesting"; null when the status clears (the next line says more).
      if (auto s = str_field(line, "status"); !s.empty()) u.activity = one_line(s);
    }
  } else if (type == "rate_limit_event") {
    if (auto info = line.find("rate_limit_info"); info != line.end())
      u.rate_limit = read_rate_limit_info(*info);
    if (u.rate_limit && u.rate_limit->rejected()) u.activity = describe_rate_limit(*u.rate_limit);
  } else if (type == "assistant") {
    if (auto flag = line.find("is_api_error_message");
        flag != line.end() && flag->is_boolean() && flag->get<bool>()) {
      u.api_error = true;
    }
    // A request refused for a rate limit: its rate_limit_info when the CLI read one.
    if (str_field(line, "error") == "rate_limit") {
      auto params = line.find("api_error_params");
      if (params != line.end() && params->is_object()) {
        if (auto info = params->find("rate_limit_info"); info != params->end())
          u.rate_limit = read_rate_limit_info(*info);
      }
      if (!u.rate_limit) u.rate_limit = RateLimit{.status = "rejected", .resets_at = {}, .type = {}};
      u.activity = describe_rate_limit(*u.rate_limit);
    }
    auto message = line.find("message");
    if (message == line.end() || !message->is_object()) return u;
    auto content = message->find("content");
    if (content == message->end() || !content->is_array()) return u;
    // The last tool_use of a message is what the agent is doing now.
    for (const auto& block : *content) {
      if (str_field(block, "type") != "tool_use") continue;
      auto input = block.find("input");
      std::string tool = str_field(block, "name");
      u.activity = describe_tool_use(tool, input != block.end() ? *input : json(), cwd);
      if (auto id = str_field(block, "id"); !id.empty()) u.tool_uses.push_back({id, tool, *u.activity});
    }
  } else if (type == "user") {
    if (auto flag = line.find("isReplay"); flag != line.end() && flag->is_boolean() && flag->get<bool>()) {
      if (auto uuid = str_field(line, "uuid"); !uuid.empty()) u.replayed = uuid;
    }
  } else if (type == "command_lifecycle") {
    if (auto uuid = str_field(line, "command_uuid"); !uuid.empty()) u.read_input = uuid;
  } else if (type == "result") {
    u.result = read_result(line, cwd);
    if (str_field(line, "terminal_reason") == "api_error") u.api_error = true;
  }
  return u;
}

}  // namespace ptt::taskd
