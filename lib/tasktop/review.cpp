#include "tasktop/review.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include "taskcli/task_changes.h"
#include "taskcli/text.h"
#include "tasktop/signals.h"

namespace ptt::tasktop {

namespace {

// A file in memory: a child's output, or the diff for the pager's stdin. Nothing on disk,
// and no pipe to keep draining (or to break) while the child runs.
class Memfd {
 public:
  Memfd() : fd_(::memfd_create("ptt-top", MFD_CLOEXEC)) {
    if (fd_ < 0)
      throw std::runtime_error(fmt::format("cannot make a memory file ({})", std::strerror(errno)));
  }
  ~Memfd() { ::close(fd_); }
  Memfd(const Memfd&) = delete;
  Memfd& operator=(const Memfd&) = delete;
  int fd() const { return fd_; }

  void write_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        throw std::runtime_error(fmt::format("cannot write a memory file ({})", std::strerror(errno)));
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    ::lseek(fd_, 0, SEEK_SET);
  }

  std::string read_all() const {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0)
      out.append(buf, static_cast<std::size_t>(n));
    return out;
  }

 private:
  int fd_;
};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

SpawnOptions ptt_task_command(const DashboardOptions& o, const std::vector<std::string>& args) {
  SpawnOptions c;
  c.executable = o.ptt_task;
  c.argv = {"ptt-task", "--socket", o.connect.socket.string(), "--no-autostart"};
  if (o.connect.reply_timeout.count() > 0) {  // ours, so it says "not answering" as we do
    std::string seconds = fmt::format("{:g}", static_cast<double>(o.connect.reply_timeout.count()) / 1000.0);
    c.argv.insert(c.argv.end(), {"--timeout", seconds});
  }
  c.argv.insert(c.argv.end(), args.begin(), args.end());
  c.default_signals = false;  // as a forked child: what we ignore stays ignored
  return c;
}

ReviewOutcome show_diff_in_pager(Screen& screen, const protocol::TaskRecord& t, bool color) {
  std::string label =
      t.name ? fmt::format("{} ({})", t.id, taskcli::one_line(*t.name)) : std::to_string(t.id);
  if (!t.worktree || !t.worktree->base_commit)
    return {false, fmt::format("task {}'s worktree was never made; no diff to show", label)};
  taskcli::GitRun diff;
  try {
    taskcli::WorktreeSnapshot snapshot(*t.worktree);
    diff = snapshot.diff({color ? "--color=always" : "--no-color"});
  } catch (const std::runtime_error& e) {
    return {false, fmt::format("task {}: {}", label, e.what())};
  }
  if (diff.status != 0) return {false, fmt::format("task {}: git diff failed: {}", label, trimmed(diff.err))};
  if (diff.out.empty()) return {true, fmt::format("task {} changed nothing since its base", label)};
  Memfd text;
  text.write_all(diff.out);
  // $PAGER as git and man run it (a command line for the shell), else less keeping colours.
  const char* pager = std::getenv("PAGER");
  SpawnOptions p;
  bool own_pager = pager && *pager;
  p.argv =
      own_pager ? std::vector<std::string>{"/bin/sh", "-c", pager} : std::vector<std::string>{"less", "-R"};
  p.fds = {SpawnFd::dup(0, text.fd())};
  p.default_signals = false;  // the pager takes the terminal's signals as a shell's child would
  screen.suspend();
  SpawnResult started = spawn(p);
  ChildEnd end = started.started() ? wait_child(started.pid) : ChildEnd{};
  screen.resume();
  std::string shown = own_pager ? fmt::format("$PAGER ({})", pager) : "less -R";
  if (!started.started())
    return {false, fmt::format("cannot run {} ({}); set PAGER", shown, std::strerror(started.error)),
            end.quit};
  if (end.status != 0 && !end.quit)
    return {false, fmt::format("{} exited with status {}; set PAGER", shown, end.status), end.quit};
  return {true, {}, end.quit};
}

ReviewOutcome run_ptt_task(const DashboardOptions& o, const std::vector<std::string>& args) {
  Memfd out, err;
  SpawnOptions c = ptt_task_command(o, args);
  c.fds = {SpawnFd::open(0, "/dev/null", O_RDONLY), SpawnFd::dup(1, out.fd()), SpawnFd::dup(2, err.fd())};
  SpawnResult started = spawn(c);
  if (!started.started())
    return {false, fmt::format("cannot run ptt-task ({})", std::strerror(started.error))};
  ChildEnd end = wait_child(started.pid);
  std::string said = trimmed(end.status == 0 ? out.read_all() : err.read_all());
  if (said.rfind("ptt-task: error: ", 0) == 0) said.erase(0, 17);
  if (said.empty()) said = fmt::format("ptt-task {} exited with status {}", args.front(), end.status);
  return {end.status == 0, taskcli::one_line(said), end.quit};
}

}  // namespace ptt::tasktop
