#include <catch2/catch.hpp>

#include <clocale>
#include <cmath>

#include "agent_result_of.h"
#include "taskcli/format.h"
#include "taskcli/text.h"

using namespace ptt::taskcli;
using ptt::protocol::AgentResult;
using ptt::protocol::TaskRecord;
using ptt::protocol::TaskState;

namespace {

TaskRecord task(std::int64_t id, TaskState state, double created_at) {
  TaskRecord t;
  t.id = id;
  t.state = state;
  t.created_at = created_at;
  t.prompt = "fix the tests";
  t.cwd = "/src/api";
  return t;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(s.substr(start, nl - start));
  return out;
}

}  // namespace

TEST_CASE("ages read as the largest whole unit", "[taskcli]") {
  CHECK(format_age(0) == "0s");
  CHECK(format_age(59.9) == "59s");
  CHECK(format_age(61) == "1m");
  CHECK(format_age(7200) == "2h");
  CHECK(format_age(3 * 86400 + 5) == "3d");
  CHECK(format_age(-5) == "0s");  // a clock step back is not a negative age
}

TEST_CASE("the table is aligned, headed and shows each state's summary", "[taskcli]") {
  TaskRecord running = task(3, TaskState::kRunning, 1000);
  running.name = "fix-tests";
  running.activity = "Bash: npm test";
  TaskRecord done = task(12, TaskState::kSucceeded, 940);
  done.result = agent_result_of("success", false, "All 40 tests pass.\nDetails follow.", 0.01234, 3, 5000);
  TaskRecord failed = task(4, TaskState::kFailed, 990);
  failed.reason = "error_max_turns";
  TaskRecord queued = task(5, TaskState::kQueued, 999);
  queued.after = {3, 4};

  std::string table = render_table({running, done, failed, queued}, 1060, Style{});
  auto lines = lines_of(table);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].rfind("ID  NAME", 0) == 0);
  CHECK(lines[1].rfind(" 3  fix-tests", 0) == 0);  // ids right-aligned
  // Columns line up: STATE starts at the same offset on every line.
  std::size_t state_col = lines[0].find("STATE");
  CHECK(lines[1].substr(state_col, 7) == "running");
  CHECK(lines[2].substr(state_col, 9) == "succeeded");
  CHECK(lines[3].substr(state_col, 6) == "failed");
  CHECK(lines[1].find("fix-tests") != std::string::npos);
  CHECK(lines[1].find("Bash: npm test") != std::string::npos);
  CHECK(lines[1].find("1m") != std::string::npos);
  CHECK(lines[2].find("All 40 tests pass. Details follow.") != std::string::npos);  // one line
  CHECK(lines[2].find("$0.0123") != std::string::npos);
  CHECK(lines[3].find("error_max_turns") != std::string::npos);
  CHECK(lines[4].find("waiting for 3,4") != std::string::npos);
  CHECK(table.find('\033') == std::string::npos);  // no colour unless asked
}

TEST_CASE("list --all-hosts' table has a HOST column first; rows of another reply can be dropped",
          "[taskcli]") {
  TableRenderer table(1060, Style{}, true);
  table.add(task(1, TaskState::kRunning, 1000), "local");
  table.add(task(12, TaskState::kSucceeded, 1000), "devbox");
  table.add(task(7, TaskState::kFailed, 1000), "a-very-long-host-name");
  table.truncate(2);  // the third row came from a line that was not our reply
  CHECK(table.size() == 2);
  auto lines = lines_of(table.render());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("HOST    ID  NAME", 0) == 0);  // as wide as "devbox", not the dropped name
  CHECK(lines[1].rfind("local    1  ", 0) == 0);
  CHECK(lines[2].rfind("devbox  12  ", 0) == 0);
  CHECK(lines[1].substr(lines[0].find("STATE"), 7) == "running");

  TableRenderer plain(1060, Style{});
  plain.add(task(1, TaskState::kRunning, 1000), "ignored");
  CHECK(lines_of(plain.render())[0].rfind("ID  NAME", 0) == 0);  // no HOST column unless asked
}

TEST_CASE("on a narrow terminal the activity is cut so lines fit", "[taskcli]") {
  TaskRecord t = task(1, TaskState::kRunning, 0);
  t.activity = std::string(300, 'a');
  std::string table = render_table({t}, 10, Style{false, 80});
  for (const auto& line : lines_of(table)) CHECK(display_width(line) <= 80);
  CHECK(table.find("…") != std::string::npos);
}

