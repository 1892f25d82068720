#pragma once
// Keyboards under /dev/input that have the hotkey, read without an exclusive grab
// (other programs still see the key). New keyboards are picked up through inotify.
// --device PATH reads one given path instead, which may be a FIFO of raw records.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "hotkey/evdev_records.h"
#include "hotkey/hotkey_source.h"

namespace ptt::hotkey {

// Thrown when no readable keyboard has the key; the message says what to do.
struct NoKeyboardError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class EvdevSource : public HotkeySource {
 public:
  // device_path empty: scan input_dir (and keep watching it).
  EvdevSource(int key_code, const std::string& device_path, const std::string& input_dir = "/dev/input");
  ~EvdevSource() override;

  std::vector<int> fds() const override;
  void on_readable(int fd, std::vector<HotkeyEvent>& out) override;
  std::string describe() const override;

 private:
  struct Device {
    int fd;
    std::string path;
    InputRecordParser parser;
  };
  // Opens `path` if it has our key (or is not a device: a FIFO of records); otherwise
  // returns false and, if `why` is given, says why.
  bool try_open(const std::string& path, std::string* why);
  void scan();
  void on_inotify();

  int key_code_;
  KeyFilter filter_;
  std::string input_dir_;
  int inotify_fd_ = -1;
  std::vector<std::unique_ptr<Device>> devices_;
  int unreadable_ = 0;  // event nodes we were not allowed to open, for the error
};

}  // namespace ptt::hotkey
