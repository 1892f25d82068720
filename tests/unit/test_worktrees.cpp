// Task worktrees (docs/taskd.md, "Worktrees"): the names the daemon gives them, the record
// and spawn fields that carry them, and the change summary ptt-task prints.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "protocol/record_view.h"
#include "protocol/requests.h"
#include "protocol/task_record_reader.h"
#include "taskcli/task_changes.h"
#include "taskd/change_count.h"
#include "taskd/worktree_names.h"
#include "taskd/worktree_prepare.h"

using namespace ptt;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("a worktree's branch is ptt/<id> and the name made fit for a ref") {
  CHECK(taskd::worktree_branch(7, std::nullopt) == "ptt/7");
  CHECK(taskd::worktree_branch(7, "fix-tests") == "ptt/7-fix-tests");
  CHECK(taskd::worktree_branch(7, "fix the ~tests:now..") == "ptt/7-fix-the-tests-now");
  CHECK(taskd::worktree_branch(7, "a..b.lock") == "ptt/7-a.b");
  CHECK(taskd::worktree_branch(7, "~~~") == "ptt/7");
  CHECK(taskd::worktree_branch(7, std::string(100, 'x')).size() == 6 + 60);
}

TEST_CASE("a worktree lives under the state dir, named after the repo and the task") {
  CHECK(taskd::worktree_dir("/state", "/home/u/src/my app", 12) == fs::path("/state/worktrees/my-app-12"));
  CHECK(taskd::worktree_dir("/state", "/", 3) == fs::path("/state/worktrees/repo-3"));
}

TEST_CASE("the git top level is the nearest directory with a .git") {
  fs::path root = fs::temp_directory_path() / fmt::format("ptt-unit-git-{}", ::getpid());
  fs::create_directories(root / "repo" / "sub" / "deeper");
  fs::create_directories(root / "repo" / ".git");
  CHECK(taskd::git_toplevel(root / "repo" / "sub" / "deeper") == root / "repo");
  CHECK(taskd::git_toplevel(root / "repo") == root / "repo");
  std::ofstream(root / "repo" / "sub" / ".git") << "gitdir: /elsewhere\n";  // a worktree's
  CHECK(taskd::git_toplevel(root / "repo" / "sub" / "deeper") == root / "repo" / "sub");
  fs::remove_all(root);
}

TEST_CASE(".worktreeinclude's files are copied to the same paths in the worktree") {
  fs::path root = fs::temp_directory_path() / fmt::format("ptt-unit-include-{}", ::getpid());
  fs::create_directories(root / "repo" / "config");
  fs::create_directories(root / "wt");
  std::ofstream(root / "repo" / ".env") << "A=1\n";
  std::ofstream(root / "repo" / "config" / "local.toml") << "x = 1\n";
  using namespace std::string_literals;
  CHECK(taskd::copy_included(".env\0config/local.toml\0"s, root / "repo", root / "wt").empty());
  CHECK(fs::file_size(root / "wt" / ".env") == 4);
  CHECK(fs::exists(root / "wt" / "config" / "local.toml"));
  CHECK_THAT(taskd::copy_included("missing\0"s, root / "repo", root / "wt"),
             Catch::Contains("cannot copy") && Catch::Contains("missing"));
  fs::remove_all(root);
}

TEST_CASE("the record's worktree and the spawn's worktree fields read back the same") {
  protocol::TaskRecord t;
  t.id = 3;
  t.worktree = protocol::TaskWorktree{.repo = "/src/app",
                                      .subdir = "lib",
                                      .path = "/state/worktrees/app-3",
                                      .branch = "ptt/3",
                                      .base = "HEAD",
                                      .base_commit = "abc",
                                      .base_branch = "refs/heads/main",
                                      .setup = "make deps",
                                      .changes = std::nullopt,
                                      .resolution = std::nullopt};
  CHECK(json(t).get<protocol::TaskRecord>() == t);
  // The journal's fast reader leaves such a record to from_json: it reads back whole.
  protocol::TaskRecord read;
  CHECK_FALSE(protocol::read_task_record(json(t).dump(), read));
  t.worktree->base_commit.reset();
  t.worktree->setup.reset();
  CHECK(json(t).get<protocol::TaskRecord>() == t);
  CHECK_FALSE(json(protocol::TaskRecord{}).contains("worktree"));

  protocol::SpawnTaskRequest spawn{.prompt = "p", .cwd = "/src"};
  spawn.worktree = true;
  spawn.base = "v1.2";
  spawn.setup = "npm ci";
  auto parsed = protocol::parse_request(protocol::request_json(spawn));
  REQUIRE(std::holds_alternative<protocol::Request>(parsed));
  CHECK(std::get<protocol::SpawnTaskRequest>(std::get<protocol::Request>(parsed)) == spawn);
  for (const json& bad :
       {json{{"op", "spawn"}, {"prompt", "p"}, {"cwd", "/"}, {"worktree", false}, {"base", "x"}},
        json{{"op", "spawn"}, {"prompt", "p"}, {"cwd", "/"}, {"base", "--force"}},
        json{{"op", "spawn"}, {"prompt", "p"}, {"cwd", "/"}, {"worktree", "yes"}}}) {
    CHECK(std::holds_alternative<protocol::RequestRejected>(protocol::parse_request(bad)));
  }
}

