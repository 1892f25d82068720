#pragma once
// Exit statuses shared by every ptt tool; documented in README.md ("Exit codes").
namespace ptt {

enum ExitStatus : int {
  kExitOk = 0,
  kExitFailure = 1,      // the work failed (a task failed, a session ended in error)
  kExitUsage = 2,        // bad arguments or bad input (missing file, invalid option)
  kExitUnreachable = 3,  // the daemon (or remote service) could not be reached
  kExitNotFound = 4,     // no such task
  kExitInterrupted = 130 // SIGINT, as shells report it
};

}  // namespace ptt
