#pragma once
// Dictation mode of ptt-realtime (--transcribe): each utterance from ptt-listen goes
// to the transcription endpoint, and its transcript comes out as one line.
#include <string>

#include <CLI/CLI.hpp>

#include "transcribe/transcription_api.h"

namespace ptt::transcribe {

struct DictationOptions {
  bool enabled = false;  // --transcribe
  std::string model = kDefaultModel;
  std::string base_url = kDefaultBaseUrl;
  bool json = false;
  std::string api_key;  // never printed
  std::string ca_file;
};

// Adds --transcribe, --transcribe-model, --base-url ($OPENAI_BASE_URL) and --json.
void add_dictation_options(CLI::App& app, DictationOptions& options);

// Runs until end of input (0, or 1 if an utterance could not be transcribed), a
// rejected key (2), SIGINT (130) or SIGTERM (0). Reports errors itself.
int run_dictation(const DictationOptions& options);

}  // namespace ptt::transcribe
