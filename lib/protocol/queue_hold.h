#pragma once
// The queue hold: while one exists the daemon starts no queued task (running ones go on,
// spawns are still accepted and queue). A task's agent that the API refused for a rate
// limit holds the queue until the limit's reset (docs/taskd.md, "Rate limits"); the hold
// ends by itself then, or at once with `queue_resume`. It is in the `list`, `wait`,
// `subscribe` and task replies while it lasts, and `queue_held` / `queue_resumed` events
// tell subscribers when it begins and ends.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "protocol/protocol.h"

namespace ptt::protocol {

namespace hold_field {
inline constexpr const char* kUntil = "until";
inline constexpr const char* kReason = "reason";
inline constexpr const char* kTask = "task";
inline constexpr const char* kRateLimitType = "rate_limit_type";
inline constexpr const char* kHold = "hold";
inline constexpr const char* kBy = "by";
}  // namespace hold_field

// Why the queue is held; the only one so far.
inline constexpr std::string_view kHoldRateLimited = "rate_limited";

struct QueueHold {
  double until = 0;                              // Unix seconds: the limit's reset
  std::string reason{kHoldRateLimited};          // rate_limited
  std::optional<std::int64_t> task{};            // the task whose agent was refused
  std::optional<std::string> rate_limit_type{};  // the CLI's rateLimitType (five_hour, seven_day, …)
  bool operator==(const QueueHold&) const = default;
};

void to_json(nlohmann::json& j, const QueueHold& h);
// Throws nlohmann::json::exception on a missing or mistyped field.
void from_json(const nlohmann::json& j, QueueHold& h);

// {"event":"queue_held","hold":{…}}: the queue is held (or an existing hold now lasts longer).
struct QueueHeld {
  static constexpr std::string_view kEvent = event::kQueueHeld;
  QueueHold hold;
  bool operator==(const QueueHeld&) const = default;
};

// {"event":"queue_resumed","hold":{…},"by":"reset"|"resume"}: the hold has ended, at its
// reset time or by a `queue_resume` request; queued tasks may start again.
struct QueueResumed {
  static constexpr std::string_view kEvent = event::kQueueResumed;
  QueueHold hold;
  std::string by;
  bool operator==(const QueueResumed&) const = default;
};

using QueueEvent = std::variant<QueueHeld, QueueResumed>;

nlohmann::json queue_event_json(const QueueEvent& e);
// nullopt for any other line (task events included), or a queue event this version cannot read.
std::optional<QueueEvent> parse_queue_event(const nlohmann::json& j);

// "queue held until 14:05, rate limited (five_hour, task 7)": what list, status, watch and top show.
// `local_time` formats a Unix time as the viewer's clock (HH:MM, with the date when not today).
std::string describe_hold(const QueueHold& h, std::string_view local_time);

}  // namespace ptt::protocol
