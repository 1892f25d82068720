#pragma once
// Reads fd 0 on the libuv loop, whatever it is: a pipe, a terminal, or a file.
#include <functional>
#include <string_view>

#include <uv.h>

namespace ptt::uvutil {

class StdinReader {
 public:
  using DataFn = std::function<void(std::string_view data)>;
  using EofFn = std::function<void()>;

  StdinReader(uv_loop_t* loop, DataFn on_data, EofFn on_eof);
  ~StdinReader();
  void start();
  void stop();

 private:
  void file_read();
  void finish();

  uv_loop_t* loop_;
  DataFn on_data_;
  EofFn on_eof_;
  uv_handle_type type_ = UV_UNKNOWN_HANDLE;
  union {
    uv_pipe_t pipe;
    uv_tty_t tty;
  } stream_{};
  bool stream_open_ = false;
  uv_fs_t fs_req_{};
  bool fs_busy_ = false;
  bool stopped_ = false;
  bool eof_ = false;
  char file_buf_[65536];
};

}  // namespace ptt::uvutil
