#include <catch2/catch.hpp>

#include "task_table_fixture.h"
#include "taskd/task_table.h"

using namespace ptt::taskd;
using ptt::protocol::TaskState;

using ptt::taskd::test::spawn_request;

TEST_CASE("discard takes back a spawn whose record could not be written", "[taskd][table]") {
  TaskTable table(1);
  TableActions actions;
  TaskId first = table.spawn(spawn_request("a"), 1.0, actions);
  TaskId refused = table.spawn(spawn_request("b"), 2.0, actions);
  REQUIRE(table.find(refused)->state == TaskState::kQueued);
  table.discard(refused);
  CHECK(table.find(refused) == nullptr);
  CHECK(table.size() == 1);
  CHECK(table.running_count() == 1);
  // The id is not handed out again: it may have been seen in a log line.
  TableActions more;
  TaskId next = table.spawn(spawn_request("c"), 3.0, more);
  CHECK(next == refused + 1);
  CHECK(table.find(first)->state == TaskState::kStarting);
  CHECK(table.find(next)->state == TaskState::kQueued);
}
