#pragma once
// The daemon's side of the supervisor server (supervise/supervisor.h): finding
// the ptt-supervise executable, starting one server when the first task needs
// it, sending it requests over a socketpair (libuv, never blocking the loop),
// and hearing back about tasks it lost.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <sys/types.h>
#include <uv.h>

#include "core/ndjson.h"
#include "supervise/agent_request.h"

namespace ptt::taskd {

// ptt-supervise next to this ptt-taskd (the build tree), else in the libexec
// dir it was installed to (PTT_SUPERVISE_FROM_BIN, e.g. ../libexec/ptt/);
// nullopt when neither exists.
std::optional<std::string> find_supervisor_executable();

// True when `pid` is alive and is a ptt-supervise process: all a status file without
// the server's start time lets us check, which is not proof enough to signal it.
bool supervisor_alive(pid_t pid);

class SupervisorLink {
 public:
  using LostFn = std::function<void(std::int64_t task, std::string why)>;
  SupervisorLink(uv_loop_t* loop, std::string executable, LostFn on_lost);
  ~SupervisorLink();
  SupervisorLink(const SupervisorLink&) = delete;
  SupervisorLink& operator=(const SupervisorLink&) = delete;

  // Starts the server when none runs, then queues the request. Returns the
  // server's pid, or -1 with errno set when it could not be started.
  pid_t run(const supervise::AgentRequest& request);
  // Cancels a task this link's server runs; false when `server` is not ours.
  bool cancel(pid_t server, std::int64_t task);
  // Closes its end of a task's input (supervise::CloseInputRequest); false when `server` is not ours.
  bool close_input(pid_t server, std::int64_t task);
  // From the daemon's SIGCHLD reaping: our server has exited.
  void reaped(pid_t pid);
  // Lets the server go: it finishes its agents and exits.
  void close();
  pid_t pid() const { return pid_; }
  // The running server's start time (core/process_identity.h), recorded with its pid.
  std::optional<std::uint64_t> start_time() const { return start_time_; }

 private:
  bool start();
  void send(std::string line);
  void on_read(ssize_t n, const uv_buf_t* buf);

  uv_loop_t* loop_;
  std::string executable_;
  LostFn on_lost_;
  uv_pipe_t* pipe_ = nullptr;  // freed in its close callback
  pid_t pid_ = 0;
  std::optional<std::uint64_t> start_time_;
  LineFramer framer_;
};

}  // namespace ptt::taskd
