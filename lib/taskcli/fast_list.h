#pragma once
// Reads a `list` reply with simdjson instead of building a nlohmann DOM: over
// thousands of tasks the reply is one multi-MB line, and `ptt-task list` should
// cost about what `tsp -l` does. Only the fields the table shows are read; --json
// output reuses each record's bytes as the daemon sent them (minified).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/task_record.h"

namespace ptt::taskcli {

struct ListReply {
  bool ours = false;  // the reply to request `id` (not an event, not another reply)
  bool ok = false;
  std::string error_code, error_message;
  std::vector<protocol::TaskRecord> tasks;  // the table's fields only
  std::vector<std::string> raw_tasks;       // when want_raw: one compact JSON per task
};

// Throws std::runtime_error when the line is not valid JSON.
// `capacity`: how many bytes may be read at line.data() (a std::string's capacity);
// with simdjson's padding to spare the line is parsed in place, not copied.
ListReply parse_list_reply(std::string_view line, long id, bool want_raw, std::size_t capacity = 0);

}  // namespace ptt::taskcli
