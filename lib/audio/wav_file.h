#pragma once
// A sound file (any format and rate libsndfile reads) as an audio source for --file.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ptt::audio {

class WavFile {
 public:
  // Throws std::runtime_error with libsndfile's reason when the file cannot be read.
  explicit WavFile(const std::string& path);
  ~WavFile();
  WavFile(const WavFile&) = delete;
  WavFile& operator=(const WavFile&) = delete;

  int rate() const { return rate_; }
  int channels() const { return channels_; }
  std::int64_t frames() const { return frames_; }

  // Reads up to `frames` interleaved frames into `out` (resized); 0 at the end.
  std::size_t read(std::size_t frames, std::vector<float>& out);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  int rate_ = 0;
  int channels_ = 0;
  std::int64_t frames_ = 0;
};

}  // namespace ptt::audio
