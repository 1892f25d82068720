#pragma once
// The state of `ptt-task top`, with no terminal and no socket in it: daemon events,
// task lists, log lines and key presses go in; a Frame to draw and TopActions for the
// caller to carry out come out. lib/tasktop/screen.h draws Frames with curses and
// tasktop/link.h talks to the daemon, so everything here is unit-tested as plain data.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/queue_hold.h"
#include "protocol/task_record.h"

namespace ptt::tasktop {

// A key as the model sees it; the adapter maps curses codes (and UTF-8 text) to these.
struct Key {
  enum Kind { kText, kUp, kDown, kPageUp, kPageDown, kHome, kEnd, kEnter, kBackspace, kEscape };
  Kind kind = kText;
  std::string text;  // one character (UTF-8) for kText
  static Key of(Kind k) { return Key{k, {}}; }
  static Key ch(std::string s) { return Key{kText, std::move(s)}; }
};

// What the caller must do after a key.
struct TopAction {
  // kDiff, kMerge, kDiscard: a worktree task's review keys (D, m and x after y).
  enum Kind { kNone, kQuit, kOpenLogs, kCancel, kFollowUp, kRetry, kAllow, kDeny, kDiff, kMerge, kDiscard };
  Kind kind = kNone;
  std::int64_t task = 0;
  std::string prompt;  // kFollowUp
};

// How a span is drawn; the adapter maps these to curses attributes (colours only
// when colour is allowed).
enum class Paint {
  kNormal,
  kTitle,
  kHeader,
  kSelected,
  kDim,
  kQueued,
  kRunning,
  kSucceeded,
  kFailed,
  kCancelled,
  kKeys,
  kPrompt,
  kWarning
};

struct Span {
  std::string text;
  Paint paint = Paint::kNormal;
};
struct Line {
  std::vector<Span> spans;
  Paint fill = Paint::kNormal;  // the rest of the row (a selected row is highlighted to the edge)
};
struct Frame {
  std::vector<Line> lines;  // top to bottom, at most the screen's height
  int cursor_row = -1;      // where the text cursor shows (the follow-up input); -1 hides it
  int cursor_col = 0;
};

// kConfirm: a y/n question about the selected task (cancel, merge or discard) in the status bar.
enum class Mode { kBrowse, kConfirm, kFollowUpInput };

class Model {
 public:
  // Every known task replaced (after a (re)connect's `list`); the selection stays on
  // its task when that still exists.
  void set_tasks(std::vector<protocol::TaskRecord> tasks);
  // A `created`/`started`/`activity`/`finished` event or any reply carrying a record;
  // `queue_held`/`queue_resumed` set or end the queue's hold.
  void apply_event(const nlohmann::json& event);
  // The queue's hold as a (re)connect's `list` gives it: in the title bar while it lasts,
  // since it explains queued tasks that do not start.
  void set_queue_hold(std::optional<protocol::QueueHold> hold) { queue_hold_ = std::move(hold); }
  const std::optional<protocol::QueueHold>& queue_hold() const { return queue_hold_; }
  void upsert(protocol::TaskRecord task);
  // The daemon link: lost (show "reconnecting…") or back.
  void set_connected(bool connected);
  bool connected() const { return connected_; }
  // Connected, but the daemon leaves a ping unanswered (e.g. it is stopped): `why` in the
  // status bar, and no action is sent; an empty `why` when it answers again.
  void set_unresponsive(std::string why);
  bool responsive() const { return unresponsive_.empty(); }
  void set_daemon_version(std::string server) { server_ = std::move(server); }
  // The host the dashboard shows, as the person calls it (`ptt-task --host NAME top`):
  // named in the title. Empty: this machine.
  void set_host(std::string name) { host_ = std::move(name); }
  // A one-line note in the status bar until the next key ("cancelled task 3").
  void set_message(std::string text, bool warning = false);

  // The detail pane: log lines for `task` replace the old ones when it changes.
  void start_detail(std::int64_t task);
  std::optional<std::int64_t> detail_task() const { return detail_task_; }
  void add_log_line(std::int64_t task, std::string_view raw);  // one raw stream-json line
  void add_log_note(std::int64_t task, std::string text);      // e.g. an omitted huge line

  TopAction press(const Key& key);
  void select(std::int64_t id);

  std::optional<std::int64_t> selected() const;
  Mode mode() const { return mode_; }
  const std::vector<protocol::TaskRecord>& tasks() const { return tasks_; }
  const protocol::TaskRecord* find(std::int64_t id) const;
  // True while a displayed clock moves (a task is queued or running): the caller
  // redraws once a second then, and not at all otherwise.
  bool clocks_running() const;

  Frame render(int width, int height, double now) const;

 private:
  TopAction press_browse(const Key& key);
  TopAction press_confirm(const Key& key);
  TopAction press_input(const Key& key);
  void move_selection(long delta);
  void push_detail(std::string line);
  // Asks y/n before `kind` (kCancel, kMerge or kDiscard) of `id`, unless the task cannot take it.
  void ask_to_confirm(TopAction::Kind kind, std::int64_t id);
  std::string confirm_question() const;

  std::vector<protocol::TaskRecord> tasks_;  // by id
  std::optional<std::int64_t> selected_;
  bool user_moved_ = false;  // until the user moves, the newest task stays selected
  Mode mode_ = Mode::kBrowse;
  std::int64_t pending_task_ = 0;                  // the confirmation's or the input's task
  TopAction::Kind confirming_ = TopAction::kNone;  // what y carries out in Mode::kConfirm
  std::string input_;
  std::string message_;
  bool message_warning_ = false;
  bool connected_ = true;
  std::string unresponsive_;  // why the daemon counts as not answering; empty: it answers
  std::string server_;
  std::string host_;
  std::optional<protocol::QueueHold> queue_hold_;
  std::optional<std::int64_t> detail_task_;
  std::deque<std::string> detail_;
  // Rendering remembers the table's height (for PgUp/PgDn) and its scroll offset, so
  // the view only scrolls when the selection would leave it.
  mutable int page_rows_ = 10;
  mutable std::size_t scroll_ = 0;
};

// "3 (fix-tests)" or "3": how messages name a task.
std::string task_label(const protocol::TaskRecord& t);

}  // namespace ptt::tasktop
