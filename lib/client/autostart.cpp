#include "client/autostart.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/ssh_transport.h"
#include "core/paths.h"
#include "core/spawn.h"

extern char** environ;

namespace ptt::client {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Nobody listens: the socket file is missing or stale. Other errors (EACCES...)
// are not fixed by starting a daemon.
bool nobody_listens(int err) { return err == ENOENT || err == ECONNREFUSED; }

std::string unreachable_message(const fs::path& socket, int err, bool autostart_disabled) {
  std::string msg = fmt::format("no daemon answers at {} ({})", socket.string(), std::strerror(err));
  if (autostart_disabled)
    return msg + "; start one with `ptt-taskd &` or drop --no-autostart/PTT_NO_AUTOSTART";
  return msg + "; check the socket path (--socket, PTT_SOCKET)";
}

class LockFile {
 public:
  // Waits at most `patience` for the lock: its holder is another client starting the
  // daemon, which takes a fraction of a second, unless that client is stopped itself.
  LockFile(const fs::path& path, std::chrono::milliseconds patience) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      throw UnreachableError(
          fmt::format("cannot open the start-up lock {} ({}); check the directory's permissions",
                      path.string(), std::strerror(errno)));
    }
    auto deadline = Clock::now() + patience;
    auto pause = std::chrono::milliseconds{1};
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EINTR) continue;
      if (errno != EWOULDBLOCK) {
        ::close(fd_);
        throw UnreachableError(fmt::format("cannot lock {} ({})", path.string(), std::strerror(errno)));
      }
      if (Clock::now() >= deadline) {
        ::close(fd_);
        throw NoAnswerError(fmt::format(
            "another client has been starting the daemon for {} and still holds {} (is it stopped?); "
            "check it with `ptt-task doctor`, then try again",
            seconds_text(patience), path.string()));
      }
      ::usleep(static_cast<useconds_t>(pause.count() * 1000));
      pause = std::min(pause * 2, std::chrono::milliseconds{50});
    }
  }
  ~LockFile() { ::close(fd_); }  // closing releases the flock
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

 private:
  int fd_ = -1;
};

// What the log gained from `from` on (this start-up attempt's output), at most
// its last `max_bytes`: older lines are earlier runs' and would mislead.
std::string tail_of(const fs::path& log, std::streamoff from, std::size_t max_bytes = 600) {
  std::ifstream in(log, std::ios::binary);
  in.seekg(from);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() > max_bytes) all = all.substr(all.size() - max_bytes);
  while (!all.empty() && (all.back() == '\n' || all.back() == ' ')) all.pop_back();
  return all.empty() ? "it printed nothing" : all;
}

UnreachableError died_at_start_up(const std::string& exe, int status, const fs::path& log, off_t log_start) {
  return UnreachableError(fmt::format("{} exited at start-up (status {}): {}; see {}", exe, status,
                                      tail_of(log, log_start), log.string()));
}

constexpr int kExecFailed = 127;  // the shell's status for a command that cannot run

// Starts a detached ptt-taskd: own session, stdin from /dev/null, stdout and stderr
// appended to `log`, `ready_fd` kept open as its --ready-fd. Returns its pid (our
// child until we exit, so an early death is seen); `log_start` gets the log's size
// before the daemon wrote to it.
pid_t spawn_daemon(const std::string& exe, const fs::path& socket, const fs::path& state, const fs::path& log,
                   int ready_fd, off_t& log_start) {
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    throw UnreachableError(
        fmt::format("cannot open the daemon log {} ({})", log.string(), std::strerror(errno)));
  }
  log_start = std::max<off_t>(::lseek(log_fd, 0, SEEK_END), 0);
  SpawnOptions o;
  o.argv = {"ptt-taskd", "--ready-fd", std::to_string(ready_fd)};
  o.executable = exe;
  o.environment =
      merged_environment(environ, {"PTT_SOCKET=" + socket.string(), "PTT_STATE_DIR=" + state.string()});
  // The daemon outlives this shell's directory (which may be unmounted or
  // removed); its paths are absolute so "/" loses nothing.
  o.cwd = "/";
  o.group = SpawnOptions::Group::kNewSession;
  o.default_signals = false;
  o.signals_to_default = {SIGPIPE, SIGINT, SIGTERM};  // ours, not the daemon's
  // dup2 onto itself only clears close-on-exec: the pipe's write end reaches the daemon
  // as the same number (above 2, so the standard fds below do not replace it).
  o.fds = {SpawnFd::dup(ready_fd, ready_fd), SpawnFd::open(0, "/dev/null", O_RDONLY), SpawnFd::dup(1, log_fd),
           SpawnFd::dup(2, log_fd)};
  SpawnResult spawned = spawn(o);
  if (!spawned.started()) {
    // Reported as a daemon that died at start-up, its reason in the log, as when
    // a forked child's exec failed: one report for both.
    std::string msg = fmt::format("ptt-task: error: cannot run {} ({}); set PTT_TASKD\n", exe,
                                  std::strerror(spawned.error));
    (void)!::write(log_fd, msg.data(), msg.size());
    ::close(log_fd);
    throw died_at_start_up(exe, kExecFailed, log, log_start);
  }
  ::close(log_fd);
  return spawned.pid;
}

