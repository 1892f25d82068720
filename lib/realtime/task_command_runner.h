#pragma once
// Runs `ptt-task` for the voice tools (worktree_tools.h) as a child on the session's
// libuv loop: its stdout and stderr into one pipe, read as they come, so the loop never
// waits for it. The ptt-task next to our own executable is used (else the one on PATH),
// pointed at our daemon socket, never auto-starting one; or, for a task on another host
// (task_hosts.h), at that host (`ptt-task --host HOST`, whose own dial starts its daemon).
#include <functional>
#include <string>
#include <vector>

#include <uv.h>

namespace ptt::realtime {

// `done(status, output)`: its exit status (128+N for a signal; -1 when it could not run)
// and what it printed, at most kMaxOutput bytes.
using TaskCommandDone = std::function<void(int status, std::string output)>;
inline constexpr std::size_t kMaxTaskCommandOutput = 1u << 20;

// `host` "" is this machine's daemon at `socket_path`; else the host's name or URL.
void run_task_command(uv_loop_t* loop, const std::string& socket_path, const std::string& host,
                      const std::vector<std::string>& args, TaskCommandDone done);

}  // namespace ptt::realtime
