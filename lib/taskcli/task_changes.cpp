#include "taskcli/task_changes.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/spawn.h"

extern char** environ;

namespace ptt::taskcli {
namespace fs = std::filesystem;

namespace {

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

GitRun run_git(const std::string& dir, const std::vector<std::string>& args,
               const std::vector<std::string>& env) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return {};
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]), ::close(out[1]);
    return {};
  }
  SpawnOptions o;
  o.argv = {"git", "-C", dir};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  if (!env.empty()) o.environment = merged_environment(environ, env);
  o.fds = {SpawnFd::open(0, "/dev/null", O_RDONLY), SpawnFd::dup(1, out[1]), SpawnFd::dup(2, err[1])};
  SpawnResult r = spawn(o);
  ::close(out[1]), ::close(err[1]);
  GitRun run;
  if (r.started()) {
    // stderr is small (a message), so reading stdout to its end first cannot deadlock
    // on any git we run here; what is left of stderr follows.
    run.out = read_all(out[0]);
    run.err = read_all(err[0]);
    run.status = wait_for(r.pid);
  } else {
    run.err = std::strerror(r.error);
  }
  ::close(out[0]), ::close(err[0]);
  return run;
}

WorktreeSnapshot::WorktreeSnapshot(const protocol::TaskWorktree& worktree) : worktree_(worktree) {
  std::error_code ec;
  if (!worktree.base_commit)
    throw std::runtime_error("the task's worktree was never made (see `ptt-task status`); nothing to show");
  if (!fs::is_directory(worktree.path, ec))
    throw std::runtime_error(
        fmt::format("the task's worktree {} is gone (discarded or cleaned)", worktree.path));
  GitRun index = run_git(worktree.path, {"rev-parse", "--path-format=absolute", "--git-path", "index"});
  if (index.status != 0)
    throw std::runtime_error(
        fmt::format("git cannot read the worktree {}: {}", worktree.path, trimmed(index.err)));
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/ptt-task-diff.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error(
        fmt::format("cannot make a temporary directory {}: {}", pattern, std::strerror(errno)));
  temp_dir_ = pattern;
  std::string temp_index = temp_dir_ + "/index";
  // A copy keeps the real index's file stat cache: `add -A` then reads only what changed.
  fs::copy_file(trimmed(index.out), temp_index, ec);
  env_ = {"GIT_INDEX_FILE=" + temp_index};
  GitRun add = run_git(worktree.path, {"add", "-A", "--", "."}, env_);
  if (add.status != 0) {
    fs::remove_all(temp_dir_, ec);
    throw std::runtime_error(fmt::format("git add in {} failed: {}", worktree.path, trimmed(add.err)));
  }
}

WorktreeSnapshot::~WorktreeSnapshot() {
  std::error_code ec;
  fs::remove_all(temp_dir_, ec);
}

GitRun WorktreeSnapshot::diff(const std::vector<std::string>& args) const {
  std::vector<std::string> all{"diff", "--cached"};
  all.insert(all.end(), args.begin(), args.end());
  all.push_back(*worktree_.base_commit);
  all.push_back("--");
  return run_git(worktree_.path, all, env_);
}

int WorktreeSnapshot::show_diff(const std::vector<std::string>& args) const {
  SpawnOptions o;
  o.argv = {"git", "-C", worktree_.path, "diff", "--cached"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.argv.push_back(*worktree_.base_commit);
  o.argv.push_back("--");
  o.environment = merged_environment(environ, env_);
  o.default_signals = false;  // git's pager handles the terminal's signals as it always does
  SpawnResult r = spawn(o);
  if (!r.started()) throw std::runtime_error(fmt::format("cannot run git: {}", std::strerror(r.error)));
  return wait_for(r.pid);
}

std::string WorktreeSnapshot::summary() const {
  return protocol::change_summary(protocol::changes_of_numstat(diff({"--numstat"}).out));
}

std::optional<std::string> task_change_summary(const protocol::TaskRecord& t) {
  if (!t.worktree || !t.worktree->base_commit) return std::nullopt;
  try {
    return WorktreeSnapshot(*t.worktree).summary();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace ptt::taskcli
