#pragma once
// Everything ptt-listen's command line sets; main.cpp fills it, the runners use it.
#include <string>

#include "hotkey/portal_shortcut.h"

namespace ptt::listen {

struct ListenOptions {
  // Audio in
  std::string input_device;  // NAME|INDEX; empty: the default input
  double input_rate = 0;     // 0: the device's own rate
  int input_channels = 0;    // 0: the device's own (at most 2)
  std::string file;          // a sound file instead of the microphone
  bool fast = false;         // --file as fast as possible instead of real time
  // Utterances
  int chunk_ms = 20;
  int preroll_ms = 300;
  int tail_ms = 200;
  double max_seconds = 0;
  bool meter = false;
  // Hotkey
  std::string hotkey = "evdev";  // evdev | signal | tty | portal | none
  std::string key = "F9";
  std::string device;  // evdev device path instead of scanning
  std::string input_dir = "/dev/input";
  std::string pidfile;
  hotkey::portal::ShortcutSpec portal;  // --hotkey portal: what the desktop binds
};

inline constexpr const char* kTool = "ptt-listen";

// Each returns the process exit status.
int run_microphone(const ListenOptions& options);
int run_file(const ListenOptions& options);
int list_devices(bool json);
// Whether the session bus has a desktop portal with GlobalShortcuts (lib/portal).
int check_portal(bool json);

}  // namespace ptt::listen
