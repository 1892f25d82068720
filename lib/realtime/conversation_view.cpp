#include "realtime/conversation_view.h"

#include <fmt/color.h>
#include <fmt/format.h>

#include "protocol/protocol.h"
#include "protocol/task_state.h"

namespace ptt::realtime {
using nlohmann::json;

namespace {

constexpr std::size_t kResultChars = 200;  // a result excerpt on one terminal line or two
constexpr std::size_t kArgChars = 60;      // one tool argument

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

// A numeric field, or 0 when it is missing or not a number. (Not value() and then
// operator[]: value()'s default hides a missing key, and a const operator[] on a
// missing key reads past the map.)
double number(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return (it != j.end() && it->is_number()) ? it->get<double>() : 0;
}

const json& obj(const json& j, const char* key) {
  static const json empty = json::object();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return (it != j.end() && it->is_object()) ? *it : empty;
}

// fmt's colours (no hand-written escape sequences); plain text without colour.
std::string paint(const ViewStyle& style, fmt::text_style ts, const std::string& text) {
  return style.color ? fmt::format(ts, "{}", text) : text;
}
const fmt::text_style kDim = fmt::emphasis::faint;
const fmt::text_style kRed = fmt::fg(fmt::terminal_color::red);
const fmt::text_style kGreen = fmt::fg(fmt::terminal_color::green);
const fmt::text_style kYellow = fmt::fg(fmt::terminal_color::yellow);

std::string task_label(const json& task) {
  std::string label = "task";
  if (auto id = task.find("id"); id != task.end() && id->is_number_integer())
    label += fmt::format(" {}", id->get<long long>());
  else if (auto t = task.find("task"); t != task.end() && t->is_number_integer())
    label += fmt::format(" {}", t->get<long long>());
  if (std::string host = str(task, "host"); !host.empty()) label += " on " + host;  // ids are per host
  if (std::string name = str(task, "name"); !name.empty()) label += fmt::format(" ({})", name);
  return label;
}

fmt::text_style state_style(const std::string& name) {
  auto state = protocol::parse_task_state(name);
  if (state == protocol::TaskState::kSucceeded) return kGreen;
  if (state == protocol::TaskState::kFailed) return kRed;
  if (state == protocol::TaskState::kCancelled) return kYellow;
  return {};
}

std::string arg_value(const json& v) {
  if (v.is_string()) {
    std::string s = one_line(v.get<std::string>(), kArgChars);
    return s.find(' ') == std::string::npos && !s.empty() ? s : fmt::format("\"{}\"", s);
  }
  return one_line(v.dump(), kArgChars);
}

// "→ spawn_task prompt="run the tests" project=api"
std::vector<std::string> tool_call(const json& event, const ViewStyle& style) {
  std::string line = "→ " + str(event, "name");
  if (std::string why = str(event, "not_run"); !why.empty()) return {paint(style, kYellow, line + " " + why)};
  if (auto a = event.find("arguments"); a != event.end()) {
    if (a->is_object()) {
      for (const auto& [key, value] : a->items()) line += fmt::format(" {}={}", key, arg_value(value));
    } else if (!a->is_null()) {
      line += " " + arg_value(*a);
    }
  }
  return {paint(style, kDim, line)};
}

std::string task_list(const json& tasks) {
  if (!tasks.is_array() || tasks.empty()) return "no tasks";
  std::string out;
  for (const auto& t : tasks)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", task_label(t).substr(5), str(t, "state"));
  return one_line(out, kResultChars);
}

// "← task 3 (fix-tests) queued", or what went wrong in the tool's own words.
std::vector<std::string> tool_result(const json& event, const ViewStyle& style) {
  std::string name = str(event, "name");
  const json& out = event.contains("output") ? event["output"] : json(nullptr);
  if (!out.is_object()) return {paint(style, kDim, "← " + one_line(out.dump(), kResultChars))};
  if (!out.value("ok", false)) {
    std::string error = str(out, "error");
    return {
        paint(style, kRed, fmt::format("← {} failed: {}", name, error.empty() ? "no reason given" : error))};
  }
  std::string line;
  if (name == "list_tasks") {
    line = "← " + task_list(out.contains("tasks") ? out["tasks"] : json());
  } else if (name == "cancel_task") {
    const json& ids = out.contains("cancelled") ? out["cancelled"] : json();
    line = ids.is_array() && !ids.empty() ? "← cancelled: " + one_line(ids.dump(), kResultChars)
                                          : "← nothing was cancelled";
  } else if (out.contains("task")) {
    line = fmt::format("← {} {}", task_label(out), str(out, "state"));
    if (std::string r = str(out, "result"); !r.empty()) line += ": " + one_line(r, kResultChars);
    if (std::string a = str(out, "activity"); !a.empty() && name == "check_task")
      line += ", " + one_line(a, 80);
  } else {
    line = "← " + name + " done";
  }
  return {paint(style, kDim, line)};
}

std::vector<std::string> task_event(const json& event, const ViewStyle& style) {
  const json& task = obj(event, "task");
  std::string kind = str(event, "event"), label = task_label(task), state = str(task, "state");
  // A task that starts at once is created "starting" and a `started` event follows:
  // say "queued" only for one that waits.
  if (kind == protocol::event::kCreated)
    return state == protocol::to_string(protocol::TaskState::kQueued) ? std::vector{label + " queued"}
                                                                      : std::vector<std::string>{};
  if (kind == protocol::event::kStarted) return {label + " started"};
  if (kind == protocol::event::kActivity) {
    std::string activity = str(task, "activity");
    return activity.empty() ? std::vector<std::string>{}
                            : std::vector{paint(style, kDim, label + ": " + one_line(activity, 100))};
  }
  if (kind == protocol::event::kPermissionRequested) {
    const json& q = obj(event, "question");
    return {paint(style, kYellow,
                  fmt::format("{} asks: {} {}", label, str(q, "tool"), one_line(str(q, "summary"), 100)))};
  }
  if (kind == protocol::event::kPermissionAnswered) {
    auto allow = event.find("allow");
    bool allowed = allow != event.end() && allow->is_boolean() && allow->get<bool>();
    std::string by = str(event, "by");
    return {paint(
        style, kDim,
        fmt::format("{}: {}{}", label, allowed ? "allowed" : "denied", by.empty() ? "" : " (" + by + ")"))};
  }
  if (kind ==
      protocol::event::kWorktree) {  // merged or discarded since it finished, or its changes counted again
    std::string resolution = str(task, "worktree"), changes = str(task, "changes");
    std::string what = resolution.empty() ? changes : resolution;
    return what.empty() ? std::vector<std::string>{} : std::vector{paint(style, kDim, label + ": " + what)};
  }
  if (kind != protocol::event::kFinished) return {};
  std::string line =
      fmt::format("{} {}", label, paint(style, state_style(state), state.empty() ? "finished" : state));
  if (std::string reason = str(task, "reason");
      !reason.empty() && state != protocol::to_string(protocol::TaskState::kSucceeded))
    line += " (" + reason + ")";
  if (std::string result = str(task, "result"); !result.empty())
    line += ": " + one_line(result, kResultChars);
  return {line};
}

// Errors in plain words: what happened, not the wire's codes.
std::vector<std::string> error_event(const json& event, const ViewStyle& style) {
  std::string code = str(event, "code"), message = str(event, "message"), source = str(event, "source");
  std::string line;
  if (code == "unauthorized")
    line = "error: the OpenAI API key was rejected; check OPENAI_API_KEY";
  else if (source == "transcription")
    line = "error: what you said could not be transcribed: " + (message.empty() ? code : message);
  else if (source == "realtime")
    line =
        fmt::format("error: the Realtime API said: {}{}", message.empty() ? "something went wrong" : message,
                    code.empty() ? "" : " (" + code + ")");
  else
    line = "error: " + (message.empty() ? code : message);
  return {paint(style, kRed, line)};
}

std::vector<std::string> session_event(const json& event, const ViewStyle& style) {
  std::string state = str(event, "state");
  if (state == "connecting") return {paint(style, kDim, "connecting…")};
  if (state == "ready") return {paint(style, kDim, "connected; ready")};
  if (state == "disconnected") return {paint(style, kYellow, "connection lost")};
  if (state == "renewing") return {paint(style, kDim, "renewing the session…")};
  if (state == "renewed") return {paint(style, kDim, "session renewed; the conversation goes on")};
  if (state == "reconnecting") {
    double seconds = number(event, "in_ms") / 1000.0;
    std::string why = str(event, "reason");
    return {paint(style, kYellow,
                  fmt::format("reconnecting in {:.1f} s{}", seconds, why.empty() ? "" : " (" + why + ")"))};
  }
  return {};  // connected, created: steps of "ready"
}

}  // namespace

std::string one_line(const std::string& text, std::size_t max_chars) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() <= max_chars) return out;
  std::size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 char
  return out.substr(0, cut) + "…";
}

