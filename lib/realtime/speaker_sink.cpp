// The PortAudio speaker sink: a callback stream pulling from a locked queue, and
// the frames it has handed to the device counted as played.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>
#include <portaudio.h>

#include "realtime/audio_bytes.h"
#include "realtime/audio_sink.h"

namespace ptt::realtime {

namespace {

PaDeviceIndex find_output_device(const std::string& wanted) {
  if (wanted.empty()) return Pa_GetDefaultOutputDevice();
  int count = Pa_GetDeviceCount();
  bool numeric = !wanted.empty() && std::all_of(wanted.begin(), wanted.end(), ::isdigit);
  for (int i = 0; i < count; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (!info || info->maxOutputChannels < 1) continue;
    if (numeric ? std::stoi(wanted) == i : std::string(info->name).find(wanted) != std::string::npos)
      return i;
  }
  return paNoDevice;
}

class SpeakerSink final : public AudioSink {
 public:
  explicit SpeakerSink(const std::string& device) {
    if (PaError e = Pa_Initialize(); e != paNoError)
      throw std::runtime_error(std::string("PortAudio: ") + Pa_GetErrorText(e));
    initialized_ = true;
    PaDeviceIndex index = find_output_device(device);
    if (index == paNoDevice) {
      throw std::runtime_error(
          device.empty() ? "no default output device; pass --output-device or use --audio-out FILE.wav"
                         : fmt::format("no output device matches '{}'", device));
    }
    PaStreamParameters out{};
    out.device = index;
    out.channelCount = 1;
    out.sampleFormat = paInt16;
    out.suggestedLatency = Pa_GetDeviceInfo(index)->defaultLowOutputLatency;
    PaError e =
        Pa_OpenStream(&stream_, nullptr, &out, kSampleRate, 480, paNoFlag, &SpeakerSink::callback, this);
    if (e == paNoError) e = Pa_StartStream(stream_);
    if (e != paNoError)
      throw std::runtime_error(std::string("cannot open the speaker: ") + Pa_GetErrorText(e));
  }
  ~SpeakerSink() override { close(); }

  void play(const std::string& item_id, std::string_view pcm) override {
    std::lock_guard<std::mutex> lock(mutex_);
    clock_.played_to(played_frames_.load());
    std::size_t n = pcm.size() / 2;
    const auto* samples = reinterpret_cast<const std::int16_t*>(pcm.data());
    queue_.insert(queue_.end(), samples, samples + n);
    clock_.queued(item_id, static_cast<std::int64_t>(n));
  }
  void stop() override {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.clear();
    clock_.played_to(played_frames_.load());
    clock_.stop();
  }
  PlaybackStatus status() override {
    std::lock_guard<std::mutex> lock(mutex_);
    clock_.played_to(played_frames_.load());
    return clock_.status();
  }
  void close() override {
    if (stream_) {
      Pa_StopStream(stream_);
      Pa_CloseStream(stream_);
      stream_ = nullptr;
    }
    if (initialized_) Pa_Terminate();
    initialized_ = false;
  }

 private:
  static int callback(const void*, void* output, unsigned long frames, const PaStreamCallbackTimeInfo*,
                      PaStreamCallbackFlags, void* user) {
    auto* self = static_cast<SpeakerSink*>(user);
    auto* out = static_cast<std::int16_t*>(output);
    std::lock_guard<std::mutex> lock(self->mutex_);
    std::size_t n = std::min<std::size_t>(frames, self->queue_.size());
    std::copy_n(self->queue_.begin(), n, out);
    self->queue_.erase(self->queue_.begin(), self->queue_.begin() + static_cast<std::ptrdiff_t>(n));
    std::fill(out + n, out + frames, std::int16_t{0});  // silence when nothing is queued
    self->played_frames_ += static_cast<std::int64_t>(n);
    return paContinue;
  }

  PaStream* stream_ = nullptr;
  bool initialized_ = false;
  std::mutex mutex_;
  std::deque<std::int16_t> queue_;
  std::atomic<std::int64_t> played_frames_{0};
  PlayClock clock_;
};

}  // namespace

std::unique_ptr<AudioSink> make_speaker_sink(const std::string& device) {
  return std::make_unique<SpeakerSink>(device);
}

}  // namespace ptt::realtime
