#include "audio/preroll_buffer.h"

namespace ptt::audio {

void PrerollBuffer::push(const Chunk& chunk) {
  if (ring_.empty()) return;
  Chunk& slot = ring_[next_];
  slot.index = chunk.index;
  slot.samples.assign(chunk.samples.begin(), chunk.samples.end());  // reuses the slot's memory
  next_ = (next_ + 1) % ring_.size();
  if (size_ < ring_.size()) ++size_;
}

std::vector<Chunk> PrerollBuffer::take() {
  std::vector<Chunk> out;
  out.reserve(size_);
  std::size_t first = (next_ + ring_.size() - size_) % (ring_.empty() ? 1 : ring_.size());
  for (std::size_t i = 0; i < size_; ++i) out.push_back(ring_[(first + i) % ring_.size()]);
  size_ = 0;
  return out;
}

}  // namespace ptt::audio
