#include "taskd/worktree_prepare.h"

#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

namespace ptt::taskd {
namespace fs = std::filesystem;
using protocol::FailureReason;

namespace {

constexpr std::size_t kDetailBytes = 4000;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string tail_of(std::string s) {
  if (s.size() > kDetailBytes) s.erase(0, s.size() - kDetailBytes);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string status_text(int status) {
  if (status < 0)
    return fmt::format("could not start: {}", std::error_code(-status, std::generic_category()).message());
  if (status > 128) return fmt::format("killed by signal {}", status - 128);
  return fmt::format("exited with status {}", status);
}

// `git worktree add`s of one repository, one at a time: two at once race inside git
// (one reads .git/worktrees/ while the other is making its entry there: "fatal: failed
// to read .git/worktrees/NAME/commondir"), and tasks of one project are often spawned
// together. The daemon runs one loop thread, so a plain map is enough.
class RepoTurns {
 public:
  // Runs `step` now if no add of `repo` is under way, else after the ones before it.
  static void take(const std::string& repo, std::function<void()> step) {
    auto [it, free] = waiting().try_emplace(repo);
    if (free) return step();
    it->second.push_back(std::move(step));
  }
  // The add of `repo` that had the turn is over: the next one starts.
  static void pass(const std::string& repo) {
    auto it = waiting().find(repo);
    if (it == waiting().end()) return;
    if (it->second.empty()) {
      waiting().erase(it);
      return;
    }
    std::function<void()> next = std::move(it->second.front());
    it->second.pop_front();
    next();
  }

 private:
  static std::map<std::string, std::deque<std::function<void()>>>& waiting() {
    static std::map<std::string, std::deque<std::function<void()>>> queues;
    return queues;
  }
};

// One preparation: its steps run one after another, each from the previous one's end.
struct Preparation : std::enable_shared_from_this<Preparation> {
  ChildCommands& commands;
  WorktreeJob job;
  WorktreeOutcome outcome;
  fs::path out_file, err_file;

  Preparation(ChildCommands& c, WorktreeJob j)
      : commands(c),
        job(std::move(j)),
        out_file(job.log_dir / "worktree.out"),
        err_file(job.log_dir / "worktree.log") {}

  const protocol::TaskWorktree& wt() const { return job.worktree; }

  void git(std::vector<std::string> args, std::function<void(int, std::string)> next) {
    std::vector<std::string> argv{"git", "-C", wt().repo};
    argv.insert(argv.end(), args.begin(), args.end());
    auto self = shared_from_this();
    pid_t pid = commands.run({.argv = argv,
                              .cwd = wt().repo,
                              .stdout_file = out_file.string(),
                              .stderr_file = err_file.string(),
                              .extra_env = {}},
                             [self, next](int status) { next(status, read_file(self->out_file)); });
    if (pid > 0 && job.on_child) job.on_child(pid);
  }

  void fail(FailureReason reason, std::string detail) {
    outcome.ok = false;
    outcome.reason = reason;
    outcome.detail = std::move(detail);
    job.done(std::move(outcome));
  }

  void git_failed(std::string what, int status) {
    std::string said = tail_of(read_file(err_file));
    fail(FailureReason::kWorktreeFailed, fmt::format("{} in {} failed ({}){}{}", what, wt().repo,
                                                     status_text(status), said.empty() ? "" : ": ", said));
  }

  void start() {
    std::error_code ec;
    fs::create_directories(job.log_dir, ec);
    fs::create_directories(fs::path(wt().path).parent_path(), ec);
    if (ec) {
      return fail(
          FailureReason::kWorktreeFailed,
          fmt::format("cannot create {}: {}", fs::path(wt().path).parent_path().string(), ec.message()));
    }
    auto self = shared_from_this();
    git({"rev-parse", "--verify", "--end-of-options", wt().base + "^{commit}"},
        [self](int status, std::string out) {
          if (status != 0)
            return self->git_failed(fmt::format("resolving the base {}", self->wt().base), status);
          self->outcome.base_commit = first_line(out);
          self->find_base_branch();
        });
  }

  // `base` never starts with a dash (the protocol refuses one), so it is no option here.
  void find_base_branch() {
    auto self = shared_from_this();
    git({"rev-parse", "--symbolic-full-name", wt().base}, [self](int status, std::string out) {
      std::string ref = first_line(out);
      if (status == 0 && ref.rfind("refs/heads/", 0) == 0) self->outcome.base_branch = ref;
      self->add_worktree();
    });
  }

  void add_worktree() {
    auto self = shared_from_this();
    RepoTurns::take(wt().repo, [self] {
      self->git(
          {"worktree", "add", "--quiet", "-b", self->wt().branch, self->wt().path, self->outcome.base_commit},
          [self](int status, std::string) {
            RepoTurns::pass(self->wt().repo);
            if (status != 0) return self->git_failed("git worktree add", status);
            self->copy_includes();
          });
    });
  }

  void copy_includes() {
    fs::path list = fs::path(wt().repo) / ".worktreeinclude";
    std::error_code ec;
    if (!fs::is_regular_file(list, ec)) return setup();
    auto self = shared_from_this();
    git({"ls-files", "-z", "--others", "--ignored", "--exclude-from=" + list.string()},
        [self](int status, std::string out) {
          if (status != 0) return self->git_failed("listing the files .worktreeinclude names", status);
          if (std::string why = copy_included(out, self->wt().repo, self->wt().path); !why.empty())
            return self->fail(FailureReason::kWorktreeFailed, why);
          self->setup();
        });
  }

  void setup() {
    if (!wt().setup) return succeed();
    fs::path log = job.log_dir / "setup.log";
    auto self = shared_from_this();
    pid_t pid = commands.run({.argv = {"/bin/sh", "-c", *wt().setup},
                              .cwd = wt().path,
                              .stdout_file = log.string(),
                              .stderr_file = log.string(),
                              .extra_env = job.setup_env},
                             [self, log](int status) {
                               if (status == 0) return self->succeed();
                               std::string said = tail_of(read_file(log));
                               self->fail(FailureReason::kSetupFailed,
                                          fmt::format("the setup command {}{}{}", status_text(status),
                                                      said.empty() ? "" : ": ", said));
                             });
    if (pid > 0 && job.on_child) job.on_child(pid);
  }

  void succeed() {
    outcome.ok = true;
    job.done(std::move(outcome));
  }
};

}  // namespace

std::string copy_included(const std::string& ls_files_z, const fs::path& repo, const fs::path& worktree) {
  std::size_t from = 0;
  while (from < ls_files_z.size()) {
    std::size_t end = ls_files_z.find('\0', from);
    if (end == std::string::npos) end = ls_files_z.size();
    fs::path rel = ls_files_z.substr(from, end - from);
    from = end + 1;
    if (rel.empty() || rel.is_absolute()) continue;
    std::error_code ec;
    fs::create_directories((worktree / rel).parent_path(), ec);
    fs::copy(repo / rel, worktree / rel,
             fs::copy_options::overwrite_existing | fs::copy_options::copy_symlinks, ec);
    if (ec) return fmt::format("cannot copy {} into the worktree: {}", (repo / rel).string(), ec.message());
  }
  return {};
}

void prepare_worktree(ChildCommands& commands, WorktreeJob job) {
  std::make_shared<Preparation>(commands, std::move(job))->start();
}

}  // namespace ptt::taskd
