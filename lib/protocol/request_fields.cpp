#include "protocol/request_fields.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "protocol/permission_modes.h"
#include "protocol/protocol.h"

namespace ptt::protocol {
namespace err = error;
using nlohmann::json;

std::string required_string(const json& req, const char* field) {
  auto it = req.find(field);
  if (it == req.end() || !it->is_string())
    throw RequestRejected{err::kBadRequest, fmt::format("`{}` must be a string", field)};
  std::string value = it->get<std::string>();
  if (value.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw RequestRejected{err::kInvalidArgument, fmt::format("`{}` must not be empty", field)};
  }
  return value;
}

std::optional<std::string> optional_name(const json& req) {
  auto it = req.find("name");
  if (it == req.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw RequestRejected{err::kBadRequest, "`name` must be a string"};
  std::string name = it->get<std::string>();
  if (name.empty() ||
      std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); })) {
    throw RequestRejected{err::kInvalidArgument,
                          fmt::format("name {} is empty or a number; names need a letter", it->dump())};
  }
  return name;
}

AgentOptions parse_options(const json& req) {
  auto it = req.find("options");
  if (it == req.end() || it->is_null()) return {};
  if (!it->is_object()) throw RequestRejected{err::kBadRequest, "`options` must be an object"};
  AgentOptions o;
  try {
    o = it->get<AgentOptions>();
  } catch (const json::exception& e) {
    throw RequestRejected{err::kBadRequest, fmt::format("`options` has a mistyped field: {}", e.what())};
  }
  if (o.max_turns && *o.max_turns <= 0)
    throw RequestRejected{err::kInvalidArgument, "`max_turns` must be at least 1"};
  if (o.max_budget_usd && *o.max_budget_usd <= 0) {
    throw RequestRejected{err::kInvalidArgument, "`max_budget_usd` must be above 0"};
  }
  if (o.permission_mode && !is_permission_mode(*o.permission_mode)) {
    throw RequestRejected{err::kInvalidArgument,
                          fmt::format("unknown permission mode {}; use one of {}",
                                      json(*o.permission_mode).dump(), permission_modes_list())};
  }
  return o;
}

json required_task_ref(const json& req, const char* field) {
  auto ref = req.find(field);
  if (ref == req.end() || !(ref->is_string() || ref->is_number_integer())) {
    throw RequestRejected{err::kBadRequest, fmt::format("`{}` must be a task id or name", field)};
  }
  return *ref;
}

std::string unknown_state_message(const json& state) {
  return fmt::format("unknown state {}; use {}", state.dump(), task_state_choices());
}

std::optional<TaskState> optional_state(const json& req, bool finished_only) {
  auto s = req.find("state");
  if (s == req.end() || s->is_null()) return std::nullopt;
  if (!s->is_string()) throw RequestRejected{err::kBadRequest, "`state` must be a string"};
  auto state = parse_task_state(s->get<std::string>());
  if (finished_only && (!state || !is_finished(*state))) {
    throw RequestRejected{err::kInvalidArgument, fmt::format("clean `state` {} is not an end state; use {}",
                                                             s->dump(), task_state_choices(true))};
  }
  if (!state) throw RequestRejected{err::kInvalidArgument, unknown_state_message(*s)};
  return state;
}

}  // namespace ptt::protocol
