#include <catch2/catch.hpp>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "taskd/agent_command.h"

using namespace ptt::taskd;
using ptt::protocol::AgentOptions;
using Args = std::vector<std::string>;

TEST_CASE("the minimal agent command", "[taskd][command]") {
  AgentOptions none;
  // The prompt is no argument: it is the first message on the agent's stdin.
  CHECK(agent_argv("claude", none, std::nullopt) == Args{"claude", "-p", "--input-format", "stream-json",
                                                         "--output-format", "stream-json", "--verbose",
                                                         "--replay-user-messages", "--permission-mode",
                                                         "acceptEdits", "--permission-prompt-tool", "stdio"});
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
  CHECK(agent_argv("/opt/claude", o, std::string("sess-1")) == Args{"/opt/claude",
                                                                    "-p",
                                                                    "--input-format",
                                                                    "stream-json",
                                                                    "--output-format",
                                                                    "stream-json",
                                                                    "--verbose",
                                                                    "--replay-user-messages",
                                                                    "--permission-mode",
                                                                    "plan",
                                                                    "--permission-prompt-tool",
                                                                    "stdio",
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

TEST_CASE("a prompt is refused only over kMaxPromptBytes, naming its size and the limit",
          "[taskd][command]") {
  CHECK_FALSE(prompt_refusal(std::string(kMaxPromptBytes, 'a')));
  auto why = prompt_refusal(std::string(kMaxPromptBytes + 1, 'a'));
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("the prompt is 1048577 bytes") && Catch::Contains("1048576 bytes"));
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
  AgentOptions o;
  // 99 bytes and the NUL fit; one more does not.
  o.append_system_prompt = std::string(99, 's');
  CHECK_FALSE(exec_refusal(agent_argv("claude", o, std::nullopt), {}, limits));
  o.append_system_prompt = std::string(200, 's');
  auto why = exec_refusal(agent_argv("claude", o, std::nullopt), {}, limits);
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("the value of --append-system-prompt is 200 bytes"));
}

TEST_CASE("arguments and environment together over ARG_MAX are refused", "[taskd][command]") {
  const ExecLimits limits{.max_string = 1000, .max_total = 4000};
  AgentOptions o;
  for (int i = 0; i < 10; ++i) o.add_dirs.push_back(std::string(300, 'd'));
  auto argv = agent_argv("claude", o, std::nullopt);
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

TEST_CASE("a sandboxed task's agent gets the sandbox settings, required and without a way out",
          "[taskd][command]") {
  AgentOptions o;
  o.sandbox = false;
  CHECK(agent_argv("claude", o, std::nullopt).size() == 12);  // no --settings
  o.sandbox = true;
  auto argv = agent_argv("claude", o, std::nullopt);
  REQUIRE(argv.size() == 14);
  CHECK(argv[12] == "--settings");
  auto settings = nlohmann::json::parse(argv[13]);
  CHECK(settings == nlohmann::json::parse(R"({"sandbox": {"enabled": true, "failIfUnavailable": true,
      "allowUnsandboxedCommands": false, "network": {"strictAllowlist": true}}})"));
  // A worktree task started in a subdirectory may write in its whole worktree.
  argv = agent_argv("claude", o, std::nullopt, {"/state/worktrees/p-3"});
  CHECK(nlohmann::json::parse(argv[13])["sandbox"]["filesystem"]["allowWrite"].get<Args>() ==
        Args{"/state/worktrees/p-3"});
  // The task's choice wins over the daemon's default, either way.
  AgentOptions daemon_default;
  daemon_default.sandbox = true;
  AgentOptions opted_out;
  opted_out.sandbox = false;
  CHECK(merge_options(daemon_default, opted_out).sandbox == false);
  CHECK(merge_options(daemon_default, AgentOptions{}).sandbox == true);
}
