// docs/protocol.md against the definitions in lib/protocol: every op (and the fields
// of its reply), event (and the fields each task event carries), error code, task state
// and failure reason the code defines is documented, and the page documents no other,
// so the two cannot drift apart.
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <variant>

#include <catch2/catch.hpp>

#include "protocol/claude_reasons.h"
#include "protocol/events.h"
#include "protocol/protocol.h"
#include "protocol/replies.h"
#include "protocol/requests.h"
#include "protocol/task_state.h"

namespace {

using Names = std::set<std::string>;

std::string protocol_page() {
  std::ifstream in(PTT_SOURCE_DIR "/docs/protocol.md");
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The text from the heading `## <title>` to the next `## ` heading.
std::string section(const std::string& page, const std::string& title) {
  auto start = page.find("\n## " + title + "\n");
  REQUIRE(start != std::string::npos);
  auto end = page.find("\n## ", start + 1);
  return page.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

Names matches(const std::string& text, const std::string& pattern) {
  Names out;
  std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1].str());
  return out;
}

template <typename List>
Names names_of(const List& list) {
  Names out;
  for (const auto& item : list) out.emplace(std::string(item));
  return out;
}

// The cells of a table row, split at each `|` that is not escaped (`\|`).
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) {
      out.emplace_back();
    } else {
      out.back() += row[i];
    }
  }
  return out;
}

// The names in backquotes outside parentheses: how the table gives a reply's fields.
Names fields_outside_parentheses(const std::string& cell) {
  Names out;
  int depth = 0;
  bool in_code = false;
  std::string code;
  for (char ch : cell) {
    if (ch == '`') {
      if (in_code && depth == 0 && std::regex_match(code, std::regex("[a-z_]+"))) out.insert(code);
      in_code = !in_code;
      code.clear();
    } else if (in_code) {
      code += ch;
    } else if (ch == '(') {
      ++depth;
    } else if (ch == ')') {
      --depth;
    }
  }
  return out;
}

// Each op's reply fields, as its request's Reply type defines them.
template <std::size_t... I>
std::map<std::string, Names> defined_reply_fields(std::index_sequence<I...>) {
  using ptt::protocol::Request;
  std::map<std::string, Names> out;
  (out.emplace(std::string(std::variant_alternative_t<I, Request>::kOp),
               names_of(std::variant_alternative_t<I, Request>::Reply::kFields)),
   ...);
  return out;
}

}  // namespace

TEST_CASE("docs/protocol.md lists exactly the ops the protocol defines") {
  // One table row per op: | `spawn` | request fields | reply fields |
  CHECK(matches(section(protocol_page(), "Requests and replies"), R"(\n\| `([a-z_]+)` \|)") ==
        names_of(ptt::protocol::op::kAll));
}

TEST_CASE("docs/protocol.md lists exactly the events the protocol defines") {
  CHECK(matches(section(protocol_page(), "Events"), R"re("event":"([a-z_]+)")re") ==
        names_of(ptt::protocol::event::kAll));
}

TEST_CASE("docs/protocol.md lists exactly the error codes the protocol defines") {
  CHECK(matches(section(protocol_page(), "Error codes"), "`([a-z_]+)`") ==
        names_of(ptt::protocol::error::kAll));
}

TEST_CASE("docs/protocol.md lists exactly the task states the protocol defines") {
  Names documented;
  for (const auto& states :
       matches(section(protocol_page(), "The task record"), R"re("state":"([a-z|]+)")re")) {
    std::istringstream in(states);
    for (std::string s; std::getline(in, s, '|');) documented.insert(s);
  }
  Names defined;
  for (auto s : ptt::protocol::kTaskStates) defined.emplace(ptt::protocol::to_string(s));
  CHECK(documented == defined);
}

TEST_CASE("docs/protocol.md lists exactly the failure reasons ptt defines") {
  // One bullet per reason: - `exit_code`: what it means
  Names defined;
  for (auto r : ptt::protocol::kFailureReasons) defined.emplace(ptt::protocol::to_string(r));
  CHECK(matches(section(protocol_page(), "The task record"), R"(\n- `([a-z_ ]+)`:)") == defined);
}

