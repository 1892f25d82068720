#include <catch2/catch.hpp>

#include "taskd/agent_command.h"

using namespace ptt::taskd;
using ptt::protocol::AgentOptions;
using Args = std::vector<std::string>;

TEST_CASE("the minimal agent command", "[taskd][command]") {
  AgentOptions none;
  CHECK(agent_argv("claude", "fix it", none, std::nullopt) ==
        Args{"claude", "-p", "fix it", "--output-format", "stream-json", "--verbose", "--permission-mode",
             "acceptEdits"});
}

TEST_CASE("every option becomes its claude flag", "[taskd][command]") {
  AgentOptions o;
  o.model = "opus";
  o.max_turns = 7;
  o.max_budget_usd = 0.5;
  o.permission_mode = "plan";
  o.allowed_tools = Args{"Bash(git:*)", "Edit"};
  o.add_dirs = {"/a", "/b"};
  o.append_system_prompt = "be brief";
  CHECK(agent_argv("/opt/claude", "go", o, std::string("sess-1")) == Args{"/opt/claude",
                                                                          "-p",
                                                                          "go",
                                                                          "--output-format",
                                                                          "stream-json",
                                                                          "--verbose",
                                                                          "--permission-mode",
                                                                          "plan",
                                                                          "--max-turns",
                                                                          "7",
                                                                          "--max-budget-usd",
                                                                          "0.5",
                                                                          "--model",
                                                                          "opus",
                                                                          "--resume",
                                                                          "sess-1",
                                                                          "--add-dir",
                                                                          "/a",
                                                                          "--add-dir",
                                                                          "/b",
                                                                          "--allowedTools",
                                                                          "Bash(git:*),Edit",
                                                                          "--append-system-prompt",
                                                                          "be brief"});
}

TEST_CASE("a prompt starting with a dash is not read as an option", "[taskd][command]") {
  CHECK(agent_argv("claude", "--help me", {}, std::nullopt)[2] == " --help me");
}

TEST_CASE("task options override the daemon's defaults field by field", "[taskd][command]") {
  AgentOptions defaults;
  defaults.permission_mode = "acceptEdits";
  defaults.allowed_tools = Args{"Bash", "Edit"};
  defaults.max_turns = 20;
  AgentOptions task;
  task.max_turns = 3;
  task.allowed_tools = Args{"Read"};
  AgentOptions m = merge_options(defaults, task);
  CHECK(m.permission_mode == "acceptEdits");
  CHECK(m.max_turns == 3);
  CHECK(m.allowed_tools == Args{"Read"});
  CHECK(merge_options(defaults, {}) == defaults);
}
