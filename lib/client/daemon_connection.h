#pragma once
// A blocking NDJSON connection over a Unix stream socket: the client side of the
// ptt-taskd protocol. One JSON value per line each way.
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

class DaemonConnection {
 public:
  // Connects once; returns nullopt with `err` set (errno) when nobody answers.
  static std::optional<DaemonConnection> try_connect(const std::filesystem::path& socket, int& err);

  DaemonConnection(DaemonConnection&& other) noexcept;
  DaemonConnection& operator=(DaemonConnection&& other) noexcept;
  DaemonConnection(const DaemonConnection&) = delete;
  DaemonConnection& operator=(const DaemonConnection&) = delete;
  ~DaemonConnection();

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
  int fd_ = -1;
  std::string buffer_;  // bytes read past the last returned line
  std::size_t scan_from_ = 0;
  std::unique_ptr<char[]> scratch_;  // read(2) target, allocated on first use
};

}  // namespace ptt::client
