// The pinned Agent SDK's sdk.d.ts (the CLI's own stream-json types) against ptt's
// outcome mapping: every result subtype and terminal_reason it lists is one ptt maps,
// so a CLI upgrade that adds one fails here instead of reading as result_error.
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "protocol/claude_reasons.h"
#include "taskd/stream_reader.h"

namespace {

// The text of sdk.d.ts, or "" when it is not installed (allowed outside CI only).
std::string sdk_types() {
  std::ifstream in(PTT_CLAUDE_SDK_DTS);
  if (!in) {
    const char* ci = std::getenv("CI");
    INFO("the Agent SDK's sdk.d.ts is missing (" PTT_CLAUDE_SDK_DTS
         "); run `make -f Makefile.dist claude-sdk`");
    if (ci && std::string(ci) == "true") FAIL("missing under CI");
    WARN("sdk.d.ts not installed: the SDK types check did not run");
    return "";
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The quoted names of a union type: `export declare type NAME = 'a' | 'b';`
std::set<std::string> union_members(const std::string& text, const std::string& type_name) {
  std::smatch m;
  std::regex decl("export declare type " + type_name + " = ([^;]*);");
  REQUIRE(std::regex_search(text, m, decl));
  std::set<std::string> out;
  std::string members = m[1].str();
  std::regex name("'([a-z_]+)'");
  for (auto it = std::sregex_iterator(members.begin(), members.end(), name); it != std::sregex_iterator();
       ++it)
    out.insert((*it)[1].str());
  return out;
}

// The subtype union of a declared object type: `export declare type NAME = { … subtype: 'a' | 'b'; …`
std::set<std::string> subtypes_of(const std::string& text, const std::string& type_name) {
  auto at = text.find("export declare type " + type_name + " = {");
  REQUIRE(at != std::string::npos);
  auto sub = text.find("subtype:", at);
  REQUIRE(sub != std::string::npos);
  std::string line = text.substr(sub, text.find(';', sub) - sub);
  std::set<std::string> out;
  std::regex name("'([a-z_]+)'");
  for (auto it = std::sregex_iterator(line.begin(), line.end(), name); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1].str());
  return out;
}

}  // namespace

TEST_CASE("every terminal_reason in the pinned SDK's types is mapped", "[taskd][outcome][sdk]") {
  std::string text = sdk_types();
  if (text.empty()) return;
  std::set<std::string> known;
  for (const auto& m : ptt::protocol::kTerminalReasons) known.emplace(m.terminal_reason);
  auto listed = union_members(text, "TerminalReason");
  CHECK(listed.size() > 5);
  CHECK(listed == known);
}

TEST_CASE("every result subtype in the pinned SDK's types is known", "[taskd][outcome][sdk]") {
  std::string text = sdk_types();
  if (text.empty()) return;
  std::set<std::string> errors(ptt::protocol::kClaudeErrorSubtypes.begin(),
                               ptt::protocol::kClaudeErrorSubtypes.end());
  CHECK(subtypes_of(text, "SDKResultError") == errors);
  CHECK(subtypes_of(text, "SDKResultSuccess") == std::set<std::string>{"success"});
}

TEST_CASE("the SDK's result fields ptt reads are still there", "[taskd][outcome][sdk]") {
  std::string text = sdk_types();
  if (text.empty()) return;
  for (const char* field : {"permission_denials: SDKPermissionDenial[];", "errors: string[];",
                            "terminal_reason?: TerminalReason;", "total_cost_usd: number;",
                            "modelUsage: Record<string, ModelUsage>;", "startup_failure_reason?:"}) {
    INFO(field);
    CHECK(text.find(field) != std::string::npos);
  }
  std::string denial = text.substr(text.find("export declare type SDKPermissionDenial = {"), 200);
  CHECK(denial.find("tool_name: string;") != std::string::npos);
  CHECK(denial.find("tool_input:") != std::string::npos);
  CHECK(text.find("subtype: 'permission_denied';") != std::string::npos);
  CHECK(text.find("subtype: 'api_retry';") != std::string::npos);
}

TEST_CASE("every rate limit status in the pinned SDK's types is known", "[taskd][stream][sdk]") {
  std::string text = sdk_types();
  if (text.empty()) return;
  auto at = text.find("export declare type SDKRateLimitInfo = {");
  REQUIRE(at != std::string::npos);
  auto status = text.find("status:", at);
  REQUIRE(status != std::string::npos);
  std::string line = text.substr(status, text.find(';', status) - status);
  std::set<std::string> listed;
  std::regex name("'([a-z_]+)'");
  for (auto it = std::sregex_iterator(line.begin(), line.end(), name); it != std::sregex_iterator(); ++it)
    listed.insert((*it)[1].str());
  std::set<std::string> known(ptt::taskd::kRateLimitStatuses.begin(), ptt::taskd::kRateLimitStatuses.end());
  CHECK(listed == known);
  // And the fields the stream reader reads.
  for (const char* field : {"rate_limit_info: SDKRateLimitInfo;", "resetsAt?: number;", "rateLimitType?:"})
    CHECK(text.find(field) != std::string::npos);
}
