#pragma once
// The Realtime voice session as a pure state machine: server events, stdin events,
// daemon replies and events go in; client events, stdout lines, playback commands
// and daemon requests come out. No sockets, no clocks: the adapters own those.
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "realtime/config.h"
#include "realtime/consent_clock.h"
#include "realtime/conversation_memory.h"
#include "realtime/permission_questions.h"
#include "realtime/server_event.h"
#include "realtime/task_tools.h"
#include "realtime/task_updates.h"

namespace ptt::realtime {

struct SessionAction {
  enum class Kind {
    kSend,           // json: a client event for the Realtime server
    kPrint,          // json: one stdout NDJSON object
    kPlayAudio,      // audio (PCM16 24 kHz mono) of item_id
    kStopPlayback,   // drop what is queued for playback
    kDaemonRequest,  // json: a ptt-taskd request without "id", for the daemon of host `text` ("": this
                     // machine's; task_hosts.h); answer with on_daemon_reply(token, ...)
    kTaskCommand,    // json: {"args":[…]}, ptt-task's arguments (worktree_tools.h), run against host
                     // `text` ("": this machine); answer with on_task_command_done(token, ...)
    kLog,            // text: a diagnostic for stderr
    kEnd,            // text: why the session cannot go on (WHAT; NEXT); the adapter exits 1
    kRenew,          // close this connection and open a new one at once (no backoff): the
                     // session is renewed, its conversation carried over on session.created
  };
  Kind kind;
  nlohmann::json json;
  std::string audio;
  std::string item_id;
  std::uint64_t token = 0;
  std::string text;
};
using SessionActions = std::vector<SessionAction>;

// What the audio sink has done so far: an input of the events that may barge in
// (ptt.start, the server's speech_started), read by the adapter as the event comes.
struct PlaybackStatus {
  bool playing = false;        // audio is still queued or sounding
  std::int64_t played_ms = 0;  // of item_id, actually played
  std::string item_id;
};

class RealtimeSession {
 public:
  explicit RealtimeSession(SessionConfig config);

  // The adapter's own news, told as the session's lines so stdout has one author.
  // A connection attempt starts. `typing_hint`: the person types at a terminal and
  // reads rendered lines, so the first attempt tells them how to talk and stop.
  SessionActions on_connecting(bool typing_hint = false);
  SessionActions on_reconnecting(std::uint64_t delay_ms, const std::string& reason);
  SessionActions on_key_rejected();  // the server refused OPENAI_API_KEY; the adapter exits
  SessionActions on_connection_refused(int http_status);  // 400 or 404: no retry helps; the adapter exits
  // Up: the open permission questions are asked for (`pending`), so none is lost
  // while the session or the daemon was away. `host`: whose daemon ("": this machine's).
  SessionActions on_daemon_connection(bool up, const std::string& host = {});

  SessionActions on_connected();     // the WebSocket is open: session.update goes first;
                                     // held input follows the server's session.created
  SessionActions on_disconnected();  // per-connection state is dropped; queued work stays
  // The session has run for --renew-after: renew it at the next free floor (no turn,
  // response, tool call or follow-up in flight), before the server's limit ends it.
  SessionActions on_renew_due();
  bool renewing() const { return renewing_; }  // the adapter reconnects at once, no backoff
  // The events that may barge in, and so need the playback status: the adapter reads
  // the sink for these only (reading it advances the WAV sink's clock).
  static bool needs_playback(const ServerEvent& event);
  static bool needs_playback(const nlohmann::json& stdin_event);
  // A Malformed event is logged and changes nothing.
  SessionActions on_server_event(const ServerEvent& event, const PlaybackStatus& playback = {});
  SessionActions on_stdin_event(const nlohmann::json& event, const PlaybackStatus& playback = {});
  SessionActions on_stdin_eof();
  SessionActions on_daemon_reply(std::uint64_t token, const nlohmann::json& reply);
  // A kTaskCommand ended: its exit status (-1: it could not run) and what it printed.
  SessionActions on_task_command_done(std::uint64_t token, int status, const std::string& output);
  // An event of `host`'s daemon ("": this machine's): its tasks are named with the host.
  SessionActions on_task_update(const TaskUpdate& update, const std::string& host = {});
  // A task asks (permission_requested): announced like a finished task, held while
  // the user talks. Answered by anyone (permission_answered): the announcement is withdrawn.
  SessionActions on_permission_requested(const VoiceQuestion& question);
  SessionActions on_permission_answered(std::int64_t task, const std::string& request, bool allow,
                                        const std::string& by, const std::string& host = {});
  // The permission event of `host`'s daemon, to the one of the two above it is.
  SessionActions on_permission_event(const protocol::PermissionEvent& event, const std::string& host = {});