std::vector<std::string> render_event(const json& event, const ViewStyle& style) {
  try {
    std::string type = str(event, "type");
    if (type == "transcript") {
      bool user = str(event, "role") == "user";
      std::string who = paint(
          style, fmt::emphasis::bold | fmt::fg(user ? fmt::terminal_color::green : fmt::terminal_color::cyan),
          user ? "you:" : "assistant:");
      return {who + " " + str(event, "text")};
    }
    if (type == "tool_call") return tool_call(event, style);
    if (type == "tool_result") return tool_result(event, style);
    if (type == "task") return task_event(event, style);
    if (type == "error") return error_event(event, style);
    if (type == "session") return session_event(event, style);
    if (type == "daemon") {
      std::string host = str(event, "host");
      std::string on = host.empty() ? std::string() : " on " + host;
      if (str(event, "state") == "connected") return {paint(style, kDim, "task daemon" + on + " connected")};
      return {
          paint(style, kYellow,
                fmt::format("the task daemon{} is not reachable; tasks cannot be started {}until it is back",
                            on, host.empty() ? "" : "there "))};
    }
    if (type == "turn") {
      std::string state = str(event, "state");
      auto ms = static_cast<long long>(number(event, "ms"));
      if (state == "listening") return {paint(style, kDim, "(listening…)")};
      if (state == "committed")
        return {paint(style, kDim, fmt::format("(sent {:.1f} s of speech)", ms / 1000.0))};
      if (state == "too_short")
        return {paint(style, kDim, fmt::format("(too short: {} ms; nothing was sent)", ms))};
      return {};
    }
    if (type == "hint") return {str(event, "text")};
    if (type == "barge_in") return {paint(style, kDim, "(reply interrupted)")};
    // A failed reply's error has its own line, just before.
    if (type == "response" && str(event, "status") == "incomplete")
      return {paint(style, kYellow, fmt::format("(the reply was cut short: {})", str(event, "reason")))};
    return {};  // announcement (the assistant says it), response done, and anything newer
  } catch (const std::exception&) {  // a field of an odd type: show nothing rather than end
    return {};
  }
}

}  // namespace ptt::realtime
