#include "realtime/audio_sink.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <sndfile.h>

#include "realtime/audio_bytes.h"

namespace ptt::realtime {

void PlayClock::queued(const std::string& item_id, std::int64_t frames) {
  if (item_id != item_id_) {
    item_id_ = item_id;
    item_start_ = total_queued_;
  }
  total_queued_ += frames;
}

void PlayClock::played_to(std::int64_t total_played_frames) {
  total_played_ = std::min(std::max(total_played_, total_played_frames), total_queued_);
}

void PlayClock::stop() { total_queued_ = total_played_; }

PlaybackStatus PlayClock::status() const {
  PlaybackStatus s;
  s.playing = total_played_ < total_queued_;
  s.item_id = item_id_;
  std::int64_t frames = std::max<std::int64_t>(0, total_played_ - item_start_);
  s.played_ms = frames * 1000 / kSampleRate;
  return s;
}

namespace {

class NullSink final : public AudioSink {
 public:
  void play(const std::string&, std::string_view) override {}
  void stop() override {}
  PlaybackStatus status() override { return {}; }
};

class WavSink final : public AudioSink {
 public:
  explicit WavSink(const std::string& path) {
    SF_INFO info{};
    info.samplerate = kSampleRate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    file_ = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!file_) throw std::runtime_error("cannot write '" + path + "': " + sf_strerror(nullptr));
  }
  ~WavSink() override { close(); }

  void play(const std::string& item_id, std::string_view pcm) override {
    advance();
    if (!clock_.status().playing) {
      // The "speaker" starts now: played time runs from here.
      started_ = std::chrono::steady_clock::now();
      base_ = clock_.total_played();
    }
    auto frames = static_cast<sf_count_t>(pcm.size() / 2);
    if (file_) {
      sf_write_raw(file_, pcm.data(), frames * 2);
      sf_write_sync(file_);  // readers (tests, players) see whole samples at once
    }
    clock_.queued(item_id, frames);
  }
  void stop() override {
    advance();
    clock_.stop();
  }
  PlaybackStatus status() override {
    advance();
    return clock_.status();
  }
  bool drained() override { return true; }  // the file already holds everything
  void close() override {
    if (file_) sf_close(file_);
    file_ = nullptr;
  }

 private:
  void advance() {
    auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
    clock_.played_to(base_ + elapsed.count() * kSampleRate / 1000);
  }
  SNDFILE* file_ = nullptr;
  PlayClock clock_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::int64_t base_ = 0;
};

}  // namespace

std::unique_ptr<AudioSink> make_null_sink() { return std::make_unique<NullSink>(); }
std::unique_ptr<AudioSink> make_wav_sink(const std::string& path) { return std::make_unique<WavSink>(path); }

}  // namespace ptt::realtime
