// The daemon's request parsing, from the raw line to a checked request, as
// Daemon::handle_line and the op handlers do it, minus the parts that need a
// running daemon (the task table, the cwd on disk). Bad input must end in a
// RequestError or a json::exception (both become error replies), nothing else.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/ndjson.h"
#include "protocol/task_record.h"
#include "taskd/daemon_state.h"
#include "taskd/request_fields.h"

namespace {

using nlohmann::json;

void check_request(const json& req) {
  auto op = req.find("op");
  if (op == req.end() || !op->is_string()) return;  // a bad_request reply
  (void)req.value("id", json());
  // Every field reader on every request: each must accept or reject cleanly.
  try { (void)ptt::taskd::required_string(req, "prompt"); } catch (const ptt::taskd::RequestError&) {}
  try { (void)ptt::taskd::required_string(req, "cwd"); } catch (const ptt::taskd::RequestError&) {}
  try { (void)ptt::taskd::optional_name(req); } catch (const ptt::taskd::RequestError&) {}
  try {
    ptt::protocol::AgentOptions options = ptt::taskd::parse_options(req);
    (void)json(options).dump();
  } catch (const ptt::taskd::RequestError&) {
  }
  auto cwd = req.find("cwd");
  if (cwd != req.end() && cwd->is_string()) {
    std::vector<std::filesystem::path> roots = {"/home/user/src", "/tmp/"};
    (void)ptt::taskd::cwd_allowed(cwd->get<std::string>(), roots);
  }
  // Clients read task records back from replies and events.
  auto task = req.find("task");
  if (task != req.end()) {
    try {
      (void)task->get<ptt::protocol::TaskRecord>();
    } catch (const json::exception&) {
    }
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
  try {
    check_request(*parsed.value);
  } catch (const nlohmann::json::exception&) {
    // handle_line turns these into bad_request replies
  }
  return 0;
}
