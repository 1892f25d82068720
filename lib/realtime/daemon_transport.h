#pragma once
// How the voice session's daemon client reaches one ptt-taskd (issue 22, docs/hosts.md):
// this machine's Unix socket, or a command whose stdin and stdout carry the protocol
// (`ssh HOST 'ptt-task dial-stdio'`, client/host.h's dial_argv). One attempt at a time:
// open() ends in `opened` or `lost`; after `opened`, bytes come to `data` until `lost`.
// For a command, the connection is lost when the child is gone (its stdout closed and it
// exited); `lost` then says what it printed on stderr (ssh's "Connection refused", the
// remote shell's "ptt-task: command not found"), so the user reads why.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

namespace ptt::realtime {

// How a command's connection ended: what it said on stderr (its end), and how it ended.
struct CommandEnd {
  std::string stderr_text;
  bool exited = false;  // false: killed by `signal`, or never started (`what` says why)
  int status = 0;
  int signal = 0;
  std::string what;  // what the transport saw: "the connection closed", "cannot run ssh: ..."
};
// The words for a CommandEnd (an ssh host's: client/ssh_transport.h's explain_dial_end).
using ExplainEndFn = std::function<std::string(const CommandEnd& end)>;

struct DaemonEndpoint {
  std::string socket_path;           // set: the local daemon behind this socket
  std::vector<std::string> command;  // else: the bridging command's argv
  std::string host;                  // "" for this machine, else the host's name (for messages)
  ExplainEndFn explain_end;          // a command's; unset: command_loss_reason
  bool local() const { return command.empty(); }
};

class DaemonTransport {
 public:
  using OpenedFn = std::function<void()>;
  using DataFn = std::function<void(std::string_view bytes)>;
  using LostFn = std::function<void(const std::string& why)>;

  DaemonTransport(uv_loop_t* loop, DaemonEndpoint endpoint, OpenedFn opened, DataFn data, LostFn lost);
  ~DaemonTransport();
  DaemonTransport(const DaemonTransport&) = delete;
  DaemonTransport& operator=(const DaemonTransport&) = delete;

  void open();  // one attempt; a previous connection must be closed
  void write(std::string bytes);
  void close();  // no callbacks for this connection after; a command's child is ended
  bool is_open() const { return connection_ != nullptr; }
  // The local daemon's pid behind the socket (SO_PEERCRED), 0 when unknown or remote.
  long peer_pid() const;
  const DaemonEndpoint& endpoint() const { return endpoint_; }

  // At most this much of a command's stderr is kept (its end: the last words say why).
  static constexpr std::size_t kMaxStderr = 2048;

 private:
  struct Connection;  // heap, freed once its handles closed; outlives close() briefly
  struct SocketConnection;
  struct CommandConnection;
  friend struct SocketConnection;
  friend struct CommandConnection;

  uv_loop_t* loop_;
  DaemonEndpoint endpoint_;
  OpenedFn opened_;
  DataFn data_;
  LostFn lost_;
  Connection* connection_ = nullptr;
};

// "ssh: connect to host x port 22: Connection refused": a command's stderr as one line
// (its non-empty lines joined by "; "); when it said nothing, `what` for a command that
// never ran, else "it exited with status N" or "it was ended by signal N".
std::string command_loss_reason(const CommandEnd& end);

}  // namespace ptt::realtime
