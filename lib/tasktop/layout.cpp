// Model::render: the dashboard laid out as rows of painted text, sized to the screen.
//   title bar · table header · task rows · detail header · the selected task's log · status bar
#include <algorithm>

#include <fmt/format.h>

#include "core/cli.h"
#include "taskcli/format.h"
#include "taskcli/text.h"
#include "tasktop/model.h"

namespace ptt::tasktop {
using namespace ptt::taskcli;
using protocol::TaskRecord;
using protocol::TaskState;

namespace {

constexpr std::size_t kGap = 2;
constexpr std::size_t kMaxNameWidth = 28;

Paint state_paint(TaskState s) {
  switch (s) {
    case TaskState::kQueued:
      return Paint::kQueued;
    case TaskState::kStarting:
    case TaskState::kRunning:
      return Paint::kRunning;
    case TaskState::kSucceeded:
      return Paint::kSucceeded;
    case TaskState::kFailed:
      return Paint::kFailed;
    case TaskState::kCancelled:
      return Paint::kCancelled;
  }
  return Paint::kNormal;
}

// The NAME column as `list` shows it (format.h), dimmed when it is a prompt excerpt.
Span name_span(const TaskRecord& t) {
  return {name_cell(t, kMaxNameWidth), t.name ? Paint::kNormal : Paint::kDim};
}

// A worktree task's changes lead its activity: what a review would start from.
std::string activity_cell(const TaskRecord& t) {
  std::string activity = activity_summary(t);
  if (!t.worktree || !t.worktree->changes) return activity;
  std::string changes = protocol::change_summary(*t.worktree->changes);
  return activity.empty() ? changes : changes + " \u00b7 " + activity;
}

struct Columns {
  std::size_t id = 2, name = 4, state = 5, time = 4, activity = 8, cost = 4;
};

Columns measure(const std::vector<TaskRecord>& tasks, double now, std::size_t width) {
  Columns c;
  for (const auto& t : tasks) {
    c.id = std::max(c.id, std::to_string(t.id).size());
    c.name = std::max(c.name, std::min(kMaxNameWidth, display_width(name_span(t).text)));
    c.state = std::max(c.state, display_width(state_text(t)));
    c.time = std::max(c.time, time_cell(t, now).size());
    c.cost = std::max(c.cost, display_width(format_cost(t)));
  }
  std::size_t fixed = c.id + c.name + c.state + c.time + c.cost + 5 * kGap;
  // A narrow terminal: NAME gives way (down to 6 columns) before STATE, TIME and a little
  // ACTIVITY are cut off at the edge.
  constexpr std::size_t kNarrowestName = 6, kSomeActivity = 8;
  if (fixed + kSomeActivity > width && c.name > kNarrowestName) {
    std::size_t give = std::min(fixed + kSomeActivity - width, c.name - kNarrowestName);
    c.name -= give;
    fixed -= give;
  }
  c.activity = width > fixed ? width - fixed : 0;
  return c;
}

std::string cell(std::string_view text, std::size_t width) {
  return pad_right(truncate_to_width(text, width), width + kGap);
}

Line table_row(const Columns& c, std::string_view id, const Span& name, std::string_view state,
               Paint state_paint, std::string_view time, std::string_view activity, std::string_view cost,
               bool selected) {
  auto paint = [selected](Paint p) { return selected ? Paint::kSelected : p; };
  Line line;
  line.spans.push_back({pad_right(id, c.id) + std::string(kGap, ' '), paint(Paint::kNormal)});
  line.spans.push_back({cell(name.text, c.name), paint(name.paint)});
  line.spans.push_back({cell(state, c.state), paint(state_paint)});
  line.spans.push_back({cell(time, c.time), paint(Paint::kNormal)});
  if (c.activity > 0) line.spans.push_back({cell(activity, c.activity), paint(Paint::kNormal)});
  line.spans.push_back({std::string(cost), paint(Paint::kNormal)});
  line.fill = paint(Paint::kNormal);
  return line;
}

Line text_line(std::string text, Paint paint, std::size_t width, Paint fill = Paint::kNormal) {
  Line line;
  line.spans.push_back({truncate_to_width(text, width), paint});
  line.fill = fill;
  return line;
}

// Cuts a row to the screen's width (narrow terminals): the table's fixed columns
// alone can be wider than it.
void clip(Line& line, std::size_t width) {
  std::size_t left = width;
  for (auto& span : line.spans) {
    span.text = truncate_to_width(span.text, left);
    left -= display_width(span.text);
  }
}

}  // namespace

Frame Model::render(int width_in, int height_in, double now) const {
  Frame f;
  if (width_in <= 0 || height_in <= 0) return f;
  auto width = static_cast<std::size_t>(width_in);
  auto height = static_cast<std::size_t>(height_in);

  std::size_t running = 0, queued = 0;
  for (const auto& t : tasks_) {
    running += t.state == TaskState::kStarting || t.state == TaskState::kRunning;  // both hold a slot
    queued += t.state == TaskState::kQueued;
  }
  std::string title =
      fmt::format("ptt-task top{} · {} task{} · {} running · {} queued", host_.empty() ? "" : " on " + host_,
                  tasks_.size(), tasks_.size() == 1 ? "" : "s", running, queued);
  f.lines.push_back(text_line(title, Paint::kTitle, width, Paint::kTitle));
  // The hold before the version: it explains queued tasks that do not start.
  if (queue_hold_) {
    std::string hold = taskcli::render_queue_hold(*queue_hold_, now);
    if (!hold.empty() && hold.back() == '\n') hold.pop_back();
    f.lines.back().spans.push_back({" · " + hold, Paint::kWarning});
  }
  if (!server_.empty()) f.lines.back().spans.push_back({" · " + server_, Paint::kTitle});

  // Title, table header, detail header and status bar take one row each; the table
  // gets up to half of the rest, the selected task's log the remainder.
  std::size_t body = height > 4 ? height - 4 : 0;
  std::size_t table_rows = std::clamp<std::size_t>(tasks_.size(), 1, std::max<std::size_t>(1, body / 2));
  if (table_rows > body) table_rows = body;
  page_rows_ = static_cast<int>(std::max<std::size_t>(1, table_rows));

  Columns cols = measure(tasks_, now, width);
  f.lines.push_back(table_row(cols, "ID", {"NAME", Paint::kHeader}, "STATE", Paint::kHeader, "TIME",
                              "ACTIVITY", "COST", false));
  for (auto& s : f.lines.back().spans) s.paint = Paint::kHeader;
  f.lines.back().fill = Paint::kHeader;

  auto sel = selected();
  std::size_t sel_index = 0;
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    if (sel && tasks_[i].id == *sel) sel_index = i;
  }
  if (sel_index < scroll_) scroll_ = sel_index;
  if (table_rows > 0 && sel_index >= scroll_ + table_rows) scroll_ = sel_index - table_rows + 1;
  scroll_ = std::min(scroll_, tasks_.size() > table_rows ? tasks_.size() - table_rows : 0);
  if (tasks_.empty() && table_rows > 0) {
    f.lines.push_back(
        text_line(connected_ ? with_hint_command("no tasks yet; start one with `ptt-task spawn \"…\"`") : "",
                  Paint::kDim, width));
  }
  for (std::size_t i = scroll_; i < tasks_.size() && i < scroll_ + table_rows; ++i) {
    const TaskRecord& t = tasks_[i];
    f.lines.push_back(
        table_row(cols, std::to_string(t.id), name_span(t), state_text(t),
                  t.waiting && t.state == TaskState::kRunning ? Paint::kWarning : state_paint(t.state),
                  time_cell(t, now), activity_cell(t), format_cost(t), sel && t.id == *sel));
  }
  while (f.lines.size() < 2 + table_rows) f.lines.push_back({});

