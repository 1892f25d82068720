#pragma once
// Serves one `logs` request: reads a task's raw stream (or stderr) file from the
// start (or the request's `from_offset`) and sends each line as a `log` event with the
// offset just past it (`next_offset`, where a reconnected client goes on), then `log_end`
// (at EOF, or with follow once the task has finished). Reads in bounded slices and pauses while
// the client is slow to read, so memory stays bounded for any log size.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/ndjson.h"

namespace ptt::taskd {

class ClientConnection;

class LogFollower {
 public:
  // Lines longer than this are not sent; an event with `omitted_bytes` says so.
  static constexpr std::size_t kMaxLogLine = 512u * 1024;

  LogFollower(std::uint64_t connection, std::int64_t task, std::filesystem::path file, bool follow,
              std::uint64_t from_offset = 0);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  enum class Status { kMore, kIdle, kDone };
  // task_finished: no more bytes will come, so EOF means the end.
  Status pump(ClientConnection& to, std::size_t budget, bool task_finished);

  std::uint64_t connection() const { return connection_; }
  std::int64_t task() const { return task_; }
  bool dirty = true;  // has news to read; the daemon pumps dirty followers

 private:
  std::uint64_t connection_;
  std::int64_t task_;
  std::filesystem::path file_;
  bool follow_;
  int fd_ = -1;
  off_t offset_ = 0;      // the next byte to read
  off_t line_start_ = 0;  // where the line the framer holds (or the next one) begins
  LineFramer framer_{kMaxLogLine};
};

}  // namespace ptt::taskd
