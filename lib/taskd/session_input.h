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
// A control_request of subtype `interrupt` (the SDK's SDKControlInterruptRequest), '\n'
// included: the CLI ends its running turn (its result says error_during_execution) and
// answers with a control_response.
std::string interrupt_request_line(std::string_view request_id);

class SessionInput {
 public:
  enum class AfterResult {
    kCloseInput,    // nothing pending: close the agent's input now (it then exits)
    kNextTurn,      // a message sent is still to be taken: the session goes on
    kAwaitMessage,  // the turn was interrupted: the session waits for a message
    kClosed,        // the input was closed already
  };
  void sent(const std::string& uuid) {
    unechoed_.insert(uuid);
    awaiting_message_ = false;
  }
  // An interrupt was written: the next result (the interrupted turn's, or one that came
  // first) does not end the session, which then waits for a message.
  void interrupted() { interrupt_pending_ = true; }
  bool awaiting_message() const { return awaiting_message_; }
  // The wait for a message after an interrupt is over with none sent: true when the input
  // is to be closed now.
  bool give_up_waiting();
  void echoed(const std::string& uuid) {
    unechoed_.erase(uuid);
    took_prompt_ = true;
  }
  // The agent has read a message whole (a command_lifecycle line), not taken it yet.
  void read(const std::string& uuid) {
    if (unechoed_.count(uuid)) took_prompt_ = true;
  }
  // The agent has read its first message (the prompt, which the supervisor writes): what
  // the daemon writes now cannot come between the prompt's bytes.
  bool took_prompt() const { return took_prompt_; }
  AfterResult result();
  // Nothing more can be written: the input is closed, or being closed.
  bool closed() const { return closed_; }
  std::size_t pending() const { return unechoed_.size(); }

 private:
  std::set<std::string> unechoed_;  // sent, not echoed back yet
  bool closed_ = false;
  bool took_prompt_ = false;
  bool interrupt_pending_ = false;
  bool awaiting_message_ = false;
};

}  // namespace ptt::taskd
