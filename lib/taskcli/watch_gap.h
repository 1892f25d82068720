#pragma once
// What `watch` missed while its connection was down (taskcli/reconnect.h), rebuilt as the
// events it would have printed, from the tasks' records before and after. Pure: tested
// without a daemon (tests/unit/test_watch_gap.cpp).
#include <cstdint>
#include <map>
#include <vector>

#include "protocol/events.h"
#include "protocol/task_record.h"

namespace ptt::taskcli {

struct WatchGap {
  // The unfinished tasks as watch last knew them (its view when the connection broke).
  std::map<std::int64_t, protocol::TaskRecord> before;
  // The highest task id watch had seen: a higher one was created in the gap.
  std::int64_t seen_up_to = 0;
  // The unfinished tasks now (the new subscribe reply).
  std::vector<protocol::TaskRecord> unfinished_now;
  // Finished tasks' records: those of `before` that are not unfinished now, and those
  // above `seen_up_to` that ended in the gap (others are ignored).
  std::vector<protocol::TaskRecord> finished;
};

// The events, task by task in id order: `created` for a task created in the gap (its
// record as it was queued), `started` for one whose agent started, `activity` when what a
// still running task does changed, `finished` for one that ended. Applied to a view in
// order, they turn `before` into the records of now. Intermediate activity is not kept
// by the daemon, so only the latest shows.
std::vector<protocol::Event> gap_events(const WatchGap& gap);

}  // namespace ptt::taskcli
