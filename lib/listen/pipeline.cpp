#include "listen/pipeline.h"

#include "audio/level_meter.h"

namespace ptt::listen {

Pipeline::Pipeline(const MachineConfig& config, double input_rate, int channels)
    : chunk_ms_(config.chunk_ms),
      converter_(input_rate, channels),
      chunker_(config.chunk_ms),
      machine_(config) {}

void Pipeline::push(const std::int16_t* interleaved, std::size_t frames) {
  converted_.clear();
  completed_.clear();
  converter_.push(interleaved, frames, converted_);
  chunker_.push(converted_, [this](audio::Chunk&& c) { on_chunk(std::move(c)); });
}

void Pipeline::push(const float* interleaved, std::size_t frames) {
  converted_.clear();
  completed_.clear();
  converter_.push(interleaved, frames, converted_);
  chunker_.push(converted_, [this](audio::Chunk&& c) { on_chunk(std::move(c)); });
}

void Pipeline::finish() {
  converted_.clear();
  completed_.clear();
  converter_.finish(converted_);
  chunker_.push(converted_, [this](audio::Chunk&& c) { on_chunk(std::move(c)); });
  chunker_.finish([this](audio::Chunk&& c) { on_chunk(std::move(c)); });
}

bool Pipeline::take_silence_warning() {
  bool due = silence_warning_;
  silence_warning_ = false;
  return due;
}

void Pipeline::on_chunk(audio::Chunk&& chunk) {
  if (silence_.push(chunk.samples)) silence_warning_ = true;
  level_dbfs_ = audio::rms_dbfs(chunk.samples);
  completed_.push_back(chunk.index * chunk_ms_);
  machine_.chunk(chunk, lines_);
}

}  // namespace ptt::listen
