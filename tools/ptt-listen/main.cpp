// ptt-listen: hotkey and microphone to NDJSON push-to-talk events on stdout.
#include <CLI/CLI.hpp>
#include <exception>

#include "core/cli.h"
#include "core/config.h"
#include "core/exit_status.h"
#include "listen/listen_options.h"

int main(int argc, char** argv) {
  using ptt::listen::kTool;
  ptt::exit_quietly_on_epipe();
  CLI::App app{
      "Hotkey and microphone to NDJSON on stdout: ptt.start, audio (base64 PCM16, 24 kHz mono) and ptt.stop "
      "lines, for `ptt-listen | ptt-realtime`.",
      kTool};
  ptt::add_standard_options(app, kTool);
  ptt::add_config_file(app, kTool);
  ptt::listen::ListenOptions o;
  bool list = false, json = false, check_portal = false;
  app.add_flag("--list-devices", list, "List audio input devices and exit")->configurable(false);
  app.add_flag("--check-portal", check_portal,
               "Say whether the session bus has a desktop portal with GlobalShortcuts (for --hotkey portal) "
               "and exit: 0 yes, 3 no")
      ->configurable(false);
  app.add_flag("--json", json, "With --list-devices or --check-portal: print JSON")->configurable(false);
  app.add_option("--input-device", o.input_device,
                 "Input device: index or part of the name (default: the default input)");
  app.add_option("--input-rate", o.input_rate, "Capture rate in Hz (default: the device's own)")
      ->check(ptt::between(8000, 384000));
  app.add_option("--input-channels", o.input_channels,
                 "Capture channels (default: the device's own, at most 2)")
      ->check(ptt::between(1, 32, true));
  app.add_option("--chunk-ms", o.chunk_ms, "Audio chunk length in ms")
      ->capture_default_str()
      ->check(ptt::between(5, 1000, true));
  app.add_option("--preroll-ms", o.preroll_ms, "Audio kept from before the key press, in ms")
      ->capture_default_str()
      ->check(ptt::between(0, 10000, true));
  app.add_option("--tail-ms", o.tail_ms, "Audio kept after the key release, in ms")
      ->capture_default_str()
      ->check(ptt::between(0, 10000, true));
  app.add_option("--max-seconds", o.max_seconds, "Cap on one utterance (0: none)")
      ->capture_default_str()
      ->check(ptt::between(0, 86400));
  app.add_flag("--meter", o.meter, "Show a level meter on stderr (when it is a terminal)");
  auto* file =
      app.add_option("--file", o.file, "Read this sound file instead of the microphone (one utterance)");
  app.add_flag("--fast", o.fast, "With --file: as fast as possible, not in real time")->needs(file);
  app.add_option("--hotkey", o.hotkey,
                 "Hotkey source: evdev (keyboard), signal (SIGUSR1 press, SIGUSR2 release), "
                 "tty (Enter toggles), portal (a desktop global shortcut: GNOME 48+, KDE Plasma, Hyprland) "
                 "or none (continuous)")
      ->capture_default_str()
      ->check(CLI::IsMember({"evdev", "signal", "tty", "portal", "none"}));
  app.add_option("--key", o.key, "With evdev: the Linux key name")->capture_default_str();
  app.add_option("--device", o.device, "With evdev: read this event device (or FIFO of input_event records)");
  app.add_option("--portal-shortcut", o.portal.id, "With portal: the shortcut's id")->capture_default_str();
  app.add_option("--portal-description", o.portal.description,
                 "With portal: what the desktop shows for the shortcut")
      ->capture_default_str();
  app.add_option("--portal-trigger", o.portal.preferred_trigger,
                 "With portal: the key to suggest, e.g. F9 or CTRL+space (the desktop may let you change it; "
                 "empty: none)")
      ->capture_default_str();
  app.add_option("--pidfile", o.pidfile, "Write our pid here once ready (for kill -USR1); removed at exit");
  if (int rc = ptt::parse_or_exit(app, argc, argv, kTool); rc >= 0) return rc;
  if (json && !list && !check_portal) {
    ptt::print_error(kTool, "--json only goes with --list-devices or --check-portal");
    return ptt::kExitUsage;
  }
  try {
    if (list) return ptt::listen::list_devices(json);
    if (check_portal) return ptt::listen::check_portal(json);
    if (!o.file.empty()) return ptt::listen::run_file(o);
    return ptt::listen::run_microphone(o);
  } catch (const std::exception& e) {
    ptt::print_error(kTool, std::string(e.what()) + "; see ptt-listen --help");
    return ptt::kExitFailure;
  }
}
