#include "protocol/queue_hold.h"

#include <cmath>

#include "protocol/json_fields.h"

namespace ptt::protocol {
using nlohmann::json;
namespace f = hold_field;

namespace {
constexpr const char* kEventKey = "event";
}

void to_json(json& j, const QueueHold& h) {
  j = {{f::kUntil, h.until}, {f::kReason, h.reason}};
  put_nullable(j, f::kTask, h.task);
  put_nullable(j, f::kRateLimitType, h.rate_limit_type);
}

void from_json(const json& j, QueueHold& h) {
  const json& until = j.at(f::kUntil);
  if (!until.is_number() || !std::isfinite(until.get<double>()))
    throw json::type_error::create(302, "`until` must be a number of seconds", &j);
  h.until = until.get<double>();
  h.reason = j.at(f::kReason).get<std::string>();
  get_nullable(j, f::kTask, h.task);
  get_nullable(j, f::kRateLimitType, h.rate_limit_type);
}

json queue_event_json(const QueueEvent& e) {
  return std::visit(
      [](const auto& ev) {
        json j = {{kEventKey, ev.kEvent}, {f::kHold, ev.hold}};
        if constexpr (std::is_same_v<std::decay_t<decltype(ev)>, QueueResumed>) j[f::kBy] = ev.by;
        return j;
      },
      e);
}

std::optional<QueueEvent> parse_queue_event(const json& j) {
  std::string name = field_or(j, kEventKey, "");
  if (name != event::kQueueHeld && name != event::kQueueResumed) return std::nullopt;
  try {
    QueueHold hold = j.at(f::kHold).get<QueueHold>();
    if (name == event::kQueueHeld) return QueueHeld{std::move(hold)};
    return QueueResumed{std::move(hold), field_or(j, f::kBy, "")};
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::string describe_hold(const QueueHold& h, std::string_view local_time) {
  std::string why = h.reason == kHoldRateLimited ? "rate limited" : h.reason;
  std::string detail = h.rate_limit_type.value_or("");
  if (h.task) detail += (detail.empty() ? "task " : ", task ") + std::to_string(*h.task);
  return "queue held until " + std::string(local_time) + ", " + why +
         (detail.empty() ? "" : " (" + detail + ")");
}

}  // namespace ptt::protocol
