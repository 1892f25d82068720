#pragma once
// A single-producer, single-consumer ring of PCM16 samples. The PortAudio callback
// (producer) must never block or allocate: it only copies and bumps an atomic.
// Capacity is fixed at construction (rounded up to a power of two).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ptt::audio {

class SpscRing {
 public:
  explicit SpscRing(std::size_t min_capacity);

  // Producer side: writes as many samples as fit; returns how many were written.
  std::size_t write(const std::int16_t* samples, std::size_t count);
  // Consumer side: moves up to `max` samples into out (appended); returns the count.
  std::size_t read(std::vector<std::int16_t>& out, std::size_t max = SIZE_MAX);

  std::size_t capacity() const { return buffer_.size(); }
  std::size_t readable() const;

 private:
  std::vector<std::int16_t> buffer_;
  std::size_t mask_;
  alignas(64) std::atomic<std::size_t> head_{0};  // total written (producer owns)
  alignas(64) std::atomic<std::size_t> tail_{0};  // total read (consumer owns)
};

}  // namespace ptt::audio
