#include "taskd/child_commands.h"

#include <csignal>

#include <fcntl.h>
#include <sys/wait.h>

#include "core/spawn.h"

extern char** environ;

namespace ptt::taskd {

pid_t ChildCommands::run(const ChildCommand& command, Done done) {
  SpawnOptions o;
  o.argv = command.argv;
  o.cwd = command.cwd;
  if (!command.extra_env.empty()) o.environment = merged_environment(environ, command.extra_env);
  // Its own group: a cancel ends what a setup command started too.
  o.group = SpawnOptions::Group::kNewGroup;
  o.fds.push_back(SpawnFd::open(0, "/dev/null", O_RDONLY));
  bool shared = command.stdout_file == command.stderr_file;
  o.fds.push_back(
      SpawnFd::open(1, command.stdout_file, O_WRONLY | O_CREAT | (shared ? O_APPEND : O_TRUNC), 0600));
  if (shared) {
    o.fds.push_back(SpawnFd::dup(2, 1));
  } else {
    o.fds.push_back(SpawnFd::open(2, command.stderr_file, O_WRONLY | O_CREAT | O_APPEND, 0600));
  }
  o.close_other_fds = true;
  SpawnResult r = spawn(o);
  if (!r.started()) {
    done(-r.error);
    return -1;
  }
  running_[r.pid] = std::move(done);
  return r.pid;
}

bool ChildCommands::reaped(pid_t pid, int wait_status) {
  auto it = running_.find(pid);
  if (it == running_.end()) return false;
  Done done = std::move(it->second);
  running_.erase(it);
  done(WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status));
  return true;
}

void ChildCommands::kill(pid_t pid) {
  if (running_.count(pid)) ::kill(-pid, SIGTERM);
}

}  // namespace ptt::taskd
