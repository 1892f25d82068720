// `ptt-task top` checks its terminal and execs the dashboard, ptt-task-top (libexec;
// lib/tasktop). The dashboard links curses; ptt-task does not, so every other
// command keeps its fast start.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "taskcli/commands.h"

namespace ptt::taskcli {
namespace fs = std::filesystem;

namespace {

// Next to ptt-task in the build tree, in ../libexec/ptt/ when installed.
std::optional<fs::path> find_dashboard(const fs::path& self) {
  for (const fs::path& candidate :
       {self.parent_path() / "ptt-task-top", self.parent_path() / PTT_LIBEXEC_FROM_BIN / "ptt-task-top"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

}  // namespace

int cmd_top(CliSession& s) {
  if (auto there = run_on_host(s)) return *there;
  if (s.global().json) {
    throw UsageError(
        "top is a full-screen view and has no --json; use `ptt-task list --json` or `ptt-task watch --json`");
  }
  if (!is_tty(STDOUT_FILENO) || !is_tty(STDIN_FILENO)) {
    throw UsageError(
        "top needs a terminal (stdin and stdout); in a pipe or a script use `ptt-task list` or "
        "`ptt-task watch --json`");
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  auto dashboard = ec ? std::nullopt : find_dashboard(self);
  if (!dashboard) {
    print_error("ptt-task",
                fmt::format("ptt-task-top is missing (looked next to ptt-task and in {}); reinstall ptt",
                            PTT_LIBEXEC_FROM_BIN));
    return kExitFailure;
  }
  client::ConnectOptions o = s.connect_options();
  std::vector<std::string> args = {"ptt-task-top", "--socket", o.socket.string(), "--ptt-task",
                                   self.string()};
  if (!o.autostart) args.push_back("--no-autostart");
  // On a host for `ptt-task --host NAME top`: its title and hints name NAME.
  if (s.runs_for_client()) args.insert(args.end(), {"--host-name", s.shown_host()});
  args.insert(args.end(), {"--timeout-ms", std::to_string(o.reply_timeout.count())});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(dashboard->c_str(), argv.data());
  print_error("ptt-task", fmt::format("cannot run {} ({})", dashboard->string(), std::strerror(errno)));
  return kExitFailure;
}

}  // namespace ptt::taskcli
