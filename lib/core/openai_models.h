#pragma once
// OpenAI model names the tools default to, the ones OpenAI has announced it will shut
// down, and which Realtime models take reasoning settings: the one place they are kept.
//
// Source: the official `openai` npm package 7.55.0 (the version the conformance check
// pins), resources/realtime/realtime.d.ts (RealtimeSessionCreateRequest.model,
// AudioTranscription.model, RealtimeReasoning) and resources/audio/audio.d.ts
// (AudioModel), read 2026-12-05. Their "Deprecated values" lists link
// https://developers.openai.com/api/docs/deprecations. Update from a newer package.
#include <array>
#include <string_view>

namespace ptt::openai {

inline constexpr const char* kDefaultRealtimeModel = "gpt-realtime-2.1";
inline constexpr const char* kDefaultTranscriptionModel = "gpt-transcribe";
// Speech wants an answer now: little reasoning before it (RealtimeReasoningEffort).
inline constexpr const char* kDefaultReasoningEffort = "low";
inline constexpr std::array<std::string_view, 5> kReasoningEfforts = {"minimal", "low", "medium", "high",
                                                                      "xhigh"};

struct DeprecatedModel {
  std::string_view name;
  std::string_view shutdown;  // announced shutdown date, YYYY-MM-DD
};

inline constexpr std::array<DeprecatedModel, 11> kDeprecatedModels = {{
    {"gpt-realtime", "2027-01-20"},
    {"gpt-realtime-2025-08-28", "2027-01-20"},
    {"gpt-realtime-mini", "2027-01-20"},
    {"gpt-realtime-mini-2025-12-15", "2027-01-20"},
    {"gpt-audio-mini", "2027-01-20"},
    {"gpt-audio-mini-2025-12-15", "2027-01-20"},
    {"whisper-1", "2027-02-26"},
    {"gpt-4o-mini-transcribe", "2027-02-26"},
    {"gpt-4o-mini-transcribe-2025-12-15", "2027-02-26"},
    {"gpt-4o-transcribe", "2027-02-26"},
    {"gpt-4o-transcribe-diarize", "2027-02-26"},
}};

// The entry for `model`, or nullptr when it is not on the list.
inline const DeprecatedModel* find_deprecated(std::string_view model) {
  for (const auto& m : kDeprecatedModels)
    if (m.name == model) return &m;
  return nullptr;
}

// The gpt-realtime-2 family (gpt-realtime-2, -2.1, -2.1-mini and their snapshots) is the
// reasoning-capable one; older models refuse a session.reasoning field.
inline bool accepts_reasoning(std::string_view model) {
  constexpr std::string_view family = "gpt-realtime-2";
  if (model.substr(0, family.size()) != family) return false;
  std::string_view rest = model.substr(family.size());
  return rest.empty() || rest[0] == '.' || rest[0] == '-';  // not gpt-realtime-2025-08-28
}

}  // namespace ptt::openai
