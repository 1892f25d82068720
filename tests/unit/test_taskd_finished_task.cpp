#include <catch2/catch.hpp>

#include <stdexcept>
#include <system_error>

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

// A records file in memory: what RecordStore::read_line reads from tasks.ndjson.
struct FileOfLines final : RecordLineSource {
  std::string text;
  int reads = 0;
  RecordSpan add(const std::string& line) {
    text += '\n';
    RecordSpan at{text.size(), static_cast<std::uint32_t>(line.size())};
    text += line + '\n';
    return at;
  }
  std::string read_line(RecordSpan at) const override {
    ++const_cast<FileOfLines*>(this)->reads;
    if (at.offset + at.length > text.size()) throw std::system_error(EIO, std::generic_category(), "short");
    return text.substr(at.offset, at.length);
  }
};

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
  table.for_each_line([&](TaskId, const std::string& line, bool) { lines.push_back(line); });
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

TEST_CASE("a finished task kept on disk keeps only its table line and reads its record back from there",
          "[taskd][table]") {
  TaskRecord t = finished_record(7);
  std::string canonical = ptt::protocol::record_line(t, RecordView::kFull);
  FileOfLines file;
  file.add("{\"forget\":1}");
  RecordSpan at = file.add(canonical);
  FinishedTask f(t.state, t.name, 120.25, at);
  CHECK(f.state() == TaskState::kFailed);
  CHECK(f.name() == t.name);
  CHECK(f.record(&file) == t);
  CHECK(f.line(RecordView::kFull, &file) == canonical);
  CHECK(f.line(RecordView::kTable, &file) == ptt::protocol::record_line(t, RecordView::kTable));
  int reads = file.reads;
  CHECK(f.line(RecordView::kTable, &file) == ptt::protocol::record_line(t, RecordView::kTable));
  CHECK(file.reads == reads);  // the table line is kept
  CHECK(f.line(RecordView::kFull, &file) == canonical);
  CHECK(file.reads == reads + 1);  // the full one is not
  CHECK_THROWS_AS(f.record(nullptr), std::logic_error);

  // A line that is not canonical (an older key order) is checked once, then kept canonical.
  nlohmann::ordered_json reordered = nlohmann::ordered_json::parse(canonical), journal;
  for (auto it = reordered.rbegin(); it != reordered.rend(); ++it) journal[it.key()] = it.value();
  FinishedTask older(t.state, t.name, 120.25, file.add(journal.dump()));
  CHECK(older.line(RecordView::kFull, &file) == canonical);
  CHECK(older.record(&file) == t);

  // What is no longer there (the file cut or changed under the daemon) is an error, not a record.
  FinishedTask lost(t.state, t.name, 120.25, RecordSpan{file.text.size() + 10, 5});
  CHECK_THROWS_AS(lost.record(&file), std::system_error);
  FinishedTask moved(t.state, t.name, 120.25, RecordSpan{at.offset + 1, at.length});
  CHECK_THROWS_AS(moved.record(&file), std::runtime_error);
}

TEST_CASE("a task finished in this run moves to disk once its line is stored, and the table checks the id",
          "[taskd][table]") {
  FileOfLines file;
  TaskTable table;
  table.read_lines_from(&file);
  TaskRecord done = finished_record(3), other = finished_record(5);
  table.load(done);
  const std::string* line = table.finished_line(3, RecordView::kFull);
  REQUIRE(line);
  std::string written = *line;
  table.stored_at(3, file.add(written));
  CHECK(file.reads == 0);
  CHECK(*table.find(3) == done);
  CHECK(file.reads == 1);
  CHECK(*table.finished_line(3, RecordView::kFull) == written);
  // Another task's line where this one's should be reads as an error.
  table.stored_at(3, file.add(ptt::protocol::record_line(other, RecordView::kFull)));
  CHECK_THROWS_AS(table.find(3), std::runtime_error);
  table.stored_at(42, RecordSpan{0, 1});  // no such task: nothing
}
