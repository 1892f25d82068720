#pragma once
// Dictation's input side: ptt-listen's NDJSON events in, finished utterances out.
// Pure (no I/O): the runner feeds it parsed lines and carries out what it returns.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ptt::transcribe {

// One spoken turn: PCM16 little-endian, 24 kHz mono, as ptt-listen sent it.
struct Utterance {
  std::uint64_t seq = 0;  // 1, 2, ... in the order the turns ended
  std::string pcm;
  std::int64_t ms() const;
};

struct CollectorOutput {
  std::vector<Utterance> utterances;  // ready to transcribe, in order
  std::vector<std::string> notes;     // for stderr: dropped turns, skipped lines
};

class UtteranceCollector {
 public:
  // As the Realtime session: a turn under 100 ms is dropped, not sent.
  static constexpr std::int64_t kMinMs = 100;
  // The endpoint takes files up to 25 MB; a longer turn is cut there (~8.7 min).
  static constexpr std::size_t kMaxPcmBytes = 25'000'000 - 44;

  CollectorOutput on_event(const nlohmann::json& event);
  // End of input: a turn still open is ended as if ptt.stop had come.
  CollectorOutput on_eof();

  bool in_turn() const { return in_turn_; }

 private:
  void stop(CollectorOutput& out);
  void append(const nlohmann::json& event, CollectorOutput& out);

  bool in_turn_ = false;
  bool cut_ = false;  // the turn hit kMaxPcmBytes; the rest of it is ignored
  std::string pcm_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace ptt::transcribe
