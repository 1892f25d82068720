#pragma once
// How many fds this process has open, once libuv has made its process-wide ones (a
// signal pipe, at the first loop's init; each loop's own are closed with it): a test
// compares the count before and after to find an fd it leaked.
#include <cstddef>
#include <filesystem>

#include <uv.h>

inline std::size_t open_fds() {
  uv_loop_t warm;
  uv_loop_init(&warm);
  uv_loop_close(&warm);
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}
