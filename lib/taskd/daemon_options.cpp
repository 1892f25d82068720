#include "taskd/daemon_options.h"

#include "core/cli.h"
#include "core/paths.h"
#include "protocol/permission_modes.h"

namespace ptt::taskd {

DaemonOptions::DaemonOptions(CLI::App& app) {
  config_.socket = default_socket_path();
  config_.state_dir = default_state_dir();
  socket_ = config_.socket.string();
  state_dir_ = config_.state_dir.string();
  app.add_option("--socket", socket_, "Unix socket to listen on")
      ->envname("PTT_SOCKET")
      ->capture_default_str();
  app.add_option("--state-dir", state_dir_, "Task records and logs")
      ->envname("PTT_STATE_DIR")
      ->capture_default_str();
  app.add_option("--claude", config_.claude, "Agent executable, looked up on PATH")
      ->envname("PTT_CLAUDE")
      ->capture_default_str();
  app.add_option("--max-running", config_.max_running, "Tasks running at once; the rest wait in a FIFO queue")
      ->capture_default_str()
      ->check(between(1, 1000, true));
  app.add_option("--kill-grace", config_.kill_grace_s, "Seconds between SIGTERM and SIGKILL on cancel")
      ->capture_default_str()
      ->check(between(0, 3600));
  app.add_option("--stall-timeout", config_.stall_timeout_s,
                 "Seconds without agent output before a task counts as stalled (0: never)")
      ->capture_default_str()
      ->check(between(0, 366 * 86400));
  app.add_option("--stall-action", stall_action_,
                 "What a stall does: report (a stalled event and activity) or kill (cancel, reason stalled)")
      ->capture_default_str()
      ->check(CLI::IsMember({"report", "kill"}));
  app.add_option("--approval-timeout", config_.approval_timeout_s,
                 "Seconds an agent's question may wait for an answer before it is denied (0: never)")
      ->capture_default_str()
      ->check(between(0, 366 * 86400));
  app.add_option("--always-allow", config_.always_allow,
                 "Tool patterns every agent may use without asking, in claude's rule syntax (repeatable; "
                 "comma-separated), e.g. 'Bash(npm test:*)'")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--rate-limit-hold", rate_limit_hold_,
                 "on: a task refused for a rate limit holds queued tasks until the limit resets; off: never")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  app.add_option("--isolate", isolate_,
                 "worktree: a task spawned in a git checkout runs in its own git worktree unless it says "
                 "otherwise; none: only with spawn --worktree")
      ->capture_default_str()
      ->check(CLI::IsMember({"worktree", "none"}));
  app.add_flag("--sandbox", sandbox_,
               "Run every task under Claude Code's sandbox unless it says otherwise (spawn --no-sandbox): "
               "writes only in its cwd or worktree, no network but allowed domains; needs bubblewrap and "
               "socat (docs/taskd.md)");
  app.add_option("--allow-root", roots_, "Only run tasks whose cwd is under DIR (repeatable)")
      ->check(CLI::ExistingDirectory)
      ->allow_extra_args(false);
  app.add_option("--default-permission-mode", permission_mode_,
                 "claude --permission-mode unless a task sets one: " + protocol::permission_modes_list())
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& mode) {
            return protocol::is_permission_mode(mode)
                       ? std::string()
                       : "unknown mode '" + mode + "'; use one of " + protocol::permission_modes_list();
          },
          "MODE"));
  app.add_option("--default-allowed-tools", allowed_tools_,
                 "claude --allowedTools unless a task sets them (comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--default-model", model_, "claude --model unless a task sets one");
  app.add_option("--default-max-turns", max_turns_, "claude --max-turns unless a task sets it")
      ->check(at_least(1, true));
  app.add_option("--default-budget", budget_, "claude --max-budget-usd unless a task sets it")
      ->check(more_than(0));
  app.add_option("--default-append-system-prompt", append_system_prompt_,
                 "claude --append-system-prompt by default");
  app.add_option("--ready-fd", config_.ready_fd,
                 "Write \"ready <socket>\" to this fd once listening, then close it")
      ->configurable(false);
}

DaemonConfig DaemonOptions::config() const {
  DaemonConfig c = config_;
  c.socket = socket_;
  c.stall_kill = stall_action_ == "kill";
  c.rate_limit_hold = rate_limit_hold_ == "on";
  c.isolate_worktree = isolate_ == "worktree";
  c.state_dir = state_dir_;
  c.allow_roots.assign(roots_.begin(), roots_.end());
  c.defaults.permission_mode = permission_mode_;
  if (sandbox_) c.defaults.sandbox = true;
  if (!allowed_tools_.empty()) c.defaults.allowed_tools = allowed_tools_;
  if (!model_.empty()) c.defaults.model = model_;
  if (max_turns_ > 0) c.defaults.max_turns = max_turns_;
  if (budget_ > 0) c.defaults.max_budget_usd = budget_;
  if (!append_system_prompt_.empty()) c.defaults.append_system_prompt = append_system_prompt_;
  return c;
}

}  // namespace ptt::taskd
