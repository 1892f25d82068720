#include "taskd/supervisor.h"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "taskd/record_store.h"

namespace ptt::taskd {
namespace fs = std::filesystem;

namespace {

volatile sig_atomic_t g_agent_pgid = 0;
volatile sig_atomic_t g_cancelled = 0;
int g_kill_grace_ms = 5000;

void on_cancel(int) {
  if (g_cancelled) return;
  g_cancelled = 1;
  ::killpg(g_agent_pgid, SIGTERM);
  itimerval grace{};
  grace.it_value.tv_sec = g_kill_grace_ms / 1000;
  grace.it_value.tv_usec = (g_kill_grace_ms % 1000) * 1000;
  if (grace.it_value.tv_sec == 0 && grace.it_value.tv_usec == 0) grace.it_value.tv_usec = 1;
  ::setitimer(ITIMER_REAL, &grace, nullptr);
}

void on_grace_over(int) { ::killpg(g_agent_pgid, SIGKILL); }

// Runs with every signal blocked (see start_supervisor): the daemon's libuv
// handlers must never run in this process.
void reset_signal_handlers() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);  // fails harmlessly for KILL/STOP
}

void redirect(int target, const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  ::dup2(fd, target);  // dup2 clears O_CLOEXEC on the target
  if (fd != target) ::close(fd);
}

void log_line(const std::string& text) {
  std::string line = "ptt-taskd supervisor: " + text + "\n";
  [[maybe_unused]] ssize_t n = ::write(2, line.data(), line.size());
}

[[noreturn]] void run_agent(const SupervisorSpec& spec, int exec_error_fd, const sigset_t& old_mask) {
  ::setpgid(0, 0);
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  ::umask(spec.agent_umask);
  if (::chdir(spec.cwd.c_str()) != 0) {
    log_line(fmt::format("cannot enter the task's directory {}: {}", spec.cwd, std::strerror(errno)));
    ::_exit(127);
  }
  for (const auto& kv : spec.env) ::putenv(const_cast<char*>(kv.c_str()));
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  int err = errno;
  [[maybe_unused]] ssize_t n = ::write(exec_error_fd, &err, sizeof err);
  log_line(fmt::format("cannot run the agent {}: {}", spec.argv[0], std::strerror(err)));
  ::_exit(127);
}

[[noreturn]] void supervise(const SupervisorSpec& spec) {
  reset_signal_handlers();
  ::setsid();
  ::close_range(3, ~0U, 0);  // the daemon's sockets, epoll and inotify fds
  redirect(0, "/dev/null", O_RDONLY);
  redirect(1, spec.log_dir / "stream.ndjson", O_WRONLY | O_CREAT | O_APPEND);
  redirect(2, spec.log_dir / "stderr.log", O_WRONLY | O_CREAT | O_APPEND);
  write_file_atomically(spec.log_dir / "supervisor.pid", std::to_string(::getpid()) + "\n");
  ::prctl(PR_SET_NAME, "ptt-supervise");

  // Hold SIGTERM until the agent's group exists, so a cancel is never lost;
  // the agent itself starts with nothing blocked.
  sigset_t term, old_mask;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigemptyset(&old_mask);
  ::sigprocmask(SIG_SETMASK, &term, nullptr);
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) ::_exit(1);
  pid_t agent = ::fork();
  if (agent == 0) run_agent(spec, exec_pipe[1], old_mask);
  ::close(exec_pipe[1]);
  AgentExit result;
  if (agent < 0) {
    result.exec_errno = errno;
  } else {
    ::setpgid(agent, agent);  // also done by the child; whichever runs first wins
    g_agent_pgid = agent;
    // Lets the daemon clean up the agent's group should this supervisor be killed.
    try {
      write_file_atomically(spec.log_dir / "agent.pid", std::to_string(agent) + "\n");
    } catch (const std::exception&) {
    }
    g_kill_grace_ms = spec.kill_grace_ms;
    struct sigaction sa {};
    sa.sa_handler = on_cancel;
    ::sigaction(SIGTERM, &sa, nullptr);
    sa.sa_handler = on_grace_over;
    ::sigaction(SIGALRM, &sa, nullptr);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);

    int err = 0;
    ssize_t n;
    while ((n = ::read(exec_pipe[0], &err, sizeof err)) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof err)) result.exec_errno = err;
    int status = 0;
    while (::waitpid(agent, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
      result.term_signal = WTERMSIG(status);
      result.exit_code = 128 + result.term_signal;
    } else {
      result.exit_code = WEXITSTATUS(status);
    }
    ::killpg(agent, SIGKILL);  // grandchildren left in the agent's group die with it
  }
  ::close(exec_pipe[0]);
  result.cancelled = g_cancelled != 0;
  try {
    write_file_atomically(spec.log_dir / "exit.json", exit_to_json(result));
  } catch (const std::exception& e) {
    log_line(fmt::format("cannot write exit.json: {}", e.what()));
    ::_exit(1);
  }
  ::_exit(0);
}

}  // namespace

pid_t start_supervisor(const SupervisorSpec& spec) {
  // Block everything across fork so no signal reaches the child before its
  // handlers are reset (a cancel that early stays pending, not lost).
  sigset_t all, old;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::fork();
  if (pid == 0) supervise(spec);
  int fork_errno = errno;
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  errno = fork_errno;
  return pid;
}

std::string exit_to_json(const AgentExit& e) {
  nlohmann::json j = {{"exit_code", e.exit_code},
                      {"signal", e.term_signal},
                      {"exec_errno", e.exec_errno},
                      {"cancelled", e.cancelled}};
  return j.dump() + "\n";
}

std::optional<AgentExit> read_exit_file(const fs::path& path) {
  std::string text = read_file(path);
  if (text.empty()) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(text);
    AgentExit e;
    e.exit_code = j.value("exit_code", 0);
    e.term_signal = j.value("signal", 0);
    e.exec_errno = j.value("exec_errno", 0);
    e.cancelled = j.value("cancelled", false);
    return e;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool supervisor_alive(pid_t pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) return false;
  std::string comm = read_file(fs::path("/proc") / std::to_string(pid) / "comm");
  return comm.rfind("ptt-supervise", 0) == 0;
}

}  // namespace ptt::taskd
