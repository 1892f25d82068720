#pragma once
// The open permission questions of the daemon's tasks, as the voice session sees
// them, and the consent rule: the model may answer a question only in a response to
// a user turn (spoken or typed) that came after the question was announced, as the
// session's ConsentClock orders them (consent_clock.h). Pure: the session feeds it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/permissions.h"

namespace ptt::realtime {

struct VoiceQuestion {
  std::int64_t task = 0;
  std::string request;  // the daemon's request id
  std::string tool;     // "Bash", "Write", ...
  std::string summary;  // "curl example.com", a path, ...
  std::optional<std::string> task_name;
  std::string host;  // "" for this machine, else the task's host (task_hosts.h): ids are per host
};

class PermissionQuestions {
 public:
  // A question is known by its host, its task and its request id; `host` "" is this machine.
  // A question raised; false when it is known already (an event and `pending` overlap).
  bool add(VoiceQuestion question);
  // Answered (by anyone) or closed; false when it was not known.
  bool remove(std::int64_t task, const std::string& request, const std::string& host = {});
  // The task ended: its questions are closed. Returns the request ids dropped.
  std::vector<std::string> remove_task(std::int64_t task, const std::string& host = {});
  // `pending`'s reply from `host`'s daemon: its open questions whole. Those not known are
  // added and returned (to announce); known ones of that host missing from it were
  // answered meanwhile and are dropped (their request ids go to `dropped`).
  std::vector<VoiceQuestion> reset(std::vector<VoiceQuestion> open, std::vector<std::string>& dropped,
                                   const std::string& host = {});
  bool known(std::int64_t task, const std::string& request, const std::string& host = {}) const;

  // The question was said to the model at `moment` (ConsentClock::tick); the user
  // can answer it from their next turn.
  void announced(std::int64_t task, const std::string& request, std::uint64_t moment,
                 const std::string& host = {});
  // The conversation was lost (a new Realtime session): nothing was heard in it.
  // Returns the open questions, to announce again.
  std::vector<VoiceQuestion> forget_announcements();

  struct Consent {
    std::optional<VoiceQuestion> question;  // set: the call may go to the daemon
    std::string refusal;                    // else: what the model is told
  };
  // answer_permission's `task` argument (a number, a numeric string or a task's
  // name) on `host`, called in a response that answers the user turn `response_turn`.
  Consent consent(const nlohmann::json& task_ref, std::uint64_t response_turn,
                  const std::string& host = {}) const;

 private:
  struct Entry {
    VoiceQuestion question;
    std::uint64_t announced_at = 0;  // 0: not said in this conversation yet
  };
  std::vector<Entry> entries_;  // oldest first
};

inline constexpr const char* kAnswerPermissionTool = "answer_permission";

// The session's view of a daemon question (protocol/permissions.h).
VoiceQuestion question_of(const protocol::PermissionQuestion& q, const std::string& host = {});
// The daemon request for the open questions, and its reply read (nullopt: not a
// readable reply; questions of a wrong shape are skipped).
nlohmann::json pending_request();
std::optional<std::vector<VoiceQuestion>> questions_of_pending_reply(const nlohmann::json& reply);
// The daemon request answering `question` by voice.
nlohmann::json answer_request(const VoiceQuestion& question, bool allow, const std::string& reason);

// "Task 3 wants to run curl example.com." (Bash) or "Task 3 'docs' wants to use Write: /x/y."
// ("Task 3 on devbox wants ..." for another host's task)
std::string question_sentence(const VoiceQuestion& question, std::size_t max_chars);

}  // namespace ptt::realtime
