#pragma once
// Hidden instrumentation for bench/listen_latency: with PTT_LISTEN_TRACE=PATH set,
// each audio line's chunk position, the CLOCK_MONOTONIC time its last samples were
// captured (callback time, or the paced deadline for --file) and the time its line
// was written, one "ms captured_ns written_ns" row per chunk.
#include <cstdint>
#include <cstdio>

namespace ptt::listen {

std::int64_t monotonic_ns();

class LatencyTrace {
 public:
  LatencyTrace();  // reads PTT_LISTEN_TRACE
  ~LatencyTrace();
  bool enabled() const { return file_ != nullptr; }
  void record(std::int64_t chunk_ms, std::int64_t captured_ns, std::int64_t written_ns);

 private:
  std::FILE* file_ = nullptr;
};

}  // namespace ptt::listen
