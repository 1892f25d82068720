#include "core/spawn.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <string_view>

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

extern char** environ;

namespace ptt {

namespace {

std::vector<char*> pointers_to(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// The directory, opened here so that a missing or unsearchable one is told apart
// from a program that cannot run (posix_spawn reports both as one errno), and the
// child enters exactly the directory that was checked.
int open_directory(const std::string& cwd) {
  int fd = ::open(cwd.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  if (::access(cwd.c_str(), X_OK) != 0) {
    int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

short flags_for(const SpawnOptions& o) {
  short flags = 0;
  if (o.default_signals) flags |= POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (!o.default_signals && !o.signals_to_default.empty()) flags |= POSIX_SPAWN_SETSIGDEF;
  if (o.group == SpawnOptions::Group::kNewGroup) flags |= POSIX_SPAWN_SETPGROUP;
  if (o.group == SpawnOptions::Group::kNewSession) flags |= POSIX_SPAWN_SETSID;
  return flags;
}

}  // namespace

SpawnResult spawn(const SpawnOptions& o) {
  SpawnResult result;
  if (o.argv.empty()) {
    result.error = EINVAL;
    return result;
  }
  int dir_fd = -1;
  if (!o.cwd.empty() && (dir_fd = open_directory(o.cwd)) < 0) {
    result.error = errno;
    result.cwd_failed = true;
    return result;
  }

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, to_default;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  if (o.default_signals) {
    sigfillset(&to_default);
  } else {
    sigemptyset(&to_default);
    for (int sig : o.signals_to_default) sigaddset(&to_default, sig);
  }
  posix_spawnattr_setsigdefault(&attr, &to_default);
  posix_spawnattr_setpgroup(&attr, 0);  // with SETPGROUP: a group led by the child
  posix_spawnattr_setflags(&attr, flags_for(o));

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  // First, so relative paths below are the child's, as after a chdir.
  if (dir_fd >= 0) posix_spawn_file_actions_addfchdir_np(&files, dir_fd);
  for (const SpawnFd& fd : o.fds) {
    if (fd.source >= 0) {
      posix_spawn_file_actions_adddup2(&files, fd.source, fd.target);
    } else {
      posix_spawn_file_actions_addopen(&files, fd.target, fd.path.c_str(), fd.flags, fd.mode);
    }
  }
  if (o.close_other_fds) posix_spawn_file_actions_addclosefrom_np(&files, 3);

  std::vector<char*> argv = pointers_to(o.argv);
  std::vector<char*> envp;
  if (o.environment) envp = pointers_to(*o.environment);
  const std::string& program = o.executable.empty() ? o.argv[0] : o.executable;
  result.error = ::posix_spawnp(&result.pid, program.c_str(), &files, &attr, argv.data(),
                                o.environment ? envp.data() : environ);
  if (result.error != 0) result.pid = -1;
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (dir_fd >= 0) ::close(dir_fd);
  return result;
}

std::vector<std::string> merged_environment(char** base, const std::vector<std::string>& extra) {
  auto name_of = [](std::string_view kv) { return kv.substr(0, kv.find('=') + 1); };
  std::vector<std::string> out;
  for (char** e = base; e && *e; ++e) {
    std::string_view kv(*e);
    bool replaced = std::any_of(extra.begin(), extra.end(),
                                [&](const std::string& x) { return name_of(x) == name_of(kv); });
    if (!replaced) out.emplace_back(kv);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

}  // namespace ptt