  // Nothing in flight: no turn held, no response active or queued, no tool call or
  // announcement waiting. At EOF the adapter exits once this holds.
  bool idle() const;
  bool connected() const { return connected_; }
  bool response_active() const { return response_active_ || create_in_flight_; }
  std::size_t queued_announcements() const { return announcements_.size(); }

  // The consent rule (consent_clock.h), for the tools the model may not call on its
  // own: whether the response now running answers a user turn, spoken or typed, that
  // came after `moment`, a moment of this conversation taken with consent_moment()
  // (e.g. when the thing the call acts on was said). Refused in a response to an
  // announcement alone, or to a tool's output without a new turn.
  bool response_answers_user_turn_after(std::uint64_t moment) const {
    return answers_user_turn_after(response_user_turn_, moment);
  }
  std::uint64_t consent_moment() { return consent_clock_.tick(); }

 private:
  struct Announcement {
    std::string text;
    std::int64_t task = 0;
    std::string request;  // set: a permission question's
    std::string host;     // the task's ("": this machine)
  };
  struct Call {
    std::string name;
    std::string arguments;
    bool dispatched = false;       // run, or answered as not run
    bool item_incomplete = false;  // response.done lists its item as not completed
  };

  // keep_offline: the user's input, held while disconnected and sent on connect.
  void send(nlohmann::json event, bool keep_offline = false);
  void print(nlohmann::json line);
  void log(std::string text);
  void start_turn(const PlaybackStatus& playback);
  void stop_turn();
  void append_audio(const nlohmann::json& event);
  void send_text_turn(const std::string& text);
  void barge_in(const PlaybackStatus& playback);
  nlohmann::json quiet_event(nlohmann::json event);
  void report_unfinished_response(const server::ResponseDone& event);
  bool end_if_unfixable(const std::string& code, const std::string& message, bool about_session_update);
  void run_or_decline_calls(const server::ResponseDone& event);
  void dispatch_call(const std::string& call_id);
  void answer_call(const std::string& call_id, const std::string& name, const std::string& output);
  void want_response();
  // session_questions.cpp: the permission questions and answer_permission's consent rule.
  void queue_question(const VoiceQuestion& question);
  void withdraw_question(std::int64_t task, const std::string& request, const std::string& host);
  void reannounce_questions();  // a new Realtime conversation has heard none of them
  ToolRequest answer_permission_request(const std::string& arguments, const std::string& host) const;
  void on_pending_reply(const nlohmann::json& reply, const std::string& host);
  // session_worktree_tools.cpp: review_task, merge_task, discard_task (worktree_tools.h).
  void dispatch_worktree_tool(const std::string& call_id, const std::string& name,
                              const std::string& arguments, const std::string& host);
  void pump();
  // Renewal (session_renewal.cpp): a new session that goes on with the conversation.
  bool renew_if_due();
  void begin_renewal(const std::string& reason);
  void carry_over();
  void requeue_unspoken_announcements();
  void deliver_late_result(const std::string& call_id, const std::string& name, const std::string& output);
  // One per server event type; each takes an already-valid struct.
  void on(const server::SessionCreated&);
  void on(const server::SessionUpdated&);
  void on(const server::AudioDelta& event);
  void on(const server::ResponseCreated& event);
  void on(const server::ResponseDone& event);
  void on(const server::FunctionCallAdded& event);
  void on(const server::CallArgumentsDelta& event);
  void on(const server::CallArgumentsDone& event);
  void on(const server::TranscriptDelta& event);
  void on(const server::TranscriptDone& event);
  void on(const server::TextDone& event);
  void on(const server::UserTranscript& event);
  void on(const server::TranscriptionFailed& event);
  void on(const server::SpeechStarted&, const PlaybackStatus& playback);
  void on(const server::SpeechStopped&);
  void on(const server::Error& event);
  void on(const server::Ignored&) {}  // the API adds events over time
  void on(const server::Malformed& event);
  SessionActions take();

