#pragma once
// Cuts the converted 24 kHz stream into fixed chunks (20 ms by default), each
// numbered by its position in the capture stream, so that every later stage can
// say exactly which stretch of audio it holds.
#include <cstdint>
#include <functional>
#include <vector>

namespace ptt::audio {

struct Chunk {
  std::int64_t index = 0;             // position in the stream, in chunks
  std::vector<std::int16_t> samples;  // 24 kHz mono; only a final chunk may be short
};

// Samples per chunk at 24 kHz; chunk_ms must be a positive multiple of... any ms.
inline int samples_per_chunk(int chunk_ms) { return 24 * chunk_ms; }

class Chunker {
 public:
  explicit Chunker(int chunk_ms);

  // Calls on_chunk for every chunk completed by `samples`.
  void push(const std::vector<std::int16_t>& samples, const std::function<void(Chunk&&)>& on_chunk);
  // End of stream: a partial final chunk, if any.
  void finish(const std::function<void(Chunk&&)>& on_chunk);

  std::int64_t next_index() const { return next_index_; }
  int chunk_samples() const { return chunk_samples_; }

 private:
  int chunk_samples_;
  std::int64_t next_index_ = 0;
  std::vector<std::int16_t> partial_;
};

}  // namespace ptt::audio
