// The Realtime session state machine: a script of events, one per line, each
// `<entry> <json>` where entry is S (server event), I (stdin event), R (daemon
// reply to the oldest open request), D (daemon event), C (connected),
// X (disconnected), E (stdin EOF), N (reconnect scheduled), K (key rejected) or
// U (daemon connection: U1 up, U0 down). A server event's text goes through the
// typed parser (parse_server_message) as it would off the wire. Whatever the order or
// content, neither may crash, and what the session sends the server must be a JSON
// object with a type.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "core/ndjson.h"
#include "realtime/session.h"

namespace {

using ptt::realtime::SessionAction;
using ptt::realtime::SessionActions;

void check(const SessionActions& actions, std::deque<std::uint64_t>& open_requests) {
  for (const SessionAction& a : actions) {
    switch (a.kind) {
      case SessionAction::Kind::kSend:
        if (!a.json.is_object() || !a.json.contains("type")) __builtin_trap();
        (void)a.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
        break;
      case SessionAction::Kind::kPrint:
        (void)ptt::to_ndjson(a.json);
        break;
      case SessionAction::Kind::kDaemonRequest:
        if (!a.json.is_object() || !a.json.contains("op")) __builtin_trap();
        open_requests.push_back(a.token);
        break;
      default:
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view script(reinterpret_cast<const char*>(bytes), size);
  ptt::realtime::SessionConfig config;
  config.projects = {{.name = "api", .dir = "/home/user/api"}, {.name = "web", .dir = "/home/user/web"}};
  config.default_cwd = "/home/user";
  config.turn_mode = size % 3 == 0   ? ptt::realtime::TurnMode::kServerVad
                     : size % 3 == 1 ? ptt::realtime::TurnMode::kPushToTalk
                                     : ptt::realtime::TurnMode::kSemanticVad;
  std::int64_t played = 0;
  auto playback = [&] {
    played += 40;
    return ptt::realtime::PlaybackStatus{played % 3 != 0, played, "item_1"};
  };
  ptt::realtime::RealtimeSession session(config);
  ptt::realtime::TaskUpdates updates;  // as the daemon client reads task events
  std::deque<std::uint64_t> open_requests;
  check(session.on_connected(), open_requests);
  // Conversation traffic waits for session.created; start past it so the corpus reaches it.
  check(session.on_server_event(ptt::realtime::server::SessionCreated{}), open_requests);

  std::size_t steps = 0;
  while (!script.empty() && steps++ < 256) {
    std::size_t nl = script.find('\n');
    std::string_view line = script.substr(0, nl);
    script = nl == std::string_view::npos ? std::string_view() : script.substr(nl + 1);
    if (line.empty()) continue;
    char entry = line[0];
    if (entry == 'S') {
      check(session.on_server_event(ptt::realtime::parse_server_message(line.substr(1)), playback()),
            open_requests);
      continue;
    }
    nlohmann::json event;
    if (line.size() > 1) {
      ptt::JsonLine parsed = ptt::parse_json_line(line.substr(1));
      if (parsed.value) event = std::move(*parsed.value);
    }
    switch (entry) {
      case 'I':
        check(session.on_stdin_event(event, playback()), open_requests);
        break;
      case 'D':
        if (auto update = updates.apply(event)) check(session.on_task_update(*update), open_requests);
        break;
      case 'C':
        check(session.on_connected(), open_requests);
        break;
      case 'X':
        check(session.on_disconnected(), open_requests);
        break;
      case 'E':
        check(session.on_stdin_eof(), open_requests);
        break;
      case 'N':
        check(session.on_reconnecting(40, std::string(line.substr(1))), open_requests);
        break;
      case 'K':
        check(session.on_key_rejected(), open_requests);
        break;
      case 'U':
        check(session.on_daemon_connection(line.size() > 1 && line[1] == '1'), open_requests);
        break;
      case 'R': {
        std::uint64_t token = open_requests.empty() ? 12345 : open_requests.front();
        if (!open_requests.empty()) open_requests.pop_front();
        check(session.on_daemon_reply(token, event), open_requests);
        break;
      }
      default:
        break;
    }
    (void)session.idle();
  }
  return 0;
}
