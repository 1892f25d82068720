#include "supervise/leftovers.h"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace ptt::supervise {

namespace {

constexpr std::string_view kTagName = "PTT_TASK_ID=";

std::string read_small_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[8192];
  ssize_t n;
  // An environment is small; 256 KiB is plenty and bounds the read.
  while (out.size() < (256u << 10) && (n = ::read(fd, buf, sizeof buf)) > 0)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

// The parent pid from /proc/PID/stat: field 4, after the command name in parentheses.
pid_t parent_from_stat(const std::string& stat) {
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 4 >= stat.size()) return 0;
  // ") S PPID ..."
  return static_cast<pid_t>(std::strtol(stat.c_str() + close + 4, nullptr, 10));
}

std::string tag_from_environ(const std::string& env) {
  std::size_t begin = 0;
  while (begin < env.size()) {
    std::size_t end = env.find('\0', begin);
    if (end == std::string::npos) end = env.size();
    std::string_view entry(env.data() + begin, end - begin);
    if (entry.substr(0, kTagName.size()) == kTagName) return std::string(entry.substr(kTagName.size()));
    begin = end + 1;
  }
  return {};
}

}  // namespace

std::vector<pid_t> leftover_pids(const std::map<pid_t, ProcessInfo>& processes, pid_t ancestor,
                                 const std::string& task) {
  std::vector<pid_t> out;
  for (const auto& [pid, info] : processes) {
    if (pid == ancestor) continue;
    std::string owner;
    bool below_ancestor = false;
    pid_t at = pid;
    // Bounded: a chain of parents is never longer than the process table.
    for (std::size_t steps = 0; steps <= processes.size(); ++steps) {
      auto it = processes.find(at);
      if (it == processes.end()) break;
      if (owner.empty()) owner = it->second.task_tag;
      if (it->second.parent == ancestor) {
        below_ancestor = true;
        break;
      }
      at = it->second.parent;
    }
    if (below_ancestor && owner == task) out.push_back(pid);
  }
  return out;
}

int kill_task_leftovers(std::int64_t task) {
  std::map<pid_t, ProcessInfo> processes;
  DIR* proc = ::opendir("/proc");
  if (!proc) return 0;
  while (dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    std::string base = std::string("/proc/") + e->d_name;
    ProcessInfo info{.parent = parent_from_stat(read_small_file(base + "/stat")), .task_tag = {}};
    if (info.parent == 0) continue;  // gone meanwhile, or a kernel thread's root
    info.task_tag = tag_from_environ(read_small_file(base + "/environ"));
    processes[static_cast<pid_t>(pid)] = std::move(info);
  }
  ::closedir(proc);
  int killed = 0;
  // Each is our descendant, alive or a zombie not yet reaped by its parent in the tree,
  // so its pid still names it.
  for (pid_t pid : leftover_pids(processes, ::getpid(), std::to_string(task))) {
    if (::kill(pid, SIGKILL) == 0) ++killed;
  }
  return killed;
}

std::optional<std::vector<pid_t>> own_children() {
  DIR* threads = ::opendir("/proc/self/task");
  if (!threads) return std::nullopt;
  std::vector<pid_t> children;
  bool listed = false;
  while (dirent* e = ::readdir(threads)) {
    if (e->d_name[0] == '.') continue;
    int fd =
        ::open((std::string("/proc/self/task/") + e->d_name + "/children").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    listed = true;
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    for (const char* p = text.c_str(); *p;) {
      char* end = nullptr;
      long pid = std::strtol(p, &end, 10);
      if (end == p) break;
      children.push_back(static_cast<pid_t>(pid));
      p = end;
    }
  }
  ::closedir(threads);
  if (!listed) return std::nullopt;
  return children;
}

}  // namespace ptt::supervise