  SessionConfig config_;
  SessionActions out_;

  bool socket_open_ = false;
  bool connected_ = false;     // the server created the session: conversation traffic flows
  bool user_talking_ = false;  // between ptt.start and ptt.stop (or VAD speech)
  std::size_t appended_bytes_ = 0;
  bool response_active_ = false;   // between response.created and response.done
  bool create_in_flight_ = false;  // response.create sent, response.created not yet seen
  bool pending_create_ = false;    // a response.create waits for the floor
  std::string create_event_id_;    // to recognise an error about our response.create
  std::string update_event_id_;    // ... and about our session.update (a refused option)
  std::uint64_t next_event_id_ = 1;
  std::string current_response_id_;
  std::string muted_response_id_;            // cancelled by barge-in: its remaining audio is dropped
  bool cancel_next_response_ = false;        // barge-in came between response.create and response.created
  std::string audio_item_id_;                // assistant item whose audio is playing
  std::size_t audio_item_bytes_ = 0;         // of its audio received so far
  std::deque<std::string> quiet_event_ids_;  // cancels and truncates whose errors are no news
  std::string assistant_transcript_;

  std::map<std::string, Call> calls_;  // by call_id, this connection only
  struct Inflight {
    std::string call_id;
    std::string name;
    std::string host;  // whose daemon answers ("": this machine's)
  };
  std::map<std::uint64_t, Inflight> inflight_;  // by daemon token
  std::uint64_t next_token_ = 1;
  std::size_t unanswered_calls_ = 0;
  bool follow_up_needed_ = false;  // answered calls wait for one response.create

  std::deque<Announcement> announcements_;
  PermissionQuestions questions_;
  ConsentClock consent_clock_;                           // orders user turns and things said (announcements)
  std::uint64_t create_user_turn_ = 0;                   // the user's last turn when response.create was sent
  std::uint64_t response_user_turn_ = 0;                 // the turn the current response answers
  std::map<std::uint64_t, std::string> pending_tokens_;  // `pending` on each daemon's connect: its host
  // Sent, but their response has not finished: a connection lost before it did takes
  // them back into announcements_, so the next session speaks them.
  std::deque<Announcement> unspoken_announcements_;  // not the questions: those are re-asked
  ConversationMemory memory_;
  bool had_session_ = false;  // a session was created before: the next one carries memory_ over
  bool renew_due_ = false;    // --renew-after passed; waits for a free floor
  bool renewing_ = false;     // from the decision to renew until the new session.created
  // When the session last spoke on its own (an announcement; at first, its start): merge_task
  // and discard_task need a response to a user turn after it (consent_clock.h).
  std::uint64_t said_on_own_ = consent_clock_.tick();
  std::deque<nlohmann::json> offline_;
  std::size_t offline_bytes_ = 0;
  static constexpr std::size_t kMaxOfflineBytes = 8u << 20;  // ~60 s of base64 audio
  bool eof_ = false;
};

}  // namespace ptt::realtime
