#include "realtime/session_update.h"

#include <fmt/format.h>

#include "protocol/task_state.h"
#include "realtime/task_hosts.h"

namespace ptt::realtime {
using nlohmann::json;

namespace {

json string_param(const char* description) { return {{"type", "string"}, {"description", description}}; }

json function_tool(const char* name, const char* description, json properties, json required) {
  return {{"type", "function"},
          {"name", name},
          {"description", description},
          {"parameters",
           {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}}}};
}

std::string projects_sentence(const SessionConfig& config) {
  if (config.projects.empty())
    return "No projects are configured: tasks run in the session's working directory.";
  std::string names;
  for (const auto& p : config.projects) names += (names.empty() ? "" : ", ") + p.name + on_host(p.host);
  std::string text =
      fmt::format("Projects you may pass to spawn_task (by name only, never a path): {}.", names);
  if (!remote_hosts(config).empty())
    text +=
        " Tasks run on more than one machine and each machine numbers its own tasks: name a task with its "
        "host "
        "when it is not local (\"task 3 on devbox\"), and pass that host to the tools that take a task.";
  return text;
}

// The `host` of the tools that take a task, when a project is on another machine.
void add_host_param(const SessionConfig& config, json& tool) {
  std::vector<std::string> remote = remote_hosts(config);
  if (remote.empty()) return;
  json names = json::array({kLocalHostName});
  for (const auto& h : remote) names.push_back(h);
  tool["parameters"]["properties"]["host"] = {{"type", "string"},
                                              {"enum", names},
                                              {"description",
                                               "the machine the task runs on, as its announcement or "
                                               "spawn_task's result names it (\"task 3 on devbox\": "
                                               "devbox); leave out for a local task"}};
}

}  // namespace

const std::string& builtin_instructions() {
  static const std::string text =
      "You are a terse voice assistant for a developer. You manage background coding tasks, "
      "each a headless Claude Code run, through your tools. When asked to do coding work, call "
      "spawn_task at once with a clear, self-contained prompt, then say the task number in a few "
      "words (\"task 3 started\"). Refer to tasks by number. Do not guess results: use check_task or "
      "get_result. When told that a task finished, tell the user in one or two short sentences. "
      "When a task asks for permission, ask the user and answer with answer_permission only what the "
      "user said; never decide it yourself. "
      "Keep every spoken answer brief.";
  return text;
}

json tool_definitions(const SessionConfig& config) {
  json task_param = {{"type", "string"}, {"description", "the task's number (e.g. \"3\") or its name"}};
  json project_param = {{"type", "string"}, {"description", projects_sentence(config)}};
  if (!config.projects.empty()) {
    json names = json::array();
    for (const auto& p : config.projects) names.push_back(p.name);
    project_param["enum"] = names;
  }
  json tools = json::array();
  tools.push_back(function_tool(
      "spawn_task", "Start a background coding task (a Claude Code run). Returns its task number at once.",
      {{"prompt", string_param("what the agent should do, self-contained")},
       {"project", project_param},
       {"name", string_param("an optional short name for the task, e.g. fix-tests")}},
      {"prompt"}));
  tools.push_back(function_tool("list_tasks", "List tasks with their state.",
                                {{"state",
                                  {{"type", "string"},
                                   {"enum", protocol::task_state_names()},
                                   {"description", "only tasks in this state"}}}},
                                json::array()));
  tools.push_back(function_tool("check_task", "State and current activity of one task.",
                                {{"task", task_param}}, {"task"}));
  tools.push_back(function_tool("get_result", "The result text of a finished task (shortened for speech).",
                                {{"task", task_param}}, {"task"}));
  tools.push_back(
      function_tool("cancel_task", "Cancel a queued or running task.", {{"task", task_param}}, {"task"}));
  tools.push_back(function_tool(
      "message_task",
      "Tell a running task something: the message is its next turn (finished tasks: follow_up_task).",
      {{"task", task_param}, {"text", string_param("the message, self-contained")}}, {"task", "text"}));
  tools.push_back(function_tool(
      "interrupt_task", "Stop what a running task is doing now; it waits for a message_task to go on.",
      {{"task", task_param}}, {"task"}));
  tools.push_back(function_tool(
      "follow_up_task", "Continue a finished task's conversation with a new prompt, as a new task.",
      {{"task", task_param}, {"prompt", string_param("the follow-up request")}}, {"task", "prompt"}));
  tools.push_back(function_tool(
      "review_task",
      "What a task changed in its own git worktree: each file, its line counts and first changed lines. "
      "Tell the user each file and, in one line, what its change does.",
      {{"task", task_param}}, {"task"}));
  tools.push_back(function_tool(
      "merge_task",
      "Merge a finished task's worktree into the branch it started from. Only when the user asks for it "
      "in their own words, never on your own.",
      {{"task", task_param}}, {"task"}));
  tools.push_back(function_tool(
      "discard_task",
      "Delete a finished task's worktree and branch, dropping its changes. Only when the user asks for it "
      "in their own words, never on your own.",
      {{"task", task_param}}, {"task"}));
  tools.push_back(function_tool(
      "answer_permission",
      "Answer a task's permission question with the user's spoken or typed answer (never on your own).",
      {{"task", task_param},
       {"allow", {{"type", "boolean"}, {"description", "true to allow, false to deny"}}},
       {"reason", string_param("for a denial: what the agent should do instead")}},
      {"task", "allow"}));
  for (json& tool : tools)  // every tool that names a task, and list_tasks (one host's tasks)
    if (tool["parameters"]["properties"].contains("task") || tool["name"] == "list_tasks")
      add_host_param(config, tool);
  return tools;
}

json build_session_update(const SessionConfig& config) {
  json turn_detection = nullptr;
  if (config.turn_mode == TurnMode::kServerVad) turn_detection = {{"type", "server_vad"}};
  if (config.turn_mode == TurnMode::kSemanticVad) turn_detection = {{"type", "semantic_vad"}};
  std::string instructions = config.instructions.empty() ? builtin_instructions() : config.instructions;
  instructions += "\n\n" + projects_sentence(config);
  json pcm = {{"type", "audio/pcm"}, {"rate", 24000}};
  json session = {
      {"type", "realtime"},
      {"model", config.model},
      {"output_modalities", {"audio"}},
      {"instructions", instructions},
      {"audio",
       {{"input",
         {{"format", pcm},
          {"transcription", {{"model", config.transcription_model}}},
          {"turn_detection", turn_detection}}},
        {"output", {{"format", pcm}, {"voice", config.voice}}}}},
      {"tools", tool_definitions(config)},
      {"tool_choice", "auto"},
  };
  // Other models refuse the field, and the session with it.
  if (openai::accepts_reasoning(config.model) && !config.reasoning_effort.empty())
    session["reasoning"] = {{"effort", config.reasoning_effort}};
  return {{"type", "session.update"}, {"session", session}};
}

}  // namespace ptt::realtime
