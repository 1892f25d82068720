#pragma once
// The Realtime session under test: a session plus what it emitted, split by kind, and
// the server events the tests script. Shared by the session's unit tests.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "realtime/audio_bytes.h"
#include "realtime/session.h"

namespace realtime_test {

using nlohmann::json;
using ptt::realtime::parse_server_event;
using ptt::realtime::PlaybackStatus;
using ptt::realtime::RealtimeSession;
using ptt::realtime::SessionAction;
using ptt::realtime::SessionActions;
using ptt::realtime::SessionConfig;

// A session plus what it emitted, split by kind, with a scriptable playback probe.
struct Harness {
  PlaybackStatus playback;
  RealtimeSession session;
  std::vector<json> sent, printed, requests, commands;
  std::vector<std::uint64_t> tokens, command_tokens;
  std::vector<std::string> request_hosts, command_hosts;  // whose daemon: "" this machine's
  std::vector<std::string> logs;
  std::vector<std::string> ended;  // kEnd: why the session cannot go on
  std::size_t audio_bytes = 0;
  int stops = 0;
  int renewals = 0;  // kRenew: the adapter closed the connection to open a new one

  explicit Harness(SessionConfig cfg = default_config()) : session(std::move(cfg)) {
    take(session.on_connected());
    take(session.on_server_event(ptt::realtime::server::SessionCreated{}));
  }

  static SessionConfig default_config() {
    SessionConfig cfg;
    cfg.projects = {{"api", "/src/api", ""}, {"web", "/src/web", ""}};
    return cfg;
  }

  // A task event line from the daemon, read as the daemon client reads it.
  ptt::realtime::TaskUpdates updates;
  SessionActions daemon_event(const json& line) {
    auto update = updates.apply(line);
    return update ? session.on_task_update(*update) : SessionActions{};
  }

  void take(const SessionActions& actions) {
    for (const auto& a : actions) {
      switch (a.kind) {
        case SessionAction::Kind::kSend:
          sent.push_back(a.json);
          break;
        case SessionAction::Kind::kPrint:
          printed.push_back(a.json);
          break;
        case SessionAction::Kind::kPlayAudio:
          audio_bytes += a.audio.size();
          break;
        case SessionAction::Kind::kStopPlayback:
          ++stops;
          break;
        case SessionAction::Kind::kDaemonRequest:
          requests.push_back(a.json);
          tokens.push_back(a.token);
          request_hosts.push_back(a.text);
          break;
        case SessionAction::Kind::kTaskCommand:
          commands.push_back(a.json);
          command_tokens.push_back(a.token);
          command_hosts.push_back(a.text);
          break;
        case SessionAction::Kind::kLog:
          logs.push_back(a.text);
          break;
        case SessionAction::Kind::kEnd:
          ended.push_back(a.text);
          break;
        case SessionAction::Kind::kRenew:
          ++renewals;
          break;
      }
    }
  }
  // The adapter's side of a renewal or a reconnection: the old socket closes, a new
  // one opens and the server creates a session.
  void reconnect() {
    take(session.on_disconnected());
    take(session.on_connected());
    take(session.on_server_event(ptt::realtime::server::SessionCreated{}));
  }
  void server(const json& e) { take(session.on_server_event(parse_server_event(e), playback)); }
  void stdin_(const json& e) { take(session.on_stdin_event(e, playback)); }
  void daemon_reply(std::size_t i, const json& r) { take(session.on_daemon_reply(tokens.at(i), r)); }

  std::vector<std::string> sent_types() const {
    std::vector<std::string> t;
    for (const auto& e : sent) t.push_back(e.value("type", ""));
    return t;
  }
  void clear() {
    sent.clear();
    printed.clear();
    logs.clear();
  }
  bool printed_has(const std::string& type, const std::string& key, const json& value) const {
    for (const auto& p : printed)
      if (p.value("type", "") == type && p.contains(key) && p[key] == value) return true;
    return false;
  }
};

inline json audio_ms(int ms) {
  return {{"type", "audio"}, {"data", ptt::realtime::encode_audio_base64(std::string(ms * 48, '\x01'))}};
}
inline json response_created(const std::string& id) {
  return {{"type", "response.created"}, {"response", {{"id", id}}}};
}
inline json response_done(const std::string& id, json output = json::array(),
                          const std::string& status = "completed") {
  return {{"type", "response.done"}, {"response", {{"id", id}, {"status", status}, {"output", output}}}};
}
inline json audio_delta(const std::string& resp, const std::string& item, int ms) {
  return {{"type", "response.output_audio.delta"},
          {"response_id", resp},
          {"item_id", item},
          {"delta", ptt::realtime::encode_audio_base64(std::string(ms * 48, '\x02'))}};
}
inline json call_added(const std::string& call_id, const std::string& name) {
  return {{"type", "response.output_item.added"},
          {"item", {{"type", "function_call"}, {"call_id", call_id}, {"name", name}}}};
}
inline json args_done(const std::string& call_id, const std::string& args) {
  return {{"type", "response.function_call_arguments.done"}, {"call_id", call_id}, {"arguments", args}};
}
inline json spawn_reply(int id) {
  return {{"ok", true}, {"task", {{"id", id}, {"state", "queued"}, {"name", nullptr}}}};
}

}  // namespace realtime_test
