#include "protocol/task_record.h"

namespace ptt::protocol {
using nlohmann::json;

namespace {

template <typename T>
void put(json& j, const char* key, const std::optional<T>& v) {
  j[key] = v ? json(*v) : json(nullptr);
}

template <typename T>
void get(const json& j, const char* key, std::optional<T>& v) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    v.reset();
  } else {
    v = it->get<T>();
  }
}

}  // namespace

void to_json(json& j, const AgentOptions& o) {
  j = json::object();
  if (o.model) j["model"] = *o.model;
  if (o.max_turns) j["max_turns"] = *o.max_turns;
  if (o.max_budget_usd) j["max_budget_usd"] = *o.max_budget_usd;
  if (o.permission_mode) j["permission_mode"] = *o.permission_mode;
  if (o.allowed_tools) j["allowed_tools"] = *o.allowed_tools;
  if (!o.add_dirs.empty()) j["add_dirs"] = o.add_dirs;
  if (o.append_system_prompt) j["append_system_prompt"] = *o.append_system_prompt;
}

void from_json(const json& j, AgentOptions& o) {
  o = {};
  if (j.is_null()) return;
  get(j, "model", o.model);
  get(j, "max_turns", o.max_turns);
  get(j, "max_budget_usd", o.max_budget_usd);
  get(j, "permission_mode", o.permission_mode);
  get(j, "allowed_tools", o.allowed_tools);
  if (auto it = j.find("add_dirs"); it != j.end() && !it->is_null())
    o.add_dirs = it->get<std::vector<std::string>>();
  get(j, "append_system_prompt", o.append_system_prompt);
}

void to_json(json& j, const AgentResult& r) {
  j = json{{"subtype", r.subtype},   {"is_error", r.is_error},   {"text", r.text},
           {"cost_usd", r.cost_usd}, {"num_turns", r.num_turns}, {"duration_ms", r.duration_ms}};
}

void from_json(const json& j, AgentResult& r) {
  r.subtype = j.value("subtype", "");
  r.is_error = j.value("is_error", false);
  r.text = j.value("text", "");
  r.cost_usd = j.value("cost_usd", 0.0);
  r.num_turns = j.value("num_turns", 0);
  r.duration_ms = j.value("duration_ms", std::int64_t{0});
}

void to_json(json& j, const TaskRecord& t) {
  j = json::object();
  j["id"] = t.id;
  put(j, "name", t.name);
  j["state"] = to_string(t.state);
  put(j, "reason", t.reason);
  j["prompt"] = t.prompt;
  j["cwd"] = t.cwd;
  j["after"] = t.after;
  put(j, "parent", t.parent);
  put(j, "resume_session", t.resume_session);
  put(j, "retry_of", t.retry_of);
  j["created_at"] = t.created_at;
  put(j, "started_at", t.started_at);
  put(j, "finished_at", t.finished_at);
  put(j, "pid", t.pid);
  put(j, "session_id", t.session_id);
  put(j, "model", t.model);
  put(j, "activity", t.activity);
  put(j, "exit_code", t.exit_code);
  put(j, "stderr_tail", t.stderr_tail);
  put(j, "result", t.result);
  j["options"] = t.options;
  if (t.cancel_requested) j["cancel_requested"] = true;
}

void from_json(const json& j, TaskRecord& t) {
  t = {};
  t.id = j.at("id").get<std::int64_t>();
  get(j, "name", t.name);
  auto state = parse_task_state(j.at("state").get<std::string>());
  if (!state) throw json::type_error::create(302, "unknown task state", &j);
  t.state = *state;
  get(j, "reason", t.reason);
  t.prompt = j.value("prompt", "");
  t.cwd = j.value("cwd", "");
  if (auto it = j.find("after"); it != j.end() && !it->is_null())
    t.after = it->get<std::vector<std::int64_t>>();
  get(j, "parent", t.parent);
  get(j, "resume_session", t.resume_session);
  get(j, "retry_of", t.retry_of);
  t.created_at = j.value("created_at", 0.0);
  get(j, "started_at", t.started_at);
  get(j, "finished_at", t.finished_at);
  get(j, "pid", t.pid);
  get(j, "session_id", t.session_id);
  get(j, "model", t.model);
  get(j, "activity", t.activity);
  get(j, "exit_code", t.exit_code);
  get(j, "stderr_tail", t.stderr_tail);
  get(j, "result", t.result);
  if (auto it = j.find("options"); it != j.end()) t.options = it->get<AgentOptions>();
  if (auto it = j.find("cancel_requested"); it != j.end() && it->is_boolean())
    t.cancel_requested = it->get<bool>();
}

}  // namespace ptt::protocol
