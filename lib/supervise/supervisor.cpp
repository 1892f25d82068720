#include "supervise/supervisor.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise/supervisor_status.h"

extern char** environ;

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

void log_line(const std::string& text) {
  std::string line = "ptt-taskd supervisor: " + text + "\n";
  [[maybe_unused]] ssize_t n = ::write(2, line.data(), line.size());
}

// posix_spawn with vfork semantics: cheap, and exec errors come back as the result.
int spawn_agent(const std::vector<std::string>& args, pid_t& pid) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group, so cancel reaches its children
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int rc = ::posix_spawnp(&pid, argv[0], nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  return rc;
}

AgentExit supervise(const SupervisorSpec& spec, int status_fd) {
  AgentExit result;
  // SIGTERM (cancel) stays blocked, as the daemon spawned us, until the agent's
  // group exists: an early cancel waits instead of being lost.
  struct sigaction sa {};
  sa.sa_handler = on_cancel;
  ::sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_grace_over;
  ::sigaction(SIGALRM, &sa, nullptr);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGXFSZ, SIG_IGN);  // a failed status write is reported, not a silent death
  g_kill_grace_ms = spec.kill_grace_ms;

  if (::chdir(spec.cwd.c_str()) != 0) {
    log_line("cannot enter the task's directory " + spec.cwd + ": " + std::strerror(errno));
    result.exit_code = 127;
    return result;
  }
  ::umask(spec.agent_umask);
  pid_t agent = 0;
  if (int err = spawn_agent(spec.argv, agent); err != 0) {
    log_line("cannot run the agent " + spec.argv[0] + ": " + std::strerror(err));
    result.exec_errno = err;
    result.exit_code = 127;
    return result;
  }
  g_agent_pgid = agent;
  // Lets the daemon clean up the agent's group should this supervisor be killed.
  append_supervisor_pid(status_fd, "agent", agent);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

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
  return result;
}

}  // namespace

int supervise_main(int argc, char** argv) {
  // ptt-supervise LOG_DIR CWD GRACE_MS UMASK -- AGENT ARGV...
  if (argc < 7 || std::string_view(argv[5]) != "--") {
    log_line("usage: ptt-supervise LOG_DIR CWD GRACE_MS UMASK -- AGENT [ARGS...] (started by ptt-taskd)");
    return 2;
  }
  SupervisorSpec spec;
  spec.log_dir = argv[1];
  spec.cwd = argv[2];
  spec.kill_grace_ms = std::atoi(argv[3]);
  spec.agent_umask = static_cast<mode_t>(std::atoi(argv[4]));
  spec.argv.assign(argv + 6, argv + argc);
  return run_supervisor(spec);
}

int run_supervisor(const SupervisorSpec& spec) {
  ::prctl(PR_SET_NAME, "ptt-supervise");
  ::close_range(3, ~0U, 0);  // nothing of the daemon's may leak to the agent
  for (const auto& kv : spec.env) ::putenv(const_cast<char*>(kv.c_str()));
  // The daemon created the file before starting us; without it the exit status
  // has nowhere to go, and the daemon reports the task's supervisor as lost.
  int status_fd = open_supervisor_status(spec.log_dir);
  if (status_fd < 0 || !append_supervisor_pid(status_fd, "supervisor", ::getpid())) {
    log_line("cannot write " + (spec.log_dir / kSupervisorStatusFile).string() + ": " + std::strerror(errno));
  }
  AgentExit result = supervise(spec, status_fd);
  result.cancelled = g_cancelled != 0;
  if (status_fd < 0 || !append_supervisor_exit(status_fd, result)) {
    log_line(std::string("cannot write the exit status: ") + std::strerror(errno));
    return 1;
  }
  ::close(status_fd);
  return 0;
}

}  // namespace ptt::taskd
