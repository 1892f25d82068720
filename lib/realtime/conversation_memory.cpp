#include "realtime/conversation_memory.h"

#include <algorithm>

#include <fmt/format.h>

namespace ptt::realtime {
using nlohmann::json;

namespace {

json message_item(const std::string& role, const std::string& text) {
  const char* content_type = role == "assistant" ? "output_text" : "input_text";
  return {{"type", "conversation.item.create"},
          {"item",
           {{"type", "message"}, {"role", role}, {"content", {{{"type", content_type}, {"text", text}}}}}}};
}

}  // namespace

// Old turns leave first; a single turn longer than the whole budget keeps its end.
void ConversationMemory::add_turn(const std::string& role, const std::string& text) {
  if (text.empty() || char_budget_ == 0) return;
  std::string kept = text.size() > char_budget_ ? text.substr(text.size() - char_budget_) : text;
  turn_chars_ += kept.size();
  turns_.push_back({role, std::move(kept)});
  while (turn_chars_ > char_budget_ && !turns_.empty()) {
    turn_chars_ -= turns_.front().text.size();
    turns_.pop_front();
  }
}

void ConversationMemory::note_task(const std::string& id, json brief) {
  tasks_[id] = std::move(brief);
  task_order_.erase(std::remove(task_order_.begin(), task_order_.end(), id), task_order_.end());
  task_order_.push_back(id);
  if (task_order_.size() > kMaxTasks) {
    tasks_.erase(task_order_.front());
    task_order_.pop_front();
  }
}

void ConversationMemory::amend_task(const std::string& id, const json& fields) {
  auto it = tasks_.find(id);
  json brief = it == tasks_.end() ? json::object() : it->second;
  brief.update(fields);
  note_task(id, std::move(brief));
}

std::vector<json> ConversationMemory::carry_over_items() const {
  std::vector<json> items;
  if (empty()) return items;
  items.push_back(message_item(
      "system",
      "[session renewed] This conversation continues from an earlier session that ended. The messages "
      "that follow are its most recent turns and the tasks' latest states: use them to answer "
      "follow-up questions; do not answer them again."));
  for (const Turn& turn : turns_) items.push_back(message_item(turn.role, turn.text));
  if (!tasks_.empty()) {
    std::string text = "[task states] As last reported by ptt-taskd:";
    for (const std::string& id : task_order_) {
      text += '\n';
      text += tasks_.at(id).dump();
    }
    items.push_back(message_item("system", text));
  }
  return items;
}

}  // namespace ptt::realtime
