#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "supervise/supervisor.h"
#include "supervise/supervisor_status.h"
#include "taskd/allowed_roots.h"
#include "taskd/outcome.h"
#include "taskd/record_store.h"

using namespace ptt::taskd;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ptt-store-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

ptt::protocol::TaskRecord record(std::int64_t id) {
  ptt::protocol::TaskRecord r;
  r.id = id;
  r.prompt = std::string("prompt ").append(std::to_string(id));
  r.cwd = "/src";
  return r;
}
}  // namespace

TEST_CASE("records round-trip through the state dir", "[taskd][store]") {
  TempDir dir;
  RecordStore store(dir.path / "state");
  CHECK(store.load().records.empty());
  store.save(record(2));
  store.save(record(1));
  store.save_next_id(3);
  auto loaded = store.load();
  REQUIRE(loaded.records.size() == 2);
  CHECK(loaded.records[0] == record(1));
  CHECK(loaded.records[1].id == 2);
  CHECK(loaded.next_id == 3);
  CHECK(loaded.problems.empty());
  CHECK((fs::status(dir.path / "state").permissions() & fs::perms::others_all) == fs::perms::none);
}

TEST_CASE("a torn or corrupt record line is reported and skipped; the next line stands", "[taskd][store]") {
  TempDir dir;
  RecordStore store(dir.path);
  store.load();
  store.save(record(1));
  std::ofstream(store.records_file(), std::ios::app) << R"({"id":2,"state":"runn)";  // a torn append
  store.save(record(3));
  std::ofstream(store.records_file(), std::ios::app) << "\n[1,2]\n";
  // Torn inside a string holding "id": the key's id counts, not the text's.
  std::ofstream(store.records_file(), std::ios::app) << R"({"activity":"Bash: echo \"id\": 900","id":2,"pro)";
  store.save(record(3));
  auto loaded = store.load();
  REQUIRE(loaded.records.size() == 2);
  CHECK(loaded.records[0] == record(1));
  CHECK(loaded.records[1] == record(3));
  REQUIRE(loaded.problems.size() == 3);
  CHECK(loaded.problems[0].find("tasks.ndjson line 3: torn or corrupt") != std::string::npos);
  CHECK(loaded.next_id == 4);
  // The load rewrote the file without them: reported once, not at every start.
  auto again = store.load();
  CHECK(again.problems.empty());
  CHECK(again.records.size() == 2);
}

TEST_CASE("a later line wins; a forget line drops the record and keeps its id used", "[taskd][store]") {
  TempDir dir;
  RecordStore store(dir.path);
  store.load();
  auto first = record(1);
  store.save(first);
  first.state = ptt::protocol::TaskState::kSucceeded;
  store.save(first);
  store.save(record(2));
  store.forget(2);
  auto loaded = store.load();
  REQUIRE(loaded.records.size() == 1);
  CHECK(loaded.records[0].state == ptt::protocol::TaskState::kSucceeded);
  CHECK(loaded.next_id == 3);
}

TEST_CASE("stale lines are compacted away; the counter keeps forgotten ids used", "[taskd][store]") {
  TempDir dir;
  RecordStore store(dir.path);
  store.load();
  for (int i = 0; i < 300; ++i) store.save(record(1));
  CHECK(store.compaction_due(1));
  CHECK_FALSE(store.compaction_due(200));
  store.save(record(5));
  store.forget(5);
  auto loaded = store.load();  // compacts: 303 lines for one record
  REQUIRE(loaded.records.size() == 1);
  CHECK(read_file(store.records_file()) == nlohmann::json(record(1)).dump() + "\n");
  CHECK_FALSE(store.compaction_due(1));
  CHECK(store.load().next_id == 6);  // from next_id, written before the forget line went
}

TEST_CASE("forget removes the record and the task's logs", "[taskd][store]") {
  TempDir dir;
  RecordStore store(dir.path);
  store.load();
  store.save(record(4));
  fs::create_directories(store.log_dir(4));
  std::ofstream(store.stream_log(4)) << "{}\n";
  store.forget(4);
  CHECK_FALSE(fs::exists(store.log_dir(4)));
  CHECK(store.load().records.empty());
}

