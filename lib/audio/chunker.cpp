#include "audio/chunker.h"

#include <stdexcept>

namespace ptt::audio {

Chunker::Chunker(int chunk_ms) : chunk_samples_(samples_per_chunk(chunk_ms)) {
  if (chunk_ms <= 0) throw std::invalid_argument("chunk length must be positive");
  partial_.reserve(chunk_samples_);
}

void Chunker::push(const std::vector<std::int16_t>& samples, const std::function<void(Chunk&&)>& on_chunk) {
  std::size_t pos = 0;
  while (pos < samples.size()) {
    std::size_t take = std::min<std::size_t>(chunk_samples_ - partial_.size(), samples.size() - pos);
    partial_.insert(partial_.end(), samples.begin() + pos, samples.begin() + pos + take);
    pos += take;
    if (partial_.size() == static_cast<std::size_t>(chunk_samples_)) {
      Chunk chunk{next_index_++, std::move(partial_)};
      partial_.clear();
      partial_.reserve(chunk_samples_);
      on_chunk(std::move(chunk));
    }
  }
}

void Chunker::finish(const std::function<void(Chunk&&)>& on_chunk) {
  if (partial_.empty()) return;
  Chunk chunk{next_index_++, std::move(partial_)};
  partial_.clear();
  on_chunk(std::move(chunk));
}

}  // namespace ptt::audio
