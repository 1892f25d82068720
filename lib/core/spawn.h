#pragma once
// Starting a program, one way for every tool: posix_spawn, which glibc runs with
// vfork semantics (cheap even from a big daemon) and which returns exec errors to
// the caller instead of leaving a child to exit 127. The child's directory, session
// or process group, signals and standard fds are set in the child only, so nothing
// process-wide (chdir, setenv) changes in the caller.
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ptt {

// What one of the child's fds becomes before exec.
struct SpawnFd {
  int target = -1;
  int source = -1;   // dup2(source, target) when set; dup2 clears close-on-exec
  std::string path;  // else open(path, flags, mode) as target
  int flags = 0;
  mode_t mode = 0;

  static SpawnFd dup(int target, int source) { return {target, source, {}, 0, 0}; }
  static SpawnFd open(int target, std::string path, int flags, mode_t mode = 0) {
    return {target, -1, std::move(path), flags, mode};
  }
};

struct SpawnOptions {
  enum class Group {
    kInherit,     // stays in our process group and session
    kNewGroup,    // a process group of its own (a signal to the group reaches its children)
    kNewSession,  // a session of its own: no controlling terminal, outlives our session
  };

  std::vector<std::string> argv;  // argv[0] is looked up on PATH unless it holds a '/'
  std::string executable;         // what to run when not argv[0] (argv[0] is then only its name)
  std::optional<std::vector<std::string>> environment;  // "NAME=value" entries; nullopt: ours
  std::string cwd;                                      // empty: ours
  Group group = Group::kInherit;
  // Every signal at its default and none blocked (a libuv or signalfd parent blocks
  // and catches signals the child must not inherit). False: inherited as fork does.
  bool default_signals = true;
  std::vector<int> signals_to_default;  // without default_signals: only these are reset
  std::vector<SpawnFd> fds;             // applied in order
  bool close_other_fds = false;         // closes every fd above 2 after `fds`
};

struct SpawnResult {
  pid_t pid = -1;
  int error = 0;            // errno when it did not start
  bool cwd_failed = false;  // the error is about entering `cwd`, not running the program
  bool started() const { return error == 0; }
};

SpawnResult spawn(const SpawnOptions& options);

// `base` (NAME=value entries, like environ) with each name in `extra` replaced by
// extra's entry.
std::vector<std::string> merged_environment(char** base, const std::vector<std::string>& extra);

}  // namespace ptt
