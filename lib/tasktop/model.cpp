#include "tasktop/model.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/cli.h"
#include "protocol/task_view.h"
#include "taskcli/log_render.h"
#include "taskcli/text.h"

namespace ptt::tasktop {
using namespace ptt::taskcli;
using nlohmann::json;
using protocol::TaskRecord;

namespace {

// The detail pane shows the end of a log; older lines are dropped so a long run
// cannot grow the dashboard without bound.
constexpr std::size_t kDetailLines = 400;
// A follow-up prompt typed into the status bar; the protocol allows far more, a
// person typing on one line does not need it.
constexpr std::size_t kMaxInputBytes = 4000;

}  // namespace

std::string task_label(const TaskRecord& t) {
  return t.name ? fmt::format("{} ({})", t.id, one_line(*t.name)) : std::to_string(t.id);
}

void Model::set_tasks(std::vector<TaskRecord> tasks) {
  std::sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  tasks_ = std::move(tasks);
  if (selected_ && !find(*selected_)) {
    selected_.reset();
    user_moved_ = false;
  }
  if (!user_moved_) selected_.reset();
}

void Model::upsert(TaskRecord task) {
  auto at = std::lower_bound(tasks_.begin(), tasks_.end(), task.id,
                             [](const TaskRecord& t, std::int64_t id) { return t.id < id; });
  if (at != tasks_.end() && at->id == task.id) {
    *at = std::move(task);
  } else {
    tasks_.insert(at, std::move(task));
  }
}

void Model::apply_event(const json& message) {
  if (auto queue = protocol::parse_queue_event(message)) {
    if (const auto* held = std::get_if<protocol::QueueHeld>(&*queue))
      queue_hold_ = held->hold;
    else
      queue_hold_.reset();
    return;
  }
  auto ev = protocol::parse_event(message);
  if (!ev || std::holds_alternative<protocol::LogLine>(*ev) || std::holds_alternative<protocol::LogEnd>(*ev))
    return;  // not a task event this version can read: skip it rather than abort
  // A task event carries what changed (protocol/events.h): written into the task's record.
  std::int64_t id = protocol::task_of(*ev);
  auto at = std::lower_bound(tasks_.begin(), tasks_.end(), id,
                             [](const TaskRecord& t, std::int64_t want) { return t.id < want; });
  if (at != tasks_.end() && at->id == id) {
    protocol::apply_event(*at, *ev);
  } else {
    TaskRecord t;  // its `created` came before we subscribed: what the event says
    protocol::apply_event(t, *ev);
    tasks_.insert(at, std::move(t));
  }
}

void Model::set_connected(bool connected) {
  connected_ = connected;
  if (!connected && mode_ != Mode::kBrowse) mode_ = Mode::kBrowse;  // nothing to confirm against
}

void Model::set_unresponsive(std::string why) {
  unresponsive_ = one_line(why);
  if (!unresponsive_.empty() && mode_ != Mode::kBrowse) mode_ = Mode::kBrowse;  // it could not be sent
}

void Model::set_message(std::string text, bool warning) {
  message_ = with_hint_command(one_line(text));  // `ptt-task --host NAME pending` on a host
  message_warning_ = warning;
}

void Model::start_detail(std::int64_t task) {
  detail_task_ = task;
  detail_.clear();
}

void Model::push_detail(std::string line) {
  detail_.push_back(std::move(line));
  while (detail_.size() > kDetailLines) detail_.pop_front();
}

void Model::add_log_line(std::int64_t task, std::string_view raw) {
  if (detail_task_ != task) return;
  // Plain text: colour is the adapter's business (ANSI codes would show as garbage in curses).
  for (auto& l : render_stream_line(raw, Style{})) push_detail(std::move(l));
}

void Model::add_log_note(std::int64_t task, std::string text) {
  if (detail_task_ == task) push_detail(fmt::format("[{}]", text));
}

const TaskRecord* Model::find(std::int64_t id) const {
  auto at = std::lower_bound(tasks_.begin(), tasks_.end(), id,
                             [](const TaskRecord& t, std::int64_t want) { return t.id < want; });
  return at != tasks_.end() && at->id == id ? &*at : nullptr;
}

std::optional<std::int64_t> Model::selected() const {
  if (selected_ && find(*selected_)) return selected_;
  if (tasks_.empty()) return std::nullopt;
  return tasks_.back().id;  // nothing chosen yet: the newest task
}

void Model::select(std::int64_t id) {
  if (!find(id)) return;
  selected_ = id;
  user_moved_ = true;
}

bool Model::clocks_running() const {
  return std::any_of(tasks_.begin(), tasks_.end(),
                     [](const auto& t) { return !protocol::is_finished(t.state); });
}

void Model::move_selection(long delta) {
  if (tasks_.empty()) return;
  auto current = selected();
  long at = static_cast<long>(tasks_.size()) - 1;
  for (std::size_t i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].id == *current) at = static_cast<long>(i);
  }
  at = std::clamp(at + delta, 0L, static_cast<long>(tasks_.size()) - 1);
  select(tasks_[static_cast<std::size_t>(at)].id);
}

