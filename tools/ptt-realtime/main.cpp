// ptt-realtime: OpenAI Realtime voice session; its tools are backed by ptt-taskd.
#include <cstdlib>
#include <filesystem>

#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "core/config.h"
#include "core/exit_status.h"
#include "core/paths.h"
#include "realtime/run_options.h"
#include "transcribe/dictation.h"

namespace rt = ptt::realtime;

int main(int argc, char** argv) {
  ptt::exit_quietly_on_epipe();
  const char* tool = "ptt-realtime";
  CLI::App app{
      "OpenAI Realtime voice session; its tools are backed by ptt-taskd.\n"
      "stdin: NDJSON ptt.start, audio {data: base64 PCM16 24 kHz mono}, ptt.stop, text {text}.\n"
      "stdin: on a terminal, a typed line is a text turn.\n"
      "stdout: on a terminal, the readable conversation; in a pipe (or with --json), NDJSON transcripts,\n"
      "tool calls and results, task events, session state, errors.",
      tool};
  ptt::add_standard_options(app, tool);
  ptt::add_config_file(app, tool);
  rt::RunOptions opt;
  std::string model = opt.session.model, vad, instructions_file, socket = ptt::default_socket_path().string();
  std::vector<std::string> projects, project_defaults;
  bool speaker = false, pretty = false;
  app.add_option("--model", model, "Realtime model")->capture_default_str();
  app.add_option("--url", opt.url, "WebSocket URL (default wss://api.openai.com/v1/realtime?model=MODEL)");
  app.add_option("--voice", opt.session.voice, "output voice")->capture_default_str();
  app.add_option("--reasoning-effort", opt.session.reasoning_effort,
                 "reasoning before a reply, for models that take it (gpt-realtime-2 and later)")
      ->capture_default_str()
      ->check(CLI::IsMember(ptt::openai::kReasoningEfforts));
  app.add_option("--vad", vad, "let the server detect turns instead of push-to-talk")
      ->check(CLI::IsMember({"server", "semantic"}));
  app.add_option("--instructions-file", instructions_file, "replace the built-in instructions")
      ->check(CLI::ExistingFile);
  app.add_option(
      "--project", projects,
      "NAME=DIR a task may run in (repeatable); the model picks by NAME. On another host: "
      "NAME=HOST:/DIR (HOST a [hosts.HOST] of the config file) or NAME=ssh://[USER@]HOST[:PORT]/DIR");
  app.add_option("--project-defaults", project_defaults,
                 "NAME=ITEM,... how a project's tasks are spawned (repeatable): worktree or no-worktree, "
                 "sandbox or no-sandbox, and last setup=CMD (run in each new worktree first)");
  auto* speaker_flag = app.add_flag("--speaker", speaker, "play replies on the speaker (PortAudio)");
  app.add_option("--output-device", opt.output_device, "speaker device: index or part of its name")
      ->needs(speaker_flag);
  app.add_option("--audio-out", opt.audio_out, "write reply audio to FILE.wav (24 kHz mono PCM16)")
      ->excludes(speaker_flag);
  app.add_option("--ca-file", opt.ca_file, "trust the CAs in this PEM file instead of the system's (for wss)")
      ->check(CLI::ExistingFile);
  app.add_option("--socket", socket, "ptt-taskd socket (default: the XDG runtime path)")
      ->envname("PTT_SOCKET");
  app.add_option("--drain-timeout", opt.drain_seconds, "seconds in-flight work may take after end of input")
      ->capture_default_str()
      ->check(ptt::between(0, 60));
  double renew_minutes = opt.renew_after_seconds / 60;
  app.add_option("--renew-after", renew_minutes,
                 "minutes until the session is renewed, its conversation carried over (the server ends a "
                 "session at 60); 0: only when the server ends it")
      ->capture_default_str()
      ->check(ptt::between(0, 59));
  ptt::transcribe::DictationOptions dictation;
  ptt::transcribe::add_dictation_options(app, dictation);  // adds --json: NDJSON in both modes
  app.add_flag("--pretty", pretty, "print the readable conversation even when stdout is not a terminal")
      ->excludes("--json");
  if (int rc = ptt::parse_or_exit(app, argc, argv, tool); rc >= 0) return rc;

  const char* key = std::getenv("OPENAI_API_KEY");
  if (!key || !*key) {
    ptt::print_error(tool,
                     "OPENAI_API_KEY is not set; export OPENAI_API_KEY=sk-... (a key with Realtime access)");
    return ptt::kExitUsage;
  }
  opt.api_key = key;
  if (dictation.enabled) {
    dictation.api_key = key;
    dictation.ca_file = opt.ca_file;
    return ptt::transcribe::run_dictation(dictation);
  }
  opt.session.model = model;
  opt.url = opt.url.empty() ? rt::default_realtime_url(model) : opt.url;
  opt.session.turn_mode = vad == "server"     ? rt::TurnMode::kServerVad
                          : vad == "semantic" ? rt::TurnMode::kSemanticVad
                                              : rt::TurnMode::kPushToTalk;
  if (!instructions_file.empty()) opt.session.instructions = rt::read_text_file(instructions_file);
  if (!rt::add_projects(app, projects, project_defaults, opt)) return ptt::kExitUsage;
  opt.session.default_cwd = std::filesystem::current_path().string();
  opt.socket_path = socket;
  opt.renew_after_seconds = renew_minutes * 60;
  opt.readable = pretty || (!dictation.json && ptt::is_tty(1));
  opt.color = opt.readable && ptt::use_color(1);
  opt.output = speaker                 ? rt::RunOptions::Output::kSpeaker
               : opt.audio_out.empty() ? rt::RunOptions::Output::kNone
                                       : rt::RunOptions::Output::kWav;
  return rt::run_session(opt);
}
