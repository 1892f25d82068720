// The client's reply timeout: what it says, and that a connection to a listener that
// never answers gives up in time without losing the bytes it already has.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/client_session.h"
#include "client/daemon_connection.h"
#include "client/reply_timeout.h"

using namespace ptt::client;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A socket that listens and never accepts: what a stopped daemon looks like to a client.
struct SilentListener {
  fs::path dir = fs::temp_directory_path() / ("ptt-reply-timeout-" + std::to_string(::getpid()));
  fs::path path = dir / "taskd.sock";
  int fd = -1;
  SilentListener() {
    fs::create_directories(dir);
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 0) == 0);
  }
  ~SilentListener() {
    ::close(fd);
    fs::remove_all(dir);
  }
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("reply timeout: the message names the daemon, the limit and what to do", "[client]") {
  CHECK(no_answer_message(5000ms, 0) ==
        "the daemon did not answer within 5 s; check it with `ptt-task doctor`");
  CHECK(no_answer_message(500ms, 0, ", or allow it longer with --timeout") ==
        "the daemon did not answer within 0.5 s; check it with `ptt-task doctor`, or allow it longer with "
        "--timeout");
  // A running process (this one) is not called stopped.
  std::string running = no_answer_message(2000ms, ::getpid());
  CHECK(running.find(fmt::format("ptt-taskd (pid {}) did not answer within 2 s;", ::getpid())) == 0);
  CHECK(running.find("stopped") == std::string::npos);
}

TEST_CASE("reply timeout: a stopped process is told apart from a running one", "[client]") {
  CHECK_FALSE(process_stopped(::getpid()));
  CHECK_FALSE(process_stopped(0));
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  REQUIRE(child > 0);
  ::kill(child, SIGSTOP);
  int status = 0;
  REQUIRE(::waitpid(child, &status, WUNTRACED) == child);
  CHECK(process_stopped(child));
  std::string msg = no_answer_message(5000ms, child);
  CHECK(msg.find(fmt::format("it is stopped; resume it with `kill -CONT {}`", child)) != std::string::npos);
  ::kill(child, SIGKILL);
  ::waitpid(child, &status, 0);
}

TEST_CASE("reply timeout: only a ptt-taskd peer is named by its pid", "[client]") {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  CHECK(daemon_pid_of(pair[0]) == 0);  // the peer is this test program
  ::close(pair[0]);
  ::close(pair[1]);
}

TEST_CASE("reply timeout: only wait's reply is unbounded; state-changing ops are known", "[client]") {
  CHECK(reply_waits_for_tasks("wait"));
  CHECK_FALSE(reply_waits_for_tasks("list"));
  CHECK_FALSE(reply_waits_for_tasks("logs"));
  CHECK(request_changes_state("spawn"));
  CHECK(request_changes_state("cancel"));
  CHECK_FALSE(request_changes_state("get"));
  CHECK_FALSE(request_changes_state("hello"));
}

TEST_CASE("reply timeout: a read from a listener that never answers gives up in time", "[client]") {
  SilentListener listener;
  int err = 0;
  auto conn = DaemonConnection::try_connect(listener.path, err, 100ms);
  REQUIRE(conn);  // the kernel queues the connection: connect succeeds
  auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(conn->read_line(), NoAnswerError);
  double took = seconds_since(start);
  CHECK(took >= 0.09);
  CHECK(took < 3);
}

TEST_CASE("reply timeout: a connect to a full queue gives up with EAGAIN", "[client]") {
  SilentListener listener;  // backlog 0: the kernel queues one connection, then no more
  std::vector<DaemonConnection> queued;
  int err = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8 && err == 0; ++i) {
    if (auto c = DaemonConnection::try_connect(listener.path, err, 100ms)) queued.push_back(std::move(*c));
  }
  CHECK(err == EAGAIN);
  CHECK(seconds_since(start) < 3);
}

TEST_CASE("reply timeout: a timed-out read keeps the part of a line already read", "[client]") {
  SilentListener listener;
  int err = 0;
  auto conn = DaemonConnection::try_connect(listener.path, err, 50ms);
  REQUIRE(conn);
  int server = ::accept(listener.fd, nullptr, nullptr);
  REQUIRE(server >= 0);
  REQUIRE(::write(server, "{\"a\":", 5) == 5);
  CHECK_THROWS_AS(conn->read_line(), NoAnswerError);
  REQUIRE(::write(server, "1}\n", 3) == 3);
  CHECK(conn->read_line() == "{\"a\":1}");
  conn->set_receive_timeout(0ms);  // none: a line that comes later is still read
  ::close(server);
  CHECK_THROWS_AS(conn->read_line(), UnreachableError);
}