TopAction Model::press(const Key& key) {
  switch (mode_) {
    case Mode::kConfirm:
      return press_confirm(key);
    case Mode::kFollowUpInput:
      return press_input(key);
    case Mode::kBrowse:
      break;
  }
  return press_browse(key);
}

TopAction Model::press_browse(const Key& key) {
  message_.clear();
  switch (key.kind) {
    case Key::kUp:
      move_selection(-1);
      return {};
    case Key::kDown:
      move_selection(1);
      return {};
    case Key::kPageUp:
      move_selection(-std::max(1, page_rows_ - 1));
      return {};
    case Key::kPageDown:
      move_selection(std::max(1, page_rows_ - 1));
      return {};
    case Key::kHome:
      move_selection(-static_cast<long>(tasks_.size()));
      return {};
    case Key::kEnd:
      move_selection(static_cast<long>(tasks_.size()));
      return {};
    case Key::kEnter:
      if (auto id = selected()) return {TopAction::kOpenLogs, *id, {}};
      return {};
    case Key::kEscape:
    case Key::kBackspace:
      return {};
    case Key::kText:
      break;
  }
  const std::string& k = key.text;
  if (k == "q" || k == "Q") return {TopAction::kQuit, 0, {}};
  if (k == "j") return press_browse(Key::of(Key::kDown));
  if (k == "k") return press_browse(Key::of(Key::kUp));
  if (k == "g") return press_browse(Key::of(Key::kHome));
  if (k == "G") return press_browse(Key::of(Key::kEnd));
  auto id = selected();
  if (k == "c" || k == "f" || k == "r" || k == "a" || k == "d" || k == "D" || k == "m" || k == "x") {
    if (!id) {
      set_message("no task selected");
      return {};
    }
    if (!connected_) {
      set_message("ptt-taskd is gone; wait until it is back", true);
      return {};
    }
    if (!unresponsive_.empty()) {
      set_message("ptt-taskd is not answering; wait until it does", true);
      return {};
    }
  }
  if (k == "c") {
    ask_to_confirm(TopAction::kCancel, *id);
  } else if (k == "m") {
    ask_to_confirm(TopAction::kMerge, *id);
  } else if (k == "x") {
    ask_to_confirm(TopAction::kDiscard, *id);
  } else if (k == "D") {
    const TaskRecord* t = find(*id);
    if (t && !t->worktree) {
      set_message(fmt::format("task {} ran in {} itself, not in a worktree of its own; no diff to show",
                              task_label(*t), one_line(t->cwd)));
      return {};
    }
    return {TopAction::kDiff, *id, {}};
  } else if (k == "f") {
    mode_ = Mode::kFollowUpInput;
    pending_task_ = *id;
    input_.clear();
  } else if (k == "r") {
    return {TopAction::kRetry, *id, {}};
  } else if (k == "a" || k == "d") {
    const TaskRecord* t = find(*id);
    if (!t || !t->waiting) {
      set_message(fmt::format("task {} asks nothing (see `ptt-task pending`)",
                              t ? task_label(*t) : std::to_string(*id)));
      return {};
    }
    return {k == "a" ? TopAction::kAllow : TopAction::kDeny, *id, {}};
  }
  return {};
}

