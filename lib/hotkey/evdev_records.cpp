#include "hotkey/evdev_records.h"

#include <cstring>

#include <linux/input.h>

namespace ptt::hotkey {

std::size_t input_record_size() { return sizeof(input_event); }

void InputRecordParser::feed(const void* data, std::size_t size, std::vector<InputRecord>& out) {
  partial_.append(static_cast<const char*>(data), size);
  std::size_t whole = partial_.size() / sizeof(input_event) * sizeof(input_event);
  for (std::size_t pos = 0; pos < whole; pos += sizeof(input_event)) {
    input_event ev;
    std::memcpy(&ev, partial_.data() + pos, sizeof ev);
    out.push_back({ev.type, ev.code, ev.value});
  }
  partial_.erase(0, whole);
}

std::optional<HotkeyEvent> KeyFilter::on_record(const InputRecord& record) const {
  if (record.type != EV_KEY || record.code != key_code_) return std::nullopt;
  if (record.value == 1) return HotkeyEvent::kPress;
  if (record.value == 0) return HotkeyEvent::kRelease;
  return std::nullopt;  // 2: autorepeat while held
}

}  // namespace ptt::hotkey
