#include <catch2/catch.hpp>

#include "protocol/claude_reasons.h"
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

TEST_CASE("a success with refused tool calls fails with permission_denied", "[taskd][outcome]") {
  AgentResult r = result("success", false);
  r.permission_denials.push_back({"Bash", "Bash: curl -s https://example.com", "toolu_1"});
  auto o = decide_outcome(r, false, {});
  CHECK(o.state == TaskState::kFailed);
  CHECK(o.reason == "permission_denied");
  // An error result keeps its own reason; the denials are still in the record.
  AgentResult turns = result("error_max_turns", true);
  turns.permission_denials = r.permission_denials;
  CHECK(decide_outcome(turns, false, {1}).reason == "error_max_turns");
}

TEST_CASE("every error subtype Claude sends is its own reason", "[taskd][outcome]") {
  for (auto subtype : ptt::protocol::kClaudeErrorSubtypes) {
    INFO(subtype);
    auto o = decide_outcome(result(std::string(subtype), true), false, {1});
    CHECK(o.state == TaskState::kFailed);
    CHECK(o.reason == subtype);
  }
}

TEST_CASE("every terminal_reason maps to a reason, never result_error", "[taskd][outcome]") {
  for (const auto& m : ptt::protocol::kTerminalReasons) {
    INFO(m.terminal_reason);
    AgentResult r = result("success", true);
    r.terminal_reason = std::string(m.terminal_reason);
    auto o = decide_outcome(r, false, {1});
    CHECK(o.state == TaskState::kFailed);
    if (m.terminal_reason == "completed") {
      CHECK(o.reason == "result_error");  // is_error with nothing more said
    } else {
      CHECK(o.reason == m.reason);
      CHECK(o.reason != "result_error");
    }
    // error_during_execution says less than a terminal_reason does.
    AgentResult during = result("error_during_execution", true);
    during.terminal_reason = std::string(m.terminal_reason);
    CHECK(decide_outcome(during, false, {1}).reason ==
          (m.terminal_reason == "completed" ? std::string("error_during_execution") : std::string(m.reason)));
    // A success that says so stays a success, whatever the terminal_reason.
    AgentResult fine = result("success", false);
    fine.terminal_reason = std::string(m.terminal_reason);
    CHECK(decide_outcome(fine, false, {}).state == TaskState::kSucceeded);
  }
}

TEST_CASE("an unknown terminal_reason or subtype is the reason as it came", "[taskd][outcome]") {
  AgentResult r = result("success", true);
  r.terminal_reason = "some_future_reason";
  CHECK(decide_outcome(r, true, {1}).reason == "some_future_reason");
  CHECK(decide_outcome(result("error_some_future_subtype", true), false, {1}).reason ==
        "error_some_future_subtype");
  CHECK(reason_for_terminal("some_future_reason") == std::nullopt);
  CHECK(reason_for_terminal("max_turns") == "error_max_turns");
  CHECK(reason_for_terminal("completed") == "");
}

TEST_CASE("a refused call is added once per tool_use id", "[taskd][outcome]") {
  AgentResult r;
  add_denial(r, {"Bash", "Bash: curl x", "toolu_1"});
  add_denial(r, {"Bash", "Bash", "toolu_1"});
  add_denial(r, {"Write", "Write /etc/hosts", "toolu_2"});
  REQUIRE(r.permission_denials.size() == 2);
  CHECK(r.permission_denials[0].description == "Bash: curl x");
}

TEST_CASE("no result line after a refused call: permission_denied, unless an API error or a cancel",
          "[taskd][outcome]") {
  CHECK(decide_outcome(std::nullopt, false, {1}, true).reason == "permission_denied");
  CHECK(decide_outcome(std::nullopt, false, {1}, true).state == TaskState::kFailed);
  CHECK(decide_outcome(std::nullopt, true, {1}, true).reason == "api_error");
  CHECK(decide_outcome(std::nullopt, false, {143, 15, 0, true}, true).state == TaskState::kCancelled);
  CHECK(decide_outcome(std::nullopt, false, {1}, false).reason == "exit_code");
}

TEST_CASE("a sandbox the CLI could not start fails the task as sandbox_unavailable", "[taskd][outcome]") {
  // claude -p with sandbox.failIfUnavailable and no bubblewrap (2.1.330): a zeroed error
  // result naming the startup failure, then exit 1.
  AgentResult r = result("error_during_execution", true);
  r.startup_failure_reason = "sandbox_required_unavailable";
  r.errors = {"Sandbox required but unavailable: bubblewrap (bwrap) not installed"};
  auto o = decide_outcome(r, false, {1});
  CHECK(o.state == TaskState::kFailed);
  CHECK(o.reason == "sandbox_unavailable");
  r.startup_failure_reason = "cwd_unavailable";  // other startup failures keep Claude's subtype
  CHECK(decide_outcome(r, false, {1}).reason == "error_during_execution");
}