// A pipe whose ends are close-on-exec and above 2 (a caller started with a standard
// fd closed must not hand the daemon its ready fd as stdout).
std::array<int, 2> ready_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw UnreachableError(fmt::format("cannot start the daemon (pipe: {})", std::strerror(errno)));
  for (int& fd : fds) {
    if (fd > 2) continue;
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    fd = moved;
  }
  return {fds[0], fds[1]};
}

// Waits until ptt-taskd writes "ready <socket>" to its --ready-fd. False when the pipe
// closes without it (the daemon died or could not listen); throws after the timeout.
// The daemon's pidfd is watched too, so a death is seen even if a child of the daemon
// still holds the write end.
bool wait_ready(int read_fd, pid_t pid, Clock::time_point deadline,
                const std::function<UnreachableError()>& late) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  std::string got;
  bool ready = false;
  for (;;) {
    if (got.find('\n') != std::string::npos) {
      ready = got.rfind("ready ", 0) == 0;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left < 0) {
      if (pidfd >= 0) ::close(pidfd);
      throw late();
    }
    pollfd fds[2] = {{read_fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
    int n = ::poll(fds, pidfd >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(left, 60000)) + 1);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (fds[0].revents) {
      char buf[256];
      ssize_t r = ::read(read_fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      got.append(buf, static_cast<std::size_t>(r));
      continue;
    }
    if (pidfd >= 0 && fds[1].revents) break;  // exited without a word on the pipe
  }
  if (pidfd >= 0) ::close(pidfd);
  return ready;
}

}  // namespace

bool autostart_allowed_by_env() {
  const char* v = std::getenv("PTT_NO_AUTOSTART");
  return !v || !*v || std::strcmp(v, "0") == 0;
}

std::string daemon_executable() {
  if (const char* v = std::getenv("PTT_TASKD"); v && *v) return v;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path sibling = self.parent_path() / "ptt-taskd";
    if (::access(sibling.c_str(), X_OK) == 0) return sibling.string();
  }
  return "ptt-taskd";
}

DaemonConnection connect_or_start(const ConnectOptions& options) {
  if (!options.host.local()) return dial_host(options.host, options.reply_timeout);
  int err = 0;
  auto try_connect = [&] {
    return DaemonConnection::try_connect(options.socket, err, options.reply_timeout);
  };
  if (auto c = try_connect()) return std::move(*c);
  if (err == EAGAIN) {
    // Someone listens but takes no connections: starting another daemon would not help.
    throw NoAnswerError(
        fmt::format("the daemon at {} accepted no connection within {} (its queue is full: is it stopped?); "
                    "check it with `ptt-task doctor`",
                    options.socket.string(), seconds_text(options.reply_timeout)));
  }
  if (!options.autostart && nobody_listens(err))
    throw NotRunningError(unreachable_message(options.socket, err, true));
  if (!options.autostart || !nobody_listens(err)) {
    throw UnreachableError(unreachable_message(options.socket, err, !options.autostart));
  }

  fs::path dir = options.socket.parent_path();
  fs::path state = default_state_dir();
  try {
    ensure_private_dir(dir);
    ensure_private_dir(state);
  } catch (const fs::filesystem_error& e) {
    throw UnreachableError(
        fmt::format("cannot create {} ({}); fix its permissions or set PTT_SOCKET/PTT_STATE_DIR",
                    e.path1().string(), e.code().message()));
  }
  // As long as a start-up may take (the holder's wait for its daemon), and a little more.
  LockFile lock(fs::path(options.socket.string() + ".lock"), options.ready_timeout + options.reply_timeout);
  // Someone else may have started it while we waited for the lock.
  if (auto c = try_connect()) return std::move(*c);

  std::string exe = daemon_executable();
  fs::path log = state / "taskd.log";
  off_t log_start = 0;
  std::array<int, 2> pipe = ready_pipe();
  pid_t pid = -1;
  try {
    pid = spawn_daemon(exe, fs::absolute(options.socket), fs::absolute(state), log, pipe[1], log_start);
  } catch (...) {
    ::close(pipe[0]);
    ::close(pipe[1]);
    throw;
  }
  ::close(pipe[1]);  // the daemon's copy is the only one left: its exit closes the pipe
  bool ready = false;
  try {
    ready = wait_ready(pipe[0], pid, Clock::now() + options.ready_timeout, [&] {
      return UnreachableError(
          fmt::format("started {} (pid {}) but it did not listen on {} within {} ms; see {}", exe, pid,
                      options.socket.string(), options.ready_timeout.count(), log.string()));
    });
  } catch (...) {
    ::close(pipe[0]);
    throw;
  }
  ::close(pipe[0]);
  // Not ready: it died, unless another daemon (started by hand, not through the lock)
  // listens now, as the one it lost the daemon lock to.
  if (auto c = try_connect(); c || ready) {
    if (c) return std::move(*c);
    throw UnreachableError(unreachable_message(options.socket, err, false));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  throw died_at_start_up(exe, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), log,
                         log_start);
}

}  // namespace ptt::client
