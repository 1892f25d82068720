#include <catch2/catch.hpp>

#include <csignal>
#include <string>
#include <vector>

#include "supervise/agent_request.h"

using namespace ptt::supervise;

TEST_CASE("supervisor requests: a task and a cancel survive the line format", "[supervise]") {
  AgentRequest r;
  r.task = 42;
  r.argv = {"claude", "-p", "fix \"the\" tests\nnow", "--verbose"};
  r.cwd = "/src/api";
  r.log_dir = "/state/logs/42";
  r.env = {"PTT_TASK_ID=42"};
  r.kill_grace_ms = 250;
  r.agent_umask = 027;
  r.input_fifo = "/state/logs/42/stdin.fifo";
  r.first_input = "{\"type\":\"user\"}\n";
  std::string line = to_line(r);
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);  // one line, whatever the prompt holds
  auto parsed = parse_supervisor_request(std::string_view(line).substr(0, line.size() - 1));
  REQUIRE(parsed);
  const auto* back = std::get_if<AgentRequest>(&*parsed);
  REQUIRE(back);
  CHECK(back->task == 42);
  CHECK(back->argv == r.argv);
  CHECK(back->cwd == r.cwd);
  CHECK(back->log_dir == r.log_dir);
  CHECK(back->env == r.env);
  CHECK(back->kill_grace_ms == 250);
  CHECK(back->agent_umask == 027);
  CHECK(back->input_fifo == r.input_fifo);
  CHECK(back->first_input == r.first_input);

  auto cancel = parse_supervisor_request(to_line(CancelAgentRequest{7}));
  REQUIRE(cancel);
  REQUIRE(std::holds_alternative<CancelAgentRequest>(*cancel));
  CHECK(std::get<CancelAgentRequest>(*cancel).task == 7);

  auto close = parse_supervisor_request(to_line(CloseInputRequest{9}));
  REQUIRE(close);
  REQUIRE(std::holds_alternative<CloseInputRequest>(*close));
  CHECK(std::get<CloseInputRequest>(*close).task == 9);
  CHECK(close_input_signal() != cancel_signal());
}

TEST_CASE("supervisor requests: what is not a request is refused, not guessed", "[supervise]") {
  for (const char* bad :
       {"", "not json", "[1,2]", R"({"task":1})", R"({"task":1,"argv":[],"cwd":"/","log_dir":"/l"})",
        R"({"task":"one","argv":["a"],"cwd":"/","log_dir":"/l"})", R"({"cancel":"x"})",
        R"({"task":1,"argv":["a"],"cwd":"/","log_dir":""})"}) {
    INFO(bad);
    CHECK_FALSE(parse_supervisor_request(bad));
  }
  // Optional fields take their defaults.
  auto minimal = parse_supervisor_request(R"({"task":3,"argv":["a"],"cwd":"/","log_dir":"/l"})");
  REQUIRE(minimal);
  const auto& r = std::get<AgentRequest>(*minimal);
  CHECK(r.env.empty());
  CHECK(r.kill_grace_ms == 5000);
  CHECK(r.agent_umask == 022);
}

TEST_CASE("supervisor requests: lost reports and the cancel signal", "[supervise]") {
  CHECK(lost_line(5, "cannot open x") == "{\"lost\":\"cannot open x\",\"task\":5}\n");
  CHECK(cancel_signal() > SIGRTMIN);  // real-time: queued, never merged
  CHECK(cancel_signal() <= SIGRTMAX);
}
