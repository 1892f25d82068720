#pragma once
// What a Realtime session is told at start: model, voice, turn mode, the projects the
// model may pick from. Filled by tools/ptt-realtime/main.cpp, read by the pure session.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/openai_models.h"

namespace ptt::realtime {

enum class TurnMode { kPushToTalk, kServerVad, kSemanticVad };

struct Project {
  std::string name;
  std::string dir;   // absolute; the only cwd a spawned task may get (on its host)
  std::string host;  // "" for this machine, else the host's name (client/host.h): its daemon runs the task
  // Its spawn defaults (--project-defaults): unset leaves it to the daemon (--isolate, --sandbox).
  std::optional<bool> worktree{};
  std::optional<bool> sandbox{};
  std::optional<std::string> setup{};  // a command run in each new worktree first
};

struct SessionConfig {
  std::string model = openai::kDefaultRealtimeModel;
  std::string voice = "marin";
  std::string transcription_model = openai::kDefaultTranscriptionModel;
  std::string reasoning_effort = openai::kDefaultReasoningEffort;  // sent only to models that take it
  TurnMode turn_mode = TurnMode::kPushToTalk;
  std::string instructions;  // empty: the built-in instructions
  std::vector<Project> projects;
  std::string default_cwd;                   // used by spawn_task when no project is configured
  std::size_t max_result_chars = 600;        // tool results meant for speech stay short
  std::size_t max_announcement_chars = 300;  // summary spoken when a task finishes
  std::size_t carry_over_tokens = 2000;      // recent turns a renewed session is told (4 chars a token)
};

}  // namespace ptt::realtime
