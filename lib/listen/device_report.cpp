// --list-devices [--json]: the PortAudio input devices, for --input-device.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "audio/portaudio_capture.h"
#include "core/exit_status.h"
#include "core/ndjson.h"
#include "listen/listen_options.h"

namespace ptt::listen {

int list_devices(bool json) {
  audio::PortAudioSession portaudio;
  auto devices = audio::list_input_devices();
  if (json) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& d : devices) {
      all.push_back({{"index", d.index},
                     {"name", d.name},
                     {"host_api", d.host_api},
                     {"max_input_channels", d.max_input_channels},
                     {"default_rate", d.default_rate},
                     {"default", d.is_default}});
    }
    fmt::print("{}\n", all.dump(2));
    return kExitOk;
  }
  if (devices.empty()) fmt::print(stderr, "{}: no audio input devices found\n", kTool);
  for (const auto& d : devices) {
    fmt::print("{}{:3}  {}  ({}, {} ch, {:.0f} Hz)\n", d.is_default ? '*' : ' ', d.index, d.name, d.host_api,
               d.max_input_channels, d.default_rate);
  }
  return kExitOk;
}

}  // namespace ptt::listen
