// The microphone loop: one poll(2) over the capture wake-up pipe, the signal
// self-pipe and the hotkey fds. PortAudio's callback only fills a lock-free ring;
// conversion, state and output all happen here on the main thread.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <memory>

#include <fmt/format.h>

#include "audio/level_meter.h"
#include "audio/portaudio_capture.h"
#include "core/cli.h"
#include "core/exit_status.h"
#include "hotkey/evdev_source.h"
#include "hotkey/key_names.h"
#include "hotkey/signal_pipe.h"
#include "hotkey/signal_source.h"
#include "hotkey/tty_source.h"
#include "listen/latency_trace.h"
#include "listen/line_writer.h"
#include "listen/listen_options.h"
#include "listen/pidfile.h"
#include "listen/pipeline.h"
#include "portal/portal_source.h"

namespace ptt::listen {
namespace {

MachineConfig machine_config(const ListenOptions& o) {
  return {o.chunk_ms, o.preroll_ms, o.tail_ms, o.max_seconds};
}

// `interrupt_fd` (the signal pipe) ends a wait for the desktop portal's answer.
std::unique_ptr<hotkey::HotkeySource> make_hotkey(const ListenOptions& o, int interrupt_fd) {
  if (o.hotkey == "evdev") {
    auto code = hotkey::key_code(o.key);
    if (!code)
      throw std::invalid_argument(
          fmt::format("unknown key '{}'; use a Linux key name such as F9, RIGHTCTRL "
                      "or PAUSE (see linux/input-event-codes.h)",
                      o.key));
    return std::make_unique<hotkey::EvdevSource>(*code, o.device, o.input_dir);
  }
  if (o.hotkey == "tty") {
    if (!is_tty(0))
      throw std::invalid_argument("--hotkey tty needs a terminal on stdin; use --hotkey signal instead");
    return std::make_unique<hotkey::TtySource>(0);
  }
  if (o.hotkey == "portal") return std::make_unique<hotkey::portal::PortalSource>(o.portal, interrupt_fd);
  return nullptr;  // signal (through the signal pipe) and none
}

class MeterLine {
 public:
  explicit MeterLine(bool enabled) : enabled_(enabled && is_tty(2)) {}
  ~MeterLine() {
    if (enabled_ && drawn_) fmt::print(stderr, "\r\033[K");
  }
  void draw(double dbfs, bool recording) {
    if (!enabled_ || ++calls_ % 5 != 0) return;  // ~10 updates a second at 20 ms chunks
    fmt::print(stderr, "\r{}\033[K", audio::render_meter(dbfs, 30, recording));
    std::fflush(stderr);
    drawn_ = true;
  }
  void clear() {
    if (enabled_ && drawn_) fmt::print(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  long calls_ = 0;
};

}  // namespace

int run_microphone(const ListenOptions& o) {
  hotkey::SignalPipe signals{SIGINT, SIGTERM};
  if (o.hotkey == "signal") {
    signals.add(SIGUSR1);
    signals.add(SIGUSR2);
  }
  std::unique_ptr<hotkey::HotkeySource> keys;
  try {
    keys = make_hotkey(o, signals.fd());
  } catch (const hotkey::NoKeyboardError& e) {
    print_error(kTool, e.what());
    return kExitFailure;
  } catch (const hotkey::portal::PortalUnavailable& e) {
    print_error(kTool, hotkey::portal::unavailable_message(e.what()));
    return kExitUnreachable;
  } catch (const hotkey::portal::PortalRefused& e) {
    print_error(kTool, e.what());
    return kExitFailure;
  } catch (const hotkey::portal::WaitInterrupted&) {  // SIGINT/SIGTERM before the portal answered
    std::vector<int> received = signals.take();
    if (received.empty()) {
      print_error(kTool, "interrupted while waiting for the desktop portal; start ptt-listen again");
      return kExitFailure;
    }
    return received.front() == SIGINT ? kExitInterrupted : kExitOk;
  } catch (const std::invalid_argument& e) {
    print_error(kTool, e.what());
    return kExitUsage;
  }

  int wake[2];
  if (::pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("cannot create a pipe");
  audio::PortAudioSession portaudio;
  audio::CaptureConfig config;
  config.device = audio::resolve_input_device(o.input_device);
  config.rate = o.input_rate;
  config.channels = o.input_channels;
  config.chunk_ms = o.chunk_ms;
  audio::Capture capture(config, wake[1]);
  Pipeline pipeline(machine_config(o), capture.rate(), capture.channels());
  LineWriter out;
  LatencyTrace trace;
  MeterLine meter(o.meter);
  capture.start();

  Pidfile pidfile;
  if (!o.pidfile.empty()) pidfile.write(o.pidfile);
  std::string how = o.hotkey == "signal"
                        ? fmt::format("signal (SIGUSR1 press, SIGUSR2 release; pid {})", ::getpid())
                    : o.hotkey == "none" ? std::string("none (continuous)")
                                         : keys->describe();
  fmt::print(stderr, "{}: ready: {} ({} Hz, {} ch); hotkey {}\n", kTool, config.device.name, capture.rate(),
             capture.channels(), how);
  if (o.hotkey == "none") pipeline.machine().press(pipeline.lines());

  std::vector<std::int16_t> raw;
  std::uint64_t dropped_reported = 0;
  int status = kExitOk;
  for (bool running = true; running && out.ok();) {
    std::vector<pollfd> fds{{signals.fd(), POLLIN, 0}, {wake[0], POLLIN, 0}};
    if (keys)
      for (int fd : keys->fds()) fds.push_back({fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) break;

    // Audio first, so a key event lands after every chunk already captured.
    char sink[64];
    while (::read(wake[0], sink, sizeof sink) > 0) {
    }
    raw.clear();
    std::int64_t captured_ns = 0;
    if (std::size_t frames = capture.drain(raw); frames > 0) {
      captured_ns = capture.last_callback_ns();
      pipeline.push(raw.data(), frames);
      meter.draw(pipeline.level_dbfs(), pipeline.machine().in_utterance());
      if (pipeline.take_silence_warning()) {
        meter.clear();
        print_warning(kTool,
                      "the microphone has delivered only digital silence for 2 s; it may be muted or the "
                      "wrong device (see --list-devices and --input-device)");
      }
    }
    if (!capture.active()) {
      print_error(kTool,
                  "the input stream stopped (device unplugged?); check --list-devices and start again");
      status = kExitFailure;
      running = false;
    }
    if (capture.dropped_frames() > dropped_reported) {
      print_warning(kTool,
                    fmt::format("dropped {} ms of audio: the system is too busy",
                                (capture.dropped_frames() - dropped_reported) * 1000 / capture.rate()));
      dropped_reported = capture.dropped_frames();
    }

    std::vector<hotkey::HotkeyEvent> events;
    try {
      for (std::size_t i = 2; i < fds.size(); ++i)
        if (fds[i].revents) keys->on_readable(fds[i].fd, events);
    } catch (const hotkey::portal::PortalRefused& e) {  // the session or the bus ended
      meter.clear();
      print_error(kTool, e.what());
      status = kExitFailure;
      running = false;
    }
    if (fds[0].revents) {
      for (int sig : signals.take()) {
        if (auto e = hotkey::hotkey_for_signal(sig)) events.push_back(*e);
        if (sig == SIGINT || sig == SIGTERM) {
          running = false;
          status = sig == SIGINT ? kExitInterrupted : kExitOk;
        }
      }
    }
    CaptureMachine& machine = pipeline.machine();
    if (o.hotkey == "none" && !machine.held()) {
      // Continuous mode after a --max-seconds cut: the next utterance starts at once.
      machine.release(pipeline.lines());
      machine.press(pipeline.lines());
    }
    for (auto e : events) {
      bool press = e == hotkey::HotkeyEvent::kPress || (e == hotkey::HotkeyEvent::kToggle && !machine.held());
      press ? machine.press(pipeline.lines()) : machine.release(pipeline.lines());
    }
    if (!running) machine.end(pipeline.lines());
    if (!pipeline.lines().empty()) {
      out.write(pipeline.lines());
      if (trace.enabled() && captured_ns) {
        std::int64_t now = monotonic_ns();
        for (auto ms : pipeline.completed()) trace.record(ms, captured_ns, now);
      }
      pipeline.lines().clear();
    }
  }
  meter.clear();
  capture.stop();
  ::close(wake[0]);
  ::close(wake[1]);
  return status;
}

}  // namespace ptt::listen
