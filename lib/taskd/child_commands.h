#pragma once
// Short-lived helper commands the daemon runs without waiting for them (git, a task's
// setup command): started with ptt::spawn, their output into files, their end told by
// the daemon's SIGCHLD reaping (reaped()), so the loop never blocks on one.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ptt::taskd {

struct ChildCommand {
  std::vector<std::string> argv;
  std::string cwd;
  std::string stdout_file;             // truncated; stdin is /dev/null
  std::string stderr_file;             // appended to; may be stdout_file (then both append)
  std::vector<std::string> extra_env;  // NAME=value over the daemon's environment
};

class ChildCommands {
 public:
  // `status`: the exit status (0..255), 128+N for a signal, or -errno when it did not start.
  using Done = std::function<void(int status)>;

  // Starts it; `done` runs from reaped() (or at once, with -errno, when it could not
  // start). Returns its pid, or -1.
  pid_t run(const ChildCommand& command, Done done);
  // From the daemon's waitpid loop: true when `pid` was one of ours (its `done` has run).
  bool reaped(pid_t pid, int wait_status);
  // Signals its process group (a cancelled task's setup command).
  void kill(pid_t pid);
  bool empty() const { return running_.empty(); }

 private:
  std::map<pid_t, Done> running_;
};

}  // namespace ptt::taskd
