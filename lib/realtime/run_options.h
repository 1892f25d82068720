#pragma once
// Everything ptt-realtime's main() collects, and the loop that runs the session.
#include <string>

#include "realtime/config.h"

namespace ptt::realtime {

struct RunOptions {
  SessionConfig session;
  std::string url;          // ws:// or wss://; the model is in its query
  std::string api_key;      // never printed
  std::string socket_path;  // ptt-taskd
  std::string ca_file;      // --ca-file: trust these CAs instead of the system's
  enum class Output { kNone, kWav, kSpeaker } output = Output::kNone;
  std::string audio_out;      // --audio-out FILE.wav
  std::string output_device;  // --output-device
  double drain_seconds = 5;   // at end of input, how long in-flight work may take
  // --renew-after (minutes on the command line): a new session before the server's
  // 60-minute limit ends this one; 0: only when the server ends it.
  double renew_after_seconds = 55 * 60;
  bool readable = false;  // stdout: the readable conversation (conversation_view.h), else NDJSON
  bool color = false;     // with readable: colours (a terminal, NO_COLOR unset)
};

// "api=~/src/api" -> {"api", "/home/me/src/api"}; false with `error` if malformed or
// the directory does not exist.
bool parse_project(const std::string& spec, Project& out, std::string& error);

// The whole text of a file (--instructions-file); empty when it cannot be read.
std::string read_text_file(const std::string& path);

// The GA endpoint for `model`.
std::string default_realtime_url(const std::string& model);

// Runs the session until end of input (0), a rejected key (2), SIGINT (130) or a
// fatal set-up error (1 or 2). Reports errors itself.
int run_session(const RunOptions& options);

}  // namespace ptt::realtime