  // The detail pane: which task, its prompt, then the end of its log.
  if (height > f.lines.size() + 1) {
    const TaskRecord* t = sel ? find(*sel) : nullptr;
    std::string head =
        t ? fmt::format("── task {} · {} · {} ", task_label(*t), state_text(*t), t->cwd) : std::string("── ");
    std::size_t w = display_width(head);
    if (w < width)
      head += [&] {
        std::string rule;
        for (std::size_t i = w; i < width; ++i) rule += "─";
        return rule;
      }();
    f.lines.push_back(text_line(head, Paint::kHeader, width));
    std::size_t room = height - f.lines.size() - 1;
    std::vector<std::string> pane;
    if (t) {
      pane.push_back("prompt: " + one_line(t->prompt.substr(0, 2000)));
      bool ours = detail_task_ == t->id;
      std::size_t tail = room > 1 ? room - 1 : 0;
      std::size_t first = ours && detail_.size() > tail ? detail_.size() - tail : 0;
      if (ours) {
        for (std::size_t i = first; i < detail_.size(); ++i) pane.push_back(detail_[i]);
      }
      if (protocol::is_finished(t->state)) {
        std::string outcome = render_outcome_line(*t, Style{});
        if (!outcome.empty() && outcome.back() == '\n') outcome.pop_back();
        pane.push_back("■ " + outcome);
      }
    }
    // Keep the prompt line and the latest lines; drop the oldest log lines between.
    if (pane.size() > room && room > 0) pane.erase(pane.begin() + 1, pane.begin() + 1 + (pane.size() - room));
    for (std::size_t i = 0; i < pane.size() && i < room; ++i) {
      f.lines.push_back(text_line(pane[i], i == 0 ? Paint::kDim : Paint::kNormal, width));
    }
    while (f.lines.size() + 1 < height) f.lines.push_back({});
  }

