#include "taskd/supervisor_launch.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include "core/version.h"
#include "taskd/record_store.h"

extern char** environ;

namespace ptt::taskd {
namespace fs = std::filesystem;

std::optional<std::string> find_supervisor_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (const fs::path& candidate :
       {self.parent_path() / "ptt-supervise", self.parent_path() / PTT_SUPERVISE_FROM_BIN / "ptt-supervise"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

pid_t start_supervisor(const SupervisorSpec& spec, const std::string& executable) {
  std::vector<std::string> args = {"ptt-supervise",
                                   spec.log_dir.string(),
                                   spec.cwd,
                                   std::to_string(spec.kill_grace_ms),
                                   std::to_string(spec.agent_umask),
                                   "--"};
  args.insert(args.end(), spec.argv.begin(), spec.argv.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    bool replaced = std::any_of(spec.env.begin(), spec.env.end(), [&](const std::string& extra) {
      auto eq = extra.find('=');
      return kv.substr(0, eq + 1) == std::string_view(extra).substr(0, eq + 1);
    });
    if (!replaced) env_store.emplace_back(kv);
  }
  env_store.insert(env_store.end(), spec.env.begin(), spec.env.end());
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  // The daemon's libuv signal handlers must never run in the child: every
  // signal starts at its default, and SIGTERM stays blocked (see supervise).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t term, all;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &term);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  std::string stream = (spec.log_dir / "stream.ndjson").string(),
              err = (spec.log_dir / "stderr.log").string();
  posix_spawn_file_actions_addopen(&files, 1, stream.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_addopen(&files, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, executable.c_str(), &files, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  return pid;
}


bool supervisor_alive(pid_t pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) return false;
  std::string comm = read_file(fs::path("/proc") / std::to_string(pid) / "comm");
  return comm.rfind("ptt-supervise", 0) == 0;
}


}  // namespace ptt::taskd
