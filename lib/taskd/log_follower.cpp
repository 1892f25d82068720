#include "taskd/log_follower.h"

#include <algorithm>
#include <limits>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "protocol/events.h"
#include "taskd/client_connection.h"

namespace ptt::taskd {

LogFollower::LogFollower(std::uint64_t connection, std::int64_t task, std::filesystem::path file, bool follow,
                         std::uint64_t from_offset)
    : connection_(connection),
      task_(task),
      file_(std::move(file)),
      follow_(follow),
      // Past the end of any file there is: nothing until the file grows that far.
      offset_(static_cast<off_t>(std::min<std::uint64_t>(from_offset, std::numeric_limits<off_t>::max()))),
      line_start_(offset_) {}

LogFollower::~LogFollower() {
  if (fd_ >= 0) ::close(fd_);
}

LogFollower::Status LogFollower::pump(ClientConnection& to, std::size_t budget, bool task_finished) {
  if (fd_ < 0) fd_ = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO must not block
  // A line the framer hands over ends with its '\n', except the last one of a finished
  // task's file (`at_eof`), which may have none.
  bool at_eof = false;
  auto next_offset = [&](std::size_t length) {
    line_start_ = at_eof ? offset_ : line_start_ + static_cast<off_t>(length) + 1;
    return static_cast<std::uint64_t>(line_start_);
  };
  auto send_line = [&](std::string_view line) {
    to.send(protocol::event_json(protocol::LogLine{.task = task_,
                                                   .line = std::string(line),
                                                   .omitted_bytes = {},
                                                   .next_offset = next_offset(line.size())}));
  };
  auto send_omitted = [&](std::size_t length) {
    to.send(protocol::event_json(protocol::LogLine{
        .task = task_, .line = {}, .omitted_bytes = length, .next_offset = next_offset(length)}));
  };
  static std::vector<char> buf(64 * 1024);
  while (fd_ >= 0 && budget > 0) {
    if (to.queued_bytes() > ClientConnection::kBackpressure) return Status::kIdle;  // resumed when drained
    ssize_t n = ::pread(fd_, buf.data(), std::min(buf.size(), budget), offset_);
    if (n <= 0) break;
    offset_ += n;
    budget -= static_cast<std::size_t>(n);
    framer_.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), send_line, send_omitted);
  }
  if (budget == 0) return Status::kMore;
  // At EOF: the end when nothing more can come.
  if (follow_ && !task_finished) return Status::kIdle;
  at_eof = true;
  framer_.finish(send_line, send_omitted);
  to.send(protocol::event_json(protocol::LogEnd{.task = task_}));
  return Status::kDone;
}

}  // namespace ptt::taskd
