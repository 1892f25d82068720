// Commands that work on the files or the terminal of the machine the tasks run on
// (git in a task's worktree, the dashboard, the doctor's probes) run there as a whole:
// the same command line over ssh, rather than the protocol over dial-stdio.
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/host.h"
#include "core/cli.h"
#include "core/exit_status.h"
#include "core/spawn.h"
#include "taskcli/commands.h"

namespace ptt::taskcli {

namespace {

constexpr int kSshFailed = 255;
constexpr int kCommandNotFound = 127;

// Our command line without what names this machine's files or the host (--host, --config,
// --socket, with their values), after `--host local`: the host's own config may name a host.
std::vector<std::string> args_for_host(const std::vector<std::string>& ours) {
  std::vector<std::string> args = {"--host", "local"};
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const std::string& a = ours[i];
    if (a == "--") {
      args.insert(args.end(), ours.begin() + static_cast<long>(i), ours.end());
      break;
    }
    bool dropped = false;
    for (std::string_view flag : {"--host", "--config", "--socket"}) {
      if (a == flag) {
        ++i;  // and its value
        dropped = true;
      } else if (a.rfind(std::string(flag) + "=", 0) == 0) {
        dropped = true;
      }
    }
    if (!dropped) args.push_back(a);
  }
  return args;
}

}  // namespace

std::optional<int> run_on_host(const CliSession& s) {
  client::Host host = s.host();
  if (host.local()) return std::nullopt;
  const char* ssh_command = std::getenv("PTT_SSH");
  // The host's ptt-task names the host in its hints as we do (`ptt-task --host NAME ...`).
  client::Host there = host;
  there.remote_command =
      fmt::format("env {}={} {}", kRunForEnv, client::shell_quote(host.name), host.remote_command);
  SpawnOptions o;
  o.argv = client::remote_run_argv(there, ssh_command, args_for_host(s.global().args),
                                   is_tty(STDIN_FILENO) && is_tty(STDOUT_FILENO));
  SpawnResult spawned = spawn(o);
  if (!spawned.started())
    throw client::UnreachableError(
        fmt::format("host {}: cannot run {} ({}); install OpenSSH's client or set PTT_SSH", host.name,
                    o.argv[0], std::strerror(spawned.error)));
  int status = 0;
  while (::waitpid(spawned.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status)) return 128 + WTERMSIG(status);
  int code = WEXITSTATUS(status);
  // ssh's and the remote shell's own messages are above (its stderr is ours): name the step.
  if (code == kSshFailed) {
    print_error("ptt-task",
                fmt::format("host {}: ssh to {} failed (its message is above); check that `ssh {}` works",
                            host.name, host.hostname, host.hostname));
    return kExitUnreachable;
  }
  if (code == kCommandNotFound) {
    print_error("ptt-task",
                fmt::format("host {}: `{}` did not run there (see above); install ptt there or set "
                            "remote-command in the host's [hosts.NAME] table",
                            host.name, host.remote_command));
    return kExitUnreachable;
  }
  return code;
}

}  // namespace ptt::taskcli
