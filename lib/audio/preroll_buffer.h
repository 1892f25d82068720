#pragma once
// The last N chunks heard before the key went down, so the first words of an
// utterance are not clipped. A fixed ring: old chunks are overwritten, never grown.
#include <cstddef>
#include <vector>

#include "audio/chunker.h"

namespace ptt::audio {

class PrerollBuffer {
 public:
  explicit PrerollBuffer(std::size_t capacity_chunks) : ring_(capacity_chunks) {}

  void push(const Chunk& chunk);
  // Chunks held, oldest first, and forget them.
  std::vector<Chunk> take();
  void clear() { size_ = 0; }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return ring_.size(); }

 private:
  std::vector<Chunk> ring_;
  std::size_t next_ = 0;  // slot the next chunk goes into
  std::size_t size_ = 0;
};

}  // namespace ptt::audio
