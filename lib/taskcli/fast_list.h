#pragma once
// Reads a `list` reply with nlohmann's SAX parser instead of building a DOM: over
// thousands of tasks the reply is one line of hundreds of KB, and `ptt-task list`
// should cost less than `tsp -l` does. Only the fields the table shows are kept;
// --json output re-serializes each record in the order the daemon sent its keys.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/queue_hold.h"
#include "protocol/task_record.h"

namespace ptt::taskcli {

struct ListReply {
  bool ours = false;  // the reply to request `id` (not an event, not another reply)
  bool ok = false;
  std::string error_code, error_message;
  std::vector<protocol::TaskRecord> tasks;        // the table's fields only
  std::vector<std::string> raw_tasks;             // when want_raw: one compact JSON per task
  std::optional<protocol::QueueHold> queue_hold;  // while the queue is held
  std::uint64_t finished_omitted = 0;             // finished tasks the daemon left out (--last)
};

// Throws std::runtime_error when the line is not valid JSON or a record is unreadable.
// With `on_record`, each record goes there as soon as it is read instead of into
// `tasks` (the caller must drop what it got when the reply turns out not `ours`).
using RecordSink = std::function<void(protocol::TaskRecord&&)>;
ListReply parse_list_reply(std::string_view line, long id, bool want_raw, const RecordSink& on_record = {});
// How many task records a list reply line holds, at most (to size containers once).
std::size_t count_records(std::string_view line);

}  // namespace ptt::taskcli
