#include "taskcli/log_render.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/cli.h"
#include "core/ndjson.h"
#include "protocol/json_fields.h"
#include "taskcli/text.h"

namespace ptt::taskcli {
using nlohmann::json;

namespace {

constexpr std::size_t kToolResultWidth = 160;

std::string dim(std::string_view s, const Style& style) {
  return style.color ? fmt::format("\033[2m{}\033[0m", s) : std::string(s);
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string tool_result_text(const json& block) {
  auto it = block.find("content");
  if (it == block.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  std::string out;
  if (it->is_array()) {
    for (const auto& part : *it) {
      if (part.is_object()) out += str(part, "text");
    }
  }
  return out;
}

void split_lines(std::string_view text, std::vector<std::string>& out) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

void render_assistant(const json& msg, const Style& style, std::vector<std::string>& out) {
  const json* content = msg.contains("message") ? &msg["message"] : nullptr;
  if (!content || !content->contains("content") || !(*content)["content"].is_array()) return;
  for (const auto& block : (*content)["content"]) {
    if (!block.is_object()) continue;
    std::string type = str(block, "type");
    if (type == "text") {
      split_lines(str(block, "text"), out);
    } else if (type == "tool_use") {
      out.push_back((style.color ? "\033[36m→\033[0m " : "→ ") + describe_tool_use(block));
    }
  }
}

void render_user(const json& msg, const Style& style, std::vector<std::string>& out) {
  if (!msg.contains("message") || !msg["message"].is_object()) return;
  const json& content = msg["message"].value("content", json());
  if (!content.is_array()) return;
  for (const auto& block : content) {
    if (!block.is_object() || str(block, "type") != "tool_result") continue;
    bool error = protocol::field_or(block, "is_error", false);
    std::string text = truncate_to_width(one_line(tool_result_text(block)), kToolResultWidth);
    out.push_back(dim(fmt::format("  {} {}", error ? "✗" : "←", text), style));
  }
}

void render_result(const json& msg, const Style& style, std::vector<std::string>& out) {
  std::string subtype = str(msg, "subtype");
  bool error = protocol::field_or(msg, "is_error", false) || subtype != "success";
  // An API error ends with subtype "success" and is_error true: name the error instead.
  std::string label = subtype;
  if (error && (label.empty() || label == "success")) label = str(msg, "terminal_reason");
  if (label.empty()) label = error ? "error" : "result";
  // Refused tool calls fail the task though Claude's result says success.
  if (auto d = msg.find("permission_denials"); d != msg.end() && d->is_array() && !d->empty()) {
    error = true;
    label += fmt::format(" · {} refused", d->size());
  }
  std::string line = fmt::format("{} {}", error ? "✗" : "✓", label);
  if (auto t = msg.find("num_turns"); t != msg.end() && integer_if<long>(*t)) {
    long turns = *integer_if<long>(*t);
    line += fmt::format(" · {} turn{}", turns, turns == 1 ? "" : "s");
  }
  if (auto c = msg.find("total_cost_usd"); c != msg.end() && c->is_number())
    line += fmt::format(" · ${:.4f}", c->get<double>());
  if (auto d = msg.find("duration_ms"); d != msg.end() && d->is_number())
    line += fmt::format(" · {:.1f}s", d->get<double>() / 1000.0);
  if (style.color) line = fmt::format("{}{}\033[0m", error ? "\033[31m" : "\033[32m", line);
  out.push_back(std::move(line));
}

}  // namespace

std::string render_log_closing(const protocol::TaskRecord& t, const Style& style) {
  using protocol::TaskState;
  std::string who =
      t.name ? fmt::format("task {} ({})", t.id, one_line(*t.name)) : fmt::format("task {}", t.id);
  if (!protocol::is_finished(t.state)) {
    std::string doing = activity_summary(t);
    std::string line = fmt::format("… {} is {}{}", who, protocol::to_string(t.state),
                                   doing.empty() || doing == "queued" ? "" : " (" + doing + ")");
    return dim(with_hint_command(fmt::format("{}; follow it with `ptt-task logs -f {}`", line, t.id)), style);
  }
  bool ok = t.state == TaskState::kSucceeded;
  std::string line = fmt::format("{} {} {}", ok ? "✓" : "✗", who, protocol::to_string(t.state));
  if (!ok) {
    // Why, in words a person can act on: the reason (exit code N for an agent
    // that exited without a result), then what the agent said last.
    std::string why = activity_summary(t);
    if (!why.empty()) line += ": " + why;
    std::string said;
    if (t.stderr_tail && !one_line(*t.stderr_tail).empty()) {
      said = one_line(*t.stderr_tail);
    } else if (t.result && t.result->is_error) {
      said = one_line(t.result->text);
    }
    if (!said.empty() && said != why) line += " · " + truncate_to_width(said, 300);
  }
  std::vector<std::string> facts;
  if (t.finished_at && t.started_at)
    facts.push_back("took " + format_duration(*t.finished_at - *t.started_at));
  if (t.result) facts.push_back(format_cost(t));
  if (!facts.empty()) line += fmt::format(" ({})", fmt::join(facts, ", "));
  // Still the one closing line: what to do goes on it.
  if (std::string fix = agent_missing_fix(t); !fix.empty()) line += "; " + with_hint_command(fix);
  if (!style.color) return line;
  const char* color = ok ? "\033[32m" : t.state == TaskState::kCancelled ? "\033[2m" : "\033[31m";
  return fmt::format("{}{}\033[0m", color, line);
}

std::string describe_tool_use(const json& block) {
  std::string name = str(block, "name");
  if (name.empty()) name = "tool";
  const json& input = block.contains("input") && block["input"].is_object() ? block["input"] : json::object();
  // The argument that says what the tool is doing, in order of preference.
  for (const char* key : {"command", "file_path", "notebook_path", "path", "pattern", "url", "query",
                          "description", "prompt"}) {
    std::string v = str(input, key);
    if (v.empty()) continue;
    std::string arg = truncate_to_width(one_line(v), 120);
    return std::string(key) == "command" ? name + ": " + arg : name + " " + arg;
  }
  return name;
}

std::vector<std::string> render_stream_line(std::string_view raw, const Style& style) {
  std::vector<std::string> out;
  JsonLine parsed = parse_json_line(raw);
  if (!parsed.value || !parsed.value->is_object()) {
    // Not stream-json (a stray print from the agent): shown as it is, on one line.
    out.push_back(one_line(raw));
    return out;
  }
  const json& msg = *parsed.value;
  std::string type = str(msg, "type");
  if (type == "system") {
    if (str(msg, "subtype") == "init") {
      out.push_back(dim(fmt::format("● session {} · model {} · {}", str(msg, "session_id"), str(msg, "model"),
                                    str(msg, "cwd")),
                        style));
    }
  } else if (type == "assistant") {
    render_assistant(msg, style, out);
  } else if (type == "user") {
    render_user(msg, style, out);
  } else if (type == "result") {
    render_result(msg, style, out);
  } else if (!type.empty() && type != "stream_event") {
    out.push_back(dim("[" + type + "]", style));
  }
  return out;
}

}  // namespace ptt::taskcli
