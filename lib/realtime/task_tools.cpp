#include "realtime/task_tools.h"

#include <fmt/format.h>

#include "core/ndjson.h"
#include "protocol/json_fields.h"
#include "protocol/replies.h"
#include "protocol/request_fields.h"
#include "protocol/requests.h"
#include "protocol/task_state.h"
#include "realtime/task_hosts.h"

namespace ptt::realtime {
using nlohmann::json;

namespace {

// list_tasks speaks the newest ten tasks: a longer list is not listened to.
constexpr std::uint64_t kSpokenTasks = 10;

json error_output(const std::string& message) { return {{"ok", false}, {"error", message}}; }

// A task is named by id or name; the model often sends numbers as strings, and
// numeric strings are ids in the protocol, so any string or integer passes through.
bool task_ref(const json& args, json& out) {
  auto it = args.find("task");
  if (it == args.end()) return false;
  if (it->is_number_integer() || (it->is_string() && !it->get<std::string>().empty())) {
    out = *it;
    return true;
  }
  return false;
}

std::string opt_string(const json& args, const char* key) {
  auto it = args.find(key);
  return (it != args.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

std::string project_names(const SessionConfig& config) {
  std::string names;
  for (const auto& p : config.projects) names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

ToolRequest immediate(const std::string& message) { return {nullptr, error_output(message).dump()}; }

json brief_task(const protocol::TaskRecord& t, const std::string& host) {
  return task_brief(t, host, "task");
}

}  // namespace

json task_brief(const protocol::TaskRecord& t, const std::string& host, const char* id_key) {
  json b = {{id_key, t.id}, {"state", protocol::to_string(t.state)}};
  if (!host.empty()) b["host"] = host;  // its number is that host's
  if (t.name) b["name"] = *t.name;
  if (t.activity) b["activity"] = *t.activity;
  if (t.reason) b["reason"] = *t.reason;
  if (t.worktree) {
    // What a worktree task changed, and whether it was merged or discarded since.
    if (t.worktree->changes) b["changes"] = protocol::change_summary(*t.worktree->changes);
    if (t.worktree->resolution) b["worktree"] = *t.worktree->resolution;
  }
  return b;
}

std::string refused_and_errors(const protocol::AgentResult& result) {
  std::string calls;
  for (const auto& denial : result.permission_denials) {
    const std::string& what = denial.description.empty() ? denial.tool : denial.description;
    if (what.empty()) continue;
    if (!calls.empty()) calls += "; ";
    calls += what;
  }
  std::string out = calls.empty() ? std::string() : "Refused: " + calls + ".";
  for (const auto& text : result.errors) {
    if (text.empty()) continue;
    if (!out.empty()) out += ' ';
    out += text;
    out += '.';
  }
  return out;
}

std::string shorten_for_speech(const std::string& text, std::size_t max_chars, long long task_id,
                               const std::string& host) {
  if (text.size() <= max_chars) return text;
  std::size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 char
  std::string host_option = host.empty() ? std::string() : fmt::format("--host {} ", host);
  return text.substr(0, cut) +
         fmt::format("... (cut; the full result: `ptt-task {}result {}`)", host_option, task_id);
}

ToolRequest tool_call_to_request(const SessionConfig& config, const std::string& name,
                                 const std::string& arguments_json) {
  json args = parse_json_or_discarded(arguments_json.empty() ? "{}" : arguments_json);
  if (args.is_discarded() || !args.is_object()) return immediate("the arguments were not a JSON object");
  json task;
  if (name == "spawn_task") {
    std::string prompt = opt_string(args, "prompt");
    if (prompt.empty()) return immediate("spawn_task needs a prompt");
    std::string project = opt_string(args, "project");
    std::string cwd;
    const Project* chosen = nullptr;
    if (!project.empty()) {
      for (const auto& p : config.projects)
        if (p.name == project) chosen = &p;
      if (chosen) cwd = chosen->dir;
      if (cwd.empty()) {
        return immediate(config.projects.empty() ? "no projects are configured; leave project out"
                                                 : fmt::format("unknown project '{}'; choose one of: {}",
                                                               project, project_names(config)));
      }
    } else if (config.projects.size() == 1) {
      chosen = &config.projects.front();
      cwd = chosen->dir;
    } else if (config.projects.empty()) {
      cwd = config.default_cwd;
    } else {
      return immediate(fmt::format("which project? choose one of: {}", project_names(config)));
    }
    protocol::SpawnTaskRequest req{.prompt = prompt, .cwd = cwd};
    if (std::string n = opt_string(args, "name"); !n.empty()) req.name = n;
    if (chosen) {  // the project's own defaults (--project-defaults); unset: the daemon's
      req.worktree = chosen->worktree;
      req.options.sandbox = chosen->sandbox;
      req.setup = chosen->setup;
    }
    return {protocol::request_json(req), {}};
  }
  if (name == "list_tasks") {
    // Only the newest ten are spoken (tool_reply_to_output): a long history stays home.
    protocol::ListRequest req{.finished_limit = kSpokenTasks};
    if (std::string s = opt_string(args, "state"); !s.empty()) {
      req.state = protocol::parse_task_state(s);
      // What the daemon would answer, without asking it.
      if (!req.state) return immediate(protocol::unknown_state_message(s));
    }
    return {protocol::request_json(req), {}};
  }
  if (name == "check_task" || name == "get_result" || name == "cancel_task") {
    if (!task_ref(args, task)) return immediate(name + " needs a task number or name");
    protocol::Request req = name == "check_task"   ? protocol::Request(protocol::GetRequest{task})
                            : name == "get_result" ? protocol::Request(protocol::ResultRequest{task})
                                                   : protocol::Request(protocol::CancelRequest{.task = task});
    return {protocol::request_json(req), {}};
  }
  if (name == "follow_up_task") {
    if (!task_ref(args, task)) return immediate("follow_up_task needs a task number or name");
    std::string prompt = opt_string(args, "prompt");
    if (prompt.empty()) return immediate("follow_up_task needs a prompt");
    return {protocol::request_json(protocol::FollowUpRequest{.task = task, .prompt = prompt}), {}};
  }
  if (name == "message_task") {
    if (!task_ref(args, task)) return immediate("message_task needs a task number or name");
    std::string text = opt_string(args, "text");
    if (text.empty()) return immediate("message_task needs the message's text");
    return {protocol::request_json(protocol::SendRequest{task, text}), {}};
  }
  if (name == "interrupt_task") {
    if (!task_ref(args, task)) return immediate("interrupt_task needs a task number or name");
    return {protocol::request_json(protocol::InterruptRequest{task}), {}};
  }
  return immediate(fmt::format("there is no tool named '{}'", name));
}

std::string tool_reply_to_output(const SessionConfig& config, const std::string& name, const json& reply,
                                 const std::string& host) {
  if (!protocol::reply_is_ok(reply)) return error_output(protocol::error_of(reply).message).dump();
  // Each tool's reply typed (protocol/replies.h); one of the wrong shape throws
  // nlohmann::json::exception, which the session answers as unreadable.
  json out = {{"ok", true}};
  if (name == "list_tasks") {
    auto listed = reply.get<protocol::ListRequest::Reply>();
    const auto& all = listed.tasks;
    json tasks = json::array();
    // The most recent tasks matter most when spoken; keep the list short.
    std::size_t first = all.size() > kSpokenTasks ? all.size() - kSpokenTasks : 0;
    for (std::size_t i = first; i < all.size(); ++i) tasks.push_back(brief_task(all[i], host));
    out["tasks"] = tasks;
    if (std::uint64_t older = first + listed.finished_omitted.value_or(0); older > 0)
      out["note"] = fmt::format("{} older tasks not shown; see `ptt-task {}list`", older,
                                host.empty() ? std::string() : "--host " + host + " ");
  } else if (name == "cancel_task") {
    out["cancelled"] = reply.get<protocol::CancelRequest::Reply>().cancelled;
  } else if (name == "get_result") {
    auto result = reply.get<protocol::ResultRequest::Reply>();
    out.update(brief_task(result.task, host));
    out["result"] =
        shorten_for_speech(result.text.value_or(""), config.max_result_chars, result.task.id, host);
  } else if (name == "message_task") {
    out.update(brief_task(reply.get<protocol::SendRequest::Reply>().task, host));
  } else if (name == "spawn_task" || name == "follow_up_task" || name == "check_task" ||
             name == "interrupt_task") {
    out.update(brief_task(reply.get<protocol::TaskReply>().task, host));
  }
  return out.dump();
}

std::string announcement_text(const SessionConfig& config, const protocol::TaskRecord& task,
                              const std::string& host) {
  long long id = task.id;
  std::string label = fmt::format("task {}{}", id, on_host(host));
  if (task.name) label += fmt::format(" '{}'", *task.name);
  std::string text = fmt::format("{} {}", label, protocol::to_string(task.state));
  if (task.reason && task.state != protocol::TaskState::kSucceeded)
    text += fmt::format(" ({})", *task.reason);
  std::string summary;
  std::string why;  // what was refused and Claude's own error text, for a failure
  if (task.result) {
    summary = task.result->text;
    why = refused_and_errors(*task.result);
  }
  if (!summary.empty()) text += ": " + shorten_for_speech(summary, config.max_announcement_chars, id, host);
  if (text.back() != '.') text += '.';  // a result usually ends its own sentence
  if (!why.empty()) {
    text += ' ';
    text += shorten_for_speech(why, config.max_announcement_chars, id, host);
  }
  if (task.worktree && task.worktree->changes)
    text += fmt::format(" In its worktree it {}.", protocol::change_summary(*task.worktree->changes));
  return fmt::format("[task update] {} Tell the user briefly.", text);
}

}  // namespace ptt::realtime