void Model::ask_to_confirm(TopAction::Kind kind, std::int64_t id) {
  const TaskRecord* t = find(id);
  if (!t) return;
  const char* verb = kind == TopAction::kMerge ? "merge" : "discard";
  if (kind == TopAction::kCancel) {
    if (protocol::is_finished(t->state)) {
      set_message(fmt::format("task {} already {}", task_label(*t), protocol::to_string(t->state)));
      return;
    }
  } else if (!t->worktree) {
    set_message(fmt::format("task {} ran in {} itself, not in a worktree of its own; nothing to {}",
                            task_label(*t), one_line(t->cwd), verb));
    return;
  } else if (!protocol::is_finished(t->state)) {
    set_message(fmt::format("task {} is still {}; {} it once it ends", task_label(*t),
                            protocol::to_string(t->state), verb));
    return;
  } else if (t->worktree->resolution == protocol::resolution::kDiscarded ||
             (kind == TopAction::kMerge && t->worktree->resolution == protocol::resolution::kMerged)) {
    set_message(fmt::format("task {} is {} already", task_label(*t), *t->worktree->resolution));
    return;
  }
  mode_ = Mode::kConfirm;
  confirming_ = kind;
  pending_task_ = id;
}

std::string Model::confirm_question() const {
  const TaskRecord* t = find(pending_task_);
  std::string label = t ? task_label(*t) : std::to_string(pending_task_);
  if (confirming_ == TopAction::kCancel || !t || !t->worktree)
    return fmt::format("Cancel task {}? [y/n]", label);
  const auto& w = *t->worktree;
  std::string changes = w.changes ? protocol::change_summary(*w.changes) : "its changes";
  // The question and its keys first: a narrow terminal cuts only the details.
  if (confirming_ == TopAction::kMerge) {
    std::string target = w.base_branch ? *w.base_branch : "its base";
    if (target.rfind("refs/heads/", 0) == 0) target.erase(0, 11);
    return fmt::format("Merge task {} [y/n]: brings branch {} ({}) into {} in {}", label, w.branch, changes,
                       target, w.repo);
  }
  return fmt::format("Discard task {} [y/n]: deletes its branch {} ({}) and worktree {}", label, w.branch,
                     changes, w.path);
}

TopAction Model::press_confirm(const Key& key) {
  mode_ = Mode::kBrowse;
  if (key.kind == Key::kText && (key.text == "y" || key.text == "Y")) return {confirming_, pending_task_, {}};
  set_message(confirming_ == TopAction::kMerge     ? "not merged"
              : confirming_ == TopAction::kDiscard ? "not discarded"
                                                   : "not cancelled");
  return {};
}

TopAction Model::press_input(const Key& key) {
  switch (key.kind) {
    case Key::kEscape:
      mode_ = Mode::kBrowse;
      set_message("no follow-up sent");
      return {};
    case Key::kEnter: {
      mode_ = Mode::kBrowse;
      std::string prompt = one_line(input_);
      input_.clear();
      if (prompt.empty()) {
        set_message("no follow-up sent (empty prompt)");
        return {};
      }
      return {TopAction::kFollowUp, pending_task_, std::move(prompt)};
    }
    case Key::kBackspace:
      // Drop the last UTF-8 character whole.
      while (!input_.empty() && (static_cast<unsigned char>(input_.back()) & 0xC0) == 0x80) input_.pop_back();
      if (!input_.empty()) input_.pop_back();
      return {};
    case Key::kText:
      if (input_.size() + key.text.size() <= kMaxInputBytes) input_ += key.text;
      return {};
    default:
      return {};
  }
}

}  // namespace ptt::tasktop
