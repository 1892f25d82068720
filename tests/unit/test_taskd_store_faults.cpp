// The record store and RecordKeeper on a disk that fails: full (ENOSPC), broken
// (EIO), short writes that tear a line. FakeStateDisk plays the disk.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <system_error>

#include <nlohmann/json.hpp>

#include "fake_state_disk.h"
#include "taskd/record_keeper.h"
#include "taskd/record_store.h"

using namespace ptt::taskd;
using ptt::protocol::TaskRecord;
using ptt::protocol::TaskState;
using ptt::taskd::testing::FakeStateDisk;

namespace {

TaskRecord record(std::int64_t id, TaskState state = TaskState::kQueued) {
  TaskRecord r;
  r.id = id;
  r.prompt = std::string("prompt ").append(std::to_string(id));
  r.cwd = "/src";
  r.state = state;
  return r;
}

std::vector<std::int64_t> ids(const RecordStore::Loaded& loaded) {
  std::vector<std::int64_t> out;
  for (const auto& r : loaded.records) out.push_back(r.id);
  return out;
}

int error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::system_error& e) {
    return e.code().value();
  }
  return 0;
}

SpawnRequest spawn_request() {
  SpawnRequest r;
  r.prompt = std::string("p");
  r.cwd = "/src";
  return r;
}

}  // namespace

TEST_CASE("a full disk refuses an append, what landed before and after it is read back",
          "[taskd][store][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  store.save(record(1));
  disk.append_error = ENOSPC;
  CHECK(error_of([&] { store.save(record(2)); }) == ENOSPC);
  CHECK(error_of([&] { store.forget(1); }) == ENOSPC);
  disk.heal();
  store.save(record(3));
  auto loaded = store.load();
  CHECK(ids(loaded) == std::vector<std::int64_t>{1, 3});
  CHECK(loaded.problems.empty());
}

TEST_CASE("a line torn by a short write is skipped at the next load, its id stays used",
          "[taskd][store][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  store.save(record(1));
  disk.append_error = ENOSPC;
  disk.torn_bytes = 12;  // "\n{"id":2,"na…
  CHECK(error_of([&] { store.save(record(2)); }) == ENOSPC);
  disk.heal();
  store.save(record(3, TaskState::kSucceeded));  // starts with a newline: ends the torn line
  auto loaded = store.load();
  CHECK(ids(loaded) == std::vector<std::int64_t>{1, 3});
  CHECK(loaded.records[1].state == TaskState::kSucceeded);
  REQUIRE(loaded.problems.size() == 1);
  CHECK(loaded.problems[0].find("torn or corrupt task record") != std::string::npos);
  CHECK(loaded.next_id == 4);
  // The load compacted the torn line away: one line per record, reported once.
  CHECK(disk.files.at(store.records_file()) == nlohmann::json(record(1)).dump() + "\n" +
                                                   nlohmann::json(record(3, TaskState::kSucceeded)).dump() +
                                                   "\n");
  CHECK(store.load().problems.empty());
}

TEST_CASE("a torn line that kept its id: the id is never handed out again", "[taskd][store][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  disk.append_error = ENOSPC;
  std::string line = nlohmann::json(record(7)).dump();
  disk.torn_bytes = 1 + line.find("\"id\":7,") + 7;  // cut just after the id
  CHECK(error_of([&] { store.save(record(7)); }) == ENOSPC);
  disk.heal();
  CHECK(store.load().next_id == 8);
}

TEST_CASE("EIO reading the records file: reported, and nothing is rewritten over it",
          "[taskd][store][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  for (int i = 0; i < 300; ++i) store.save(record(1));  // a compaction would be due
  std::string before = disk.files.at(store.records_file());
  int writes = disk.atomic_writes;
  disk.read_errors[store.records_file()] = EIO;
  auto loaded = store.load();
  REQUIRE(loaded.problems.size() == 1);
  CHECK(loaded.problems[0].find("cannot read it") != std::string::npos);
  CHECK(loaded.records.empty());
  CHECK(disk.atomic_writes == writes);
  CHECK(disk.files.at(store.records_file()) == before);
  disk.heal();
  CHECK(ids(store.load()) == std::vector<std::int64_t>{1});  // all there once it reads again
}

