#include "protocol/request_fields.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include <fmt/format.h>

#include "protocol/permission_modes.h"
#include "protocol/protocol.h"

namespace ptt::protocol {
namespace err = error;
using nlohmann::json;

void mistyped(std::string_view field, std::string_view expected) {
  throw RequestRejected{err::kBadRequest, fmt::format("`{}` must be {}", field, expected)};
}

namespace {

bool is_task_ref(const json& value) { return value.is_string() || value.is_number_integer(); }

// Each element of an optional array field checked, with `what` an element must be.
std::vector<json> optional_array(const json& object, const char* field, std::string_view shown,
                                 bool (*valid)(const json&), std::string_view what) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return {};
  if (!it->is_array() || !std::all_of(it->begin(), it->end(), valid))
    mistyped(shown, fmt::format("an array of {}", what));
  return {it->begin(), it->end()};
}

std::optional<std::vector<std::string>> optional_strings(const json& object, const char* field,
                                                         std::string_view shown) {
  if (auto it = object.find(field); it == object.end() || it->is_null()) return std::nullopt;
  std::vector<std::string> out;
  for (const json& v : optional_array(
           object, field, shown, [](const json& v) { return v.is_string(); }, "strings"))
    out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

std::optional<std::string> optional_string(const json& object, const char* field, std::string_view shown) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) mistyped(shown, "a string");
  return it->get<std::string>();
}

std::optional<bool> optional_bool(const json& req, const char* field) {
  auto it = req.find(field);
  if (it == req.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) mistyped(field, "true or false");
  return it->get<bool>();
}

std::vector<json> task_ref_list(const json& req, const char* field) {
  return optional_array(req, field, field, is_task_ref, "task ids or names");
}

std::string required_string(const json& req, const char* field) {
  auto it = req.find(field);
  if (it == req.end() || !it->is_string()) mistyped(field, "a string");
  std::string value = it->get<std::string>();
  if (value.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw RequestRejected{err::kInvalidArgument, fmt::format("`{}` must not be empty", field)};
  }
  return value;
}

std::optional<std::string> optional_name(const json& req) {
  auto it = req.find("name");
  if (it == req.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) mistyped("name", "a string");
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
  if (!it->is_object()) mistyped("options", "an object");
  const json& j = *it;
  AgentOptions o;
  o.model = optional_string(j, "model", "options.model");
  if (auto n = j.find("max_turns"); n != j.end() && !n->is_null()) {
    if (!n->is_number_integer()) mistyped("options.max_turns", "an integer");
    // Compared as JSON numbers: a huge one must not wrap around into range.
    if (*n < 1) throw RequestRejected{err::kInvalidArgument, "`max_turns` must be at least 1"};
    if (*n > std::numeric_limits<int>::max())
      throw RequestRejected{err::kInvalidArgument,
                            fmt::format("`max_turns` must be at most {}", std::numeric_limits<int>::max())};
    o.max_turns = n->get<int>();
  }
  if (auto b = j.find("max_budget_usd"); b != j.end() && !b->is_null()) {
    if (!b->is_number()) mistyped("options.max_budget_usd", "a number");
    o.max_budget_usd = b->get<double>();
  }
  if (auto s = j.find("stall_timeout"); s != j.end() && !s->is_null()) {
    if (!s->is_number()) mistyped("options.stall_timeout", "a number");
    o.stall_timeout_s = s->get<double>();
    // Past a year (or NaN, which compares false) is a mistake, not a timeout.
    if (!(*o.stall_timeout_s >= 0 && *o.stall_timeout_s <= 366 * 86400.0))
      throw RequestRejected{err::kInvalidArgument,
                            "`stall_timeout` must be 0 (never) or up to a year of seconds"};
  }
  o.permission_mode = optional_string(j, "permission_mode", "options.permission_mode");
  o.allowed_tools = optional_strings(j, "allowed_tools", "options.allowed_tools");
  o.add_dirs = optional_strings(j, "add_dirs", "options.add_dirs").value_or(std::vector<std::string>{});
  o.append_system_prompt = optional_string(j, "append_system_prompt", "options.append_system_prompt");
  o.sandbox = optional_bool(j, "sandbox");
  if (o.max_budget_usd && !(*o.max_budget_usd > 0)) {
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
  if (ref == req.end() || !is_task_ref(*ref)) mistyped(field, "a task id or name");
  return *ref;
}

std::string unknown_state_message(const json& state) {
  return fmt::format("unknown state {}; use {}", state.dump(), task_state_choices());
}

std::optional<TaskState> optional_state(const json& req, bool finished_only) {
  auto s = req.find("state");
  if (s == req.end() || s->is_null()) return std::nullopt;
  if (!s->is_string()) mistyped("state", "a string");
  auto state = parse_task_state(s->get<std::string>());
  if (finished_only && (!state || !is_finished(*state))) {
    throw RequestRejected{err::kInvalidArgument, fmt::format("clean `state` {} is not an end state; use {}",
                                                             s->dump(), task_state_choices(true))};
  }
  if (!state) throw RequestRejected{err::kInvalidArgument, unknown_state_message(*s)};
  return state;
}

}  // namespace ptt::protocol
