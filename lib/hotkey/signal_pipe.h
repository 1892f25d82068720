#pragma once
// Signals delivered to the poll loop through a self-pipe: the handler only writes
// the signal number, and the loop reads it where it is safe to act.
#include <initializer_list>
#include <vector>

namespace ptt::hotkey {

class SignalPipe {
 public:
  // Installs handlers for `signals` (SA_RESTART). One instance per process.
  explicit SignalPipe(std::initializer_list<int> signals);
  ~SignalPipe();
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;

  void add(int signal);
  int fd() const { return read_fd_; }
  // Signals received since the last call, in order.
  std::vector<int> take();

 private:
  int read_fd_ = -1;
};

}  // namespace ptt::hotkey
