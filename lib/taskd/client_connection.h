#pragma once
// One client connection: NDJSON framing in, queued writes out (libuv pipe).
// Lines over the protocol limit are answered with `too_long` and skipped, so a
// client can neither crash the daemon nor make it buffer without bound. The
// unfinished lines of all connections together are bounded too (kMaxPartialTotal):
// past it the connections holding the most are dropped, with a `busy` reply and a
// line in the daemon's log, until the rest fit.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include <nlohmann/json.hpp>

#include "core/ndjson.h"

namespace ptt::taskd {

class ClientConnection {
 public:
  using LineFn = std::function<void(ClientConnection&, std::string_view line)>;
  using TooLongFn = std::function<void(ClientConnection&, std::size_t length)>;
  using ClosedFn = std::function<void(ClientConnection&)>;
  using DrainedFn = std::function<void(ClientConnection&)>;

  ClientConnection(std::uint64_t id, LineFn on_line, TooLongFn on_too_long, ClosedFn on_closed,
                   DrainedFn on_drained);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // The handle to pass to uv_accept; then call start().
  uv_pipe_t* handle() { return &pipe_; }
  void start();
  // Queues one NDJSON line. A client that lets more than kMaxQueued bytes pile
  // up (it stopped reading) is disconnected rather than hoarding memory.
  void send(const nlohmann::json& message);
  // Queues one already-serialised NDJSON line (ending in '\n').
  void send_line(std::string line);
  // Closes after the queued writes are flushed (or at once when `now`).
  void close(bool now = false);
  // Sends a last message and ends our side, discarding whatever the peer still
  // sends until it hangs up: closing with unread input would reset the
  // connection and the peer could lose the message.
  void send_final(const nlohmann::json& message);

  std::uint64_t id() const { return id_; }
  bool closing() const { return closing_; }
  std::size_t queued_bytes() const { return queued_bytes_; }
  // True when it was cut off for not reading (over kMaxQueued unread), for the log.
  bool overflowed() const { return overflowed_; }

  // Per-connection protocol state the daemon keeps here.
  bool subscribed = false;
  bool hello_refused = false;  // then every request is refused (clients pipeline behind hello)

  static constexpr std::size_t kMaxQueued = 64u << 20;
  // The cap in force (kMaxQueued unless PTT_TASKD_CLIENT_QUEUE_MIB says otherwise).
  static inline std::size_t max_queued = kMaxQueued;
  static constexpr std::size_t kBackpressure = 4u << 20;  // log followers pause above this
  // What the unfinished request lines of all connections may hold together.
  static constexpr std::size_t kMaxPartialTotal = 64u << 20;
  // What they hold now (their buffers' capacity).
  static std::size_t partial_total() { return partial_total_; }

 private:
  void submit(std::vector<std::string> chunks);
  void account_partial();  // brings partial_total_ up to date with framer_
  static void shed_partial_lines();
  void drop_for_memory(std::size_t total_before);
  void flush_pending();
  static void on_alloc(uv_handle_t* h, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_shutdown(uv_shutdown_t* req, int status);
  static void on_close(uv_handle_t* h);

  std::uint64_t id_;
  uv_pipe_t pipe_{};
  LineFramer framer_;
  LineFn on_line_;
  TooLongFn on_too_long_;
  ClosedFn on_closed_;
  DrainedFn on_drained_;
  std::size_t queued_bytes_ = 0;      // in flight plus pending_
  int in_flight_ = 0;                 // write requests libuv holds
  std::vector<std::string> pending_;  // lines queued while a write is in flight, sent as one write
  bool closing_ = false;
  bool discarding_ = false;
  bool overflowed_ = false;
  uv_shutdown_t shutdown_req_{};
  std::size_t partial_held_ = 0;  // this connection's share of partial_total_
  static inline std::size_t partial_total_ = 0;
};

}  // namespace ptt::taskd
