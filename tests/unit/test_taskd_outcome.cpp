#include <catch2/catch.hpp>

#include "taskd/outcome.h"

using namespace ptt::taskd;
using ptt::protocol::AgentResult;
using ptt::protocol::TaskState;

namespace {
AgentResult result(std::string subtype, bool is_error) {
  AgentResult r;
  r.subtype = std::move(subtype);
  r.is_error = is_error;
  return r;
}
}  // namespace

TEST_CASE("success needs a success result without is_error", "[taskd][outcome]") {
  auto o = decide_outcome(result("success", false), false, {});
  CHECK(o.state == TaskState::kSucceeded);
  CHECK(o.reason.empty());
  // Exit status does not turn a reported success into a failure...
  CHECK(decide_outcome(result("success", false), false, {1, 0, 0, false}).state == TaskState::kSucceeded);
  // ...but is_error does.
  CHECK(decide_outcome(result("success", true), false, {}).state == TaskState::kFailed);
}

TEST_CASE("failed results carry Claude's subtype or api_error", "[taskd][outcome]") {
  CHECK(decide_outcome(result("error_max_turns", true), false, {1}).reason == "error_max_turns");
  CHECK(decide_outcome(result("error_max_budget_usd", true), false, {1}).reason == "error_max_budget_usd");
  CHECK(decide_outcome(result("error_max_turns", true), true, {1}).reason == "error_max_turns");
  CHECK(decide_outcome(result("success", true), true, {1}).reason == "api_error");
  CHECK(decide_outcome(result("success", true), false, {1}).reason == "result_error");
}

TEST_CASE("no result line means the exit code, or api_error when one was seen", "[taskd][outcome]") {
  auto o = decide_outcome(std::nullopt, false, {3});
  CHECK(o.state == TaskState::kFailed);
  CHECK(o.reason == "exit_code");
  CHECK(decide_outcome(std::nullopt, false, {0}).reason == "exit_code");
  CHECK(decide_outcome(std::nullopt, true, {1}).reason == "api_error");
}

TEST_CASE("cancel and a missing agent win over everything else", "[taskd][outcome]") {
  CHECK(decide_outcome(result("success", false), false, {143, 15, 0, true}).state == TaskState::kCancelled);
  auto missing = decide_outcome(std::nullopt, false, {127, 0, 2, false});
  CHECK(missing.state == TaskState::kFailed);
  CHECK(missing.reason == "agent_missing");
}

TEST_CASE("the stderr tail keeps the last lines within the limit", "[taskd][outcome]") {
  CHECK(stderr_tail("boom\n\n") == "boom");
  std::string text;
  for (int i = 0; i < 100; ++i) text += "line " + std::to_string(i) + "\n";
  std::string tail = stderr_tail(text, 30);
  CHECK(tail.size() <= 30);
  CHECK(tail.rfind("line ", 0) == 0);  // starts at a line start
  CHECK(tail.substr(tail.size() - 7) == "line 99");
}