TEST_CASE("on a terminal narrower than a row, NAME gives way and rows are cut: none wraps", "[taskcli]") {
  TaskRecord t = task(13, TaskState::kFailed, 0);
  t.prompt = "result success a prompt long enough to fill the name";
  t.reason = "agent_missing";
  TaskRecord named = task(2, TaskState::kSucceeded, 0);
  named.name = "a-name-that-is-quite-long";
  named.result = agent_result_of("success", false, "done", 0.0123, 1, 10);
  for (std::size_t width : {60, 40, 30, 12}) {
    for (bool color : {false, true}) {
      std::string table = render_table({t, named}, 10, Style{color, width});
      auto lines = lines_of(table);
      REQUIRE(lines.size() == 3);
      for (const auto& line : lines) {
        std::string plain = line;  // without the state's colour
        for (std::size_t at; (at = plain.find('\033')) != std::string::npos;)
          plain.erase(at, plain.find('m', at) - at + 1);
        CHECK(display_width(plain) <= width);
      }
      CHECK(lines[1].rfind("13  \"", 0) == 0);
      if (color && width >= 30) CHECK(lines[1].find("\033[31mfailed") != std::string::npos);
    }
  }
  // Wide enough: NAME keeps its 24 columns and nothing is cut.
  CHECK(lines_of(render_table({named}, 10, Style{false, 120}))[1].find("a-name-that-is-quite-lo…") !=
        std::string::npos);
}

TEST_CASE("colour appears only when the style asks for it", "[taskcli]") {
  TaskRecord t = task(1, TaskState::kFailed, 0);
  t.reason = "exit_code";
  t.exit_code = 2;
  CHECK(render_outcome_line(t, Style{true, 0}).find("\033[31m") != std::string::npos);
  CHECK(render_outcome_line(t, Style{}) == "1 failed (exit code 2)\n");
  t.state = TaskState::kCancelled;
  t.reason = "cancelled";
  CHECK(render_outcome_line(t, Style{}) == "1 cancelled\n");
}

TEST_CASE("status shows the record's fields as key: value lines", "[taskcli]") {
  TaskRecord t = task(7, TaskState::kSucceeded, 100);
  t.name = "docs";
  t.started_at = 101;
  t.finished_at = 103.5;
  t.session_id = "abc-123";
  t.result = agent_result_of("success", false, "done", 0.5, 2, 2500);
  std::string s = render_status(t, 200, Style{});
  CHECK(s.rfind("task 7 (docs): succeeded\n", 0) == 0);
  CHECK(s.find("  prompt:    fix the tests\n") != std::string::npos);
  CHECK(s.find("  session:   abc-123\n") != std::string::npos);
  CHECK(s.find("(took 2.5s)") != std::string::npos);
  CHECK(s.find("$0.5000 over 2 turns") != std::string::npos);
}

TEST_CASE("watch renders lifecycle events and ignores others", "[taskcli]") {
  TaskRecord t = task(9, TaskState::kRunning, 0);
  t.activity = "Edit src/db.py";
  std::string line = render_event("activity", t, 0, Style{});
  CHECK(line.find("activity  9  Edit src/db.py") != std::string::npos);
  CHECK(render_event("log", t, 0, Style{}).empty());
  t.state = TaskState::kSucceeded;
  CHECK(render_event("finished", t, 0, Style{}).find("9 succeeded") != std::string::npos);
}

TEST_CASE("text helpers keep UTF-8 intact and lines single", "[taskcli]") {
  CHECK(display_width("héllo") == 5);
  CHECK(truncate_to_width("héllo wörld", 5) == "héll…");
  CHECK(truncate_to_width("short", 10) == "short");
  CHECK(truncate_to_width("two words", 5) == "two…");
  CHECK(one_line("a\n\tb\x1b[31m  c\n") == "a b [31m c");
  CHECK(pad_right("é", 3) == "é  ");
}

TEST_CASE("text helpers count terminal columns: CJK and emoji take two, marks none", "[taskcli]") {
  CHECK(display_width("日本語") == 6);
  CHECK(display_width("fix 测试") == 8);
  CHECK(display_width("🙂") == 2);
  CHECK(display_width("ok ✅") == 5);
  CHECK(display_width("e\u0301") == 1);  // e + combining acute
  CHECK(display_width("…↳⠋") == 3);      // what the tables draw: one column each
  CHECK(display_width("a\xff\xfe"
                      "b") == 4);  // invalid UTF-8: a column per byte
  CHECK(truncate_to_width("日本語テキスト", 5) == "日本…");
  CHECK(truncate_to_width("日本語テキスト", 6) == "日本…");  // a wide one does not fit in one column
  CHECK(display_width(truncate_to_width("🙂🙂🙂🙂", 7)) <= 7);
  CHECK(pad_right("日本", 6) == "日本  ");
  std::string before = std::setlocale(LC_ALL, nullptr);
  display_width("日本");
  CHECK(std::string(std::setlocale(LC_ALL, nullptr)) == before);  // the tool's locale is left alone
}

TEST_CASE("durations keep tenths only below ten seconds and where they exist", "[taskcli]") {
  CHECK(format_duration(0.42) == "0.4s");
  CHECK(format_duration(3) == "3s");  // the list's whole seconds
  CHECK(format_duration(42.7) == "42s");
  CHECK(format_duration(185) == "3m05s");
  CHECK(format_duration(2 * 3600 + 300) == "2h05m");
  CHECK(format_duration(3 * 86400 + 4 * 3600) == "3d04h");
  CHECK(format_duration(-1) == "0s");
}

