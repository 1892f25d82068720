#include <cerrno>
#include <filesystem>
#include <string>

#include <signal.h>
#include <sys/wait.h>
#include <uv.h>
#include <catch2/catch.hpp>

#include "open_fds.h"
#include "uvutil/child_process.h"

using ptt::SpawnOptions;
using ptt::SpawnResult;
using ptt::uvutil::ChildProcess;

namespace {

SpawnOptions shell(const std::string& script) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

}  // namespace

TEST_CASE("a child's exit comes from the loop, reaped, as its status or its signal", "[uvutil]") {
  std::size_t fds_before = open_fds();
  uv_loop_t loop;
  uv_loop_init(&loop);
  int status = -2, signal = -2, calls = 0;
  SpawnResult r;
  ChildProcess* c = ChildProcess::start(
      &loop, shell("exit 3"), [&](int s, int sig) { status = s, signal = sig, ++calls; }, r);
  REQUIRE(c);
  pid_t pid = c->pid();
  CHECK(r.pid == pid);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(calls == 1);
  CHECK(status == 3);
  CHECK(signal == 0);
  CHECK(c->reaped());
  c->release(SIGTERM);  // after the exit: no signal, and it frees itself
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(::waitpid(pid, nullptr, WNOHANG) < 0);  // reaped already: no zombie

  calls = 0;
  // Released from within its own exit callback, as the realtime users do.
  ChildProcess* self = nullptr;
  self = ChildProcess::start(
      &loop, shell("kill -TERM $$"),
      [&](int s, int sig) {
        status = s, signal = sig, ++calls;
        self->release(0);
      },
      r);
  REQUIRE(self);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(calls == 1);
  CHECK(signal == SIGTERM);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(open_fds() == fds_before);  // no pidfd left
}

TEST_CASE("a child let go of while it runs is ended and reaped, with no callback", "[uvutil]") {
  std::size_t fds_before = open_fds();
  uv_loop_t loop;
  uv_loop_init(&loop);
  int calls = 0;
  SpawnResult r;
  ChildProcess* c = ChildProcess::start(
      &loop, shell("exec sleep 30"), [&](int, int) { ++calls; }, r);
  REQUIRE(c);
  pid_t pid = c->pid();
  c->release(SIGTERM);
  uv_run(&loop, UV_RUN_DEFAULT);  // returns once it is reaped and its handle closed
  CHECK(calls == 0);
  CHECK(::waitpid(pid, nullptr, WNOHANG) < 0);
  CHECK(::kill(pid, 0) < 0);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(open_fds() == fds_before);  // no pidfd left
}

TEST_CASE("a child that cannot start is no object and says why", "[uvutil]") {
  std::size_t fds_before = open_fds();
  uv_loop_t loop;
  uv_loop_init(&loop);
  SpawnOptions o;
  o.argv = {"/nonexistent/program"};
  SpawnResult r;
  CHECK_FALSE(ChildProcess::start(
      &loop, o, [](int, int) {}, r));
  CHECK(r.error == ENOENT);
  CHECK(uv_loop_close(&loop) == 0);
  CHECK(open_fds() == fds_before);  // no pidfd left
}
