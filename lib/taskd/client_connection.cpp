#include "taskd/client_connection.h"

#include <malloc.h>

#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "protocol/protocol.h"
#include "protocol/replies.h"
#include "taskd/daemon_log.h"

namespace ptt::taskd {

namespace {
struct WriteRequest {
  uv_write_t req;
  std::vector<std::string> chunks;
  std::size_t size = 0;
};

// Every live connection, for shedding the biggest unfinished lines (one loop thread).
std::set<ClientConnection*>& live_connections() {
  static std::set<ClientConnection*> all;
  return all;
}

// Lines queued behind a write in flight are appended to chunks of about this size:
// big enough for few write calls, small enough that a growing queue never copies
// (or double-allocates) one large buffer.
constexpr std::size_t kChunk = 256 * 1024;
}  // namespace

ClientConnection::ClientConnection(std::uint64_t id, LineFn on_line, TooLongFn on_too_long,
                                   ClosedFn on_closed, DrainedFn on_drained)
    : id_(id),
      framer_(protocol::kMaxLine),
      on_line_(std::move(on_line)),
      on_too_long_(std::move(on_too_long)),
      on_closed_(std::move(on_closed)),
      on_drained_(std::move(on_drained)) {
  pipe_.data = this;
  live_connections().insert(this);
}

ClientConnection::~ClientConnection() {
  live_connections().erase(this);
  partial_total_ -= partial_held_;
}

void ClientConnection::account_partial() {
  std::size_t held = framer_.held();
  partial_total_ = partial_total_ - partial_held_ + held;
  partial_held_ = held;
}

void ClientConnection::shed_partial_lines() {
  std::size_t before = partial_total_;
  while (partial_total_ > kMaxPartialTotal) {
    ClientConnection* biggest = nullptr;
    for (ClientConnection* c : live_connections()) {
      if (!biggest || c->partial_held_ > biggest->partial_held_) biggest = c;
    }
    if (!biggest || biggest->partial_held_ == 0) return;
    std::size_t total = partial_total_;
    biggest->drop_for_memory(before);
    if (partial_total_ >= total) return;  // nothing given back: do not spin
  }
}

void ClientConnection::drop_for_memory(std::size_t total_before) {
  if (closing_) {  // on its way out already: only its memory is wanted
    framer_.reset();
    account_partial();
    return;
  }
  daemon_log(
      fmt::format("dropped client {}: its unfinished request line held {} KiB, and all clients' "
                  "unfinished lines {} MiB, over the {} MiB limit",
                  id_, partial_held_ >> 10, total_before >> 20, kMaxPartialTotal >> 20));
  send(protocol::error_reply_json(
      nullptr,
      {.code = std::string(protocol::error::kBusy),
       .message = fmt::format("dropped: the daemon holds {} MiB of unfinished request lines, its limit, and "
                              "this connection's ({} KiB) was among the biggest; end each request with a "
                              "newline",
                              kMaxPartialTotal >> 20, partial_held_ >> 10)}));
  framer_.reset();  // its memory goes back now, not when the peer hangs up
  account_partial();
  close();
}

void ClientConnection::start() { uv_read_start(reinterpret_cast<uv_stream_t*>(&pipe_), on_alloc, on_read); }

void ClientConnection::on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  // One buffer for all connections: libuv hands it back in on_read right away
  // and the framer copies what it keeps, so idle connections cost no buffer.
  static std::string shared(64 * 1024, '\0');
  *buf = uv_buf_init(shared.data(), static_cast<unsigned>(shared.size()));
}

void ClientConnection::on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto* self = static_cast<ClientConnection*>(s->data);
  if (n < 0) {
    if (self->discarding_) {
      self->close(true);
    } else {
      self->close(n != UV_EOF);
    }
    return;
  }
  if (self->discarding_ || self->closing_) return;
  self->framer_.feed(
      std::string_view(buf->base, static_cast<std::size_t>(n)),
      [self](std::string_view line) {
        if (!self->closing_) self->on_line_(*self, line);
      },
      [self](std::size_t length) {
        if (!self->closing_) self->on_too_long_(*self, length);
      });
  self->account_partial();
  if (partial_total_ > kMaxPartialTotal) shed_partial_lines();
}

