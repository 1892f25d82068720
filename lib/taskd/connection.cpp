#include "taskd/connection.h"

#include "protocol/protocol.h"

namespace ptt::taskd {

namespace {
struct WriteRequest {
  uv_write_t req;
  std::string data;
};
}  // namespace

Connection::Connection(std::uint64_t id, LineFn on_line, TooLongFn on_too_long, ClosedFn on_closed,
                       DrainedFn on_drained)
    : id_(id),
      framer_(protocol::kMaxLine),
      on_line_(std::move(on_line)),
      on_too_long_(std::move(on_too_long)),
      on_closed_(std::move(on_closed)),
      on_drained_(std::move(on_drained)) {
  pipe_.data = this;
}

void Connection::start() { uv_read_start(reinterpret_cast<uv_stream_t*>(&pipe_), on_alloc, on_read); }

void Connection::on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  // One buffer for all connections: libuv hands it back in on_read right away
  // and the framer copies what it keeps, so idle connections cost no buffer.
  static std::string shared(64 * 1024, '\0');
  *buf = uv_buf_init(shared.data(), static_cast<unsigned>(shared.size()));
}

void Connection::on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(s->data);
  if (n < 0) {
    if (self->discarding_) {
      self->close(true);
    } else {
      self->close(n != UV_EOF);
    }
    return;
  }
  if (self->discarding_) return;
  self->framer_.feed(
      std::string_view(buf->base, static_cast<std::size_t>(n)),
      [self](std::string_view line) {
        if (!self->closing_) self->on_line_(*self, line);
      },
      [self](std::size_t length) {
        if (!self->closing_) self->on_too_long_(*self, length);
      });
}

void Connection::send(const nlohmann::json& message) {
  if (!closing_) send_line(to_ndjson(message));
}

void Connection::send_line(std::string line) {
  if (closing_) return;
  auto* w = new WriteRequest;
  w->data = std::move(line);
  w->req.data = this;
  queued_bytes_ += w->data.size();
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&pipe_), &buf, 1, on_write);
  if (rc != 0) {
    queued_bytes_ -= w->data.size();
    delete w;
    close(true);
    return;
  }
  if (queued_bytes_ > kMaxQueued) close(true);
}

void Connection::on_write(uv_write_t* req, int status) {
  auto* w = reinterpret_cast<WriteRequest*>(req);
  auto* self = static_cast<Connection*>(req->data);
  self->queued_bytes_ -= w->data.size();
  bool was_full = self->queued_bytes_ + w->data.size() > kBackpressure;
  delete w;
  if (status != 0) {
    self->close(true);
  } else if (was_full && self->queued_bytes_ <= kBackpressure && !self->closing_) {
    self->on_drained_(*self);
  }
}

void Connection::close(bool now) {
  if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&pipe_))) return;
  if (closing_) {
    if (now) uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), on_close);  // stop flushing or discarding
    return;
  }
  closing_ = true;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&pipe_));
  shutdown_req_.data = this;
  if (now || queued_bytes_ == 0 ||
      uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&pipe_), on_shutdown) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), on_close);
  }
}

void Connection::send_final(const nlohmann::json& message) {
  send(message);
  if (closing_) return;
  closing_ = true;
  discarding_ = true;
  shutdown_req_.data = this;
  if (uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&pipe_), [](uv_shutdown_t*, int) {}) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), on_close);
    return;
  }
  start();
}

void Connection::on_shutdown(uv_shutdown_t* req, int) {
  auto* self = static_cast<Connection*>(req->data);
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&self->pipe_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&self->pipe_), on_close);
  }
}

void Connection::on_close(uv_handle_t* h) {
  auto* self = static_cast<Connection*>(h->data);
  self->on_closed_(*self);  // the owner deletes the connection here
}

}  // namespace ptt::taskd
