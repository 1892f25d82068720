#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

#include "supervise/leftovers.h"

using ptt::supervise::leftover_pids;
using ptt::supervise::ProcessInfo;

TEST_CASE("leftovers: a task's processes below the supervisor, whatever their session", "[supervise]") {
  // 100 is the supervisor; 200 and 300 are agents of tasks 1 and 2.
  std::map<pid_t, ProcessInfo> procs = {
      {1, {0, ""}},      {50, {1, "1"}},     // not below the supervisor: another daemon's task 1
      {100, {1, ""}},    {200, {100, "1"}},  // agent of task 1
      {201, {200, "1"}}, {202, {201, ""}},   // its child, and a grandchild that cleared its environment
      {210, {100, "1"}},                     // an orphan of task 1 the supervisor (subreaper) inherited
      {300, {100, "2"}}, {301, {300, "2"}},  // task 2
      {302, {200, "2"}},                     // below task 1's agent but tagged task 2: task 2's
      {400, {100, ""}},                      // untagged child of the supervisor
  };
  auto got = leftover_pids(procs, 100, "1");
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<pid_t>{200, 201, 202, 210});
  auto two = leftover_pids(procs, 100, "2");
  std::sort(two.begin(), two.end());
  CHECK(two == std::vector<pid_t>{300, 301, 302});
  CHECK(leftover_pids(procs, 100, "3").empty());
}

TEST_CASE("leftovers: a cycle in the parent links ends the walk", "[supervise]") {
  std::map<pid_t, ProcessInfo> procs = {{10, {11, "1"}}, {11, {10, "1"}}};
  CHECK(leftover_pids(procs, 100, "1").empty());
}

TEST_CASE("leftovers: looked for only when a child is no agent", "[supervise]") {
  std::map<pid_t, int> agents = {{200, 1}, {300, 2}};
  CHECK_FALSE(ptt::supervise::has_non_agent_child({}, agents));
  CHECK_FALSE(ptt::supervise::has_non_agent_child({200, 300}, agents));  // the exited agent is a zombie child
  CHECK(ptt::supervise::has_non_agent_child({200, 210, 300}, agents));   // 210: an orphan re-parented to us
}

TEST_CASE("leftovers: this process's children as the kernel lists them", "[supervise]") {
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  REQUIRE(child > 0);
  auto children = ptt::supervise::own_children();
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  REQUIRE(children);  // Debian's kernels have CONFIG_PROC_CHILDREN
  CHECK(std::count(children->begin(), children->end(), child) == 1);
}
