#include "supervise/supervisor.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/process_identity.h"
#include "core/spawn.h"
#include "supervise/agent_request.h"
#include "supervise/leftovers.h"
#include "supervise/supervisor_status.h"

extern char** environ;

namespace ptt::supervise {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

void log_line(const std::string& text) {
  std::string line = "ptt-supervise: " + text + "\n";
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

// Why the agent did not start, where the daemon reads a failed task's reason.
void note_in_stderr_log(const fs::path& log_dir, const std::string& text) {
  int fd = ::open((log_dir / "stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::string line = "ptt-taskd supervisor: " + text + "\n";
  [[maybe_unused]] ssize_t n = ::write(fd, line.data(), line.size());
  ::close(fd);
}

// stdin from /dev/null or the task's input FIFO, stdout and stderr appended to the
// task's logs, in a process group of its own so that a cancel reaches its children.
SpawnResult spawn_agent(const AgentRequest& r) {
  SpawnOptions o;
  o.argv = r.argv;
  o.environment = merged_environment(environ, r.env);
  o.cwd = r.cwd;
  o.group = SpawnOptions::Group::kNewGroup;
  // The FIFO's read end does not block to open: this server holds a write end already.
  o.fds = {r.input_fifo.empty() ? SpawnFd::open(0, "/dev/null", O_RDONLY)
                                : SpawnFd::open(0, r.input_fifo, O_RDONLY),
           SpawnFd::open(1, (r.log_dir / "stream.ndjson").string(), O_WRONLY | O_CREAT | O_APPEND, 0600),
           SpawnFd::open(2, (r.log_dir / "stderr.log").string(), O_WRONLY | O_CREAT | O_APPEND, 0600)};
  return spawn(o);
}

struct Agent {
  std::int64_t task = 0;
  int status_fd = -1;
  int input_fd = -1;  // our write end of the agent's input FIFO: no end of input while open
  std::string input;  // the first input (the prompt), written as the agent reads it
  std::size_t input_written = 0;
  bool close_input_when_written = false;
  int kill_grace_ms = 5000;
  bool cancelled = false;
  std::optional<Clock::time_point> kill_at;  // SIGKILL then, once cancelled
};

class Server {
 public:
  explicit Server(int input) : input_(input) {}
  int run();

 private:
  void read_input();
  void handle(std::string_view line);
  void start(const AgentRequest& r);
  void cancel(pid_t pid, Agent& a);
  void cancel_task(std::int64_t task);
  void close_input(std::int64_t task);
  void write_input(Agent& a);
  void read_signals();
  void reap();
  void kill_overdue();
  int poll_timeout_ms() const;
  void report_lost(std::int64_t task, const std::string& why);

  int input_;
  bool input_open_ = true;
  int signals_ = -1;
  std::string pending_;
  std::map<pid_t, Agent> agents_;
};

int Server::run() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, cancel_signal());
  sigaddset(&mask, close_input_signal());
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  signals_ = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signals_ < 0) {
    log_line(std::string("cannot watch signals: ") + std::strerror(errno));
    return 1;
  }
  ::fcntl(input_, F_SETFL, ::fcntl(input_, F_GETFL) | O_NONBLOCK);
  std::vector<pollfd> fds;
  while (input_open_ || !agents_.empty()) {
    fds.assign({{input_open_ ? input_ : -1, POLLIN, 0}, {signals_, POLLIN, 0}});
    for (const auto& [pid, a] : agents_) {  // first inputs not written whole yet
      if (a.input_fd >= 0 && a.input_written < a.input.size()) fds.push_back({a.input_fd, POLLOUT, 0});
    }
    if (::poll(fds.data(), fds.size(), poll_timeout_ms()) < 0 && errno != EINTR) {
      log_line(std::string("poll: ") + std::strerror(errno));
      return 1;
    }
    // Requests first: a signal about a task never comes before its request.
    if (fds[0].revents) read_input();
    if (fds[1].revents) read_signals();
    for (auto& [pid, a] : agents_) write_input(a);
    kill_overdue();
  }
  return 0;
}

void Server::read_input() {
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(input_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {  // the daemon is gone or let us go: finish the running agents
      input_open_ = false;
      ::close(input_);
      return;
    }
    // The daemon is the only writer and bounds its requests' size.
    pending_.append(buf, static_cast<std::size_t>(n));
    std::size_t begin = 0;
    for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n', begin)) {
      handle(std::string_view(pending_).substr(begin, nl - begin));
      begin = nl + 1;
    }
    pending_.erase(0, begin);
  }
}

