#pragma once
// Where a record's line sits in tasks.ndjson, and what reads it back from there: a
// finished task keeps only this in memory, not its line (taskd/finished_task.h).
#include <cstdint>
#include <string>

namespace ptt::taskd {

struct RecordSpan {
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
  bool operator==(const RecordSpan&) const = default;
};

class RecordLineSource {
 public:
  virtual ~RecordLineSource() = default;
  // The bytes at `span` of the records file. Throws std::system_error.
  virtual std::string read_line(RecordSpan span) const = 0;
};

}  // namespace ptt::taskd
