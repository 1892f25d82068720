#include "transcribe/wav_memory.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <sndfile.h>

namespace ptt::transcribe {

namespace {

// A growable byte buffer that libsndfile reads, writes and seeks (it goes back to
// fill in the header's sizes when the file is closed).
struct SndfileBuffer {
  std::string bytes;
  sf_count_t pos = 0;
};

SndfileBuffer& mem(void* user) { return *static_cast<SndfileBuffer*>(user); }

SF_VIRTUAL_IO memory_io() {
  SF_VIRTUAL_IO io{};
  io.get_filelen = [](void* u) -> sf_count_t { return static_cast<sf_count_t>(mem(u).bytes.size()); };
  io.seek = [](sf_count_t offset, int whence, void* u) -> sf_count_t {
    SndfileBuffer& f = mem(u);
    sf_count_t base = whence == SEEK_SET   ? 0
                      : whence == SEEK_CUR ? f.pos
                                           : static_cast<sf_count_t>(f.bytes.size());
    if (base + offset < 0) return -1;
    f.pos = base + offset;
    return f.pos;
  };
  io.read = [](void* ptr, sf_count_t count, void* u) -> sf_count_t {
    SndfileBuffer& f = mem(u);
    sf_count_t size = static_cast<sf_count_t>(f.bytes.size());
    sf_count_t n = f.pos >= size ? 0 : std::min(count, size - f.pos);
    std::memcpy(ptr, f.bytes.data() + f.pos, static_cast<std::size_t>(n));
    f.pos += n;
    return n;
  };
  io.write = [](const void* ptr, sf_count_t count, void* u) -> sf_count_t {
    SndfileBuffer& f = mem(u);
    auto end = static_cast<std::size_t>(f.pos + count);
    if (end > f.bytes.size()) f.bytes.resize(end);
    std::memcpy(f.bytes.data() + f.pos, ptr, static_cast<std::size_t>(count));
    f.pos += count;
    return count;
  };
  io.tell = [](void* u) -> sf_count_t { return mem(u).pos; };
  return io;
}

}  // namespace

std::string pcm16_to_wav(std::string_view pcm, int sample_rate) {
  // The wire bytes are little-endian whatever this machine is.
  std::vector<short> samples(pcm.size() / 2);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    auto lo = static_cast<std::uint8_t>(pcm[2 * i]);
    auto hi = static_cast<std::uint8_t>(pcm[2 * i + 1]);
    samples[i] = static_cast<short>(static_cast<std::uint16_t>(lo | (hi << 8)));
  }
  SndfileBuffer file;
  SF_VIRTUAL_IO io = memory_io();
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* sf = sf_open_virtual(&io, SFM_WRITE, &info, &file);
  if (!sf) throw std::runtime_error(std::string("cannot make a WAV: ") + sf_strerror(nullptr));
  sf_count_t written = sf_write_short(sf, samples.data(), static_cast<sf_count_t>(samples.size()));
  std::string error = written == static_cast<sf_count_t>(samples.size()) ? "" : sf_strerror(sf);
  sf_close(sf);
  if (!error.empty()) throw std::runtime_error("cannot make a WAV: " + error);
  return std::move(file.bytes);
}

}  // namespace ptt::transcribe