TEST_CASE("atomic writes replace whole files and leave no temp behind", "[taskd][store]") {
  TempDir dir;
  fs::path f = dir.path / "x.json";
  write_file_atomically(f, "first\n");
  write_file_atomically(f, "second\n");
  CHECK(read_file(f) == "second\n");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  CHECK_THROWS(write_file_atomically(dir.path / "missing" / "x", "y"));
}

namespace {
// How many of this process's descriptors are open on `file` (/proc/self/fd).
int descriptors_on(const fs::path& file) {
  int n = 0;
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/self/fd")) {
    if (fs::read_symlink(fd.path(), ec) == file) ++n;
  }
  return n;
}
}  // namespace

TEST_CASE("an append and the sync of the same file right after open it once; any other call closes it",
          "[taskd][store]") {
  TempDir dir;
  fs::path f = dir.path / "tasks.ndjson";
  PosixStateDisk disk;
  CHECK(disk.append_line(f, "one"));  // created
  CHECK(descriptors_on(f) == 1);      // left open for the sync
  disk.sync(f);
  CHECK(descriptors_on(f) == 0);
  CHECK_FALSE(disk.append_line(f, "two"));
  CHECK(disk.read(dir.path / "other").error == ENOENT);
  CHECK(descriptors_on(f) == 0);  // opened again at the next append: its mode and name as they are then
  CHECK(disk.append_line(f, "three") == false);
  disk.sync(dir.path);  // another path: the file is closed, the dir synced
  CHECK(descriptors_on(f) == 0);
  CHECK(read_file(f) == "\none\n\ntwo\n\nthree\n");
  // A compaction replaces the file: a later append goes to the new one.
  CHECK_FALSE(disk.append_line(f, "four"));
  disk.write_atomically(f, "compacted\n");
  CHECK_FALSE(disk.append_line(f, "five"));
  disk.sync(f);
  CHECK(read_file(f) == "compacted\n\nfive\n");
}

TEST_CASE("the supervisor status file: start, pids, exit; torn and foreign lines skipped", "[taskd][store]") {
  TempDir dir;
  CHECK_FALSE(ptt::supervise::read_supervisor_status(dir.path));  // never started
  ptt::supervise::begin_supervisor_status(dir.path, 12.5);
  auto started = ptt::supervise::read_supervisor_status(dir.path);
  REQUIRE(started);
  CHECK(started->started_at == 12.5);
  CHECK(started->supervisor == 0);
  CHECK_FALSE(started->exit);

  int fd = ptt::supervise::open_supervisor_status(dir.path);
  REQUIRE(fd >= 0);
  CHECK(ptt::supervise::append_supervisor_pid(fd, "agent", 4243, 987654321));
  CHECK(::write(fd, "not json\n{\"agent\":\"x\"}\n{\"exit\":{\"exit_code\":\"NaN\"}}\n", 52) == 52);
  auto running = ptt::supervise::read_supervisor_status(dir.path);
  REQUIRE(running);
  CHECK(running->supervisor == 0);  // the server line comes once the request is on its way
  CHECK(running->agent == 4243);
  CHECK(running->agent_start == 987654321u);
  CHECK_FALSE(running->exit);
  CHECK(ptt::supervise::append_supervisor_pid(fd, "server", 5151, std::nullopt));
  auto served = ptt::supervise::read_supervisor_status(dir.path);
  REQUIRE(served);
  CHECK(served->supervisor == 5151);
  CHECK_FALSE(served->supervisor_start);  // none was written: nothing proves who 5151 is now

  AgentExit e{137, 9, 0, true};
  CHECK(ptt::supervise::append_supervisor_exit(fd, e));
  CHECK(::write(fd, "{\"exit\":{\"exit_code\":0", 22) == 22);  // torn: no newline yet
  ::close(fd);
  auto ended = ptt::supervise::read_supervisor_status(dir.path);
  REQUIRE(ended);
  CHECK(ended->exit == e);
  CHECK(ended->started_at == 12.5);

  CHECK_THROWS(ptt::supervise::begin_supervisor_status(dir.path / "missing", 1.0));
  CHECK(ptt::supervise::open_supervisor_status(dir.path / "missing") < 0);
}

