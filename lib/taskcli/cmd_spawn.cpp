#include <filesystem>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "taskcli/commands.h"
#include "taskcli/duration.h"

namespace ptt::taskcli {
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The prompt's words joined with spaces, as `git commit -m` users expect of
// `ptt-task spawn fix the tests`; a lone '-' reads the prompt from stdin.
std::string prompt_text(const std::vector<std::string>& words) {
  bool from_stdin = words.size() == 1 && words[0] == "-";
  std::string text;
  if (from_stdin) {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    for (const auto& w : words) {
      if (!text.empty()) text += ' ';
      text += w;
    }
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw UsageError(from_stdin ? "the prompt read from stdin is empty; pipe the prompt in"
                                : "the prompt is empty; say what the agent should do");
  }
  return text;
}

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : list + ",") {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

std::string task_cwd(const CliSession& s, const std::string& arg) {
  std::error_code ec;
  if (client::Host host = s.host(); !host.local()) {
    // A directory on the host: its daemon checks it. Without --cwd, the same path as here.
    if (arg.empty()) return fs::current_path(ec).string();
    if (!fs::path(arg).is_absolute())
      throw UsageError(
          fmt::format("--cwd '{}' is relative; give an absolute path on host {}", arg, host.name));
    return arg;
  }
  fs::path dir = arg.empty() ? fs::current_path(ec) : fs::absolute(arg, ec);
  if (!ec) dir = fs::weakly_canonical(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw UsageError(fmt::format("no directory '{}'; give an existing --cwd", arg.empty() ? "." : arg));
  }
  return dir.string();
}

std::optional<std::string> optional_text(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

int report_new_task(CliSession& s, const protocol::TaskReply& reply, bool wait) {
  std::int64_t id = reply.task.id;
  write_stdout(s.global().json ? to_ndjson(reply.task) : fmt::format("{}\n", id));
  if (!wait) return kExitOk;
  return wait_and_report(s, json::array({id}), true);
}

}  // namespace

protocol::AgentOptions agent_options(const AgentFlags& f) {
  protocol::AgentOptions o;
  if (!f.model.empty()) o.model = f.model;
  o.max_turns = f.max_turns;
  o.max_budget_usd = f.budget_usd;
  if (!f.permission_mode.empty()) o.permission_mode = f.permission_mode;
  if (!f.allowed_tools.empty()) o.allowed_tools = split_list(f.allowed_tools);
  if (!f.stall_timeout.empty()) o.stall_timeout_s = parse_duration(f.stall_timeout);
  return o;
}

int cmd_spawn(CliSession& s, const SpawnArgs& a) {
  protocol::SpawnTaskRequest req;
  req.prompt = prompt_text(a.prompt);
  req.cwd = task_cwd(s, a.cwd);
  req.name = optional_text(a.name);
  for (const auto& ref : a.after) req.after.push_back(task_ref(ref));
  req.options = agent_options(a.agent);
  if (a.worktree) req.worktree = true;
  if (a.no_worktree) req.worktree = false;
  if (a.sandbox) req.options.sandbox = true;
  if (a.no_sandbox) req.options.sandbox = false;
  req.base = optional_text(a.base);
  req.setup = optional_text(a.setup);
  if (a.no_worktree && (req.base || req.setup))
    throw UsageError("--base and --setup need a worktree; drop --no-worktree");
  return report_new_task(s, ask(s.client(), req), a.wait);
}

int cmd_follow_up(CliSession& s, const FollowUpArgs& a) {
  protocol::FollowUpRequest req;
  req.task = task_ref(a.task);
  req.prompt = prompt_text(a.prompt);
  req.name = optional_text(a.name);
  req.options = agent_options(a.agent);
  return report_new_task(s, ask(s.client(), req), a.wait);
}

int cmd_send(CliSession& s, const SendArgs& a) {
  protocol::SendReply reply = ask(s.client(), protocol::SendRequest{task_ref(a.task), prompt_text(a.text)});
  if (s.global().json)
    write_stdout(json{{"task", reply.task.id}, {"uuid", reply.uuid}}.dump() + "\n");
  else
    write_stdout(fmt::format("sent to task {}\n", reply.task.id));
  return kExitOk;
}

int cmd_interrupt(CliSession& s, const std::string& task) {
  protocol::TaskReply reply = ask(s.client(), protocol::InterruptRequest{task_ref(task)});
  if (s.global().json)
    write_stdout(json{{"task", reply.task.id}}.dump() + "\n");
  else
    write_stdout(
        with_hint_command(fmt::format("interrupted task {}: its session waits for `ptt-task send {} TEXT`\n",
                                      reply.task.id, reply.task.id)));
  return kExitOk;
}

int cmd_retry(CliSession& s, const RetryArgs& a) {
  return report_new_task(s, ask(s.client(), protocol::RetryRequest{task_ref(a.task), optional_text(a.name)}),
                         a.wait);
}

}  // namespace ptt::taskcli
