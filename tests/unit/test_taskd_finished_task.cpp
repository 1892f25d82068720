#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "agent_result_of.h"
#include "protocol/record_view.h"
#include "taskd/finished_task.h"
#include "taskd/task_table.h"

using namespace ptt::taskd;
using ptt::protocol::RecordView;
using ptt::protocol::TaskRecord;
using ptt::protocol::TaskState;

namespace {

TaskRecord finished_record(TaskId id) {
  TaskRecord t;
  t.id = id;
  t.name = "n" + std::to_string(id);
  t.state = TaskState::kFailed;
  t.reason = "error";
  t.prompt = "a prompt long enough to be on the heap";
  t.cwd = "/src";
  t.created_at = 100.5;
  t.finished_at = 120.25;
  t.result = agent_result_of("error", true, "boom", 0.5, 2, 100);
  t.result->usage = {{"input_tokens", 10}, {"cache_creation", {{"ephemeral_5m_input_tokens", 1}}}};
  t.result->model_usage = {{"claude-opus", {{"costUSD", 0.5}}}};
  return t;
}

}  // namespace

TEST_CASE("a finished task kept as its line reads back whole, and its lines are the record's",
          "[taskd][table]") {
  TaskRecord t = finished_record(7);
  std::string canonical = ptt::protocol::record_line(t, RecordView::kFull);
  // From the record, and from a journal line in another key order (as an older daemon wrote it).
  nlohmann::ordered_json reordered = nlohmann::ordered_json::parse(canonical);
  nlohmann::ordered_json journal;
  for (auto it = reordered.rbegin(); it != reordered.rend(); ++it) journal[it.key()] = it.value();
  for (const FinishedTask& f :
       {FinishedTask::of(t), FinishedTask(t, journal.dump(), false), FinishedTask(t, canonical, true)}) {
    CHECK(f.record() == t);
    CHECK(f.state() == TaskState::kFailed);
    CHECK(f.name() == t.name);
    CHECK(f.finished_or_created_at() == 120.25);
    CHECK(f.line(RecordView::kFull) == canonical);
    CHECK(f.line(RecordView::kTable) == ptt::protocol::record_line(t, RecordView::kTable));
  }
}

TEST_CASE("the table keeps finished tasks as lines and reads them back on demand", "[taskd][table]") {
  TaskTable table;
  TaskRecord done = finished_record(3);
  TaskRecord queued;
  queued.id = 4;
  queued.prompt = "later";
  table.load(done);
  table.load(queued);
  CHECK(table.size() == 2);
  CHECK(table.live(3) == nullptr);  // kept as a line
  REQUIRE(table.live(4));
  CHECK(*table.find(3) == done);
  CHECK(table.state(3) == TaskState::kFailed);
  CHECK(table.state(9) == std::nullopt);
  CHECK(table.ids() == std::vector<TaskId>{3, 4});
  CHECK(table.ids(TaskState::kFailed) == std::vector<TaskId>{3});
  CHECK(table.unfinished() == std::set<TaskId>{4});
  REQUIRE(table.finished_line(3, RecordView::kTable));
  CHECK(*table.finished_line(3, RecordView::kTable) == ptt::protocol::record_line(done, RecordView::kTable));
  CHECK(table.finished_line(4, RecordView::kFull) == nullptr);
  CHECK(table.resolve("n3") == 3);
  std::vector<std::string> lines;
  table.for_each_line([&](const std::string& line) { lines.push_back(line); });
  CHECK(lines == std::vector<std::string>{ptt::protocol::record_line(done, RecordView::kFull),
                                          ptt::protocol::record_line(queued, RecordView::kFull)});

  // A task that finishes is kept as its line from then on, and reads back as it ended.
  TableActions actions;
  table.schedule(200.0, actions);
  table.agent_started(4, 77, actions);
  StreamUpdate result;
  result.result = agent_result_of("success", false, "ok", 0.01, 1, 10);
  table.stream_update(4, result, actions);
  table.agent_exited(4, AgentExit{0, 0, 0, false}, "", 210.0, actions);
  CHECK(table.live(4) == nullptr);
  CHECK(table.find(4)->state == TaskState::kSucceeded);
  CHECK(table.find(4)->pid == 77);
  CHECK(table.unfinished().empty());

  // A change after the end (an agent writing on after a cancel) reads it back whole first.
  std::uint64_t before = table.revision(3);
  StreamUpdate late;
  late.model = "late-model";
  table.stream_update(3, late, actions);
  CHECK(table.revision(3) > before);
  REQUIRE(table.live(3));
  CHECK(table.find(3)->model == "late-model");
  CHECK(table.find(3)->result == done.result);
}
