#include <catch2/catch.hpp>

#include "agent_result_of.h"
#include "protocol/task_record.h"

using namespace ptt::protocol;

TEST_CASE("a task record survives a JSON round trip", "[protocol]") {
  TaskRecord t;
  t.id = 12;
  t.name = "fix-tests";
  t.state = TaskState::kFailed;
  t.reason = "error_max_turns";
  t.prompt = "fix the failing tests";
  t.cwd = "/src/api";
  t.after = {3, 4};
  t.parent = 2;
  t.created_at = 1764000000.5;
  t.started_at = 1764000001.0;
  t.exit_code = 1;
  t.result = agent_result_of("error_max_turns", true, "", 0.25, 3, 4200);
  t.options.max_turns = 3;
  t.options.allowed_tools = std::vector<std::string>{"Bash", "Edit"};
  nlohmann::json j = t;
  CHECK(j["state"] == "failed");
  CHECK(j["finished_at"].is_null());
  TaskRecord back = j.get<TaskRecord>();
  REQUIRE(back == t);
}

TEST_CASE("a record with an unknown state is rejected", "[protocol]") {
  nlohmann::json j = {{"id", 1}, {"state", "sleeping"}};
  CHECK_THROWS_AS(j.get<TaskRecord>(), nlohmann::json::exception);
  CHECK_THROWS_AS(nlohmann::json({{"state", "queued"}}).get<TaskRecord>(), nlohmann::json::exception);
}

TEST_CASE("task states name themselves and parse back", "[protocol]") {
  for (auto s : {TaskState::kQueued, TaskState::kRunning, TaskState::kSucceeded, TaskState::kFailed,
                 TaskState::kCancelled}) {
    CHECK(parse_task_state(to_string(s)) == s);
  }
  CHECK_FALSE(parse_task_state("done").has_value());
  CHECK(is_finished(TaskState::kCancelled));
  CHECK_FALSE(is_finished(TaskState::kRunning));
}
