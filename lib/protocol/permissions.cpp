#include "protocol/permissions.h"

#include <cmath>

#include "protocol/json_fields.h"

namespace ptt::protocol {
using nlohmann::json;
namespace f = permission_field;

namespace {
constexpr const char* kEventKey = "event";

std::string string_at(const json& j, const char* key) {
  const json& v = j.at(key);
  if (!v.is_string()) throw json::type_error::create(302, std::string("`") + key + "` must be a string", &j);
  return v.get<std::string>();
}
}  // namespace

void to_json(json& j, const PermissionQuestion& q) {
  j = {{f::kTask, q.task},   {f::kRequest, q.request}, {f::kTool, q.tool},
       {f::kInput, q.input}, {f::kSummary, q.summary}, {f::kRequestedAt, q.requested_at}};
}

void from_json(const json& j, PermissionQuestion& q) {
  q.task = checked_integer<std::int64_t>(j.at(f::kTask));
  q.request = string_at(j, f::kRequest);
  q.tool = string_at(j, f::kTool);
  q.input = j.contains(f::kInput) ? j.at(f::kInput) : json::object();
  q.summary = field_or(j, f::kSummary, "");
  const json& at = j.at(f::kRequestedAt);
  if (!at.is_number() || !std::isfinite(at.get<double>()))
    throw json::type_error::create(302, "`requested_at` must be a number of seconds", &j);
  q.requested_at = at.get<double>();
}

json permission_event_json(const PermissionEvent& e) {
  if (const auto* r = std::get_if<PermissionRequested>(&e)) {
    json j = r->question;
    j[kEventKey] = r->kEvent;
    return j;
  }
  const auto& a = std::get<PermissionAnswered>(e);
  json j = {{kEventKey, a.kEvent},
            {f::kTask, a.task},
            {f::kRequest, a.request},
            {f::kAllow, a.allow},
            {f::kBy, a.by}};
  if (a.reason) j[f::kReason] = *a.reason;
  return j;
}

std::optional<PermissionEvent> parse_permission_event(const json& j) {
  std::string name = field_or(j, kEventKey, "");
  if (name != event::kPermissionRequested && name != event::kPermissionAnswered) return std::nullopt;
  try {
    if (name == event::kPermissionRequested) return PermissionRequested{j.get<PermissionQuestion>()};
    const json& allow = j.at(f::kAllow);
    if (!allow.is_boolean()) return std::nullopt;
    PermissionAnswered a{.task = checked_integer<std::int64_t>(j.at(f::kTask)),
                         .request = string_at(j, f::kRequest),
                         .allow = allow.get<bool>(),
                         .reason = {},
                         .by = field_or(j, f::kBy, "")};
    get_nullable(j, f::kReason, a.reason);
    return a;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace ptt::protocol
