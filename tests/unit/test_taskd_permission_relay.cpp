// The agent's side of an approval (taskd/permission_relay.h): the question a stream line
// asks and the control_response that answers it, in the Agent SDK's shapes.
#include <catch2/catch.hpp>

#include "taskd/permission_relay.h"

using nlohmann::json;
using namespace ptt::taskd;

namespace {
// As Claude Code 2.1.330 writes it for a curl in acceptEdits.
const json kAsked = json::parse(R"({"type":"control_request","request_id":"r-1","request":{
  "subtype":"can_use_tool","tool_name":"Bash","display_name":"Bash",
  "input":{"command":"curl -s https://example.com/a","description":"Fetch the page"},
  "permission_suggestions":[{"type":"addRules","rules":[{"toolName":"Bash",
    "ruleContent":"curl -s https://example.com/a"}],"behavior":"allow","destination":"localSettings"}],
  "tool_use_id":"toolu_1"}})");
}  // namespace

TEST_CASE("permission relay: a can_use_tool request is a question; --always allows the program",
          "[approvals]") {
  auto q = question_of(kAsked, 3, 100.5);
  REQUIRE(q);
  CHECK(q->question.task == 3);
  CHECK(q->question.request == "r-1");
  CHECK(q->question.tool == "Bash");
  CHECK(q->question.summary == "curl -s https://example.com/a");
  CHECK(q->question.input.at("command") == "curl -s https://example.com/a");
  CHECK(q->question.requested_at == 100.5);
  CHECK(q->always_rules == std::vector<std::string>{"Bash(curl:*)"});
  CHECK_FALSE(question_of(
      json::parse(R"({"type":"control_request","request_id":"x","request":{"subtype":"interrupt"}})"), 3, 0));
  CHECK_FALSE(question_of(json::parse(R"({"type":"assistant"})"), 3, 0));
  CHECK_FALSE(
      question_of(json::parse(R"({"type":"control_request","request":{"subtype":"can_use_tool"}})"), 3, 0));
  CHECK(withdrawn_request(json::parse(R"({"type":"control_cancel_request","request_id":"r-1"})")) == "r-1");
}

TEST_CASE("permission relay: --always on a Bash call never allows every command", "[approvals]") {
  json asked = kAsked;
  asked["request"]["input"]["command"] = "  \tcurl -s https://example.com/a";
  auto q = question_of(asked, 3, 0);
  REQUIRE(q);
  CHECK(q->always_rules == std::vector<std::string>{"Bash(curl:*)"});
  asked["request"]["input"]["command"] = "make";
  CHECK(question_of(asked, 3, 0)->always_rules == std::vector<std::string>{"Bash(make:*)"});
  // No program word: no rule (this call only), not the bare `Bash`.
  for (const char* blank : {"", "   ", "\n"}) {
    asked["request"]["input"]["command"] = blank;
    q = question_of(asked, 3, 0);
    REQUIRE(q);
    CHECK(q->always_rules.empty());
  }
}

TEST_CASE("permission relay: other tools take the CLI's suggested rules", "[approvals]") {
  json asked = kAsked;
  asked["request"]["tool_name"] = "WebFetch";
  asked["request"]["input"] = {{"url", "https://example.com"}};
  asked["request"]["permission_suggestions"][0]["rules"][0] = {{"toolName", "WebFetch"},
                                                               {"ruleContent", "domain:example.com"}};
  auto q = question_of(asked, 1, 0);
  REQUIRE(q);
  CHECK(q->question.summary == "https://example.com");
  CHECK(q->always_rules == std::vector<std::string>{"WebFetch(domain:example.com)"});
}

TEST_CASE("permission relay: the control_response for allow, always and deny", "[approvals]") {
  json input = {{"command", "curl x"}};
  json allow = json::parse(permission_response_line("r-1", true, input, ""));
  CHECK(allow == json::parse(R"({"type":"control_response","response":{"subtype":"success","request_id":"r-1",
    "response":{"behavior":"allow","updatedInput":{"command":"curl x"}}}})"));
  json always = json::parse(permission_response_line("r-1", true, input, "", {"Bash(curl:*)"}));
  CHECK(always["response"]["response"]["updatedPermissions"] == json::parse(R"([{"type":"addRules",
    "rules":[{"toolName":"Bash","ruleContent":"curl:*"}],"behavior":"allow","destination":"session"}])"));
  json deny = json::parse(permission_response_line("r-2", false, input, "not today"));
  CHECK(deny["response"]["response"] == json::parse(R"({"behavior":"deny","message":"not today"})"));
  CHECK(rule_value("Read") == json::parse(R"({"toolName":"Read"})"));
}
