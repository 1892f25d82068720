#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "taskd/record_store.h"
#include "taskd/request_fields.h"
#include "supervise/supervisor.h"
#include "supervise/supervisor_status.h"

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

TEST_CASE("a torn or corrupt record is reported and skipped; its id stays used", "[taskd][store]") {
  TempDir dir;
  RecordStore store(dir.path);
  store.load();
  store.save(record(1));
  std::ofstream(dir.path / "tasks" / "7.json") << R"({"id":7,"state":"runn)";      // torn
  std::ofstream(dir.path / "tasks" / "8.json") << R"({"id":9,"state":"queued"})";  // wrong id
  std::ofstream(dir.path / "tasks" / "junk.json") << "{}";
  std::ofstream(dir.path / "tasks" / "3.json.tmp123") << "half";  // an interrupted write
  auto loaded = store.load();
  REQUIRE(loaded.records.size() == 1);
  CHECK(loaded.records[0].id == 1);
  CHECK(loaded.problems.size() == 3);
  CHECK(loaded.next_id == 9);
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

TEST_CASE("the supervisor status file: start, pids, exit; torn and foreign lines skipped", "[taskd][store]") {
  TempDir dir;
  CHECK_FALSE(read_supervisor_status(dir.path));  // never started
  begin_supervisor_status(dir.path, 12.5);
  auto started = read_supervisor_status(dir.path);
  REQUIRE(started);
  CHECK(started->started_at == 12.5);
  CHECK(started->supervisor == 0);
  CHECK_FALSE(started->exit);

  int fd = open_supervisor_status(dir.path);
  REQUIRE(fd >= 0);
  CHECK(append_supervisor_pid(fd, "supervisor", 4242));
  CHECK(append_supervisor_pid(fd, "agent", 4243));
  CHECK(::write(fd, "not json\n{\"agent\":\"x\"}\n{\"exit\":{\"exit_code\":\"NaN\"}}\n", 52) == 52);
  auto running = read_supervisor_status(dir.path);
  REQUIRE(running);
  CHECK(running->supervisor == 4242);
  CHECK(running->agent == 4243);
  CHECK_FALSE(running->exit);

  AgentExit e{137, 9, 0, true};
  CHECK(append_supervisor_exit(fd, e));
  CHECK(::write(fd, "{\"exit\":{\"exit_code\":0", 22) == 22);  // torn: no newline yet
  ::close(fd);
  auto ended = read_supervisor_status(dir.path);
  REQUIRE(ended);
  CHECK(ended->exit == e);
  CHECK(ended->started_at == 12.5);

  CHECK_THROWS(begin_supervisor_status(dir.path / "missing", 1.0));
  CHECK(open_supervisor_status(dir.path / "missing") < 0);
}

TEST_CASE("supervisor status: a torn line does not swallow the next; no start line is no start", "[taskd][store]") {
  TempDir dir;
  ::close(begin_supervisor_status(dir.path, 3.0));
  int fd = open_supervisor_status(dir.path);
  REQUIRE(fd >= 0);
  CHECK(::write(fd, "{\"agent\":77", 11) == 11);  // cut short by a full disk
  CHECK(append_supervisor_exit(fd, AgentExit{0, 0, 0, false}));
  ::close(fd);
  auto status = read_supervisor_status(dir.path);
  REQUIRE(status);
  CHECK(status->exit == AgentExit{0, 0, 0, false});
  CHECK(status->agent == 0);

  // The daemon died between creating the file and writing its start line.
  TempDir empty;
  std::ofstream(empty.path / "supervisor.ndjson").close();
  CHECK_FALSE(read_supervisor_status(empty.path));
}

TEST_CASE("supervisor status of a task started by an older ptt-taskd", "[taskd][store]") {
  TempDir dir;
  std::ofstream(dir.path / "supervisor.pid") << "4242\n";
  std::ofstream(dir.path / "agent.pid") << "4243\n";
  auto running = read_supervisor_status(dir.path);
  REQUIRE(running);
  CHECK(running->supervisor == 4242);
  CHECK(running->agent == 4243);
  CHECK_FALSE(running->exit);
  std::ofstream(dir.path / "exit.json") << R"({"exit_code":137,"signal":9,"exec_errno":0,"cancelled":true})";
  auto ended = read_supervisor_status(dir.path);
  REQUIRE(ended);
  CHECK(ended->exit == AgentExit{137, 9, 0, true});
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
