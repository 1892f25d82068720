#include "audio/spsc_ring.h"

#include <algorithm>

namespace ptt::audio {

SpscRing::SpscRing(std::size_t min_capacity) {
  std::size_t capacity = 1;
  while (capacity < min_capacity) capacity <<= 1;
  buffer_.resize(capacity);
  mask_ = capacity - 1;
}

std::size_t SpscRing::write(const std::int16_t* samples, std::size_t count) {
  std::size_t head = head_.load(std::memory_order_relaxed);
  std::size_t tail = tail_.load(std::memory_order_acquire);
  std::size_t n = std::min(count, buffer_.size() - (head - tail));
  for (std::size_t i = 0; i < n; ++i) buffer_[(head + i) & mask_] = samples[i];
  head_.store(head + n, std::memory_order_release);
  return n;
}

std::size_t SpscRing::read(std::vector<std::int16_t>& out, std::size_t max) {
  std::size_t tail = tail_.load(std::memory_order_relaxed);
  std::size_t head = head_.load(std::memory_order_acquire);
  std::size_t n = std::min(head - tail, max);
  out.reserve(out.size() + n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(buffer_[(tail + i) & mask_]);
  tail_.store(tail + n, std::memory_order_release);
  return n;
}

std::size_t SpscRing::readable() const {
  return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_acquire);
}

}  // namespace ptt::audio
