// ptt-taskd: Daemon that runs and tracks headless Claude Code tasks.
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "core/config.h"
#include "core/exit_status.h"
#include "core/paths.h"
#include "protocol/permission_modes.h"
#include "taskd/daemon.h"

int main(int argc, char** argv) {
  ptt::exit_quietly_on_epipe();
  CLI::App app{
      "Daemon that runs and tracks headless Claude Code tasks. Runs in the foreground and logs to stderr.",
      "ptt-taskd"};
  ptt::add_standard_options(app, "ptt-taskd");
  ptt::add_config_file(app, "ptt-taskd");
  ptt::taskd::DaemonConfig config;
  config.socket = ptt::default_socket_path();
  config.state_dir = ptt::default_state_dir();
  std::string socket = config.socket.string(), state_dir = config.state_dir.string();
  std::vector<std::string> roots, allowed_tools;
  std::string permission_mode = "acceptEdits", model, append_system_prompt;
  int max_turns = 0;
  double budget = 0;

  app.add_option("--socket", socket, "Unix socket to listen on")
      ->envname("PTT_SOCKET")
      ->capture_default_str();
  app.add_option("--state-dir", state_dir, "Task records and logs")
      ->envname("PTT_STATE_DIR")
      ->capture_default_str();
  app.add_option("--claude", config.claude, "Agent executable, looked up on PATH")
      ->envname("PTT_CLAUDE")
      ->capture_default_str();
  app.add_option("--max-running", config.max_running, "Tasks running at once; the rest wait in a FIFO queue")
      ->capture_default_str()
      ->check(ptt::between(1, 1000, true));
  app.add_option("--kill-grace", config.kill_grace_s, "Seconds between SIGTERM and SIGKILL on cancel")
      ->capture_default_str()
      ->check(ptt::between(0, 3600));
  app.add_option("--stall-timeout", config.stall_timeout_s,
                 "Seconds without agent output before a task counts as stalled (0: never)")
      ->capture_default_str()
      ->check(ptt::between(0, 366 * 86400));
  std::string stall_action = "report";
  app.add_option("--stall-action", stall_action,
                 "What a stall does: report (a stalled event and activity) or kill (cancel, reason stalled)")
      ->capture_default_str()
      ->check(CLI::IsMember({"report", "kill"}));
  app.add_option("--approval-timeout", config.approval_timeout_s,
                 "Seconds an agent's question may wait for an answer before it is denied (0: never)")
      ->capture_default_str()
      ->check(ptt::between(0, 366 * 86400));
  app.add_option("--always-allow", config.always_allow,
                 "Tool patterns every agent may use without asking, in claude's rule syntax (repeatable; "
                 "comma-separated), e.g. 'Bash(npm test:*)'")
      ->delimiter(',')
      ->allow_extra_args(false);
  std::string rate_limit_hold = "on";
  app.add_option("--rate-limit-hold", rate_limit_hold,
                 "on: a task refused for a rate limit holds queued tasks until the limit resets; off: never")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  std::string isolate = "none";
  app.add_option("--isolate", isolate,
                 "worktree: a task spawned in a git checkout runs in its own git worktree unless it says "
                 "otherwise; none: only with spawn --worktree")
      ->capture_default_str()
      ->check(CLI::IsMember({"worktree", "none"}));
  bool sandbox = false;
  app.add_flag("--sandbox", sandbox,
               "Run every task under Claude Code's sandbox unless it says otherwise (spawn --no-sandbox): "
               "writes only in its cwd or worktree, no network but allowed domains; needs bubblewrap and "
               "socat (docs/taskd.md)");
  app.add_option("--allow-root", roots, "Only run tasks whose cwd is under DIR (repeatable)")
      ->check(CLI::ExistingDirectory)
      ->allow_extra_args(false);
  app.add_option("--default-permission-mode", permission_mode,
                 "claude --permission-mode unless a task sets one: " + ptt::protocol::permission_modes_list())
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& mode) {
            return ptt::protocol::is_permission_mode(mode)
                       ? std::string()
                       : "unknown mode '" + mode + "'; use one of " + ptt::protocol::permission_modes_list();
          },
          "MODE"));
  app.add_option("--default-allowed-tools", allowed_tools,
                 "claude --allowedTools unless a task sets them (comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--default-model", model, "claude --model unless a task sets one");
  app.add_option("--default-max-turns", max_turns, "claude --max-turns unless a task sets it")
      ->check(ptt::at_least(1, true));
  app.add_option("--default-budget", budget, "claude --max-budget-usd unless a task sets it")
      ->check(ptt::more_than(0));
  app.add_option("--default-append-system-prompt", append_system_prompt,
                 "claude --append-system-prompt by default");
  app.add_option("--ready-fd", config.ready_fd,
                 "Write \"ready <socket>\" to this fd once listening, then close it")
      ->configurable(false);
  if (int rc = ptt::parse_or_exit(app, argc, argv, "ptt-taskd"); rc >= 0) return rc;

  config.socket = socket;
  config.stall_kill = stall_action == "kill";
  config.rate_limit_hold = rate_limit_hold == "on";
  config.isolate_worktree = isolate == "worktree";
  config.state_dir = state_dir;
  config.allow_roots.assign(roots.begin(), roots.end());
  config.defaults.permission_mode = permission_mode;
  if (sandbox) config.defaults.sandbox = true;
  if (!allowed_tools.empty()) config.defaults.allowed_tools = allowed_tools;
  if (!model.empty()) config.defaults.model = model;
  if (max_turns > 0) config.defaults.max_turns = max_turns;
  if (budget > 0) config.defaults.max_budget_usd = budget;
  if (!append_system_prompt.empty()) config.defaults.append_system_prompt = append_system_prompt;
  return ptt::taskd::run(config);
}
