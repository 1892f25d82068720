#include "transcribe/dictation.h"

namespace ptt::transcribe {

void add_dictation_options(CLI::App& app, DictationOptions& options) {
  auto* flag = app.add_flag("--transcribe", options.enabled,
                            "dictation, no Realtime session: print each utterance's transcript as one line "
                            "(POST BASE_URL/audio/transcriptions)");
  app.add_option("--transcribe-model", options.model, "with --transcribe: the transcription model")
      ->capture_default_str()
      ->needs(flag);
  app.add_option("--base-url", options.base_url, "with --transcribe: the API's base URL")
      ->envname("OPENAI_BASE_URL")
      ->capture_default_str();  // no needs(): the variable may be set for other tools
  // Not tied to --transcribe: the voice session reads it too (NDJSON even on a terminal).
  app.add_flag("--json", options.json,
               "NDJSON on stdout even on a terminal; with --transcribe: one object per utterance "
               "{type:transcript, utterance, ms, text}");
}

}  // namespace ptt::transcribe
