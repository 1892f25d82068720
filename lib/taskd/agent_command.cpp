#include "taskd/agent_command.h"

#include <fmt/format.h>

namespace ptt::taskd {
using protocol::AgentOptions;

AgentOptions merge_options(const AgentOptions& defaults, const AgentOptions& task) {
  AgentOptions out = defaults;
  if (task.model) out.model = task.model;
  if (task.max_turns) out.max_turns = task.max_turns;
  if (task.max_budget_usd) out.max_budget_usd = task.max_budget_usd;
  if (task.permission_mode) out.permission_mode = task.permission_mode;
  if (task.allowed_tools) out.allowed_tools = task.allowed_tools;
  if (!task.add_dirs.empty()) out.add_dirs = task.add_dirs;
  if (task.append_system_prompt) out.append_system_prompt = task.append_system_prompt;
  return out;
}

std::vector<std::string> agent_argv(const std::string& executable, const std::string& prompt,
                                    const AgentOptions& o, const std::optional<std::string>& resume_session) {
  // claude's -p is a flag and the prompt a positional argument: a prompt that
  // starts with '-' would be read as an option, so it gets a leading space.
  std::string safe_prompt = !prompt.empty() && prompt.front() == '-' ? " " + prompt : prompt;
  std::vector<std::string> argv = {
      executable,    "-p",        safe_prompt,         "--output-format",
      "stream-json", "--verbose", "--permission-mode", o.permission_mode.value_or("acceptEdits")};
  if (o.max_turns) argv.insert(argv.end(), {"--max-turns", std::to_string(*o.max_turns)});
  if (o.max_budget_usd) argv.insert(argv.end(), {"--max-budget-usd", fmt::format("{}", *o.max_budget_usd)});
  if (o.model) argv.insert(argv.end(), {"--model", *o.model});
  if (resume_session) argv.insert(argv.end(), {"--resume", *resume_session});
  // claude's list options are variadic: each gets exactly one value and is
  // followed by another option, so none swallows a following argument.
  for (const auto& dir : o.add_dirs) argv.insert(argv.end(), {"--add-dir", dir});
  if (o.allowed_tools && !o.allowed_tools->empty()) {
    argv.insert(argv.end(), {"--allowedTools", fmt::format("{}", fmt::join(*o.allowed_tools, ","))});
  }
  if (o.append_system_prompt) argv.insert(argv.end(), {"--append-system-prompt", *o.append_system_prompt});
  return argv;
}

}  // namespace ptt::taskd
