#include "taskd/agent_command.h"

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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
  if (task.sandbox) out.sandbox = task.sandbox;
  return out;
}

std::string sandbox_settings(const std::vector<std::string>& also_writable) {
  // failIfUnavailable: without bubblewrap (or namespaces) the CLI refuses to start instead
  // of running the shell unconfined; allowUnsandboxedCommands false: the model cannot ask
  // for a command outside it (dangerouslyDisableSandbox); strictAllowlist: a host not in
  // the user's own allowedDomains is refused, not asked about.
  nlohmann::json sandbox = {{"enabled", true},
                            {"failIfUnavailable", true},
                            {"allowUnsandboxedCommands", false},
                            {"network", {{"strictAllowlist", true}}}};
  if (!also_writable.empty()) sandbox["filesystem"] = {{"allowWrite", also_writable}};
  return nlohmann::json{{"sandbox", std::move(sandbox)}}.dump();
}

std::vector<std::string> agent_argv(const std::string& executable, const AgentOptions& o,
                                    const std::optional<std::string>& resume_session,
                                    const std::vector<std::string>& sandbox_writable) {
  // --replay-user-messages: the CLI echoes each message it takes, which tells the daemon
  // whether the session goes on after a result (session_input.h).
  std::vector<std::string> argv = {executable, "-p", "--input-format", "stream-json", "--output-format",
                                   "stream-json", "--verbose", "--replay-user-messages", "--permission-mode",
                                   o.permission_mode.value_or("acceptEdits"),
                                   // A call the mode does not allow is asked about on stdout (a
                                   // control_request) and waits for the answer on stdin
                                   // (docs/taskd.md, Approvals) instead of being refused.
                                   "--permission-prompt-tool", "stdio"};
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
  if (o.sandbox.value_or(false)) argv.insert(argv.end(), {"--settings", sandbox_settings(sandbox_writable)});
  return argv;
}

std::vector<std::string> agent_environment(std::int64_t task) {
  return {fmt::format("PTT_TASK_ID={}", task)};
}

ExecLimits exec_limits() {
  long page = ::sysconf(_SC_PAGESIZE);
  long arg_max = ::sysconf(_SC_ARG_MAX);
  return {32 * static_cast<std::size_t>(page > 0 ? page : 4096),
          static_cast<std::size_t>(arg_max > 0 ? arg_max : 128 * 1024)};
}

std::optional<std::string> exec_refusal(const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env, const ExecLimits& limits) {
  // Every long value follows its option.
  auto what = [&](std::size_t i) {
    if (i > 0 && argv[i - 1].rfind("--", 0) == 0) return fmt::format("the value of {}", argv[i - 1]);
    return fmt::format("agent argument {}", i);
  };
  std::size_t total = argv.empty() ? 0 : argv[0].size() + 1;  // the file name is copied too
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i].size() + 1 > limits.max_string) {
      return fmt::format(
          "{} is {} bytes, over the {} bytes the kernel takes in one argument of a program (MAX_ARG_STRLEN); "
          "shorten it, or put the long part in a file and name that file in the prompt",
          what(i), argv[i].size(), limits.max_string - 1);
    }
    total += argv[i].size() + 1 + sizeof(char*);
  }
  for (const auto& entry : env) total += entry.size() + 1 + sizeof(char*);
  if (total > limits.max_total) {
    return fmt::format(
        "the agent's arguments and environment come to {} bytes, over the {} bytes the kernel takes "
        "(ARG_MAX, "
        "a quarter of the stack limit); shorten the options, or raise `ulimit -s` for "
        "ptt-taskd",
        total, limits.max_total);
  }
  return std::nullopt;
}

}  // namespace ptt::taskd