void ClientConnection::send(const nlohmann::json& message) {
  if (!closing_) send_line(to_ndjson(message));
}

void ClientConnection::send_line(std::string line) {
  if (closing_) return;
  queued_bytes_ += line.size();
  if (in_flight_ > 0) {
    // Coalesced while a write is in flight: libuv writes at most 32 requests per
    // loop turn, so a request per line would starve a client of many small lines
    // (log events) and queue far more memory in request overhead than in bytes.
    if (!pending_.empty() && pending_.back().size() + line.size() <= kChunk) {
      pending_.back() += line;
    } else {
      pending_.push_back(std::move(line));
    }
  } else {
    std::vector<std::string> one;
    one.push_back(std::move(line));
    submit(std::move(one));
  }
  if (queued_bytes_ > max_queued) {
    overflowed_ = true;
    close(true);
  }
}

namespace {
constexpr std::size_t kTrimAfterWrite = 4 << 20;
}  // namespace

void ClientConnection::submit(std::vector<std::string> chunks) {
  auto* w = new WriteRequest;
  w->chunks = std::move(chunks);
  w->req.data = this;
  ++in_flight_;
  std::vector<uv_buf_t> bufs;  // libuv copies the array
  bufs.reserve(w->chunks.size());
  for (auto& c : w->chunks) {
    bufs.push_back(uv_buf_init(c.data(), static_cast<unsigned>(c.size())));
    w->size += c.size();
  }
  if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&pipe_), bufs.data(),
               static_cast<unsigned>(bufs.size()), on_write) != 0) {
    --in_flight_;
    queued_bytes_ -= w->size;
    delete w;
    close(true);
  }
}

void ClientConnection::flush_pending() {
  if (!pending_.empty()) submit(std::exchange(pending_, {}));
}

void ClientConnection::on_write(uv_write_t* req, int status) {
  auto* w = reinterpret_cast<WriteRequest*>(req);
  auto* self = static_cast<ClientConnection*>(req->data);
  --self->in_flight_;
  self->queued_bytes_ -= w->size;
  bool was_full = self->queued_bytes_ + w->size > kBackpressure;
  std::size_t written = w->size;
  delete w;
  // A big reply (a list over 100,000 tasks is tens of MB) may have been carved out of
  // free heap rather than mapped on its own: its pages go back to the system now, not
  // stay in the daemon's RSS until something else trims.
  if (written >= kTrimAfterWrite) ::malloc_trim(0);
  if (status != 0) {
    self->close(true);
    return;
  }
  if (self->in_flight_ == 0 && !self->closing_) self->flush_pending();
  if (was_full && self->queued_bytes_ <= kBackpressure && !self->closing_) self->on_drained_(*self);
}

void ClientConnection::close(bool now) {
  if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&pipe_))) return;
  if (closing_) {
    if (now) uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), on_close);  // stop flushing or discarding
    return;
  }
  closing_ = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&pipe_));
  if (!now) flush_pending();  // queued ahead of the shutdown
  shutdown_req_.data = this;
  if (now || queued_bytes_ == 0 ||
      uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&pipe_), on_shutdown) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), on_close);
  }
}

void ClientConnection::send_final(const nlohmann::json& message) {
  send(message);
  if (closing_) return;
  flush_pending();
  closing_ = true;
  discarding_ = true;
  shutdown_req_.data = this;
  if (uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&pipe_), [](uv_shutdown_t*, int) {}) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), on_close);
    return;
  }
  start();
}

void ClientConnection::on_shutdown(uv_shutdown_t* req, int) {
  auto* self = static_cast<ClientConnection*>(req->data);
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&self->pipe_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&self->pipe_), on_close);
  }
}

void ClientConnection::on_close(uv_handle_t* h) {
  auto* self = static_cast<ClientConnection*>(h->data);
  self->on_closed_(*self);  // the owner deletes the connection here
}

}  // namespace ptt::taskd
