// The queue's hold: a task whose agent the API refused for a rate limit holds new task
// starts until the limit resets (docs/taskd.md, "Rate limits"). Queued tasks stay queued,
// running ones go on; the hold ends by itself at the reset, or at once by queue_resume.
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/ndjson.h"
#include "taskd/daemon_state.h"
#include "taskd/queue_hold_file.h"

namespace ptt::taskd {

void Daemon::note_rate_limit(TaskId id, const RateLimit& limit) {
  if (!limit.rejected()) return;
  std::string reset = limit.resets_at ? " until " + utc_time_text(*limit.resets_at) : "";
  if (!config_.rate_limit_hold) {
    daemon_log(
        fmt::format("task {}: rate limited{}; the queue is not held (--rate-limit-hold off)", id, reset));
    return;
  }
  auto hold = hold_for_rate_limit(limit, id, now());
  if (!hold) {
    daemon_log(
        fmt::format("task {}: rate limited with no reset ahead ({}); the queue is not held", id,
                    limit.resets_at ? "it reset at " + utc_time_text(*limit.resets_at) : "none given"));
    return;
  }
  if (extends_hold(hold_, *hold)) hold_queue(*hold);
}

void Daemon::hold_queue(const protocol::QueueHold& hold) {
  hold_ = hold;
  try {
    save_queue_hold(config_.state_dir, hold);
  } catch (const std::exception& e) {
    daemon_log(
        fmt::format("warning: cannot save the queue's hold: {}; a restart will not keep it", e.what()));
  }
  TableActions actions;
  table_.set_held(true, now(), actions);
  arm_hold_timer();
  daemon_log(fmt::format("queue held until {}: task {} was rate limited{}", utc_time_text(hold.until),
                         hold.task.value_or(0),
                         hold.rate_limit_type ? " (" + *hold.rate_limit_type + ")" : ""));
  send_queue_event(protocol::QueueHeld{hold});
  apply(std::move(actions));
}

void Daemon::arm_hold_timer() {
  if (!hold_ || shutting_down_) return;
  // Whole milliseconds up to the reset, rounded up: the timer never fires before it.
  double ms = std::ceil((hold_->until - now()) * 1000);
  uv_timer_start(
      &hold_timer_,
      [](uv_timer_t* h) {
        auto* self = static_cast<Daemon*>(h->data);
        // The wall clock may have been set back since the timer was armed.
        if (self->hold_ && self->hold_->until > now()) {
          self->arm_hold_timer();
        } else {
          self->release_queue("reset");
        }
      },
      ms > 0 ? static_cast<std::uint64_t>(ms) : 0, 0);
}

std::optional<protocol::QueueHold> Daemon::release_queue(std::string_view by) {
  if (!hold_) return std::nullopt;
  protocol::QueueHold released = *std::exchange(hold_, std::nullopt);
  uv_timer_stop(&hold_timer_);
  remove_queue_hold(config_.state_dir);
  daemon_log(by == "reset" ? "queue resumed: the rate limit has reset" : "queue resumed (queue resume)");
  send_queue_event(protocol::QueueResumed{released, std::string(by)});
  TableActions actions;
  table_.set_held(false, now(), actions);
  // A queue_resume's reply goes out before the agents it lets start are started.
  if (by == "resume") {
    apply_after_reply(std::move(actions));
  } else {
    apply(std::move(actions));
  }
  return released;
}

void Daemon::send_queue_event(const protocol::QueueEvent& event) {
  std::string line = to_ndjson(protocol::queue_event_json(event));
  for (auto& [cid, c] : connections_) {
    if (c->subscribed) c->send_line(line);
  }
}

}  // namespace ptt::taskd
