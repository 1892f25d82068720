#pragma once
// Parsing of evdev `struct input_event` records, apart from any device: the bytes
// may come from /dev/input/eventN or, in tests, from a pipe or FIFO.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ptt::hotkey {

enum class HotkeyEvent { kPress, kRelease, kToggle };

struct InputRecord {
  std::uint16_t type = 0;
  std::uint16_t code = 0;
  std::int32_t value = 0;
};

// sizeof(struct input_event) on this platform (24 bytes on x86_64).
std::size_t input_record_size();

// Turns a byte stream into records; a record split across reads is kept until whole.
class InputRecordParser {
 public:
  void feed(const void* data, std::size_t size, std::vector<InputRecord>& out);
  std::size_t buffered() const { return partial_.size(); }

 private:
  std::string partial_;
};

// Press and release of one key: EV_KEY with value 1 and 0; autorepeat (2), other
// keys and other event types are ignored.
class KeyFilter {
 public:
  explicit KeyFilter(int key_code) : key_code_(key_code) {}
  std::optional<HotkeyEvent> on_record(const InputRecord& record) const;

 private:
  int key_code_;
};

}  // namespace ptt::hotkey
