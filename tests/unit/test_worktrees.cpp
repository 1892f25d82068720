// Task worktrees (docs/taskd.md, "Worktrees"): the names the daemon gives them, the record
// and spawn fields that carry them, and the change summary ptt-task prints.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "protocol/requests.h"
#include "protocol/task_record_reader.h"
#include "taskcli/task_changes.h"
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
                                      .setup = "make deps"};
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
  CHECK(taskcli::change_summary("") == "no changes");
  CHECK(taskcli::change_summary("3\t1\ta.txt\n") == "changed 1 file, +3 \u22121");
  CHECK(taskcli::change_summary("40\t7\ta.cpp\n2\t0\tb.h\n-\t-\timage.png\n") ==
        "changed 3 files, +42 \u22127");
}
