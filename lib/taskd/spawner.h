#pragma once
// A small "zygote" process forked when the daemon starts, while it is still
// small and single-threaded. It forks each task's supervisor on request, so a
// task costs one fork of a tiny process (plus the agent's exec) instead of an
// exec of ptt-taskd or a fork of the whole daemon (whose copy-on-write faults
// were its main per-task cost). The supervisors it forks are in their own
// sessions and outlive it; it dies with the daemon (PR_SET_PDEATHSIG).
#include <sys/types.h>

#include "taskd/supervisor.h"

namespace ptt::taskd {

class Spawner {
 public:
  Spawner() = default;
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;
  ~Spawner();

  // Forks the spawner process; false if that failed (then callers fall back
  // to start_supervisor).
  bool start();
  bool running() const { return fd_ >= 0; }
  // The new supervisor's pid, or -1 (errno set). Blocks for the fork only.
  pid_t spawn(const SupervisorSpec& spec);

 private:
  int fd_ = -1;
  pid_t pid_ = -1;
};

}  // namespace ptt::taskd
