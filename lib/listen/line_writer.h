#pragma once
// Writes NDJSON to stdout with one write(2) per batch of whole lines, so each line
// reaches the reader at once (no stdio buffering). A closed reader (EPIPE) is
// reported, not fatal: ptt-listen then exits 0 like `head` expects.
#include <string>
#include <string_view>

namespace ptt::listen {

class LineWriter {
 public:
  explicit LineWriter(int fd = 1) : fd_(fd) {}
  // False once the reader is gone (or another write error); then stays false.
  bool write(std::string_view lines);
  bool ok() const { return ok_; }

 private:
  int fd_;
  bool ok_ = true;
};

}  // namespace ptt::listen
