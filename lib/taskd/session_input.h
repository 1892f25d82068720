#pragma once
// What the daemon writes on a task's stdin (`claude -p --input-format stream-json`), and
// when the session may end. The prompt and every message sent are `user` lines, each with
// a uuid of our own; with `--replay-user-messages` the CLI echoes each one on its stdout
// (`"isReplay":true`, the same uuid) once it has taken it, whether as a turn of its own or
// folded into the running turn. So after a result line the session goes on exactly when a
// message sent has not been echoed yet (it makes the next turn, and its own result), and
// otherwise its input is closed and claude exits 0 as `claude -p PROMPT` would. Closing
// never loses a message written before it: the CLI reads its input to the end first.
// Pure, so the rule is unit-tested; agent_input.h does the writing.
#include <set>
#include <string>
#include <string_view>

namespace ptt::taskd {

// A new uuid (version 4, random) for a message of ours.
std::string new_message_uuid();
// One `--input-format stream-json` user message (SDKUserMessage), '\n' included. Invalid
// UTF-8 in `text` is replaced, as everywhere the user's text goes.
std::string user_message_line(std::string_view text, std::string_view uuid);

class SessionInput {
 public:
  enum class AfterResult {
    kCloseInput,  // nothing pending: close the agent's input now (it then exits)
    kNextTurn,    // a message sent is still to be taken: the session goes on
    kClosed,      // the input was closed already
  };
  void sent(const std::string& uuid) { unechoed_.insert(uuid); }
  void echoed(const std::string& uuid) { unechoed_.erase(uuid); }
  AfterResult result();
  // Nothing more can be written: the input is closed, or being closed.
  bool closed() const { return closed_; }
  std::size_t pending() const { return unechoed_.size(); }

 private:
  std::set<std::string> unechoed_;  // sent, not echoed back yet
  bool closed_ = false;
};

}  // namespace ptt::taskd
