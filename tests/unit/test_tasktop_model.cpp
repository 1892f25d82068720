// `ptt-task top`'s model without a terminal: events and keys in, frames and actions out.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "agent_result_of.h"
#include "taskcli/text.h"
#include "tasktop/model.h"

using namespace ptt::tasktop;
using nlohmann::json;
using ptt::protocol::AgentResult;
using ptt::protocol::TaskRecord;
using ptt::protocol::TaskState;

namespace {

constexpr double kNow = 1764000100;

TaskRecord task(std::int64_t id, TaskState state, const char* name = nullptr) {
  TaskRecord t;
  t.id = id;
  t.state = state;
  t.created_at = kNow - 100;
  t.prompt = "fix the failing tests in the api package";
  t.cwd = "/src/api";
  if (name) t.name = name;
  return t;
}

std::string text_of(const Line& line) {
  std::string out;
  for (const auto& s : line.spans) out += s.text;
  return out;
}

std::vector<std::string> screen(const Model& m, int width = 100, int height = 20) {
  std::vector<std::string> out;
  for (const auto& l : m.render(width, height, kNow).lines) out.push_back(text_of(l));
  return out;
}

bool contains(const std::vector<std::string>& lines, const std::string& needle) {
  for (const auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

// The row (line) that shows task `id`, or -1.
int row_of(const Frame& f, std::int64_t id) {
  for (std::size_t i = 2; i < f.lines.size(); ++i) {
    if (!f.lines[i].spans.empty() && f.lines[i].spans[0].text.rfind(std::to_string(id) + " ", 0) == 0)
      return static_cast<int>(i);
  }
  return -1;
}

Model three_tasks() {
  Model m;
  auto done = task(1, TaskState::kSucceeded, "docs");
  done.started_at = kNow - 90;
  done.finished_at = kNow - 30;  // took 60 s
  done.result = agent_result_of("success", false, "updated the README", 0.0123, 2, 60000);
  auto running = task(2, TaskState::kRunning, "fix-tests");
  running.started_at = kNow - 42;
  running.activity = "Bash: npm test";
  m.set_tasks({running, done, task(3, TaskState::kQueued)});
  return m;
}

}  // namespace

TEST_CASE("top: the table shows every task with state, time, activity and cost", "[taskcli]") {
  Model m = three_tasks();
  auto lines = screen(m);
  CHECK(lines[0].find("3 tasks · 1 running · 1 queued") != std::string::npos);
  CHECK(lines[1].rfind("ID", 0) == 0);
  CHECK(lines[1].find("ACTIVITY") != std::string::npos);
  // By id; a finished task shows how long it took, a running one how long it has run.
  CHECK(lines[2].find("docs") != std::string::npos);
  CHECK(lines[2].find("succeeded") != std::string::npos);
  CHECK(lines[2].find("1m") != std::string::npos);
  CHECK(lines[2].find("$0.0123") != std::string::npos);
  CHECK(lines[2].find("updated the README") != std::string::npos);
  CHECK(lines[3].find("42s") != std::string::npos);
  CHECK(lines[3].find("Bash: npm test") != std::string::npos);
  // An unnamed task shows the start of its prompt.
  CHECK(lines[4].find("fix the failing tests") != std::string::npos);
  CHECK(lines.back().find("q quit") != std::string::npos);
  CHECK(m.clocks_running());
}

TEST_CASE("top: the title names the host `ptt-task --host NAME top` shows", "[taskcli]") {
  Model m = three_tasks();
  CHECK(screen(m)[0].rfind("ptt-task top · 3 tasks", 0) == 0);
  m.set_host("devbox");
  CHECK(screen(m)[0].rfind("ptt-task top on devbox · 3 tasks · 1 running", 0) == 0);
}

TEST_CASE("top: every line fits the width, and the newest task is selected until the user moves",
          "[taskcli]") {
  Model m = three_tasks();
  for (int width : {20, 40, 80, 200}) {
    for (const auto& l : screen(m, width, 12))
      CHECK(ptt::taskcli::display_width(l) <= static_cast<std::size_t>(width));
  }
  CHECK(screen(m, 80, 1).size() == 1);
  CHECK(screen(m, 80, 3).size() == 3);
  CHECK(m.selected() == 3);
  Frame f = m.render(100, 20, kNow);
  CHECK(f.lines[static_cast<std::size_t>(row_of(f, 3))].fill == Paint::kSelected);
  CHECK(f.lines[static_cast<std::size_t>(row_of(f, 2))].fill == Paint::kNormal);

  m.upsert(task(4, TaskState::kQueued));
  CHECK(m.selected() == 4);  // a new task is followed while the user has not chosen
  m.press(Key::ch("k"));
  CHECK(m.selected() == 3);
  m.upsert(task(5, TaskState::kQueued));
  CHECK(m.selected() == 3);  // once chosen, the selection stays put
  m.press(Key::of(Key::kUp));
  m.press(Key::of(Key::kUp));
  CHECK(m.selected() == 1);
  m.press(Key::of(Key::kUp));
  CHECK(m.selected() == 1);  // no wrap at the top
  m.press(Key::ch("j"));
  CHECK(m.selected() == 2);
  m.press(Key::ch("G"));
  CHECK(m.selected() == 5);
}

TEST_CASE("top: on a narrow terminal NAME gives way so that STATE and TIME still show", "[taskcli]") {
  Model m = three_tasks();
  auto long_name = task(4, TaskState::kFailed, "a-name-that-fills-the-column-whole");
  long_name.reason = "exit_code";
  long_name.exit_code = 2;
  m.upsert(long_name);
  auto lines = screen(m, 40, 12);
  for (const auto& l : lines) CHECK(ptt::taskcli::display_width(l) <= 40);
  CHECK(contains(lines, "succeeded"));
  CHECK(contains(lines, "failed"));
  CHECK(contains(lines, "42s"));
  CHECK(contains(lines, "a-nam…"));
}

TEST_CASE("top: events update the table; unreadable ones are skipped", "[taskcli]") {
  Model m = three_tasks();
  json rec = task(2, TaskState::kRunning, "fix-tests");
  rec["activity"] = "Edit src/db.py";
  m.apply_event({{"event", "activity"}, {"task", rec}});
  CHECK(contains(screen(m), "Edit src/db.py"));
  json made = task(7, TaskState::kQueued, "new-one");
  m.apply_event({{"event", "created"}, {"task", made}});
  CHECK(m.tasks().size() == 4);
  CHECK(contains(screen(m), "new-one"));
  m.apply_event({{"event", "finished"}, {"task", {{"id", "not a record"}}}});
  m.apply_event({{"event", "created"}, {"task", 3}});
  m.apply_event(json::array());
  CHECK(m.tasks().size() == 4);
}

TEST_CASE("top: c asks before cancelling; only y cancels", "[taskcli]") {
  Model m = three_tasks();
  m.select(2);
  CHECK(m.press(Key::ch("c")).kind == TopAction::kNone);
  CHECK(m.mode() == Mode::kConfirm);
  CHECK(screen(m).back() == "Cancel task 2 (fix-tests)? [y/n]");
  TopAction a = m.press(Key::ch("y"));
  CHECK(a.kind == TopAction::kCancel);
  CHECK(a.task == 2);
  CHECK(m.mode() == Mode::kBrowse);

  m.press(Key::ch("c"));
  CHECK(m.press(Key::ch("n")).kind == TopAction::kNone);
  CHECK(screen(m).back() == "not cancelled");
  // A finished task is not offered for cancelling.
  m.select(1);
  CHECK(m.press(Key::ch("c")).kind == TopAction::kNone);
  CHECK(m.mode() == Mode::kBrowse);
  CHECK(screen(m).back().find("already succeeded") != std::string::npos);
}

TEST_CASE("top: f reads a follow-up prompt in the status bar", "[taskcli]") {
  Model m = three_tasks();
  m.select(1);
  m.press(Key::ch("f"));
  CHECK(m.mode() == Mode::kFollowUpInput);
  for (const char* c : {"n", "o", "w", " ", "t", "x", "…"})
    CHECK(m.press(Key::ch(c)).kind == TopAction::kNone);
  m.press(Key::of(Key::kBackspace));  // the whole "…", not one byte of it
  m.press(Key::ch("s"));
  Frame f = m.render(100, 20, kNow);
  CHECK(text_of(f.lines.back()).find("Follow-up to task 1") != std::string::npos);
  CHECK(text_of(f.lines.back()).find("now txs") != std::string::npos);
  CHECK(f.cursor_row == static_cast<int>(f.lines.size()) - 1);
  CHECK(m.press(Key::ch("q")).kind == TopAction::kNone);  // q is text while typing
  m.press(Key::of(Key::kBackspace));
  TopAction a = m.press(Key::of(Key::kEnter));
  CHECK(a.kind == TopAction::kFollowUp);
  CHECK(a.task == 1);
  CHECK(a.prompt == "now txs");

  m.press(Key::ch("f"));
  m.press(Key::ch("x"));
  CHECK(m.press(Key::of(Key::kEscape)).kind == TopAction::kNone);
  CHECK(m.mode() == Mode::kBrowse);
  m.press(Key::ch("f"));
  CHECK(m.press(Key::of(Key::kEnter)).kind == TopAction::kNone);  // an empty prompt is not sent
}

TEST_CASE("top: r retries, Enter opens the log, q quits", "[taskcli]") {
  Model m = three_tasks();
  m.select(2);
  CHECK(m.press(Key::ch("r")).kind == TopAction::kRetry);
  CHECK(m.press(Key::ch("r")).task == 2);
  CHECK(m.press(Key::of(Key::kEnter)).kind == TopAction::kOpenLogs);
  CHECK(m.press(Key::ch("q")).kind == TopAction::kQuit);
  Model empty;
  CHECK(empty.press(Key::ch("c")).kind == TopAction::kNone);
  CHECK(empty.press(Key::of(Key::kEnter)).kind == TopAction::kNone);
  CHECK(contains(screen(empty), "no tasks yet"));
  CHECK_FALSE(empty.clocks_running());
}

TEST_CASE("top: the detail pane shows the selected task's latest log lines and how it ended", "[taskcli]") {
  Model m = three_tasks();
  m.select(1);
  m.start_detail(1);
  for (int i = 0; i < 50; ++i) {
    json line = {{"type", "assistant"},
                 {"message", {{"content", {{{"type", "text"}, {"text", "step " + std::to_string(i)}}}}}}};
    m.add_log_line(1, line.dump());
  }
  m.add_log_line(2, R"({"type":"assistant","message":{"content":[{"type":"text","text":"other task"}]}})");
  auto lines = screen(m, 100, 20);
  CHECK(contains(lines, "── task 1 (docs) · succeeded"));
  CHECK(contains(lines, "prompt: fix the failing tests"));
  CHECK(contains(lines, "step 49"));
  CHECK_FALSE(contains(lines, "step 0"));
  CHECK_FALSE(contains(lines, "other task"));
  CHECK(contains(lines, "■ 1 docs succeeded"));
  CHECK(lines.size() == 20);
}

TEST_CASE("top: a lost daemon is said in the status bar and blocks actions", "[taskcli]") {
  Model m = three_tasks();
  m.press(Key::ch("c"));
  m.set_connected(false);
  CHECK(m.mode() == Mode::kBrowse);
  CHECK(screen(m).back() == "ptt-taskd is gone; reconnecting…");
  CHECK(m.press(Key::ch("r")).kind == TopAction::kNone);
  CHECK(m.press(Key::ch("q")).kind == TopAction::kQuit);
  m.set_connected(true);
  CHECK(screen(m).back().find("q quit") != std::string::npos);
}

TEST_CASE("top: a daemon that does not answer is said in the status bar and blocks actions", "[taskcli]") {
  Model m = three_tasks();
  m.press(Key::ch("c"));
  m.set_unresponsive("ptt-taskd (pid 7) did not answer within 5 s; waiting…");
  CHECK(m.mode() == Mode::kBrowse);  // the question is dropped: its answer could not be sent
  CHECK(screen(m).back() == "ptt-taskd (pid 7) did not answer within 5 s; waiting…");
  CHECK(m.press(Key::ch("c")).kind == TopAction::kNone);
  CHECK(m.mode() == Mode::kBrowse);
  CHECK(m.press(Key::ch("r")).kind == TopAction::kNone);
  CHECK(m.press(Key::ch("q")).kind == TopAction::kQuit);
  m.set_unresponsive({});
  CHECK(m.responsive());
  CHECK(m.press(Key::ch("r")).kind == TopAction::kRetry);
}

TEST_CASE("top: the table scrolls to keep the selection visible", "[taskcli]") {
  Model m;
  std::vector<TaskRecord> many;
  for (int i = 1; i <= 40; ++i) many.push_back(task(i, TaskState::kSucceeded));
  m.set_tasks(many);
  Frame f = m.render(80, 20, kNow);
  CHECK(row_of(f, 40) > 0);  // the newest, selected, is shown
  CHECK(row_of(f, 1) < 0);
  m.press(Key::ch("g"));
  f = m.render(80, 20, kNow);
  CHECK(row_of(f, 1) == 2);
  m.press(Key::of(Key::kPageDown));
  f = m.render(80, 20, kNow);
  CHECK(m.selected() > 1);
  CHECK(row_of(f, *m.selected()) > 0);
}

TEST_CASE("top shows cells as list does: cancelling, prompt excerpts and follow-ups") {
  Model m;
  auto stopping = task(4, TaskState::kRunning, "slow");
  stopping.started_at = kNow - 10;
  stopping.cancel_requested = true;
  auto unnamed = task(5, TaskState::kQueued);
  auto follow = task(6, TaskState::kQueued, "next");
  follow.parent = 4;
  m.set_tasks({stopping, unnamed, follow});
  auto lines = screen(m);
  CHECK(contains(lines, "cancelling"));
  CHECK(contains(lines, "\"fix the failing tests"));
  CHECK(contains(lines, "↳4 next"));
}

TEST_CASE("top: the queue's hold shows in the title bar from the list and the events", "[taskcli]") {
  Model m = three_tasks();
  CHECK_FALSE(contains(screen(m), "queue held"));
  ptt::protocol::QueueHold hold;
  hold.until = kNow + 3600;
  hold.task = 7;
  m.set_queue_hold(hold);
  auto lines = screen(m, 160);
  CHECK(lines[0].find("3 tasks · 1 running · 1 queued") != std::string::npos);
  CHECK(lines[0].find("queue held until") != std::string::npos);
  CHECK(lines[0].find("task 7") != std::string::npos);
  // The hold's span is painted as a warning, the title's own text as the title.
  auto frame = m.render(160, 20, kNow);
  REQUIRE(frame.lines[0].spans.size() == 2);
  CHECK(frame.lines[0].spans[1].paint == Paint::kWarning);

  m.apply_event(ptt::protocol::queue_event_json(ptt::protocol::QueueResumed{hold, "resume"}));
  CHECK_FALSE(m.queue_hold());
  CHECK_FALSE(contains(screen(m, 160), "queue held"));
  // A queue_held event (a hold that began while top runs) sets it; task events leave it be.
  hold.task = 9;
  m.apply_event(ptt::protocol::queue_event_json(ptt::protocol::QueueHeld{hold}));
  m.apply_event(
      json{{"event", "activity"}, {"task", {{"id", 2}, {"state", "running"}, {"activity", "Read"}}}});
  REQUIRE(m.queue_hold());
  CHECK(m.queue_hold()->task == 9);
  CHECK(contains(screen(m, 160), "task 9"));
}

TEST_CASE("top: D, m and x act on a finished worktree task; m and x ask y/n first", "[taskcli]") {
  Model m;
  auto wt = task(1, TaskState::kSucceeded, "fix");
  wt.worktree.emplace();
  wt.worktree->repo = "/src/api";
  wt.worktree->path = "/state/worktrees/api-1";
  wt.worktree->branch = "ptt/1-fix";
  wt.worktree->base_branch = "refs/heads/main";
  wt.worktree->changes = ptt::protocol::WorktreeChanges{.files = 2, .insertions = 5, .deletions = 1};
  auto running = wt;
  running.id = 2;
  running.name = "busy";
  running.state = TaskState::kRunning;
  m.set_tasks({wt, running, task(3, TaskState::kSucceeded, "plain")});
  CHECK(contains(screen(m), "D diff · m merge · x discard · q quit"));
  CHECK(screen(m, 60).back() == "keys: ↑↓ Enter c f r D m x · q quit (ptt-task top --help)");

  m.select(1);
  TopAction d = m.press(Key::ch("D"));
  CHECK(d.kind == TopAction::kDiff);
  CHECK(d.task == 1);
  CHECK(m.press(Key::ch("m")).kind == TopAction::kNone);
  CHECK(m.mode() == Mode::kConfirm);
  CHECK(screen(m, 160).back() ==
        "Merge task 1 (fix) [y/n]: brings branch ptt/1-fix (changed 2 files, +5 \u22121) into main in "
        "/src/api");
  CHECK(m.press(Key::ch("n")).kind == TopAction::kNone);
  CHECK(screen(m).back() == "not merged");
  m.press(Key::ch("m"));
  TopAction merge = m.press(Key::ch("y"));
  CHECK(merge.kind == TopAction::kMerge);
  CHECK(merge.task == 1);
  m.press(Key::ch("x"));
  CHECK(screen(m, 160).back() ==
        "Discard task 1 (fix) [y/n]: deletes its branch ptt/1-fix (changed 2 files, +5 "
        "\u22121) and worktree /state/worktrees/api-1");
  CHECK(m.press(Key::of(Key::kEscape)).kind == TopAction::kNone);
  CHECK(screen(m).back() == "not discarded");
  m.press(Key::ch("x"));
  CHECK(m.press(Key::ch("Y")).kind == TopAction::kDiscard);

  // Still running: said, not asked. No worktree: said, not asked, no diff.
  m.select(2);
  CHECK(m.press(Key::ch("m")).kind == TopAction::kNone);
  CHECK(m.mode() == Mode::kBrowse);
  CHECK(screen(m).back() == "task 2 (busy) is still running; merge it once it ends");
  m.select(3);
  CHECK(m.press(Key::ch("x")).kind == TopAction::kNone);
  CHECK(screen(m).back().find("not in a worktree of its own; nothing to discard") != std::string::npos);
  CHECK(m.press(Key::ch("D")).kind == TopAction::kNone);
  CHECK(screen(m).back().find("no diff to show") != std::string::npos);

  // Merged already: m says so; x may still remove what is left.
  wt.worktree->resolution = "merged";
  m.upsert(wt);
  m.select(1);
  CHECK(m.press(Key::ch("m")).kind == TopAction::kNone);
  CHECK(screen(m).back() == "task 1 (fix) is merged already");
  m.press(Key::ch("x"));
  CHECK(m.mode() == Mode::kConfirm);
}
