#include "taskd/change_count.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

namespace ptt::taskd {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Count : std::enable_shared_from_this<Count> {
  ChildCommands& commands;
  ChangeCountJob job;
  fs::path index, numstat, log;

  Count(ChildCommands& c, ChangeCountJob j)
      : commands(c),
        job(std::move(j)),
        index(job.log_dir / "changes.index"),
        numstat(job.log_dir / "changes.numstat"),
        log(job.log_dir / "worktree.log") {}

  void git(std::vector<std::string> args, const fs::path& out, std::function<void(int)> next) {
    std::vector<std::string> argv{"git", "-C", job.worktree.path};
    argv.insert(argv.end(), args.begin(), args.end());
    commands.run({.argv = std::move(argv),
                  .cwd = job.worktree.path,
                  .stdout_file = out.string(),
                  .stderr_file = log.string(),
                  .extra_env = {"GIT_INDEX_FILE=" + index.string()}},
                 std::move(next));
  }

  void finish(std::optional<protocol::WorktreeChanges> changes) {
    std::error_code ec;
    fs::remove(index, ec);
    fs::remove(numstat, ec);
    job.done(changes);
  }

  void start() {
    std::error_code ec;
    if (!job.worktree.base_commit || !fs::is_directory(job.worktree.path, ec)) return finish(std::nullopt);
    // A copy keeps the index's stat cache: `add -A` then reads only the files that changed.
    fs::path own = worktree_index(job.worktree.path);
    if (own.empty() || !fs::copy_file(own, index, fs::copy_options::overwrite_existing, ec))
      fs::remove(index, ec);
    auto self = shared_from_this();
    git({"add", "-A", "--", "."}, numstat, [self](int status) {
      if (status != 0) return self->finish(std::nullopt);
      self->git({"diff", "--cached", "--numstat", *self->job.worktree.base_commit, "--"}, self->numstat,
                [self](int status) {
                  if (status != 0) return self->finish(std::nullopt);
                  self->finish(protocol::changes_of_numstat(read_file(self->numstat)));
                });
    });
  }
};

}  // namespace

fs::path worktree_index(const fs::path& path) {
  // A linked worktree's `.git` is a file: "gitdir: /repo/.git/worktrees/<name>".
  std::string text = read_file(path / ".git");
  constexpr std::string_view kPrefix = "gitdir: ";
  if (text.rfind(kPrefix, 0) != 0) return {};
  std::string dir = text.substr(kPrefix.size(), text.find('\n') - kPrefix.size());
  fs::path git_dir = fs::path(dir).is_absolute() ? fs::path(dir) : path / dir;
  return git_dir / "index";
}

void count_worktree_changes(ChildCommands& commands, ChangeCountJob job) {
  std::make_shared<Count>(commands, std::move(job))->start();
}

}  // namespace ptt::taskd