  // The status bar: the daemon's absence, a question, the input, a note, or the keys.
  std::string status;
  Paint paint = Paint::kKeys;
  if (!connected_) {
    status = "ptt-taskd is gone; reconnecting…";
    paint = Paint::kWarning;
  } else if (!unresponsive_.empty()) {
    status = unresponsive_;
    paint = Paint::kWarning;
  } else if (mode_ == Mode::kConfirm) {
    status = confirm_question();
    paint = Paint::kPrompt;
  } else if (mode_ == Mode::kFollowUpInput) {
    std::string label = fmt::format("Follow-up to task {} (Enter sends, Esc drops): ", pending_task_);
    std::size_t label_w = display_width(label);
    std::string shown = input_;
    // Show the end of a long input, where the typing happens.
    std::size_t room = width > label_w + 1 ? width - label_w - 1 : 0;
    while (display_width(shown) > room && !shown.empty()) {
      std::size_t cut = 1;
      while (cut < shown.size() && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) ++cut;
      shown.erase(0, cut);
    }
    status = label + shown;
    paint = Paint::kPrompt;
    f.cursor_row = static_cast<int>(height - 1);
    f.cursor_col = static_cast<int>(std::min(width - 1, display_width(status)));
  } else if (!message_.empty()) {
    status = message_;
    paint = message_warning_ ? Paint::kWarning : Paint::kNormal;
  } else if (const TaskRecord* t = selected() ? find(*selected()) : nullptr;
             t && t->waiting && t->state == TaskState::kRunning) {
    // The selected task waits for an answer: what it asks, and the keys that answer.
    status = fmt::format("task {} asks: {} · a allow · d deny", task_label(*t),
                         t->activity ? one_line(*t->activity) : std::string("a tool call"));
    paint = Paint::kWarning;
  } else {
    status =
        "↑↓ select · Enter logs · c cancel · f follow-up · r retry · D diff · m merge · x discard · q quit";
    // A narrow terminal gets the keys alone, so none (q above all) is cut off.
    if (display_width(status) > width) status = "keys: ↑↓ Enter c f r D m x · q quit (ptt-task top --help)";
  }
  if (f.lines.size() >= height) f.lines.resize(height - 1);
  f.lines.push_back(text_line(status, paint, width, paint == Paint::kKeys ? Paint::kKeys : Paint::kNormal));
  if (f.cursor_row >= 0) f.cursor_row = static_cast<int>(f.lines.size() - 1);
  for (auto& line : f.lines) clip(line, width);
  return f;
}

}  // namespace ptt::tasktop
