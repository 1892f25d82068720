#include <catch2/catch.hpp>

#include "taskcli/progress.h"
#include "taskcli/text.h"

using namespace ptt::taskcli;
using nlohmann::json;

namespace {

ProgressState one_task() {
  ProgressState p;
  p.since = 1000;
  p.apply_record(
      {{"id", 3}, {"name", "fix-tests"}, {"state", "running"}, {"started_at", 1000.0}, {"activity", nullptr}},
      true);
  return p;
}

}  // namespace

TEST_CASE("progress: spinner, elapsed time and the latest activity on one line", "[taskcli][progress]") {
  ProgressState p = one_task();
  CHECK(render_progress_line(p, 0, 1005, {}) == "⠋ 5s  task 3 fix-tests: starting");
  p.apply_event(
      {{"event", "activity"}, {"task", {{"id", 3}, {"state", "running"}, {"activity", "Bash: npm\ntest"}}}});
  CHECK(render_progress_line(p, 1, 1065, {}) == "⠙ 1m05s  task 3 fix-tests: Bash: npm test");
  CHECK(render_progress_line(p, 11, 1065, {}).rfind("⠙", 0) == 0);  // the spinner cycles
  // Another task's events change nothing.
  CHECK_FALSE(p.apply_event({{"event", "activity"}, {"task", {{"id", 4}, {"activity", "Edit x"}}}}));
  CHECK(render_progress_line(p, 1, 1065, {}).find("Edit x") == std::string::npos);
  p.apply_event({{"event", "finished"}, {"task", {{"id", 3}, {"state", "succeeded"}}}});
  CHECK(render_progress_line(p, 0, 1070, {}) == "⠋ 1m10s  done");
}

TEST_CASE("progress: several tasks show the freshest activity and how many more", "[taskcli][progress]") {
  ProgressState p;
  p.since = 500;
  p.apply_record({{"id", 1}, {"state", "queued"}}, true);
  CHECK(render_progress_line(p, 0, 502, {}) == "⠋ 2s  task 1: queued");  // nothing started: since we began
  p.apply_record({{"id", 2}, {"state", "running"}, {"started_at", 490.0}, {"activity", "Read a.py"}}, true);
  p.apply_event({{"event", "started"}, {"task", {{"id", 1}, {"state", "running"}, {"started_at", 501.0}}}});
  p.apply_event(
      {{"event", "activity"}, {"task", {{"id", 1}, {"state", "running"}, {"activity", "Edit b.py"}}}});
  CHECK(render_progress_line(p, 0, 520, {}) == "⠋ 30s  task 1: Edit b.py (+1 more)");
}

TEST_CASE("progress: cut to the terminal width, coloured only when asked", "[taskcli][progress]") {
  ProgressState p = one_task();
  p.apply_record({{"id", 3}, {"activity", std::string(200, 'x')}});
  std::string cut = render_progress_line(p, 0, 1001, {false, 40});
  CHECK(display_width(cut) == 39);  // one column spare so the terminal never wraps
  CHECK(cut.substr(cut.size() - 3) == "…");
  std::string coloured = render_progress_line(p, 0, 1001, {true, 40});
  CHECK(coloured.rfind("\033[36m⠋\033[0m \033[2m1s\033[0m  task 3", 0) == 0);
  CHECK(cut.find('\033') == std::string::npos);
  CHECK(redraw_line("abc") == "\rabc\033[K");
  CHECK(format_elapsed(7384) == "2h03m");
  CHECK(format_elapsed(-3) == "0s");
}

TEST_CASE("progress: a task whose cancel was asked for reads cancelling", "[taskcli][progress]") {
  ProgressState p = one_task();
  p.apply_event({{"event", "activity"},
                 {"task", {{"id", 3}, {"state", "running"}, {"activity", "Bash: x"}, {"cancel_requested", true}}}});
  CHECK(render_progress_line(p, 0, 1005, {}) == "⠋ 5s  task 3 fix-tests: cancelling");
}
