#pragma once
// The consent rule's clock. Some tool calls the model may not make on its own
// (answer_permission; merging or discarding a task's work): they are accepted only in
// a response that answers a user turn (spoken or typed) that came after the thing
// they act on was said. One counter stamps the user's turns and the moments things
// are said to the model, so "after" is an order of this conversation, not of clocks;
// a response answers the user's last turn as of when it was asked for.
#include <cstdint>

namespace ptt::realtime {

class ConsentClock {
 public:
  // A moment of this conversation, e.g. when a question was said to the model.
  std::uint64_t tick() { return ++clock_; }
  // The user committed a turn (spoken or typed).
  void user_turn() { last_user_turn_ = ++clock_; }
  std::uint64_t last_user_turn() const { return last_user_turn_; }
  // A new Realtime conversation: no turn of the old one answers what is said in it.
  void new_conversation() { last_user_turn_ = 0; }

 private:
  std::uint64_t clock_ = 0;
  std::uint64_t last_user_turn_ = 0;
};

// Whether a response answering the user turn `response_turn` answers one that came
// after `moment` (0: nothing was said yet, so nothing can be answered).
inline bool answers_user_turn_after(std::uint64_t response_turn, std::uint64_t moment) {
  return moment != 0 && moment < response_turn;
}

}  // namespace ptt::realtime
