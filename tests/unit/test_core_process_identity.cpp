#include <catch2/catch.hpp>

#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

#include "core/process_identity.h"

using namespace ptt;

TEST_CASE("process identity: the start time is field 22, whatever the command name holds",
          "[core][identity]") {
  const char* plain =
      "42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 5000 200 18446744073709551615";
  CHECK(start_time_from_stat(plain) == 123456u);
  // A name may hold spaces and ") ": fields count from the last ')'.
  const char* tricky = "43 (a) b) c (d) R 1 43 43 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 987 1 1\n";
  CHECK(start_time_from_stat(tricky) == 987u);
  CHECK_FALSE(start_time_from_stat("43 (x) R 1 2 3"));  // cut short
  CHECK_FALSE(start_time_from_stat("no parenthesis"));
  CHECK_FALSE(start_time_from_stat("44 (x) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x12 1"));
}

TEST_CASE("process identity: only the process that started then is signalled", "[core][identity]") {
  auto self = process_start_time(::getpid());
  REQUIRE(self);
  CHECK(process_start_time(::getpid()) == self);
  CHECK_FALSE(process_start_time(0));

  pid_t child = ::fork();
  if (child == 0) {
    ::setpgid(0, 0);
    ::pause();
    ::_exit(0);
  }
  REQUIRE(child > 0);
  ::setpgid(child, child);
  auto start = process_start_time(child);
  REQUIRE(start);
  // Another start time is another process that happens to have this pid: left alone.
  CHECK_FALSE(kill_group_if_same(child, *start + 1));
  CHECK(::kill(child, 0) == 0);
  int other = open_pidfd_if_same(child, *start + 1);
  CHECK(other < 0);
  CHECK(errno == ESRCH);
  // Its own start time: the group is killed.
  CHECK(kill_group_if_same(child, *start));
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  // Reaped: its pid names nothing (or someone else) now.
  CHECK_FALSE(kill_group_if_same(child, *start));
}

TEST_CASE("process identity: a queued signal through a pidfd carries its value", "[core][identity]") {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGRTMIN + 1);
  sigset_t old;
  ::sigprocmask(SIG_BLOCK, &mask, &old);
  auto start = process_start_time(::getpid());
  REQUIRE(start);
  int fd = open_pidfd_if_same(::getpid(), *start);
  REQUIRE(fd >= 0);
  sigval value{};
  value.sival_int = 77;
  REQUIRE(pidfd_signal(fd, SIGRTMIN + 1, &value) == 0);
  siginfo_t info{};
  timespec no_wait{0, 0};
  REQUIRE(::sigtimedwait(&mask, &info, &no_wait) == SIGRTMIN + 1);
  CHECK(info.si_code == SI_QUEUE);
  CHECK(info.si_value.sival_int == 77);
  ::close(fd);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
}