TEST_CASE("an unreadable id counter is recomputed from the records", "[taskd][store][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  store.save(record(4));
  disk.files["/state/next_id"] = "garbage";
  auto loaded = store.load();
  CHECK(loaded.next_id == 5);
  REQUIRE(loaded.problems.size() == 1);
  CHECK(loaded.problems[0].find("next_id") != std::string::npos);
}

TEST_CASE("a compaction that fails on a full disk leaves the file whole and waits before the next try",
          "[taskd][store][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  for (int i = 0; i < 300; ++i) store.save(record(1));
  REQUIRE(store.compaction_due(1));
  std::string before = disk.files.at(store.records_file());
  disk.write_error = ENOSPC;
  TaskRecord one = record(1);
  std::string content = nlohmann::json(one).dump() + "\n";
  CHECK(error_of([&] { store.compact(content, 1); }) == ENOSPC);
  CHECK(disk.files.at(store.records_file()) == before);
  CHECK_FALSE(store.compaction_due(1));  // not again at every write while the disk is full
  disk.heal();
  for (int i = 0; i < 257; ++i) store.save(record(1));
  CHECK(store.compaction_due(1));
  store.compact(content, 1);
  CHECK(disk.files.at(store.records_file()) == nlohmann::json(one).dump() + "\n");
}

TEST_CASE("a compaction at start-up that fails is only reported", "[taskd][store][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  for (int i = 0; i < 300; ++i) store.save(record(1));
  disk.write_error = EIO;
  auto loaded = store.load();
  CHECK(ids(loaded) == std::vector<std::int64_t>{1});
  REQUIRE(loaded.problems.size() == 1);
  CHECK(loaded.problems[0].find("cannot rewrite") != std::string::npos);
}

TEST_CASE("keeper: a new task's record that cannot be written takes the spawn back",
          "[taskd][keeper][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  disk.append_error = ENOSPC;
  TableActions actions;
  TaskId id = table.spawn(spawn_request(), 1.0, actions);
  CHECK(error_of([&] { keeper.record_new_task(id, actions); }) == ENOSPC);
  CHECK(table.find(id) == nullptr);
  CHECK(actions.empty());
  disk.heal();
  TableActions next;
  TaskId again = table.spawn(spawn_request(), 2.0, next);
  keeper.record_new_task(again, next);
  CHECK(again == id + 1);  // the refused id stays unused
  // Its first record is written: the batch no longer carries that write.
  CHECK(std::none_of(next.begin(), next.end(),
                     [](const TableAction& a) { return a.kind == TableAction::Kind::kPersist; }));
  CHECK(ids(store.load()) == std::vector<std::int64_t>{again});
}

TEST_CASE("keeper: a change that cannot be written is kept and retried until it lands",
          "[taskd][keeper][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  std::vector<bool> timer;
  RecordKeeper keeper(store, table, [&](bool on) { timer.push_back(on); });
  TableActions actions;
  TaskId running = table.spawn(spawn_request(), 1.0, actions);
  TaskId queued = table.spawn(spawn_request(), 1.0, actions);
  keeper.record_new_task(running, actions);
  keeper.record_new_task(queued, actions);

  disk.append_error = EIO;
  disk.torn_bytes = 5;
  TableActions cancel;
  table.cancel(queued, 2.0, cancel);  // acknowledged while the disk fails
  for (const TableAction& a : cancel) keeper.changed(a.task);
  for (const TableAction& a : cancel) {
    if (a.kind == TableAction::Kind::kPersist) keeper.persist_later(a.task);
  }
  keeper.flush();
  CHECK(keeper.has_failed());
  CHECK(timer == std::vector<bool>{true});
  keeper.retry_failed();  // the timer fires: still failing
  CHECK(keeper.has_failed());
  CHECK(timer == std::vector<bool>{true});

  disk.heal();
  keeper.retry_failed();
  CHECK_FALSE(keeper.has_failed());
  CHECK(timer == std::vector<bool>{true, false});
  auto loaded = store.load();
  REQUIRE(ids(loaded) == std::vector<std::int64_t>{running, queued});
  CHECK(loaded.records[1].state == TaskState::kCancelled);
  CHECK(loaded.problems.size() == 2);  // the torn lines of the write and its failed retry, skipped
}