// Claude's reasons a task may carry: its error subtypes and what its terminal_reasons
// map to, less those that are ptt's own reasons or none.
Names claude_reasons() {
  Names out(ptt::protocol::kClaudeErrorSubtypes.begin(), ptt::protocol::kClaudeErrorSubtypes.end());
  for (const auto& m : ptt::protocol::kTerminalReasons) {
    if (!m.reason.empty() && !ptt::protocol::parse_failure_reason(m.reason)) out.emplace(m.reason);
  }
  return out;
}

TEST_CASE("docs/protocol.md lists exactly the reasons Claude Code gives that ptt knows") {
  CHECK(matches(section(protocol_page(), "Claude's reasons"), R"(\n- `([a-z_]+)`:)") == claude_reasons());
}

TEST_CASE("docs/taskd.md lists every reason a task can end with") {
  std::ifstream in(PTT_SOURCE_DIR "/docs/taskd.md");
  REQUIRE(in);
  std::string page{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  Names all = claude_reasons();
  for (auto r : ptt::protocol::kFailureReasons) all.emplace(ptt::protocol::to_string(r));
  std::string outcomes = section(page, "Outcomes and reasons");
  Names documented = matches(outcomes, R"(\n- `([a-z_ ]+)`:)");
  CHECK(documented == all);
}

TEST_CASE("docs/protocol.md lists exactly the fields each task event carries") {
  // One table row per task event: | `started` | `id`, `state`, … |
  std::string events = section(protocol_page(), "Events");
  auto row = [&](std::string_view event) {
    std::regex re("\n\\| `" + std::string(event) + "` \\| ([^\n]*) \\|");
    std::smatch m;
    REQUIRE(std::regex_search(events, m, re));
    return matches(m[1].str(), "`([a-z_]+)`");
  };
  CHECK(row(ptt::protocol::TaskStarted::kEvent) == names_of(ptt::protocol::TaskProgress::kFields));
  CHECK(row(ptt::protocol::TaskActivity::kEvent) == names_of(ptt::protocol::TaskProgress::kFields));
  CHECK(row(ptt::protocol::TaskFinished::kEvent) == names_of(ptt::protocol::TaskEnd::kFields));
  CHECK(row(ptt::protocol::TaskStalled::kEvent) == names_of(ptt::protocol::TaskProgress::kFields));
  CHECK(row(ptt::protocol::TaskWorktreeChanged::kEvent) ==
        names_of(ptt::protocol::TaskWorktreeState::kFields));
  CHECK(row(ptt::protocol::TaskCreated::kEvent).empty());  // "the whole record"
}

TEST_CASE("docs/protocol.md lists exactly the fields of each op's reply") {
  // One table row per op: | `op` | request fields | reply fields |
  std::string text = section(protocol_page(), "Requests and replies");
  std::map<std::string, Names> documented;
  std::regex row_re("\n(\\| `[a-z_]+` \\|[^\n]*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), row_re); it != std::sregex_iterator(); ++it) {
    auto row = cells((*it)[1].str());
    REQUIRE(row.size() == 5);  // "", op, request, reply, ""
    documented[matches(row[1], "`([a-z_]+)`").begin()->c_str()] = fields_outside_parentheses(row[3]);
  }
  auto defined =
      defined_reply_fields(std::make_index_sequence<std::variant_size_v<ptt::protocol::Request>>());
  REQUIRE(documented.size() == defined.size());
  for (const auto& [op, fields] : defined) {
    CAPTURE(op);
    CHECK(documented[op] == fields);
  }
}

TEST_CASE("docs/protocol.md shows an error reply with exactly the fields ErrorReply has") {
  std::string text = section(protocol_page(), "Requests and replies");
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex(R"re("error": \{([^}]*)\})re")));
  CHECK(matches(m[1].str(), R"re("([a-z_]+)":)re") == names_of(ptt::protocol::ErrorReply::kFields));
}
