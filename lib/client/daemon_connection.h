#pragma once
// A blocking NDJSON connection over a Unix stream socket: the client side of the
// ptt-taskd protocol. One JSON value per line each way.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/ndjson.h"

namespace ptt::client {

// Thrown when the daemon cannot be reached or the connection breaks.
struct UnreachableError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Thrown when a connection that worked breaks: the daemon (or the channel to it, an ssh
// child) closed it or it failed. What `logs -f`, `wait` and `watch` reconnect after; a
// line they cannot read (also an UnreachableError) is not retried.
struct ConnectionLostError : UnreachableError {
  using UnreachableError::UnreachableError;
};

// Thrown when the daemon takes no bytes, or sends none, within the connection's
// timeout (see set_timeouts): it is stopped, stuck or overloaded.
struct NoAnswerError : UnreachableError {
  using UnreachableError::UnreachableError;
};

// Thrown when no daemon listens at the socket and none may be started (--no-autostart,
// PTT_NO_AUTOSTART, `shutdown`): for `shutdown`, nothing to stop.
struct NotRunningError : UnreachableError {
  using UnreachableError::UnreachableError;
};

// What to do about a reply a client cannot read: the end of each such error.
inline constexpr const char* kSameVersionAdvice =
    "; ptt-task and ptt-taskd must be the same version: stop the daemon (`ptt-task shutdown`) and the "
    "next ptt-task command starts a matching one";

// One line from the daemon as a value; throws UnreachableError when it is not JSON
// (or nested deeper than kMaxJsonDepth). What read() does with each line.
nlohmann::json parse_daemon_line(std::string_view line);

// What carries a connection that is not a Unix socket to the local daemon: a child
// process such as `ssh HOST ptt-task dial-stdio` (client/ssh_transport.h). The
// connection owns it: destroying the connection (after closing its fd) ends the child.
class Tunnel {
 public:
  virtual ~Tunnel() = default;
  // Why the connection broke (`what`: "the daemon closed the connection"), from what the
  // tunnel knows (its child's exit status and stderr), naming the host and the step.
  virtual std::string explain_loss(const std::string& what) = 0;
};

class DaemonConnection {
 public:
  // Connects once; returns nullopt with `err` set (errno) when nobody answers. With a
  // timeout, connect, send and read each wait at most that long (see set_timeouts); a
  // listener whose queue stays full (a stopped daemon) fails with EAGAIN.
  static std::optional<DaemonConnection> try_connect(const std::filesystem::path& socket, int& err,
                                                     std::chrono::milliseconds timeout = {});

  // A connection over `fd` (one end of a socketpair) whose other end `tunnel` carries.
  static DaemonConnection through(int fd, std::unique_ptr<Tunnel> tunnel);

  DaemonConnection(DaemonConnection&& other) noexcept;
  DaemonConnection& operator=(DaemonConnection&& other) noexcept;
  DaemonConnection(const DaemonConnection&) = delete;
  DaemonConnection& operator=(const DaemonConnection&) = delete;
  ~DaemonConnection();

  // How long one send or read may block (SO_SNDTIMEO, SO_RCVTIMEO) before it throws
  // NoAnswerError; zero blocks for ever. A timed-out read loses nothing: a later
  // read_line() goes on with the bytes already buffered.
  void set_send_timeout(std::chrono::milliseconds timeout);
  void set_receive_timeout(std::chrono::milliseconds timeout);

  void send(const nlohmann::json& value);
  void send_line(std::string_view line);  // one or more '\n'-terminated lines, in one write
  // Blocks until one complete line arrives; throws UnreachableError at EOF.
  nlohmann::json read();
  // The same, unparsed (for replies parsed by a faster reader, e.g. a big `list`).
  std::string read_line();
  int fd() const { return fd_; }
  // True when a whole line already sits in the buffer: read_line() returns it without
  // reading the socket (so a poll() on fd() would not say so).
  bool has_buffered_line() const { return buffer_.find('\n', scan_from_) != std::string::npos; }

 private:
  explicit DaemonConnection(int fd) : fd_(fd) {}
  [[noreturn]] void lost(const std::string& what);
  void close_and_end_tunnel();
  int fd_ = -1;
  std::string buffer_;  // bytes read past the last returned line
  std::size_t scan_from_ = 0;
  std::unique_ptr<char[]> scratch_;  // read(2) target, allocated on first use
  std::unique_ptr<Tunnel> tunnel_;   // null: a Unix socket to the local daemon
  std::chrono::milliseconds receive_timeout_{0};
};

}  // namespace ptt::client