void Server::handle(std::string_view line) {
  auto request = parse_supervisor_request(line);
  if (!request) {
    log_line("skipped a request it cannot read: " + std::string(line.substr(0, 200)));
  } else if (const auto* cancel = std::get_if<CancelAgentRequest>(&*request)) {
    cancel_task(cancel->task);
  } else if (const auto* close = std::get_if<CloseInputRequest>(&*request)) {
    close_input(close->task);
  } else {
    start(std::get<AgentRequest>(*request));
  }
}

void Server::start(const AgentRequest& r) {
  // The daemon created the file before sending the request; without it the exit
  // status has nowhere to go.
  int status_fd = open_supervisor_status(r.log_dir);
  if (status_fd < 0) {
    report_lost(r.task,
                "cannot open " + (r.log_dir / kSupervisorStatusFile).string() + ": " + std::strerror(errno));
    return;
  }
  AgentExit failed{.exit_code = 127};
  // O_RDWR: opening a FIFO so never waits for its other end.
  int input_fd = r.input_fifo.empty() ? -1 : ::open(r.input_fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (!r.input_fifo.empty() && input_fd < 0) {
    note_in_stderr_log(r.log_dir,
                       "cannot open the agent's input " + r.input_fifo + ": " + std::strerror(errno));
    if (!append_supervisor_exit(status_fd, failed))
      report_lost(r.task, std::string("cannot write its exit status: ") + std::strerror(errno));
    ::close(status_fd);
    return;
  }
  mode_t own = ::umask(r.agent_umask);  // no other thread runs here
  SpawnResult spawned = spawn_agent(r);
  ::umask(own);
  pid_t pid = spawned.pid;
  bool started = spawned.started();
  if (spawned.cwd_failed) {
    note_in_stderr_log(r.log_dir,
                       "cannot enter the task's directory " + r.cwd + ": " + std::strerror(spawned.error));
  } else if (!started) {
    failed.exec_errno = spawned.error;
    note_in_stderr_log(r.log_dir,
                       "cannot run the agent " + r.argv[0] + ": " + std::strerror(failed.exec_errno));
  }
  if (!started) {
    if (input_fd >= 0) ::close(input_fd);
    if (!append_supervisor_exit(status_fd, failed)) {
      report_lost(r.task, std::string("cannot write its exit status: ") + std::strerror(errno));
    }
    ::close(status_fd);
    return;
  }
  // Lets a daemon clean up the agent's group should this server be killed; the
  // start time lets it tell the agent from a later process with the same pid.
  if (!append_supervisor_pid(status_fd, "agent", pid, process_start_time(pid)))
    log_line("cannot record agent pid of task " + std::to_string(r.task));
  agents_[pid] = Agent{.task = r.task,
                       .status_fd = status_fd,
                       .input_fd = input_fd,
                       .input = r.first_input,
                       .input_written = 0,
                       .close_input_when_written = false,
                       .kill_grace_ms = r.kill_grace_ms,
                       .cancelled = false,
                       .kill_at = std::nullopt};
}

void Server::cancel(pid_t pid, Agent& a) {
  if (a.cancelled) return;
  a.cancelled = true;
  ::killpg(pid, SIGTERM);
  a.kill_at = Clock::now() + std::chrono::milliseconds(a.kill_grace_ms);
}

void Server::cancel_task(std::int64_t task) {
  for (auto& [pid, a] : agents_) {
    if (a.task == task) cancel(pid, a);
  }
}

void Server::close_input(std::int64_t task) {
  for (auto& [pid, a] : agents_) {
    if (a.task != task || a.input_fd < 0) continue;
    if (a.input_written < a.input.size()) {  // the prompt first: the agent must read it whole
      a.close_input_when_written = true;
      continue;
    }
    ::close(a.input_fd);
    a.input_fd = -1;
  }
}

// As much of the first input as the pipe takes now (the descriptor does not block).
void Server::write_input(Agent& a) {
  while (a.input_fd >= 0 && a.input_written < a.input.size()) {
    ssize_t n = ::write(a.input_fd, a.input.data() + a.input_written, a.input.size() - a.input_written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // full (EAGAIN): poll says when it takes more
    a.input_written += static_cast<std::size_t>(n);
  }
  if (a.input_written == a.input.size() && !a.input.empty()) {
    std::string().swap(a.input);  // a prompt may be a MiB: not kept for the agent's life
    a.input_written = 0;
    if (a.close_input_when_written && a.input_fd >= 0) {
      ::close(a.input_fd);
      a.input_fd = -1;
    }
  }
}

void Server::read_signals() {
  signalfd_siginfo si;
  while (::read(signals_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    if (si.ssi_signo == SIGCHLD) {
      reap();
    } else if (static_cast<int>(si.ssi_signo) == cancel_signal()) {
      cancel_task(static_cast<std::int64_t>(si.ssi_ptr));
    } else if (static_cast<int>(si.ssi_signo) == close_input_signal()) {
      close_input(static_cast<std::int64_t>(si.ssi_ptr));
    } else if (si.ssi_signo == SIGTERM) {
      for (auto& [pid, a] : agents_) cancel(pid, a);
    }
  }
}

// Every signal here goes to an agent not yet reaped: its pid (the group's id) is
// still ours, so it can name no other process.
void Server::reap() {
  for (;;) {
    // Look before reaping: the group is killed while the agent's zombie still holds its pid.
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
    pid_t pid = info.si_pid;
    auto it = agents_.find(pid);
    if (it != agents_.end()) {
      ::killpg(pid, SIGKILL);  // grandchildren left in the agent's group die with it
      // and so do those in sessions of their own (Claude Code's Bash tool calls)
      // (looked for only when something was re-parented to us: see has_non_agent_child)
      auto children = own_children();
      bool may_have_left = !children || has_non_agent_child(*children, agents_);
      if (int n = may_have_left ? kill_task_leftovers(it->second.task) : 0; n > 0)
        log_line("task " + std::to_string(it->second.task) + ": killed " + std::to_string(n) +
                 " process(es) its agent left behind");
    }
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return;
    if (it == agents_.end()) continue;
    AgentExit e;
    if (WIFSIGNALED(status)) {
      e.term_signal = WTERMSIG(status);
      e.exit_code = 128 + e.term_signal;
    } else {
      e.exit_code = WEXITSTATUS(status);
    }
    e.cancelled = it->second.cancelled;
    if (!append_supervisor_exit(it->second.status_fd, e)) {
      report_lost(it->second.task, std::string("cannot write its exit status: ") + std::strerror(errno));
    }
    ::close(it->second.status_fd);
    if (it->second.input_fd >= 0) ::close(it->second.input_fd);
    agents_.erase(it);
  }
}

void Server::kill_overdue() {
  auto now = Clock::now();
  for (auto& [pid, a] : agents_) {
    if (a.kill_at && *a.kill_at <= now) {
      ::killpg(pid, SIGKILL);
      a.kill_at.reset();
    }
  }
}

int Server::poll_timeout_ms() const {
  std::optional<Clock::time_point> next;
  for (const auto& [pid, a] : agents_) {
    if (a.kill_at && (!next || *a.kill_at < *next)) next = a.kill_at;
  }
  if (!next) return -1;  // nothing to time: sleep until a request or a signal
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now()).count();
  return ms < 0 ? 0 : static_cast<int>(ms);
}

void Server::report_lost(std::int64_t task, const std::string& why) {
  log_line("task " + std::to_string(task) + ": " + why);
  if (!input_open_) return;  // the daemon is gone; the next one finds no exit line
  std::string line = lost_line(task, why);
  [[maybe_unused]] ssize_t n = ::send(input_, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

int serve_agents(int input_fd) {
  ::prctl(PR_SET_NAME, "ptt-supervise");
  // Orphans of an agent (a background command outliving it) become ours, not init's,
  // so they stay findable as our descendants (leftovers.h).
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGXFSZ, SIG_IGN);  // a failed status write is reported, not a silent death
  [[maybe_unused]] int rc = ::chdir("/");
  return Server(input_fd).run();
}

int supervise_main(int argc, char**) {
  struct stat st {};
  if (argc != 1 || ::fstat(STDIN_FILENO, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    log_line("error: this runs ptt-taskd's agents and is started by ptt-taskd, not by hand");
    return 2;
  }
  ::close_range(3, ~0U, 0);  // nothing of the daemon's may leak to the agents
  return serve_agents(STDIN_FILENO);
}

}  // namespace ptt::supervise
