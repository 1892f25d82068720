// What a spawn's reply (and any later reply or event) tells survives a power cut, and
// ids are never handed out twice, even when tasks.ndjson loses its tail. FakeStateDisk
// plays the disk; its crash() keeps only what was synced.
#include <catch2/catch.hpp>

#include <algorithm>

#include "fake_state_disk.h"
#include "taskd/record_keeper.h"
#include "taskd/record_store.h"

using namespace ptt::taskd;
using ptt::protocol::TaskState;
using ptt::taskd::testing::FakeStateDisk;

namespace {

SpawnRequest spawn_request() {
  SpawnRequest r;
  r.prompt = std::string("p");
  r.cwd = "/src";
  return r;
}

// A spawn as the daemon makes it: the id claimed, the task made, its record written.
TaskId spawn(RecordKeeper& keeper, TaskTable& table) {
  keeper.claim_next_id();
  TableActions actions;
  TaskId id = table.spawn(spawn_request(), 1.0, actions);
  keeper.record_new_task(id, actions);
  return id;
}

bool has_problem(const RecordStore::Loaded& loaded, std::string_view words) {
  return std::any_of(loaded.problems.begin(), loaded.problems.end(),
                     [&](const std::string& p) { return p.find(words) != std::string::npos; });
}

}  // namespace

TEST_CASE("a spawned task's record and log dir survive a crash right after its reply",
          "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  TaskId a = spawn(keeper, table);
  TaskId b = spawn(keeper, table);
  disk.crash();
  auto loaded = RecordStore("/state", disk).load();
  REQUIRE(loaded.records.size() == 2);
  CHECK(loaded.records[1].id == b);
  CHECK(loaded.next_id == b + 1);
  CHECK(RecordStore("/state", disk).load().records[0].id == a);
  CHECK(loaded.problems.empty());
}

TEST_CASE("the fake disk loses what was appended but not synced", "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  ptt::protocol::TaskRecord r;
  r.id = 1;
  store.save(r);
  disk.crash();
  CHECK(RecordStore("/state", disk).load().records.empty());
}

TEST_CASE("a change a request made is synced before its reply and survives a crash", "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  spawn(keeper, table);
  TaskId queued = spawn(keeper, table);
  TableActions cancel;
  table.cancel(queued, 2.0, cancel);
  for (const TableAction& a : cancel) keeper.changed(a.task);
  keeper.persist_later(queued);
  keeper.flush();
  keeper.sync();  // before the cancel's reply
  disk.crash();
  CHECK(RecordStore("/state", disk).load().records.at(1).state == TaskState::kCancelled);
}

TEST_CASE("a records file that lost its tail: the next id is past every log dir", "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  std::string first_line;
  for (int i = 0; i < 3; ++i) {
    spawn(keeper, table);
    if (i == 0) first_line = disk.files[store.records_file()];
  }
  disk.files[store.records_file()] = first_line;  // tasks 2 and 3 lost
  auto loaded = RecordStore("/state", disk).load();
  CHECK(loaded.records.size() == 1);
  CHECK(loaded.next_id == 4);
  CHECK(has_problem(loaded, "/state/logs/3 exists, but no task record"));
  // Said once: the counter now keeps those ids used.
  auto again = RecordStore("/state", disk).load();
  CHECK(again.next_id == 4);
  CHECK(again.problems.empty());
}

TEST_CASE("a log dir that exists already skips its id", "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  disk.dirs.insert(store.log_dir(1));  // made after the load (by hand, or an older daemon)
  disk.dirs.insert(store.log_dir(2));
  CHECK(spawn(keeper, table) == 3);
}

TEST_CASE("a spawn whose record cannot be synced is refused and retracted", "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  disk.sync_error = EIO;
  keeper.claim_next_id();
  TableActions actions;
  TaskId id = table.spawn(spawn_request(), 1.0, actions);
  CHECK_THROWS_AS(keeper.record_new_task(id, actions), std::system_error);
  CHECK(table.find(id) == nullptr);
  disk.heal();
  TaskId next = spawn(keeper, table);
  CHECK(next == id + 1);
  auto loaded = RecordStore("/state", disk).load();
  REQUIRE(loaded.records.size() == 1);  // the refused one was retracted (its forget line)
  CHECK(loaded.records[0].id == next);
}

TEST_CASE("records whose sync failed are written again by the retry", "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  spawn(keeper, table);
  TaskId queued = spawn(keeper, table);
  disk.sync_error = EIO;
  TableActions cancel;
  table.cancel(queued, 2.0, cancel);
  for (const TableAction& a : cancel) keeper.changed(a.task);
  keeper.persist_later(queued);
  keeper.flush();
  CHECK_FALSE(keeper.has_failed());  // written
  keeper.sync();
  CHECK(keeper.has_failed());  // but maybe dropped by the failed fsync
  disk.heal();
  int appends = disk.appends;
  keeper.retry_failed();
  CHECK_FALSE(keeper.has_failed());
  CHECK(disk.appends == appends + 1);
  keeper.sync();
  disk.crash();
  CHECK(RecordStore("/state", disk).load().records.at(1).state == TaskState::kCancelled);
}

TEST_CASE("changes that come from an agent are not synced on their own", "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  TaskId id = spawn(keeper, table);
  int syncs = disk.syncs;
  TableActions out;
  table.agent_exited(id, AgentExit{0, 0, 0, false}, "", 2.0, out);
  for (const TableAction& a : out) keeper.changed(a.task);
  keeper.persist_later(id);
  keeper.flush();
  CHECK(disk.syncs == syncs);  // a restart reads the end again from the task's logs
  spawn(keeper, table);        // the next sync takes it along
  disk.crash();
  CHECK(ptt::protocol::is_finished(RecordStore("/state", disk).load().records.at(0).state));
}

TEST_CASE("a spawn takes the spare log dir made after the previous reply", "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  store.make_spare_log_dir();
  REQUIRE(disk.dirs.count("/state/logs/.next"));
  disk.dirs.insert("/state/logs/1");  // made by someone else: id 1 was used
  TaskId id = spawn(keeper, table);
  CHECK(id == 2);
  CHECK(disk.dirs.count("/state/logs/2"));
  CHECK_FALSE(disk.dirs.count("/state/logs/.next"));  // renamed, not made
  TaskId without_spare = spawn(keeper, table);        // none made since: a mkdir
  CHECK(disk.dirs.count("/state/logs/" + std::to_string(without_spare)));
  store.make_spare_log_dir();
  disk.crash();
  // A spare left over is no task's: it takes no id and is no problem.
  disk.dirs.insert("/state/logs/.next");
  auto loaded = RecordStore("/state", disk).load();
  CHECK(loaded.next_id == without_spare + 1);
  CHECK(loaded.problems.empty());
}

TEST_CASE("a spare log dir that cannot be renamed leaves the claim to a mkdir", "[taskd][durability]") {
  FakeStateDisk disk;
  RecordStore store("/state", disk);
  store.load();
  TaskTable table(1);
  RecordKeeper keeper(store, table, [](bool) {});
  store.make_spare_log_dir();
  disk.dirs.erase("/state/logs/.next");  // removed behind the daemon's back
  TaskId id = spawn(keeper, table);
  CHECK(disk.dirs.count("/state/logs/" + std::to_string(id)));
}