TEST_CASE("the change summary counts files and lines as git diff --numstat gives them") {
  CHECK(protocol::change_summary(protocol::changes_of_numstat("")) == "no changes");
  CHECK(protocol::change_summary(protocol::changes_of_numstat("3\t1\ta.txt\n")) ==
        "changed 1 file, +3 \u22121");
  CHECK(protocol::change_summary(protocol::changes_of_numstat(
            "40\t7\ta.cpp\n2\t0\tb.h\n-\t-\timage.png\n")) == "changed 3 files, +42 \u22127");
}

TEST_CASE("a worktree's changes and resolution read back, and the list table view carries them") {
  protocol::TaskRecord t;
  t.id = 4;
  t.state = protocol::TaskState::kSucceeded;
  t.worktree.emplace();
  t.worktree->repo = "/src/app";
  t.worktree->path = "/state/worktrees/app-4";
  t.worktree->branch = "ptt/4";
  t.worktree->changes = protocol::WorktreeChanges{.files = 3, .insertions = 42, .deletions = 7};
  t.worktree->resolution = std::string(protocol::resolution::kMerged);
  CHECK(json(t).get<protocol::TaskRecord>() == t);
  json table = protocol::table_view(t);
  CHECK(table["worktree"] ==
        json{{"changes", {{"files", 3}, {"insertions", 42}, {"deletions", 7}}}, {"resolution", "merged"}});
  // ptt-task list reads the table view with the fast reader in its table mode.
  protocol::TaskRecord row;
  protocol::TaskRecordReader reader(protocol::TaskRecordReader::Mode::kTable);
  struct Sax : nlohmann::json_sax<json> {
    protocol::TaskRecordReader& r;
    protocol::TaskRecord& out;
    bool begun = false;
    Sax(protocol::TaskRecordReader& r, protocol::TaskRecord& out) : r(r), out(out) {}
    bool null() override { return r.null(); }
    bool boolean(bool v) override { return r.boolean(v); }
    bool number_integer(number_integer_t v) override { return r.number_integer(v); }
    bool number_unsigned(number_unsigned_t v) override { return r.number_unsigned(v); }
    bool number_float(number_float_t v, const string_t&) override { return r.number_float(v); }
    bool string(string_t& v) override { return r.string(v); }
    bool binary(binary_t&) override { return false; }
    bool start_object(std::size_t) override {
      if (begun) return r.start_object();
      begun = true;
      r.begin(out);
      return true;
    }
    bool key(string_t& k) override { return r.key(k); }
    bool end_object() override { return r.end_container(); }
    bool start_array(std::size_t) override { return r.start_array(); }
    bool end_array() override { return r.end_container(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
      return false;
    }
  } sax(reader, row);
  std::string line = table.dump();
  REQUIRE(json::sax_parse(line, &sax));
  REQUIRE(row.worktree);
  CHECK(row.worktree->changes == t.worktree->changes);
  CHECK(row.worktree->resolution == "merged");
  // A mistyped count reads as 0, never as a cast of whatever was sent.
  CHECK(protocol::changes_of_json(json{{"files", 1e300}, {"insertions", "x"}, {"deletions", 2}}) ==
        protocol::WorktreeChanges{.files = 0, .insertions = 0, .deletions = 2});
}

TEST_CASE("resolve_worktree takes merged or discarded only") {
  protocol::ResolveWorktreeRequest r{.task = 4, .resolution = "merged"};
  auto parsed = protocol::parse_request(protocol::request_json(r));
  REQUIRE(std::holds_alternative<protocol::Request>(parsed));
  CHECK(std::get<protocol::ResolveWorktreeRequest>(std::get<protocol::Request>(parsed)) == r);
  for (const json& bad : {json{{"op", "resolve_worktree"}, {"task", 4}, {"resolution", "kept"}},
                          json{{"op", "resolve_worktree"}, {"task", 4}}}) {
    CHECK(std::holds_alternative<protocol::RequestRejected>(protocol::parse_request(bad)));
  }
}

TEST_CASE("a worktree's index is found through its .git file") {
  fs::path root = fs::temp_directory_path() / fmt::format("ptt-unit-wtindex-{}", ::getpid());
  fs::create_directories(root / "wt");
  std::ofstream(root / "wt" / ".git") << "gitdir: /repo/.git/worktrees/wt\n";
  CHECK(taskd::worktree_index(root / "wt") == fs::path("/repo/.git/worktrees/wt/index"));
  CHECK(taskd::worktree_index(root / "nowhere").empty());
  fs::remove_all(root);
}
