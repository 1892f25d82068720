#include "transcribe/utterance_collector.h"

#include <fmt/format.h>

#include "realtime/audio_bytes.h"

namespace ptt::transcribe {
using nlohmann::json;

std::int64_t Utterance::ms() const { return realtime::pcm16_ms(pcm.size()); }

CollectorOutput UtteranceCollector::on_event(const json& event) {
  CollectorOutput out;
  auto type_it = event.is_object() ? event.find("type") : event.end();
  std::string type = (type_it != event.end() && type_it->is_string()) ? type_it->get<std::string>() : "";
  if (type == "ptt.start") {
    if (!in_turn_) {
      in_turn_ = true;
      cut_ = false;
      pcm_.clear();
    }
  } else if (type == "ptt.stop") {
    stop(out);
  } else if (type == "audio") {
    append(event, out);
  } else if (type == "text") {
    out.notes.push_back("a text line has no audio to transcribe; skipped");
  } else {
    out.notes.push_back(fmt::format("unknown stdin event type '{}' was skipped", type));
  }
  return out;
}

CollectorOutput UtteranceCollector::on_eof() {
  CollectorOutput out;
  stop(out);
  return out;
}

void UtteranceCollector::append(const json& event, CollectorOutput& out) {
  auto it = event.find("data");
  auto bytes = (it != event.end() && it->is_string())
                   ? realtime::decode_audio_base64(it->get_ref<const std::string&>())
                   : std::nullopt;
  if (!bytes) {
    out.notes.push_back("an audio line without valid base64 \"data\" was skipped");
    return;
  }
  if (!in_turn_ || cut_) return;  // key not held, or past the size limit
  if (pcm_.size() + bytes->size() > kMaxPcmBytes) {
    cut_ = true;
    out.notes.push_back(fmt::format("utterance longer than {} s; the rest of it is not transcribed",
                                    realtime::pcm16_ms(kMaxPcmBytes) / 1000));
    return;
  }
  pcm_ += *bytes;
}

void UtteranceCollector::stop(CollectorOutput& out) {
  if (!in_turn_) return;
  in_turn_ = false;
  Utterance u{0, std::move(pcm_)};
  pcm_.clear();
  if (u.ms() < kMinMs) {
    out.notes.push_back(
        fmt::format("utterance too short ({} ms of audio, at least {} ms needed); dropped", u.ms(), kMinMs));
    return;
  }
  u.seq = next_seq_++;
  out.utterances.push_back(std::move(u));
}

}  // namespace ptt::transcribe
