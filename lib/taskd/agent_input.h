#pragma once
// The daemon's end of a task's input FIFO (logs/<id>/stdin.fifo, the agent's stdin; see
// supervise/agent_request.h), for what it writes after the prompt (the supervisor writes
// that): lines written in order through libuv, so a long one never blocks the loop, and
// closed only once all of them are written. The supervisor keeps its own write end open,
// so this end closing (or the daemon dying) is no end of input for the agent.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <uv.h>

#include "taskd/session_input.h"

namespace ptt::taskd {

inline constexpr const char* kInputFifoFile = "stdin.fifo";

class AgentInput {
 public:
  explicit AgentInput(uv_loop_t* loop) : loop_(loop) {}
  ~AgentInput();
  AgentInput(const AgentInput&) = delete;
  AgentInput& operator=(const AgentInput&) = delete;

  // Makes the FIFO (for a task about to start); throws std::system_error.
  static void make_fifo(const std::filesystem::path& fifo);
  // Opens our end (write-only: fails with ENXIO when no one holds the FIFO any more);
  // false with errno set when it cannot.
  bool open(const std::filesystem::path& fifo);
  bool is_open() const { return pipe_ != nullptr; }
  void write(std::string line);
  // Closes our end once every line queued is written, then calls `done` (at once when
  // nothing is open).
  void close_when_written(std::function<void()> done);

  SessionInput session;

 private:
  struct Pipe;
  uv_loop_t* loop_;
  Pipe* pipe_ = nullptr;  // freed by its close callback
};

}  // namespace ptt::taskd