TEST_CASE("supervisor status: a torn line does not swallow the next; no start line is no start",
          "[taskd][store]") {
  TempDir dir;
  ::close(ptt::supervise::begin_supervisor_status(dir.path, 3.0));
  int fd = ptt::supervise::open_supervisor_status(dir.path);
  REQUIRE(fd >= 0);
  CHECK(::write(fd, "{\"agent\":77", 11) == 11);  // cut short by a full disk
  CHECK(ptt::supervise::append_supervisor_exit(fd, AgentExit{0, 0, 0, false}));
  ::close(fd);
  auto status = ptt::supervise::read_supervisor_status(dir.path);
  REQUIRE(status);
  CHECK(status->exit == AgentExit{0, 0, 0, false});
  CHECK(status->agent == 0);

  // The daemon died between creating the file and writing its start line.
  TempDir empty;
  std::ofstream(empty.path / "supervisor.ndjson").close();
  CHECK_FALSE(ptt::supervise::read_supervisor_status(empty.path));
}

TEST_CASE("supervisor status: a pid and its start time are read from one line, never mixed",
          "[taskd][store]") {
  TempDir dir;
  ::close(ptt::supervise::begin_supervisor_status(dir.path, 3.0));
  int fd = ptt::supervise::open_supervisor_status(dir.path);
  REQUIRE(fd >= 0);
  CHECK(ptt::supervise::append_supervisor_pid(fd, "agent", 10, 111));
  CHECK(::write(fd, "\n{\"agent\":20}\n", 14) == 14);  // a later line without a start time
  ::close(fd);
  int read_error = -1;
  auto status = ptt::supervise::read_supervisor_status(dir.path, &read_error);
  REQUIRE(status);
  CHECK(read_error == 0);
  CHECK(status->agent == 20);
  CHECK_FALSE(status->agent_start);  // not 10's start time

  // A status file that exists but cannot be read says so: the caller tries again.
  TempDir unreadable;
  ::close(ptt::supervise::begin_supervisor_status(unreadable.path, 1.0));
  fs::remove(unreadable.path / "supervisor.ndjson");
  fs::create_directory(unreadable.path / "supervisor.ndjson");  // read() fails with EISDIR
  CHECK_FALSE(ptt::supervise::read_supervisor_status(unreadable.path, &read_error));
  CHECK(read_error == EISDIR);
  TempDir missing;
  CHECK_FALSE(ptt::supervise::read_supervisor_status(missing.path, &read_error));
  CHECK(read_error == 0);  // no file: never started, nothing to retry
}

TEST_CASE("allowed roots contain their subdirectories only", "[taskd][store]") {
  std::vector<fs::path> roots = {"/src/api", "/home/me/"};
  CHECK(cwd_allowed("/src/api", roots));
  CHECK(cwd_allowed("/src/api/lib", roots));
  CHECK(cwd_allowed("/home/me/x", roots));
  CHECK_FALSE(cwd_allowed("/src/apifoo", roots));
  CHECK_FALSE(cwd_allowed("/src", roots));
  CHECK(cwd_allowed("/anything", {}));
}

TEST_CASE("a record with raw non-UTF-8 stderr still persists", "[taskd][store]") {
  TempDir dir;
  RecordStore store(dir.path);
  store.load();
  auto r = record(3);
  r.stderr_tail = std::string("bad \xff\xfe bytes");
  store.save(r);
  auto loaded = store.load();
  REQUIRE(loaded.records.size() == 1);
  CHECK(loaded.records[0].stderr_tail->rfind("bad ", 0) == 0);
}
