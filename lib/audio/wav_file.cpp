#include "audio/wav_file.h"

#include <stdexcept>
#include <string>

#include <sndfile.h>

namespace ptt::audio {

namespace {

// libsndfile says "System error : No such file or directory." or "Format not recognised.":
// callers put the reason inside a sentence, so it goes without its prefix and full stop.
std::string reason_in_a_sentence(std::string text) {
  const std::string prefix = "System error : ";
  if (text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
  while (!text.empty() && (text.back() == '.' || text.back() == ' ' || text.back() == '\n')) text.pop_back();
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' &&
      (text.size() < 2 || !(text[1] >= 'A' && text[1] <= 'Z')))
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text.empty() ? "libsndfile cannot open it" : text;
}

}  // namespace

struct WavFile::Handle {
  SNDFILE* file = nullptr;
  ~Handle() {
    if (file) sf_close(file);
  }
};

WavFile::WavFile(const std::string& path) : handle_(std::make_unique<Handle>()) {
  SF_INFO info{};
  handle_->file = sf_open(path.c_str(), SFM_READ, &info);
  if (!handle_->file) throw std::runtime_error(reason_in_a_sentence(sf_strerror(nullptr)));
  if (info.channels < 1 || info.samplerate < 1) throw std::runtime_error("the file has no audio");
  rate_ = info.samplerate;
  channels_ = info.channels;
  frames_ = info.frames;
}

WavFile::~WavFile() = default;

std::size_t WavFile::read(std::size_t frames, std::vector<float>& out) {
  out.resize(frames * channels_);
  sf_count_t got = sf_readf_float(handle_->file, out.data(), static_cast<sf_count_t>(frames));
  if (got < 0) got = 0;
  out.resize(static_cast<std::size_t>(got) * channels_);
  return static_cast<std::size_t>(got);
}

}  // namespace ptt::audio
