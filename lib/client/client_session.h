#pragma once
// The protocol side of one daemon connection, without I/O: the hello and its
// version check, request ids, and which incoming message is a reply (to what), an
// event, or nothing we asked for. Both daemon clients are transports around it: the
// blocking one (client/client.h, ptt-task) and the libuv one (realtime/daemon_client.h).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ptt::client {

// Whether the reply to `op` comes only when tasks finish (`wait`): no reply timeout
// applies to it; every other reply comes at once.
bool reply_waits_for_tasks(std::string_view op);
// Whether `op` changes what the daemon holds (spawn, cancel, ...): one that was sent but
// not answered may still be carried out once a stopped daemon goes on.
bool request_changes_state(std::string_view op);

class ClientSession {
 public:
  explicit ClientSession(std::string_view client_name) : client_name_(client_name) {}

  // A new connection: the hello to send first (with its id). Ids keep counting
  // across connections, so a late reply is never taken for a newer request's.
  nlohmann::json start();
  // Gives `request` the next id and returns it.
  std::int64_t stamp(nlohmann::json& request);

  struct Incoming {
    enum class Kind {
      kIgnored,          // not an object, or a reply to nothing we know
      kEvent,            // {"event": ...}
      kReply,            // the reply to request `id` (ok or not)
      kHelloAccepted,    // the daemon speaks our version: requests may go out
      kHelloRefused,     // `problem` says why and what to do; nothing else runs
      kConnectionError,  // an id-less refusal of the connection itself (e.g. permission_denied)
    };
    Kind kind = Kind::kIgnored;
    std::int64_t id = 0;
    std::string problem;
  };
  Incoming on_message(const nlohmann::json& message);

  bool hello_pending() const { return hello_id_ != 0; }

 private:
  std::string client_name_;
  std::int64_t next_id_ = 1;
  std::int64_t hello_id_ = 0;  // 0: answered (or none sent)
};

}  // namespace ptt::client
