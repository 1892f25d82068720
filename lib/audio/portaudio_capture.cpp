#include "audio/portaudio_capture.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <stdexcept>

#include <fcntl.h>
#include <portaudio.h>
#include <unistd.h>

#include <fmt/format.h>

namespace ptt::audio {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

void check(PaError error, const char* what) {
  if (error != paNoError) throw std::runtime_error(fmt::format("{}: {}", what, Pa_GetErrorText(error)));
}

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

PortAudioSession::PortAudioSession() {
  // ALSA and JACK print probe failures straight to stderr while PortAudio scans
  // its backends; that noise hides our own messages, so mute fd 2 meanwhile
  // (PTT_AUDIO_DEBUG=1 keeps it).
  const char* debug = std::getenv("PTT_AUDIO_DEBUG");
  bool quiet = !(debug && *debug == '1');
  int saved = -1;
  if (quiet) {
    saved = ::dup(2);
    int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null_fd >= 0) {
      ::dup2(null_fd, 2);
      ::close(null_fd);
    }
  }
  ::setenv("JACK_NO_START_SERVER", "1", 0);  // never spawn a JACK server just to look
  PaError error = Pa_Initialize();
  if (saved >= 0) {
    ::dup2(saved, 2);
    ::close(saved);
  }
  check(error, "cannot initialise PortAudio");
}

PortAudioSession::~PortAudioSession() { Pa_Terminate(); }

std::vector<InputDevice> list_input_devices() {
  std::vector<InputDevice> out;
  int count = Pa_GetDeviceCount();
  PaDeviceIndex default_input = Pa_GetDefaultInputDevice();
  for (int i = 0; i < count; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (!info || info->maxInputChannels < 1) continue;
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    out.push_back({i, info->name ? info->name : "", api && api->name ? api->name : "", info->maxInputChannels,
                   info->defaultSampleRate, i == default_input});
  }
  return out;
}

InputDevice resolve_input_device(const std::string& spec) {
  auto devices = list_input_devices();
  if (devices.empty()) throw std::runtime_error("no audio input device found; plug in a microphone");
  if (spec.empty()) {
    for (auto& d : devices)
      if (d.is_default) return d;
    return devices.front();
  }
  bool numeric = std::all_of(spec.begin(), spec.end(), [](unsigned char c) { return std::isdigit(c); });
  for (auto& d : devices) {
    if (numeric ? d.index == std::atoi(spec.c_str()) : lower(d.name).find(lower(spec)) != std::string::npos) {
      return d;
    }
  }
  throw std::runtime_error(
      fmt::format("no input device matches '{}'; see ptt-listen --list-devices for names and indexes", spec));
}

Capture::Capture(const CaptureConfig& config, int wake_fd)
    : rate_(config.rate > 0 ? config.rate : config.device.default_rate),
      channels_(config.channels > 0 ? config.channels : std::min(config.device.max_input_channels, 2)),
      wake_fd_(wake_fd),
      ring_(static_cast<std::size_t>(rate_ * config.ring_seconds) * std::max(channels_, 1)) {
  PaStreamParameters params{};
  params.device = config.device.index;
  params.channelCount = channels_;
  params.sampleFormat = paInt16;
  params.suggestedLatency = Pa_GetDeviceInfo(config.device.index)->defaultLowInputLatency;
  unsigned long frames_per_buffer = static_cast<unsigned long>(rate_ * config.chunk_ms / 1000);
  PaStream* stream = nullptr;
  check(Pa_OpenStream(&stream, &params, nullptr, rate_, frames_per_buffer, paNoFlag,
                      reinterpret_cast<PaStreamCallback*>(&Capture::callback), this),
        fmt::format("cannot open input device '{}' at {} Hz, {} channel(s)", config.device.name, rate_,
                    channels_)
            .c_str());
  stream_ = stream;
}

Capture::~Capture() {
  if (stream_) {
    Pa_AbortStream(stream_);
    Pa_CloseStream(stream_);
  }
}

void Capture::start() { check(Pa_StartStream(stream_), "cannot start the input stream"); }

void Capture::stop() {
  if (stream_) Pa_AbortStream(stream_);
}

bool Capture::active() const { return stream_ && Pa_IsStreamActive(stream_) == 1; }

int Capture::callback(const void* input, void*, unsigned long frames, const void*, unsigned long,
                      void* self) {
  return static_cast<Capture*>(self)->on_audio(static_cast<const std::int16_t*>(input), frames);
}

int Capture::on_audio(const std::int16_t* input, unsigned long frames) {
  if (!input) return paContinue;
  std::size_t samples = frames * channels_;
  // Whole buffers only: a torn frame would swap channels for the rest of the stream.
  if (ring_.capacity() - ring_.readable() >= samples) {
    ring_.write(input, samples);
  } else {
    dropped_frames_.fetch_add(frames, std::memory_order_relaxed);
  }
  last_callback_ns_.store(monotonic_ns(), std::memory_order_release);
  if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) {
    char byte = 'a';
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &byte, 1);  // non-blocking; a full pipe already wakes
  }
  return paContinue;
}

std::size_t Capture::drain(std::vector<std::int16_t>& out) {
  wake_pending_.store(false, std::memory_order_release);
  std::size_t whole = ring_.readable() / channels_ * channels_;
  return ring_.read(out, whole) / channels_;
}

}  // namespace ptt::audio