TEST_CASE("keeper: a later write that succeeds catches up with the failed ones", "[taskd][keeper][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(2);
  RecordKeeper keeper(store, table, [](bool) {});
  TableActions actions;
  TaskId a = table.spawn(spawn_request(), 1.0, actions);
  TaskId b = table.spawn(spawn_request(), 1.0, actions);
  keeper.record_new_task(a, actions);
  keeper.record_new_task(b, actions);
  auto finish = [&](TaskId id, double now) {
    TableActions out;
    table.agent_exited(id, AgentExit{0, 0, 0, false}, "", now, out);
    for (const TableAction& x : out) keeper.changed(x.task);
    for (const TableAction& x : out) {
      if (x.kind == TableAction::Kind::kPersist) keeper.persist_later(x.task);
    }
    keeper.flush();
  };
  disk.append_error = ENOSPC;
  finish(a, 2.0);
  CHECK(keeper.has_failed());
  disk.heal();
  finish(b, 3.0);
  CHECK_FALSE(keeper.has_failed());
  auto loaded = store.load();
  REQUIRE(loaded.records.size() == 2);
  CHECK(ptt::protocol::is_finished(loaded.records[0].state));
  CHECK(ptt::protocol::is_finished(loaded.records[1].state));
}

TEST_CASE("keeper: no compaction while a record is unwritten", "[taskd][keeper][faults]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  TableActions actions;
  TaskId running = table.spawn(spawn_request(), 1.0, actions);
  TaskId id = table.spawn(spawn_request(), 1.0, actions);  // queued: a cancel ends it at once
  keeper.record_new_task(running, actions);
  keeper.record_new_task(id, actions);
  for (int i = 0; i < 300; ++i) store.save(*table.find(id));
  REQUIRE(store.compaction_due(2));
  disk.append_error = ENOSPC;
  TableActions cancel;
  table.cancel(id, 2.0, cancel);
  for (const TableAction& x : cancel) keeper.changed(x.task);
  keeper.persist_later(id);
  keeper.flush();
  REQUIRE(keeper.has_failed());
  int writes = disk.atomic_writes;
  disk.append_error = 0;  // appends work again, but the failed record waits for its retry
  keeper.flush();
  CHECK(disk.atomic_writes == writes);
  keeper.retry_failed();
  keeper.flush();
  CHECK(disk.atomic_writes > writes);  // compacted now, with the record's latest state
  CHECK(store.load().records.at(1).state == TaskState::kCancelled);
}

namespace {
// A keeper over the fake disk, with a helper that appends a new task's record unsynced.
struct GroupFixture {
  FakeStateDisk disk;
  RecordStore store{"/state", disk};
  TaskTable table{4};
  RecordKeeper keeper{store, table, [](bool) {}};
  GroupFixture() { store.load(); }
  TaskId appended() {
    TableActions actions;
    TaskId id = table.spawn(spawn_request(), 1.0, actions);
    keeper.append_new_task(id, actions);
    return id;
  }
};
}  // namespace

TEST_CASE("keeper: the spawns of one turn are synced together, and none is durable before that sync",
          "[taskd][keeper][faults]") {
  GroupFixture f;
  TaskId first = f.appended();
  f.keeper.commit_new_tasks({first});  // the records file exists now (no dir sync below)
  TaskId a = f.appended(), b = f.appended();
  int syncs = f.disk.syncs;
  // Appended, not yet durable: a power cut now loses both (so neither may be answered yet).
  FakeStateDisk cut = f.disk;
  cut.crash();
  RecordStore lost("/state", cut);
  CHECK(ids(lost.load()) == std::vector<std::int64_t>{first});
  f.keeper.commit_new_tasks({a, b});
  CHECK(f.disk.syncs == syncs + 1);  // one fsync for both
  f.disk.crash();
  CHECK(ids(f.store.load()) == std::vector<std::int64_t>{first, a, b});
}

TEST_CASE("keeper: when a group's sync fails, every spawn of the group is taken back",
          "[taskd][keeper][faults]") {
  GroupFixture f;
  TaskId a = f.appended(), b = f.appended();
  f.disk.sync_error = EIO;
  CHECK(error_of([&] { f.keeper.commit_new_tasks({a, b}); }) == EIO);
  CHECK(f.table.find(a) == nullptr);
  CHECK(f.table.find(b) == nullptr);
  f.disk.heal();
  f.keeper.sync();
  CHECK(ids(f.store.load()).empty());  // forget lines: a restart runs neither
  TableActions next;
  CHECK(f.table.spawn(spawn_request(), 2.0, next) == b + 1);  // their ids stay used
}
