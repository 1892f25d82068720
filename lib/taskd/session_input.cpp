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

SessionInput::AfterResult SessionInput::result() {
  if (closed_) return AfterResult::kClosed;
  if (!unechoed_.empty()) return AfterResult::kNextTurn;
  closed_ = true;
  return AfterResult::kCloseInput;
}

}  // namespace ptt::taskd