TEST_CASE("the NAME cell: a name, or the prompt quoted, with the parent of a follow-up", "[taskcli]") {
  TaskRecord t = task(5, TaskState::kQueued, 0);
  t.prompt = "fix the\nfailing tests in the api package please";
  CHECK(name_cell(t, 24) == "\"fix the failing tests…\"");
  CHECK(display_width(name_cell(t, 24)) == 24);
  t.parent = 2;
  CHECK(name_cell(t, 24) == "↳2 \"fix the failing te…\"");
  t.name = "a-rather-long-name-for-a-task";
  CHECK(name_cell(t, 24) == "↳2 a-rather-long-name-f…");
  t.parent.reset();
  t.name = "docs";
  CHECK(name_cell(t, 24) == "docs");
  t.name.reset();
  t.prompt = "short";
  CHECK(name_cell(t, 24) == "\"short\"");
}

TEST_CASE("the TIME cell: age while queued, run time while running, duration when finished", "[taskcli]") {
  TaskRecord t = task(1, TaskState::kQueued, 100);
  CHECK(time_cell(t, 160) == "1m");
  t.state = TaskState::kRunning;
  t.started_at = 150;
  CHECK(time_cell(t, 160) == "10s");
  t.state = TaskState::kSucceeded;
  t.finished_at = 335;
  CHECK(time_cell(t, 9999) == "3m05s");
  TaskRecord never = task(2, TaskState::kCancelled, 100);  // cancelled while queued
  CHECK(time_cell(never, 9999) == "-");
}

TEST_CASE("in a pipe every row is one line and long cells are cut to a fixed width", "[taskcli]") {
  TaskRecord done = task(1, TaskState::kSucceeded, 0);
  std::string text;
  for (int i = 0; i < 500; ++i) text += "word\n";
  done.result = agent_result_of("success", false, text, 0.01, 1, 10);
  TaskRecord running = task(2, TaskState::kRunning, 0);
  running.activity = "Bash: make\ntest";
  std::string table = render_table({done, running}, 10, Style{});  // max_width 0: not a terminal
  auto lines = lines_of(table);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("TIME") != std::string::npos);
  for (const auto& line : lines) CHECK(display_width(line) <= 24 + kPipeActivityWidth + 40);
  CHECK(lines[1].find("word word") != std::string::npos);
  CHECK(lines[1].find("…  $0.0100") != std::string::npos);
  CHECK(lines[2].find("Bash: make test") != std::string::npos);
}

TEST_CASE("status: the agent's pid, one turn, and values in one column", "[taskcli]") {
  TaskRecord t = task(8, TaskState::kFailed, 100);
  t.started_at = 100;
  t.finished_at = 101;
  t.reason = "exit_code";
  t.exit_code = 128;
  t.pid = 4242;
  t.result = agent_result_of("error_during_execution", true, "x", 0.5, 1, 10);
  std::string s = render_status(t, 200, Style{});
  CHECK(s.find("over 1 turn,") != std::string::npos);
  CHECK(s.find("  pid:       4242\n") != std::string::npos);
  std::size_t column = 0;
  for (const auto& line : lines_of(s)) {
    if (line.rfind("  ", 0) != 0) continue;
    std::size_t colon = line.find(": ");
    std::size_t value = line.find_first_not_of(' ', colon + 1);
    if (column == 0) column = value;
    CHECK(value == column);  // "exit code:" too
  }
  CHECK(column == 13);
}

TEST_CASE("a running task whose cancel was asked for reads `cancelling` everywhere", "[taskcli]") {
  TaskRecord t = task(4, TaskState::kRunning, 0);
  t.activity = "Bash: npm test";
  CHECK(state_text(t) == "running");
  t.cancel_requested = true;
  CHECK(state_text(t) == "cancelling");
  CHECK(lines_of(render_table({t}, 10, Style{}))[1].find("  cancelling  ") != std::string::npos);
  CHECK(render_status(t, 10, Style{}).rfind("task 4: cancelling\n", 0) == 0);
  CHECK(render_event("activity", t, 0, Style{}).find("activity  4  cancelling") != std::string::npos);
  t.state = TaskState::kCancelled;  // once ended, the state says how
  CHECK(state_text(t) == "cancelled");
}

TEST_CASE("times a reply should never carry are shown as ? or clamped, never thrown or cast", "[taskcli]") {
  TaskRecord t = task(3, TaskState::kSucceeded, -1e300);
  t.started_at = 1e300;
  t.finished_at = std::nan("");
  std::string s;
  REQUIRE_NOTHROW(s = render_status(t, 200, Style{}));
  CHECK(s.find("? (") != std::string::npos);  // created: the date unknown, the age clamped
  CHECK(whole_seconds(1e300) == 1'000'000'000'000'000LL);
  CHECK(whole_seconds(std::nan("")) == 0);
  CHECK(whole_seconds(-5) == 0);
  CHECK(format_duration(std::nan("")) == "0s");
  CHECK(format_age(1e300).back() == 'd');
  TableRenderer table(1e300, Style{});
  table.add(t);
  REQUIRE_NOTHROW(table.render());
}
