// The daemon's request parsing, from the raw line to a typed request, with the
// parser Daemon::handle_line uses (protocol::parse_request); what needs a running
// daemon (the task table, the cwd on disk) is left out. Bad input must end in a
// RequestRejected (an error reply), nothing else; a request that parses must come
// back the same through the client's side (to_json) and the parser again.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "core/ndjson.h"
#include "protocol/requests.h"
#include "protocol/task_record.h"

namespace {

using nlohmann::json;

void check_request(const json& req) {
  auto parsed = ptt::protocol::parse_request(req);
  if (auto* rejected = std::get_if<ptt::protocol::RequestRejected>(&parsed)) {
    if (rejected->code.empty() || rejected->message.empty()) __builtin_trap();  // the reply must say why
    return;
  }
  const auto& request = std::get<ptt::protocol::Request>(parsed);
  auto again = ptt::protocol::parse_request(ptt::protocol::request_json(request));
  const auto* same = std::get_if<ptt::protocol::Request>(&again);
  if (!same || !(*same == request)) __builtin_trap();  // what a client sends must read back the same
}

// Clients read task records back from replies and events.
void check_record(const json& req) {
  auto task = req.find("task");
  if (task == req.end()) return;
  try {
    (void)task->get<ptt::protocol::TaskRecord>();
  } catch (const json::exception&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(bytes), size);
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return 0;
  ptt::JsonLine parsed = ptt::parse_json_line(line);
  if (!parsed.value) {
    if (parsed.error.empty()) __builtin_trap();  // the reply must say what was wrong
    return 0;
  }
  if (!parsed.value->is_object()) return 0;
  check_request(*parsed.value);
  check_record(*parsed.value);
  return 0;
}
