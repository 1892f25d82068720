#pragma once
// A request the daemon refuses: becomes {"ok":false,"error":{code,message}}.
// Thrown by the request parser (protocol/requests.h) and by the daemon's handlers.
#include <string>
#include <string_view>

namespace ptt::protocol {

struct RequestRejected {
  std::string_view code;  // one of protocol::error
  std::string message;
};

}  // namespace ptt::protocol
