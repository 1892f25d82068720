#include <catch2/catch.hpp>

#include <unistd.h>

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

TEST_CASE("an argument over MAX_ARG_STRLEN is refused, naming it and the limit", "[taskd][command]") {
  const ExecLimits limits{.max_string = 100, .max_total = 1 << 20};
  AgentOptions none;
  // 99 bytes and the NUL fit; one more does not.
  CHECK_FALSE(exec_refusal(agent_argv("claude", std::string(99, 'a'), none, std::nullopt), {}, limits));
  auto why = exec_refusal(agent_argv("claude", std::string(100, 'a'), none, std::nullopt), {}, limits);
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("the prompt is 100 bytes") && Catch::Contains("99 bytes"));
  // A leading '-' costs the space put before it.
  why = exec_refusal(agent_argv("claude", "-" + std::string(98, 'a'), none, std::nullopt), {}, limits);
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("leading '-'") && Catch::Contains("100 bytes"));
  AgentOptions o;
  o.append_system_prompt = std::string(200, 's');
  why = exec_refusal(agent_argv("claude", "go", o, std::nullopt), {}, limits);
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("the value of --append-system-prompt is 200 bytes"));
}

TEST_CASE("arguments and environment together over ARG_MAX are refused", "[taskd][command]") {
  const ExecLimits limits{.max_string = 1000, .max_total = 4000};
  AgentOptions o;
  for (int i = 0; i < 10; ++i) o.add_dirs.push_back(std::string(300, 'd'));
  auto argv = agent_argv("claude", "go", o, std::nullopt);
  CHECK_FALSE(exec_refusal(argv, {}, limits));
  auto why = exec_refusal(argv, Args(5, std::string(200, 'e')), limits);
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("arguments and environment") && Catch::Contains("4000 bytes"));
}

TEST_CASE("this system's exec limits are the kernel's", "[taskd][command]") {
  ExecLimits limits = exec_limits();
  CHECK(limits.max_string == 32 * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)));
  CHECK(limits.max_total >= limits.max_string);
}
