#include "taskd/session_input.h"

#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ptt::taskd {
using nlohmann::json;

std::string new_message_uuid() {
  static std::mt19937_64 random{std::random_device{}()};
  std::uint64_t a = random(), b = random();
  // xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx with N in 8..b (RFC 9562's variant bits)
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                     0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
}

std::string user_message_line(std::string_view text, std::string_view uuid) {
  json line = {{"type", "user"},
               {"message", {{"role", "user"}, {"content", text}}},
               {"parent_tool_use_id", nullptr},
               {"uuid", uuid}};
  return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string interrupt_request_line(std::string_view request_id) {
  json line = {
      {"type", "control_request"}, {"request_id", request_id}, {"request", {{"subtype", "interrupt"}}}};
  return line.dump() + "\n";
}

SessionInput::AfterResult SessionInput::result() {
  if (closed_) return AfterResult::kClosed;
  if (!unechoed_.empty()) {
    interrupt_pending_ = false;  // the message sent after the interrupt is the next turn
    return AfterResult::kNextTurn;
  }
  if (interrupt_pending_) {
    interrupt_pending_ = false;
    awaiting_message_ = true;
    return AfterResult::kAwaitMessage;
  }
  closed_ = true;
  return AfterResult::kCloseInput;
}

bool SessionInput::give_up_waiting() {
  if (closed_ || !awaiting_message_ || !unechoed_.empty()) return false;
  awaiting_message_ = false;
  closed_ = true;
  return true;
}

}  // namespace ptt::taskd
