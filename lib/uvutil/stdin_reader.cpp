#include "uvutil/stdin_reader.h"

namespace ptt::uvutil {

StdinReader::StdinReader(uv_loop_t* loop, DataFn on_data, EofFn on_eof)
    : loop_(loop), on_data_(std::move(on_data)), on_eof_(std::move(on_eof)) {}

StdinReader::~StdinReader() { stop(); }

void StdinReader::start() {
  type_ = uv_guess_handle(0);
  auto* stream = reinterpret_cast<uv_stream_t*>(&stream_);
  int rc = -1;
  if (type_ == UV_NAMED_PIPE) {
    rc = uv_pipe_init(loop_, &stream_.pipe, 0);
    if (rc == 0) rc = uv_pipe_open(&stream_.pipe, 0);
  } else if (type_ == UV_TTY) {
    rc = uv_tty_init(loop_, &stream_.tty, 0, 1);
  }
  if (rc != 0) {
    // A regular file (or /dev/null): plain asynchronous reads.
    type_ = UV_FILE;
    file_read();
    return;
  }
  stream_open_ = true;
  stream->data = this;
  uv_read_start(
      stream,
      [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
        auto* self = static_cast<StdinReader*>(h->data);
        buf->base = self->file_buf_;
        buf->len = sizeof self->file_buf_;
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
        auto* self = static_cast<StdinReader*>(s->data);
        if (n > 0) self->on_data_(std::string_view(buf->base, static_cast<std::size_t>(n)));
        if (n < 0) self->finish();
      });
}

void StdinReader::file_read() {
  if (stopped_) return;
  fs_busy_ = true;
  fs_req_.data = this;
  uv_buf_t buf = uv_buf_init(file_buf_, sizeof file_buf_);
  uv_fs_read(loop_, &fs_req_, 0, &buf, 1, -1, [](uv_fs_t* req) {
    auto* self = static_cast<StdinReader*>(req->data);
    ssize_t n = req->result;
    uv_fs_req_cleanup(req);
    self->fs_busy_ = false;
    if (self->stopped_) return;
    if (n > 0) {
      self->on_data_(std::string_view(self->file_buf_, static_cast<std::size_t>(n)));
      self->file_read();
    } else {
      self->finish();
    }
  });
}

void StdinReader::finish() {
  if (eof_) return;
  eof_ = true;
  if (stream_open_) uv_read_stop(reinterpret_cast<uv_stream_t*>(&stream_));
  on_eof_();
}

void StdinReader::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (stream_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&stream_), nullptr);
    stream_open_ = false;
  }
  if (fs_busy_) uv_cancel(reinterpret_cast<uv_req_t*>(&fs_req_));
}

}  // namespace ptt::uvutil
