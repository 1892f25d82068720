#include "listen/latency_trace.h"

#include <cinttypes>
#include <cstdlib>
#include <ctime>

namespace ptt::listen {

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

LatencyTrace::LatencyTrace() {
  const char* path = std::getenv("PTT_LISTEN_TRACE");
  if (path && *path) file_ = std::fopen(path, "w");
}

LatencyTrace::~LatencyTrace() {
  if (file_) std::fclose(file_);
}

void LatencyTrace::record(std::int64_t chunk_ms, std::int64_t captured_ns, std::int64_t written_ns) {
  if (file_) std::fprintf(file_, "%" PRId64 " %" PRId64 " %" PRId64 "\n", chunk_ms, captured_ns, written_ns);
}

}  // namespace ptt::listen
