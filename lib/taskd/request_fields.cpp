#include "taskd/request_fields.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "protocol/permission_modes.h"
#include "protocol/protocol.h"

namespace ptt::taskd {
namespace err = protocol::error;
using nlohmann::json;

std::string required_string(const json& req, const char* field) {
  auto it = req.find(field);
  if (it == req.end() || !it->is_string())
    throw RequestError{err::kBadRequest, fmt::format("`{}` must be a string", field)};
  std::string value = it->get<std::string>();
  if (value.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw RequestError{err::kInvalidArgument, fmt::format("`{}` must not be empty", field)};
  }
  return value;
}

std::optional<std::string> optional_name(const json& req) {
  auto it = req.find("name");
  if (it == req.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw RequestError{err::kBadRequest, "`name` must be a string"};
  std::string name = it->get<std::string>();
  if (name.empty() ||
      std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); })) {
    throw RequestError{err::kInvalidArgument,
                       fmt::format("name {} is empty or a number; names need a letter", it->dump())};
  }
  return name;
}

protocol::AgentOptions parse_options(const json& req) {
  auto it = req.find("options");
  if (it == req.end() || it->is_null()) return {};
  if (!it->is_object()) throw RequestError{err::kBadRequest, "`options` must be an object"};
  protocol::AgentOptions o;
  try {
    o = it->get<protocol::AgentOptions>();
  } catch (const json::exception& e) {
    throw RequestError{err::kBadRequest, fmt::format("`options` has a mistyped field: {}", e.what())};
  }
  if (o.max_turns && *o.max_turns <= 0)
    throw RequestError{err::kInvalidArgument, "`max_turns` must be at least 1"};
  if (o.max_budget_usd && *o.max_budget_usd <= 0) {
    throw RequestError{err::kInvalidArgument, "`max_budget_usd` must be above 0"};
  }
  if (o.permission_mode && !protocol::is_permission_mode(*o.permission_mode)) {
    throw RequestError{err::kInvalidArgument,
                       fmt::format("unknown permission mode {}; use one of {}",
                                   json(*o.permission_mode).dump(), protocol::permission_modes_list())};
  }
  return o;
}

bool cwd_allowed(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& roots) {
  if (roots.empty()) return true;
  return std::any_of(roots.begin(), roots.end(), [&](const std::filesystem::path& root) {
    auto [r, d] = std::mismatch(root.begin(), root.end(), dir.begin(), dir.end());
    // Every component of the root matches (a trailing empty component from "dir/" too).
    return r == root.end() || (std::next(r) == root.end() && r->empty());
  });
}

}  // namespace ptt::taskd
