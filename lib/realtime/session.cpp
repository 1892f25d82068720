#include "realtime/session.h"

#include <algorithm>
#include <type_traits>

#include <fmt/format.h>

#include "core/json_depth.h"
#include "core/ndjson.h"

#include "realtime/audio_bytes.h"
#include "realtime/session_update.h"
#include "realtime/task_hosts.h"
#include "realtime/task_tools.h"
#include "realtime/unfixable_error.h"

namespace ptt::realtime {
using nlohmann::json;

namespace {

constexpr std::int64_t kMinTurnMs = 100;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

// The words of a typed turn's conversation.item.create (send_text_turn's shape).
std::string typed_text(const json& item_create) {
  return item_create["item"]["content"][0]["text"].get<std::string>();
}

}  // namespace

RealtimeSession::RealtimeSession(SessionConfig config)
    : config_(std::move(config)), memory_(config_.carry_over_tokens) {}

SessionActions RealtimeSession::take() { return std::exchange(out_, {}); }

void RealtimeSession::send(json event, bool keep_offline) {
  if (connected_) {
    out_.push_back({SessionAction::Kind::kSend, std::move(event), {}, {}, 0, {}});
    return;
  }
  if (!keep_offline) return;  // cancels and truncates mean nothing to the next connection
  // The user's words are kept until the (re)connection, within a bound.
  std::size_t size = event.contains("audio") ? event["audio"].get_ref<const std::string&>().size() : 256;
  if (offline_bytes_ + size > kMaxOfflineBytes) {
    log("not connected for too long; the input held meanwhile was dropped");
    offline_.clear();
    offline_bytes_ = 0;
    return;
  }
  offline_bytes_ += size;
  offline_.push_back(std::move(event));
}

void RealtimeSession::print(json line) {
  out_.push_back({SessionAction::Kind::kPrint, std::move(line), {}, {}, 0, {}});
}

void RealtimeSession::log(std::string text) {
  out_.push_back({SessionAction::Kind::kLog, nullptr, {}, {}, 0, std::move(text)});
}

SessionActions RealtimeSession::on_connecting(bool typing_hint) {
  if (typing_hint)
    print({{"type", "hint"}, {"text", "Type a message and press Enter; Ctrl-D ends the session."}});
  print({{"type", "session"}, {"state", "connecting"}});
  return take();
}

SessionActions RealtimeSession::on_reconnecting(std::uint64_t delay_ms, const std::string& reason) {
  print({{"type", "session"}, {"state", "reconnecting"}, {"in_ms", delay_ms}, {"reason", reason}});
  return take();
}

SessionActions RealtimeSession::on_key_rejected() {
  print({{"type", "error"},
         {"source", "realtime"},
         {"code", "unauthorized"},
         {"message", "OPENAI_API_KEY was rejected"}});
  return take();
}

SessionActions RealtimeSession::on_connection_refused(int http_status) {
  print({{"type", "error"},
         {"source", "realtime"},
         {"code", fmt::format("http_{}", http_status)},
         {"message",
          fmt::format("the server refused the connection (HTTP {}); check --url and --model", http_status)}});
  return take();
}

SessionActions RealtimeSession::on_daemon_connection(bool up, const std::string& host) {
  json line = {{"type", "daemon"}, {"state", up ? "connected" : "disconnected"}};
  if (!host.empty()) line["host"] = host;
  print(std::move(line));
  if (up) {
    std::uint64_t token = next_token_++;
    pending_tokens_[token] = host;
    out_.push_back({SessionAction::Kind::kDaemonRequest, pending_request(), {}, {}, token, host});
  }
  return take();
}

SessionActions RealtimeSession::on_connected() {
  socket_open_ = true;
  json update = build_session_update(config_);
  update_event_id_ = fmt::format("ptt_session_update_{}", next_event_id_++);
  update["event_id"] = update_event_id_;
  out_.push_back({SessionAction::Kind::kSend, std::move(update), {}, {}, 0, {}});
  print({{"type", "session"}, {"state", "connected"}});
  return take();
}

// Held input waits for session.created: a server that accepts the upgrade and then
// closes at once (overloaded) would otherwise swallow it.
void RealtimeSession::on(const server::SessionCreated&) {
  print({{"type", "session"}, {"state", "created"}});
  if (!socket_open_ || connected_) return;
  connected_ = true;
  carry_over();  // before held input: the new turns follow the old ones
  for (auto& event : offline_) {
    if (event.value("type", "") == "conversation.item.create") memory_.add_turn("user", typed_text(event));
    send(std::move(event));
  }
  offline_.clear();
  offline_bytes_ = 0;
  pump();  // announcements or a typed turn held while we were away
}

SessionActions RealtimeSession::on_disconnected() {
  // A renewal said so itself ("renewing"): its hang-up is no lost connection.
  if (socket_open_ && !renewing_) print({{"type", "session"}, {"state", "disconnected"}});
  socket_open_ = connected_ = false;
  // The server forgets the conversation's pending state with the socket: the
  // calls of the old session can no longer be answered, no response is active.
  // A turn in progress goes on; what was appended before the drop is gone.
  appended_bytes_ = 0;
  // With VAD the server's speech_stopped will not come on the new connection: the
  // speech in progress is gone, and announcements must not wait for it forever.
  if (config_.turn_mode != TurnMode::kPushToTalk) user_talking_ = false;
  // A response.create that was sent is lost with the socket: ask again after reconnecting.
  if (create_in_flight_) pending_create_ = true;
  response_active_ = create_in_flight_ = false;
  calls_.clear();
  unanswered_calls_ = 0;
  follow_up_needed_ = false;
  current_response_id_.clear();
  muted_response_id_.clear();
  cancel_next_response_ = false;
  assistant_transcript_.clear();
  reannounce_questions();
  requeue_unspoken_announcements();
  if (renew_due_) {  // the limit came before a free floor did: renew now
    renew_due_ = false;
    renewing_ = true;
  }
  out_.push_back({SessionAction::Kind::kStopPlayback, nullptr, {}, {}, 0, {}});
  return take();
}

// ---- stdin ----------------------------------------------------------------

SessionActions RealtimeSession::on_stdin_event(const json& event, const PlaybackStatus& playback) {
  std::string type = event.is_object() ? str(event, "type") : std::string();
  if (type == "ptt.start") {
    start_turn(playback);
  } else if (type == "ptt.stop") {
    stop_turn();
  } else if (type == "audio") {
    append_audio(event);
  } else if (type == "text") {
    std::string text = str(event, "text");
    if (text.empty()) {
      log("a text line without \"text\" was skipped");
    } else {
      print({{"type", "transcript"}, {"role", "user"}, {"text", text}, {"typed", true}});
      send_text_turn(text);
    }
  } else {
    log(fmt::format("unknown stdin event type '{}' was skipped", type));
  }
  return take();
}

SessionActions RealtimeSession::on_stdin_eof() {
  eof_ = true;
  if (user_talking_ && config_.turn_mode == TurnMode::kPushToTalk) stop_turn();
  return take();
}

void RealtimeSession::start_turn(const PlaybackStatus& playback) {
  if (config_.turn_mode != TurnMode::kPushToTalk) return;  // VAD decides when the user talks
  if (user_talking_) return;
  if (playback.playing || response_active_ || create_in_flight_) barge_in(playback);
  user_talking_ = true;
  appended_bytes_ = 0;
  print({{"type", "turn"}, {"state", "listening"}});
}

// Push-to-talk: the client cancels the response and clears the buffer before the new
// turn's audio. VAD (interrupt_response is on by default): the server has cancelled the
// response itself and the buffer holds the user's interrupting words, so neither is sent.
void RealtimeSession::barge_in(const PlaybackStatus& playback) {
  bool push_to_talk = config_.turn_mode == TurnMode::kPushToTalk;
  out_.push_back({SessionAction::Kind::kStopPlayback, nullptr, {}, {}, 0, {}});
  if (response_active_) {
    if (push_to_talk) send(quiet_event({{"type", "response.cancel"}}));
    muted_response_id_ = current_response_id_;
  } else if (create_in_flight_ && push_to_talk) {
    cancel_next_response_ = true;  // asked for but not started yet: cancel it as it starts
  }
  std::string item = playback.item_id.empty() ? audio_item_id_ : playback.item_id;
  // Never past the audio the server sent for the item: it refuses that with an error.
  std::int64_t heard = playback.played_ms;
  if (item == audio_item_id_) heard = std::min(heard, pcm16_ms(audio_item_bytes_));
  if (heard > 0 && !item.empty()) {
    send(quiet_event({{"type", "conversation.item.truncate"},
                      {"item_id", item},
                      {"content_index", 0},
                      {"audio_end_ms", heard}}));
  }
  if (push_to_talk) send({{"type", "input_audio_buffer.clear"}});
  print({{"type", "barge_in"}, {"played_ms", heard}});
}

// Quota, an unknown model, refused settings: no retry helps, so the session ends.
bool RealtimeSession::end_if_unfixable(const std::string& code, const std::string& message,
                                       bool about_session_update) {
  auto unfixable = unfixable_error(code, message, config_.model, about_session_update);
  if (!unfixable) return false;
  print({{"type", "error"}, {"source", "realtime"}, {"code", code}, {"message", unfixable->what}});
  out_.push_back(
      {SessionAction::Kind::kEnd, nullptr, {}, {}, 0, unfixable->what + "; " + unfixable->next_step});
  return true;
}

// An event whose error reply is no news to the user (a cancel that lost the race with
// response.done, a truncate of audio already gone): its error is logged, not printed.
json RealtimeSession::quiet_event(json event) {
  std::string id = fmt::format("ptt_quiet_{}", next_event_id_++);
  event["event_id"] = id;
  quiet_event_ids_.push_back(id);
  if (quiet_event_ids_.size() > 16) quiet_event_ids_.pop_front();
  return event;
}

void RealtimeSession::append_audio(const json& event) {
  std::string data = str(event, "data");
  auto size = base64_decoded_size(data);
  if (!size) {
    log("an audio line without valid base64 \"data\" was skipped");
    return;
  }
  if (config_.turn_mode == TurnMode::kPushToTalk && !user_talking_)
    return;  // key not held: not for the model
  appended_bytes_ += *size;
  // The base64 text goes out as it came: no decode and re-encode on the hot path.
  send({{"type", "input_audio_buffer.append"}, {"audio", std::move(data)}}, true);
}

void RealtimeSession::stop_turn() {
  if (config_.turn_mode != TurnMode::kPushToTalk || !user_talking_) return;
  user_talking_ = false;
  std::int64_t ms = pcm16_ms(appended_bytes_);
  appended_bytes_ = 0;
  if (ms < kMinTurnMs) {
    send({{"type", "input_audio_buffer.clear"}}, true);
    print({{"type", "turn"}, {"state", "too_short"}, {"ms", ms}});
    log(fmt::format("turn too short ({} ms of audio, at least {} ms needed); nothing was sent", ms,
                    kMinTurnMs));
    pump();
    return;
  }
  send({{"type", "input_audio_buffer.commit"}}, true);
  consent_clock_.user_turn();
  print({{"type", "turn"}, {"state", "committed"}, {"ms", ms}});
  want_response();
}

// Remembered once the server has it: a turn held offline joins the memory after the
// carried-over turns, so a renewed session is not told it twice.
void RealtimeSession::send_text_turn(const std::string& text) {
  if (connected_) memory_.add_turn("user", text);
  send({{"type", "conversation.item.create"},
        {"item",
         {{"type", "message"}, {"role", "user"}, {"content", {{{"type", "input_text"}, {"text", text}}}}}}},
       true);
  consent_clock_.user_turn();
  want_response();
}

// ---- responses --------------------------------------------------------------

void RealtimeSession::want_response() {
  pending_create_ = true;
  pump();
}

// Sends held announcements and the one queued response.create when the floor is
// free: connected, the user not talking, no response active or requested.
void RealtimeSession::pump() {
  if (!connected_ || user_talking_ || response_active_ || create_in_flight_) return;
  if (renew_if_due()) return;
  if (unanswered_calls_ == 0 && follow_up_needed_) {
    follow_up_needed_ = false;
    pending_create_ = true;
  }
  while (!announcements_.empty()) {
    Announcement announcement = std::move(announcements_.front());
    announcements_.pop_front();
    std::string& text = announcement.text;
    std::uint64_t said_at = said_on_own_ = consent_clock_.tick();
    if (!announcement.request.empty())
      questions_.announced(announcement.task, announcement.request, said_at, announcement.host);
    send({{"type", "conversation.item.create"},
          {"item",
           {{"type", "message"},
            {"role", "system"},
            {"content", {{{"type", "input_text"}, {"text", text}}}}}}});
    print({{"type", "announcement"}, {"text", text}});
    if (announcement.request.empty()) unspoken_announcements_.push_back(std::move(announcement));
    pending_create_ = true;
  }
  if (!pending_create_) return;
  pending_create_ = false;
  create_in_flight_ = true;
  create_event_id_ = fmt::format("ptt_create_{}", next_event_id_++);
  create_user_turn_ = consent_clock_.last_user_turn();
  send({{"type", "response.create"}, {"event_id", create_event_id_}});
}

void RealtimeSession::on(const server::ResponseDone& event) {
  response_active_ = false;
  create_in_flight_ = false;
  unspoken_announcements_.clear();  // their response is over, heard or cut short by the user
  if (!assistant_transcript_.empty()) {
    print({{"type", "transcript"}, {"role", "assistant"}, {"text", assistant_transcript_}});
    memory_.add_turn("assistant", assistant_transcript_);
    assistant_transcript_.clear();
  }
  json line = {{"type", "response"}, {"state", "done"}, {"status", event.status}};
  if (!event.reason.empty()) line["reason"] = event.reason;
  print(line);
  report_unfinished_response(event);
  run_or_decline_calls(event);
  pump();
}

// A response that failed or stopped short says why; the user hears nothing else of it.
void RealtimeSession::report_unfinished_response(const server::ResponseDone& event) {
  if (event.status == "failed") {
    if (end_if_unfixable(event.error_code, event.error_message, false)) return;
    std::string message = event.error_message.empty() ? "the response failed" : event.error_message;
    print({{"type", "error"},
           {"source", "realtime"},
           {"code", event.error_code.empty() ? "response_failed" : event.error_code},
           {"message", message}});
    log(fmt::format("the response failed{}: {}",
                    event.error_code.empty() ? "" : " (" + event.error_code + ")", message));
  } else if (event.status == "incomplete") {
    log(fmt::format("the response stopped short ({})",
                    event.reason.empty() ? "no reason given" : event.reason));
  }
}

// A call runs only once the response that made it completed (the API also ends the
// argument stream of a cancelled or cut-off call, whose arguments are partial): the
// calls of any other response are answered as not run, and no response follows.
void RealtimeSession::run_or_decline_calls(const server::ResponseDone& event) {
  bool completed = event.status == "completed";
  std::vector<std::string> ids;
  for (const server::FunctionCall& item : event.calls) {
    if (item.call_id.empty()) continue;
    Call& call = calls_[item.call_id];
    if (call.dispatched) continue;
    if (!item.name.empty()) call.name = item.name;
    if (!item.arguments.empty() || call.arguments.empty()) call.arguments = item.arguments;
    call.item_incomplete = !item.status.empty() && item.status != "completed";
  }
  for (auto& [call_id, call] : calls_) {
    if (call.dispatched) continue;
    if (completed && !call.item_incomplete) {
      dispatch_call(call_id);
      continue;
    }
    call.dispatched = true;
    std::string why =
        fmt::format("not run: the response was {}{}", event.status.empty() ? "ended" : event.status,
                    event.reason.empty() ? "" : " (" + event.reason + ")");
    print({{"type", "tool_call"}, {"call_id", call_id}, {"name", call.name}, {"not_run", why}});
    send({{"type", "conversation.item.create"},
          {"item",
           {{"type", "function_call_output"},
            {"call_id", call_id},
            {"output", json{{"ok", false}, {"error", why}}.dump()}}}});
  }
}

void RealtimeSession::on(const server::AudioDelta& event) {
  if (!muted_response_id_.empty() && event.response_id == muted_response_id_) return;
  auto pcm = decode_audio_base64(event.delta);
  if (!pcm) {
    log("an audio delta was not valid base64; skipped");
    return;
  }
  if (event.item_id != audio_item_id_) audio_item_bytes_ = 0;
  audio_item_id_ = event.item_id;
  audio_item_bytes_ += pcm->size();
  out_.push_back({SessionAction::Kind::kPlayAudio, nullptr, std::move(*pcm), audio_item_id_, 0, {}});
}

void RealtimeSession::on(const server::Error& error) {
  if (error.code == "session_expired") {  // the server's time limit: it closes the socket next
    begin_renewal("the server ended the session at its time limit");
    return;
  }
  if (error.code == "conversation_already_has_active_response") {
    // Benign: our response.create lost a race with a response the server started.
    // Ask again once that one is done.
    create_in_flight_ = false;
    response_active_ = true;
    pending_create_ = true;
    log("a response is already active; response.create queued until it is done");
    return;
  }
  if (!create_event_id_.empty() && error.event_id == create_event_id_) create_in_flight_ = false;
  if (end_if_unfixable(error.code, error.message,
                       !error.event_id.empty() && error.event_id == update_event_id_))
    return;
  bool quiet = error.code == "response_cancel_not_active" ||
               (!error.event_id.empty() && std::find(quiet_event_ids_.begin(), quiet_event_ids_.end(),
                                                     error.event_id) != quiet_event_ids_.end());
  if (quiet) {
    log(fmt::format("the server refused a cancel or truncate ({}): {}", error.code, error.message));
    pump();
    return;
  }
  print({{"type", "error"}, {"source", "realtime"}, {"code", error.code}, {"message", error.message}});
  log(fmt::format("Realtime API error{}: {}", error.code.empty() ? "" : " (" + error.code + ")",
                  error.message));
  pump();
}

// ---- server events ------------------------------------------------------------

bool RealtimeSession::needs_playback(const ServerEvent& event) {
  return std::holds_alternative<server::SpeechStarted>(event);
}

bool RealtimeSession::needs_playback(const json& stdin_event) {
  return stdin_event.is_object() && str(stdin_event, "type") == "ptt.start";
}

SessionActions RealtimeSession::on_server_event(const ServerEvent& event, const PlaybackStatus& playback) {
  std::visit(
      [&](const auto& e) {
        if constexpr (std::is_same_v<std::decay_t<decltype(e)>, server::SpeechStarted>)
          on(e, playback);
        else
          on(e);
      },
      event);
  return take();
}

void RealtimeSession::on(const server::Malformed& event) { log(event.why); }

void RealtimeSession::on(const server::ResponseCreated& event) {
  // Ours answers what the user had said when it was asked for; one the server
  // started itself (VAD) answers the turn just ended.
  response_user_turn_ = create_in_flight_ ? create_user_turn_ : consent_clock_.last_user_turn();
  response_active_ = true;
  create_in_flight_ = false;
  current_response_id_ = event.response_id;
  assistant_transcript_.clear();
  if (cancel_next_response_) {
    cancel_next_response_ = false;
    send({{"type", "response.cancel"}});
    muted_response_id_ = current_response_id_;
  }
}

void RealtimeSession::on(const server::FunctionCallAdded& event) { calls_[event.call_id].name = event.name; }

void RealtimeSession::on(const server::CallArgumentsDelta& event) {
  calls_[event.call_id].arguments += event.delta;
}

// The arguments are whole, but the call runs only at its response's response.done.
void RealtimeSession::on(const server::CallArgumentsDone& event) {
  Call& call = calls_[event.call_id];
  if (event.arguments) call.arguments = *event.arguments;
  if (!event.name.empty()) call.name = event.name;
}

void RealtimeSession::on(const server::TranscriptDelta& event) { assistant_transcript_ += event.delta; }

void RealtimeSession::on(const server::TranscriptDone& event) {
  if (event.transcript) assistant_transcript_ = *event.transcript;
}

void RealtimeSession::on(const server::TextDone& event) { assistant_transcript_ = event.text; }

// The model may still answer (it hears the audio), but the user learns why no words
// of theirs were shown.
void RealtimeSession::on(const server::TranscriptionFailed& event) {
  std::string message = event.message.empty() ? "the speech could not be transcribed" : event.message;
  print({{"type", "error"},
         {"source", "transcription"},
         {"code", event.code.empty() ? "transcription_failed" : event.code},
         {"message", message},
         {"item_id", event.item_id}});
  log(fmt::format("what you said could not be transcribed: {}", message));
}

void RealtimeSession::on(const server::UserTranscript& event) {
  print({{"type", "transcript"}, {"role", "user"}, {"text", event.transcript}, {"item_id", event.item_id}});
  memory_.add_turn("user", event.transcript);
}

// VAD: the server cancels its own response; the client stops the sound and tells
// the server how much was heard.
void RealtimeSession::on(const server::SpeechStarted&, const PlaybackStatus& playback) {
  if (playback.playing)
    barge_in(playback);
  else if (response_active_)
    muted_response_id_ = current_response_id_;  // cancelled by the server before it sounded
  user_talking_ = true;
}

// The server answers the turn itself; held announcements follow its response.done.
void RealtimeSession::on(const server::SpeechStopped&) {
  user_talking_ = false;
  consent_clock_.user_turn();  // the server commits the turn and answers it
}

void RealtimeSession::on(const server::SessionUpdated&) { print({{"type", "session"}, {"state", "ready"}}); }

SessionActions RealtimeSession::on_task_update(const TaskUpdate& update, const std::string& host) {
  const protocol::TaskRecord& task = update.task;
  bool finished = update.kind == protocol::event::kFinished;
  json brief = task_brief(task, host, "id");
  if (finished && task.result) {
    const std::string& text = task.result->text;
    if (!text.empty())
      brief["result"] = shorten_for_speech(text, config_.max_announcement_chars, task.id, host);
    if (std::string why = refused_and_errors(*task.result); !why.empty()) brief["why"] = why;
  }
  print({{"type", "task"}, {"event", update.kind}, {"task", brief}});
  // A `worktree` event (merged or discarded after the end) carries no result: the rest stays.
  std::string key = fmt::format("{}{}", task.id, on_host(host));
  if (update.kind == protocol::event::kWorktree)
    memory_.amend_task(key, brief);
  else
    memory_.note_task(key, brief);
  if (finished) {
    for (const std::string& request : questions_.remove_task(task.id, host))
      withdraw_question(task.id, request, host);
    announcements_.push_back({announcement_text(config_, task, host), 0, {}, host});
    pump();
  }
  return take();
}

bool RealtimeSession::idle() const {
  if (renewing_ || !inflight_.empty()) return false;
  if (!connected_) return offline_.empty() && !pending_create_ && announcements_.empty();
  return !user_talking_ && !response_active_ && !create_in_flight_ && !pending_create_ &&
         unanswered_calls_ == 0 && !follow_up_needed_ && announcements_.empty();
}

}  // namespace ptt::realtime
