#include <catch2/catch.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/spawn.h"

using ptt::spawn;
using ptt::SpawnFd;
using ptt::SpawnOptions;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ptt-spawn-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() { fs::remove_all(path); }
};

int exit_status_of(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) REQUIRE(errno == EINTR);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `script` with /bin/sh, its stdout into a file; returns what it printed.
std::string output_of(SpawnOptions o, const std::string& script, const TempDir& dir) {
  fs::path out = dir.path / "out.txt";
  o.argv = {"/bin/sh", "-c", script};
  o.fds.push_back(SpawnFd::open(1, out.string(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  auto r = spawn(o);
  REQUIRE(r.started());
  CHECK(exit_status_of(r.pid) == 0);
  return read_all(out);
}

// Whether /proc's hex signal mask after `field` holds `sig`.
bool mask_has(const std::string& status, const std::string& field, int sig) {
  auto at = status.find(field);
  REQUIRE(at != std::string::npos);
  unsigned long long mask = std::stoull(status.substr(at + field.size(), 16), nullptr, 16);
  return (mask >> (sig - 1)) & 1;
}

// The process group and session of the shell itself ($$), from /proc.
const char* kGroupAndSession =
    "read -r pid comm state ppid pgrp sid rest < /proc/$$/stat; echo $pid $pgrp $sid";

}  // namespace

TEST_CASE("spawn: the child runs in cwd and its exit status comes back", "[core][spawn]") {
  TempDir dir;
  fs::create_directory(dir.path / "work");
  SpawnOptions o;
  o.argv = {"sh", "-c", "pwd > where.txt; exit 3"};  // sh: found on PATH
  o.cwd = (dir.path / "work").string();
  auto r = spawn(o);
  REQUIRE(r.started());
  CHECK(exit_status_of(r.pid) == 3);
  CHECK(read_all(dir.path / "work" / "where.txt") == fs::canonical(dir.path / "work").string() + "\n");
  CHECK(fs::current_path() != fs::path(o.cwd));  // ours never changed
}

TEST_CASE("spawn: a missing or unusable cwd is told apart from a missing program", "[core][spawn]") {
  TempDir dir;
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.cwd = (dir.path / "gone").string();
  auto r = spawn(o);
  CHECK_FALSE(r.started());
  CHECK(r.cwd_failed);
  CHECK(r.error == ENOENT);

  std::ofstream(dir.path / "file") << "x";
  o.cwd = (dir.path / "file").string();
  r = spawn(o);
  CHECK(r.cwd_failed);
  CHECK(r.error == ENOTDIR);

  o.cwd = dir.path.string();
  o.argv = {dir.path.string() + "/no-such-program"};
  r = spawn(o);
  CHECK_FALSE(r.started());
  CHECK_FALSE(r.cwd_failed);
  CHECK(r.error == ENOENT);
  CHECK(r.pid == -1);

  o.argv = {"no-such-program-on-path-ptt"};
  r = spawn(o);
  CHECK(r.error == ENOENT);
  CHECK_FALSE(r.cwd_failed);
}

TEST_CASE("spawn: fds are dup'ed, opened and the others closed on request", "[core][spawn]") {
  TempDir dir;
  int pipe_fds[2];
  REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
  int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec: inherited unless closed
  REQUIRE(leaked > 2);
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c",
            "echo to-pipe; echo to-file >&2; [ -e /proc/$$/fd/" + std::to_string(leaked) +
                " ] && echo inherited >&2 || echo closed >&2"};
  o.fds = {SpawnFd::dup(1, pipe_fds[1]),
           SpawnFd::open(2, (dir.path / "err.txt").string(), O_WRONLY | O_CREAT | O_APPEND, 0600)};
  auto r = spawn(o);
  REQUIRE(r.started());
  CHECK(exit_status_of(r.pid) == 0);
  ::close(pipe_fds[1]);
  char buf[64] = {};
  CHECK(::read(pipe_fds[0], buf, sizeof buf - 1) > 0);
  CHECK(std::string(buf) == "to-pipe\n");
  CHECK(read_all(dir.path / "err.txt") == "to-file\ninherited\n");

  o.argv[2] = "[ -e /proc/$$/fd/" + std::to_string(leaked) + " ] && echo inherited >&2 || echo closed >&2";
  o.fds = {SpawnFd::open(2, (dir.path / "err2.txt").string(), O_WRONLY | O_CREAT | O_APPEND, 0600)};
  o.close_other_fds = true;
  r = spawn(o);
  REQUIRE(r.started());
  CHECK(exit_status_of(r.pid) == 0);
  CHECK(read_all(dir.path / "err2.txt") == "closed\n");
  ::close(pipe_fds[0]);
  ::close(leaked);
}

TEST_CASE("spawn: a new session or process group, or ours", "[core][spawn]") {
  TempDir dir;
  auto ids = [&](SpawnOptions::Group group) {
    SpawnOptions o;
    o.group = group;
    std::istringstream in(output_of(o, kGroupAndSession, dir));
    long pid = 0, pgrp = 0, sid = 0;
    in >> pid >> pgrp >> sid;
    REQUIRE(pid > 0);
    return std::array<long, 3>{pid, pgrp, sid};
  };
  auto session = ids(SpawnOptions::Group::kNewSession);
  CHECK(session[1] == session[0]);
  CHECK(session[2] == session[0]);
  auto group = ids(SpawnOptions::Group::kNewGroup);
  CHECK(group[1] == group[0]);
  CHECK(group[2] == ::getsid(0));
  auto same = ids(SpawnOptions::Group::kInherit);
  CHECK(same[1] == ::getpgrp());
  CHECK(same[2] == ::getsid(0));
}

TEST_CASE("spawn: signals start at their defaults, none blocked; the environment is given", "[core][spawn]") {
  TempDir dir;
  sigset_t usr1, saved;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  REQUIRE(::sigprocmask(SIG_BLOCK, &usr1, &saved) == 0);
  auto old_handler = std::signal(SIGUSR2, SIG_IGN);
  const std::string script =
      "grep -E '^Sig(Blk|Ign)' /proc/$$/status | tr -d '\\t'; echo \"[$PTT_SPAWN_TEST]\"";
  SpawnOptions o;
  o.environment = ptt::merged_environment(environ, {"PTT_SPAWN_TEST=yes"});
  std::string reset = output_of(o, script, dir);
  o.default_signals = false;
  o.environment.reset();
  std::string inherited = output_of(o, script, dir);
  std::signal(SIGUSR2, old_handler);
  ::sigprocmask(SIG_SETMASK, &saved, nullptr);

  // glibc's own real-time signals (32, 33) are its business, not ours: the classic ones count.
  for (int sig = 1; sig < 32; ++sig) {
    CHECK_FALSE(mask_has(reset, "SigBlk:", sig));
    CHECK_FALSE(mask_has(reset, "SigIgn:", sig));
  }
  CHECK(reset.find("[yes]") != std::string::npos);
  CHECK(mask_has(inherited, "SigBlk:", SIGUSR1));
  CHECK(mask_has(inherited, "SigIgn:", SIGUSR2));
  CHECK(inherited.find("[]") != std::string::npos);
}

TEST_CASE("spawn: merged_environment is the base with extra's names replaced", "[core][spawn]") {
  std::string a = "PATH=/bin", b = "PTT_TASK_ID=1", c = "PTT_TASK_IDX=keep", d = "HOME=/h";
  char* base[] = {a.data(), b.data(), c.data(), d.data(), nullptr};
  auto env = ptt::merged_environment(base, {"PTT_TASK_ID=9"});
  CHECK(env == std::vector<std::string>{"PATH=/bin", "PTT_TASK_IDX=keep", "HOME=/h", "PTT_TASK_ID=9"});
  CHECK(ptt::merged_environment(nullptr, {"A=1"}) == std::vector<std::string>{"A=1"});
}
