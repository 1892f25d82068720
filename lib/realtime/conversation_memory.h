#pragma once
// What a new Realtime session must be told to go on where the last one ended: the
// recent turns (user and assistant transcripts) within a budget, and the tasks as the
// session last heard of them. The server forgets a conversation with its session (60
// minutes at most); ptt-realtime carries it over as conversation items. Pure.
#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ptt::realtime {

// Tokens are estimated at 4 characters each (OpenAI's rule of thumb for English): no
// tokenizer is linked, and the budget only has to keep the carried items modest.
constexpr std::size_t kCharsPerToken = 4;

class ConversationMemory {
 public:
  explicit ConversationMemory(std::size_t token_budget) : char_budget_(token_budget * kCharsPerToken) {}

  void add_turn(const std::string& role, const std::string& text);  // role: "user" or "assistant"
  // The task's latest brief ({"id", "state", "name", "activity", "result", ...}), by a key
  // that names it whole: its id, and its host when not local ("3 on devbox").
  void note_task(const std::string& key, nlohmann::json brief);
  void note_task(long long id, nlohmann::json brief) { note_task(std::to_string(id), std::move(brief)); }
  // Fields written over the task's brief (the rest kept); its whole brief when it has none.
  void amend_task(const std::string& key, const nlohmann::json& fields);

  bool empty() const { return turns_.empty() && tasks_.empty(); }
  std::size_t turn_chars() const { return turn_chars_; }
  std::size_t turns() const { return turns_.size(); }
  std::size_t tasks() const { return tasks_.size(); }

  // conversation.item.create events for a new session: a system note, then the turns
  // in order (user input_text, assistant output_text), then the task states.
  std::vector<nlohmann::json> carry_over_items() const;

  static constexpr std::size_t kMaxTasks = 20;  // the most recently changed

 private:
  struct Turn {
    std::string role;
    std::string text;
  };
  std::size_t char_budget_;
  std::deque<Turn> turns_;
  std::size_t turn_chars_ = 0;
  std::map<std::string, nlohmann::json> tasks_;
  std::deque<std::string> task_order_;  // least recently changed first
};

}  // namespace ptt::realtime
