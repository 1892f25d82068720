#pragma once
// Raw audio → 24 kHz mono chunks → the capture machine → NDJSON, plus the side
// watches (digital silence, level). Shared by the microphone and --file runners.
#include <cstdint>
#include <string>
#include <vector>

#include "audio/chunker.h"
#include "audio/converter.h"
#include "audio/silence_detector.h"
#include "listen/capture_machine.h"

namespace ptt::listen {

class Pipeline {
 public:
  Pipeline(const MachineConfig& config, double input_rate, int channels);

  void push(const std::int16_t* interleaved, std::size_t frames);
  void push(const float* interleaved, std::size_t frames);
  // End of input: flush the resampler and a partial last chunk.
  void finish();

  CaptureMachine& machine() { return machine_; }
  // NDJSON produced so far; the runner writes it out and clears it.
  std::string& lines() { return lines_; }
  // Stream positions (ms) of the chunks completed by the latest push, for tracing.
  const std::vector<std::int64_t>& completed() const { return completed_; }
  // True once when the input has been digital silence for 2 s.
  bool take_silence_warning();
  double level_dbfs() const { return level_dbfs_; }

 private:
  void on_chunk(audio::Chunk&& chunk);

  int chunk_ms_;
  audio::Converter converter_;
  audio::Chunker chunker_;
  audio::SilenceDetector silence_;
  CaptureMachine machine_;
  std::vector<std::int16_t> converted_;
  std::vector<std::int64_t> completed_;
  std::string lines_;
  bool silence_warning_ = false;
  double level_dbfs_ = -120;
};

}  // namespace ptt::listen
