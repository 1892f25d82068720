#pragma once
// A task's supervisor.ndjson: everything a restarted daemon needs to find a
// running task again, in one append-only file per task (one file, not one per
// fact: on ext4 without a journal each new inode costs a scan of recently
// deleted ones, and that was most of the daemon's CPU time per task).
//   {"started_at":T}           the daemon, before it asks the supervisor to start
//                              the agent: a restart must not run the task again
//   {"server":PID,"server_start":T}  the daemon, once the request is on its way to
//                              its supervisor server (supervisor.h)
//   {"agent":PID,"agent_start":T}    the supervisor, once the agent's group exists
//                              (before or after the server line)
// A pid comes with its process's start time (core/process_identity.h): after a
// restart the pid may name another process, and only a matching start time proves
// it does not. A line without one (its start time could not be read from /proc)
// proves nothing: that process is never signalled.
//   {"input":UUID}             the daemon, before it writes a message (the prompt
//                              first) to the agent's input FIFO: a restarted daemon
//                              knows which messages the agent has still to take
//   {"exit":{…}}               the supervisor, when the agent has ended
// Each line is one write(2) with O_APPEND, and starts with a newline so that a
// torn line cannot swallow the next one. Nothing here must outlive a power cut
// (the processes would not either), so no rename is needed; a torn or foreign
// line is skipped when read.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "supervise/agent_exit.h"

namespace ptt::supervise {

inline constexpr const char* kSupervisorStatusFile = "supervisor.ndjson";

struct SupervisorStatus {
  std::optional<double> started_at;
  pid_t supervisor = 0;  // the supervisor server running the task: cancel with cancel_signal()
  std::optional<std::uint64_t> supervisor_start;  // its start time, from the same line
  pid_t agent = 0;
  std::optional<std::uint64_t> agent_start;
  std::optional<AgentExit> exit;
  std::vector<std::string> inputs;  // the uuids of the messages written to its input, in order
};

// Creates the file with its started_at line; returns its descriptor (O_APPEND,
// close-on-exec) for the supervisor's pid. Throws std::system_error.
int begin_supervisor_status(const std::filesystem::path& log_dir, double started_at);
// For the supervisor: an O_APPEND descriptor (close-on-exec), or -1 with errno.
int open_supervisor_status(const std::filesystem::path& log_dir);
// Appends one line, {"KEY":PID,"KEY_start":START} (start left out when unknown);
// false (errno set) when it could not be written whole.
bool append_supervisor_pid(int fd, const char* key, pid_t pid, std::optional<std::uint64_t> start);
bool append_supervisor_exit(int fd, const AgentExit& exit);
bool append_supervisor_input(int fd, const std::string& uuid);
// nullopt when the task never started: no file, or one without its start line.
// `read_error`, when given, is set to the errno of a file that exists but could not
// be read (EMFILE above all), and to 0 otherwise: the caller must try again later,
// as nothing can be told from it.
std::optional<SupervisorStatus> read_supervisor_status(const std::filesystem::path& log_dir,
                                                       int* read_error = nullptr);

}  // namespace ptt::supervise
